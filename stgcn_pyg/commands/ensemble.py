"""``stgcn-pyg ensemble``: score fusion of saved per-sample scores of several runs (streams),
with weights given or fitted on a validation split, never on the test split."""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..io import save_json
from ..train import ensemble_metrics
from ..train.scores import check_same_samples, fit_weights, load_scores
from .options import POSITIVE, check_fusion_weights


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scores", required=True, nargs="+", type=Path,
                        help="scores_test.npz of each run (RUN/scores_test.npz, or written by "
                        "evaluate)")
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--weights", type=POSITIVE, nargs="+",
                         help="one positive weight per member (default: equal)")
    weights.add_argument("--fit", nargs="+", type=Path, metavar="VAL_SCORES",
                         help="fit the weights on these validation scores (same members, same "
                              "order; from `evaluate --data VAL_DIR`), never on the test split")
    parser.add_argument("--out", type=Path, help="write ensemble.json here")


def run(args: argparse.Namespace) -> int:
    members = [load_scores(path) for path in args.scores]
    check_same_samples(members, "--scores")
    check_fusion_weights(args.weights, len(members), "member")
    weights = args.weights or [1.0] * len(members)
    if args.fit:
        if len(args.fit) != len(members):
            raise ValueError(f"--fit: expected {len(members)} validation score files (one per "
                             f"member, in the same order), got {len(args.fit)}")
        validation = [load_scores(path) for path in args.fit]
        check_same_samples(validation, "--fit")
        _refuse_test_samples(validation[0], members[0])
        weights = fit_weights(validation)
    result = ensemble_metrics([m["logits"] for m in members], members[0]["labels"], weights)
    for member in members:
        top1 = ensemble_metrics([member["logits"]], member["labels"])["top1"]
        print(f"{member['path']} ({member['info'].get('stream', '?')}): top-1 {top1:.4f}")
    print(f"ensemble of {len(members)}, weights {[round(w, 3) for w in weights]}"
          f"{' (fitted on validation)' if args.fit else ''}: top-1 {result['top1']:.4f}  "
          f"top-5 {result['top5']:.4f}")
    if args.out:
        save_json({"scores": [str(p) for p in args.scores], "weights": weights,
                   "fitted_on": [str(p) for p in args.fit] if args.fit else None,
                   "samples": len(members[0]["labels"]), "top1": result["top1"],
                   "top5": result["top5"], "loss": result["loss"],
                   "per_class_accuracy": result["per_class_accuracy"]},
                  args.out / "ensemble.json")
    return 0


def _refuse_test_samples(validation: dict, test: dict) -> None:
    """Weights must not be fitted on the samples they are then judged on."""
    v, t = validation["info"], test["info"]
    same_split = (v.get("data"), v.get("split")) == (t.get("data"), t.get("split"))
    same_samples = (validation["fingerprints"].shape == test["fingerprints"].shape
                    and np.allclose(validation["fingerprints"], test["fingerprints"]))
    if same_split or same_samples:
        raise ValueError(f"--fit: {validation['path']} holds the test samples of --scores "
                         f"({v.get('data')}, split {v.get('split')}); fit the weights on a "
                         f"validation split, never on the test split")
