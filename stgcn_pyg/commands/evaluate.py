"""``stgcn-pyg evaluate``: metrics and a confusion-matrix PNG of a checkpoint (or of several,
fused by averaging their class probabilities) on a folder."""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from ..data import SkeletonFolder, Streams, read_class_names, view_transform
from ..data.transforms import Compose, clip_windows
from ..io import save_json
from ..models import load_model_and_metadata
from .options import (COUNT, POSITIVE, add_import_argument, check_fusion_weights, float_in,
                      import_modules)
from ..train import ensemble_metrics, predict
from ..train.evaluation import fused_log_probabilities
from ..train.scores import sample_fingerprints, save_scores
from ..viz.confusion import plot_confusion


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, nargs="+", action="extend",
                        help="RUN/checkpoint.pt or RUN/model.pt (or any save_model file); "
                        "several: an ensemble, each model fed its own training stream")
    parser.add_argument("--weights", type=POSITIVE, nargs="+",
                        help="ensemble: one positive weight per checkpoint (default: equal)")
    parser.add_argument("--data", required=True, help="seed-format folder")
    parser.add_argument("--split", choices=["train", "val", "test"], default="test",
                        help="split of --data (val: e.g. from `prepare ucla --val-fraction`)")
    parser.add_argument("--stream", help="input stream (default: the training run's, else "
                        "joint; one checkpoint only)")
    parser.add_argument("--out", help="folder for eval_<split>.json and the PNG "
                        "(default: the checkpoint's folder; required for several)")
    parser.add_argument("--clips", type=COUNT, default=1,
                        help="test-time averaging over this many temporal windows of "
                             "--clip-ratio of each clip, evenly spaced (default 1: the clip)")
    parser.add_argument("--clip-ratio", type=float_in(0.0, 1.0, low_open=True), default=0.8,
                        help="length of each --clips window as a fraction of the clip (0.8)")
    parser.add_argument("--batch-size", type=COUNT, default=64)
    parser.add_argument("--device", default="cpu")
    add_import_argument(parser)


def run(args: argparse.Namespace) -> int:
    import_modules(args)  # registers custom layers the checkpoint names
    checkpoints = [Path(c) for c in args.checkpoint]
    _check_arguments(args, checkpoints)
    members = [_Member(checkpoint, args) for checkpoint in checkpoints]
    first = members[0]
    for member in members[1:]:
        if member.dataset.num_classes != first.dataset.num_classes:
            raise ValueError(f"--checkpoint: {member.checkpoint} has "
                             f"{member.dataset.num_classes} classes, {first.checkpoint} has "
                             f"{first.dataset.num_classes}")
    result = ensemble_metrics([m.logits for m in members], first.labels, args.weights)
    names = first.dataset.label_names()
    out = Path(args.out) if args.out else first.checkpoint.parent
    split = args.split
    metrics = {"checkpoint": [str(c) for c in checkpoints] if len(members) > 1
               else str(first.checkpoint), "data": str(args.data), "split": split,
               "samples": len(first.dataset), "clips": args.clips,
               "clip_ratio": args.clip_ratio if args.clips > 1 else None,
               f"{split}_top1": result["top1"],
               f"{split}_top5": result["top5"], f"{split}_loss": result["loss"],
               "class_names": names, "per_class_accuracy": result["per_class_accuracy"],
               "confusion_matrix": result["confusion_matrix"]}
    label = ""
    if len(members) > 1:
        label = f"ensemble of {len(members)}, "
        for member in members:
            print(f"{member.checkpoint} ({member.stream}): top-1 {member.top1:.4f}")
        metrics.update(members=[{"checkpoint": str(m.checkpoint), "stream": m.stream,
                                 f"{split}_top1": m.top1} for m in members],
                       weights=args.weights or [1.0] * len(members))
    save_json(metrics, out / f"eval_{split}.json")
    if len(members) == 1:  # per-sample scores for `stgcn-pyg ensemble`
        save_scores(out / f"scores_{split}.npz", first.logits, first.labels,
                    sample_fingerprints(first.dataset.data), data=str(Path(args.data).resolve()),
                    split=split, checkpoint=str(first.checkpoint), stream=first.stream)
    png = plot_confusion(result["confusion_matrix"], names, out / f"eval_{split}_confusion.png")
    print(f"{split}: {len(first.dataset)} samples  {label}top-1 {result['top1']:.4f}  "
          f"top-5 {result['top5']:.4f}  loss {result['loss']:.4f}")
    print(f"wrote {out / f'eval_{split}.json'} and {png}")
    return 0


class _Member:
    """One checkpoint's logits on ``args.data``, fed the stream its run was trained with."""

    def __init__(self, checkpoint: Path, args: argparse.Namespace) -> None:
        model, metadata = load_model_and_metadata(checkpoint)
        self.checkpoint = checkpoint
        # The stream of the training run that wrote the file (joint when not recorded).
        self.stream = args.stream or metadata.get("stream", "joint")
        streams = Streams(self.stream, model.config["graph"])
        if streams.channels() != model.in_channels:
            raise ValueError(f"--stream {self.stream!r} gives {streams.channels()} channels; "
                             f"checkpoint {checkpoint} expects {model.in_channels}")
        names = read_class_names(args.data)
        if names is not None and len(names) != model.num_classes:
            raise ValueError(f"--data {args.data}: classes.txt names {len(names)} classes, "
                             f"checkpoint {checkpoint} has {model.num_classes}")
        self.dataset = SkeletonFolder(args.data, args.split, num_classes=model.num_classes,
                                      num_nodes=model.num_nodes, in_channels=3)
        normalize = view_transform(metadata.get("normalize_view", False), model.config["graph"])
        turn = [normalize] if normalize is not None else []  # as the run read its data
        views = []
        for window in clip_windows(args.clips, args.clip_ratio):  # one pass per window
            self.dataset.transform = Compose(turn + [window, streams])
            logits, self.labels = predict(model.to(args.device), self.dataset,
                                          args.batch_size, torch.device(args.device))
            views.append(logits)
        # log of the mean class probability over the windows (softmax-equivalent to logits)
        self.logits = views[0] if len(views) == 1 else fused_log_probabilities(views)
        self.top1 = ensemble_metrics([self.logits], self.labels)["top1"]


def _check_arguments(args: argparse.Namespace, checkpoints: list[Path]) -> None:
    if len(checkpoints) > 1 and args.stream:
        raise ValueError("--stream: applies to one checkpoint; the members of an ensemble each "
                         f"get their training run's stream (got {len(checkpoints)} checkpoints)")
    if len(checkpoints) > 1 and not args.out:
        raise ValueError(f"--out: required with several checkpoints (got {len(checkpoints)})")
    check_fusion_weights(args.weights, len(checkpoints), "checkpoint")
