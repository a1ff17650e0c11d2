"""NW-UCLA cross-view, four streams and their ensemble with weights fitted on validation.

    python experiments/nwucla_streams.py [--seeds 0 1 2] [--epochs 50] [--clips 1 5]
        [--streams joint bone motion bone_motion] [--raw] [--amp bf16] [--frames 32]
        [--spatial NAME] [--temporal NAME] [--rotation X Y Z] [--batch-size B]
        [--preset compact|stgcn]

1. ``stgcn-pyg prepare ucla ... --frames 32 --normalize-view --val-fraction 0.1`` (``--raw``:
   without ``--normalize-view``) into ``runs/data/``: 924 training / 96 validation sequences
   from views 1-2 (whole performances held out), 464 test sequences of view 3.
2. One ``compact`` model per stream and seed, default recipe (``stgcn-pyg train``; a finished
   run is reused).
3. Each model evaluated on val and test (``stgcn-pyg evaluate --split val|test --clips N``).
4. Per seed and clip count: ``stgcn-pyg ensemble --scores <test> --fit <val>``: the weights are
   fitted on the validation split only, then applied to the test view.
Appends one JSON line per model and ensemble to ``experiments/results/nwucla_streams.jsonl``.
Not a unit test: ~10 CPU minutes per model.
"""
from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from accuracy import RUNS, datasets, run_cli

RESULTS = Path(__file__).resolve().parent / "results" / "nwucla_streams.jsonl"


def record(row: dict) -> None:
    """Print ``row`` and append it to RESULTS unless an identical row is there already (a
    rerun that reuses finished runs reports them again)."""
    line = json.dumps(row)
    if line not in RESULTS.read_text().splitlines():
        with RESULTS.open("a") as f:
            f.write(line + "\n")
    print(line, flush=True)


def evaluate(run: Path, data: Path, split: str, clips: int) -> tuple[Path, float]:
    out = run / f"eval-{split}-clips{clips}"
    if not (out / f"eval_{split}.json").is_file():
        run_cli(["evaluate", "--checkpoint", str(run / "checkpoint.pt"), "--data", str(data),
                 "--split", split, "--clips", str(clips), "--out", str(out)])
    top1 = json.loads((out / f"eval_{split}.json").read_text())[f"{split}_top1"]
    return out / f"scores_{split}.npz", top1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--clips", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--streams", nargs="+", default=["joint", "bone", "motion", "bone_motion"])
    parser.add_argument("--raw", action="store_true", help="no view normalisation")
    parser.add_argument("--amp", choices=["off", "bf16"], default="off")
    parser.add_argument("--frames", type=int, default=32, help="frames per prepared sequence")
    parser.add_argument("--spatial", help="spatial layer (default: the preset's)")
    parser.add_argument("--temporal", help="temporal layer (default: the preset's)")
    parser.add_argument("--rotation", type=float, nargs=3, metavar=("X", "Y", "Z"),
                        help="augmentation rotation range (train --rotation; 0 0 0: none)")
    parser.add_argument("--batch-size", type=int, help="train --batch-size (default: recipe's)")
    parser.add_argument("--preset", default="compact", help="network (default: compact)")
    args = parser.parse_args()
    prefix = "raw" if args.raw else "norm"
    if args.epochs != 50 or args.amp != "off":  # the 50-epoch fp32 runs keep the short names
        prefix += f"-e{args.epochs}" + ("-bf16" if args.amp == "bf16" else "")
    prefix += f"-f{args.frames}" if args.frames != 32 else ""
    layers = []  # e.g. --spatial adaptive: the run name gets "-adaptive"
    for option in ("spatial", "temporal"):
        if getattr(args, option):
            prefix += f"-{getattr(args, option)}"
            layers += [f"--{option}", getattr(args, option)]
    if args.rotation is not None:  # run name: -norot, or e.g. -rot10-90-10
        degrees = [f"{d:g}" for d in args.rotation]
        prefix += "-norot" if not any(args.rotation) else "-rot" + "-".join(degrees)
        layers += ["--rotation", *degrees]
    prefix += f"-{args.preset}" if args.preset != "compact" else ""
    if args.batch_size is not None:
        prefix += f"-b{args.batch_size}"
        layers += ["--batch-size", str(args.batch_size)]
    data = RUNS / "data" / (f"nwucla-{args.frames}-" + ("val" if args.raw else "norm-val"))
    if not (data / "val_label.npy").is_file():
        run_cli(["prepare", "ucla", str(datasets() / "nw-ucla"), "--out", str(data),
                 "--frames", str(args.frames), "--val-fraction", "0.1"]
                + ([] if args.raw else ["--normalize-view"]))
    for seed in args.seeds:
        members: dict[int, list[tuple[Path, Path]]] = {c: [] for c in args.clips}
        for stream in args.streams:
            run = RUNS / "nwucla-v" / f"{prefix}-{stream}-s{seed}"
            argv = ["train", "--data", str(data), "--out", str(run), "--preset", args.preset,
                    "--stream", stream, "--epochs", str(args.epochs), "--seed", str(seed),
                    "--amp", args.amp, "--no-progress", *layers]
            if not (run / "metrics.json").is_file():
                run_cli(argv)
            metrics = json.loads((run / "metrics.json").read_text())
            for clips in args.clips:
                val_scores, val_top1 = evaluate(run, data, "val", clips)
                test_scores, test_top1 = evaluate(run, data, "test", clips)
                members[clips].append((val_scores, test_scores))
                command = shlex.join(argv).replace(str(RUNS.parent) + "/", "")
                record({"run": run.name, "stream": stream, "seed": seed, "clips": clips,
                        "command": "stgcn-pyg " + command,
                        "train_minutes": round(metrics["wall_seconds"] / 60, 1),
                        "val_top1": val_top1, "test_top1": test_top1})
        for clips, pairs in members.items():
            if len(pairs) < 2:
                continue
            out = RUNS / "nwucla-v" / f"ensemble-{prefix}-s{seed}-clips{clips}"
            run_cli(["ensemble", "--scores", *[str(t) for _, t in pairs],
                     "--fit", *[str(v) for v, _ in pairs], "--out", str(out)])
            fused = json.loads((out / "ensemble.json").read_text())
            record({"run": out.name, "streams": args.streams, "seed": seed, "clips": clips,
                    "weights": [round(w, 3) for w in fused["weights"]],
                    "test_top1": fused["top1"], "test_top5": fused["top5"]})


if __name__ == "__main__":
    main()
