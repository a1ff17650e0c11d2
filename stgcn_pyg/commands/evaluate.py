"""``stgcn-pyg evaluate``: metrics and a confusion-matrix PNG of a checkpoint on a folder."""
from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import torch

from ..data import SkeletonFolder, Streams
from ..io import save_json
from ..models import load_model
from .options import add_import_argument, import_modules
from ..train import evaluate
from ..viz.confusion import plot_confusion


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True,
                        help="RUN/checkpoint.pt or RUN/model.pt (or any save_model file)")
    parser.add_argument("--data", required=True, help="seed-format folder")
    parser.add_argument("--split", choices=["train", "test"], default="test")
    parser.add_argument("--stream", help="input stream (default: the training run's, else joint)")
    parser.add_argument("--out", help="folder for eval_<split>.json and the PNG "
                        "(default: the checkpoint's folder)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    add_import_argument(parser)


def run(args: argparse.Namespace) -> int:
    import_modules(args)  # registers custom layers the checkpoint names
    checkpoint = Path(args.checkpoint)
    model = _load(checkpoint)
    stream = args.stream or _stored_stream(checkpoint)
    streams = Streams(stream, model.config["graph"])
    if streams.channels() != model.in_channels:
        raise ValueError(f"--stream {stream!r} gives {streams.channels()} channels; checkpoint "
                         f"{checkpoint} expects {model.in_channels}")
    dataset = SkeletonFolder(args.data, args.split, num_classes=model.num_classes,
                             num_nodes=model.num_nodes, in_channels=3, transform=streams)
    result = evaluate(model.to(args.device), dataset, args.batch_size, torch.device(args.device))
    names = dataset.class_names if dataset.class_names and len(dataset.class_names) == \
        model.num_classes else [str(c) for c in range(model.num_classes)]
    out = Path(args.out) if args.out else checkpoint.parent
    metrics = {"checkpoint": str(checkpoint), "data": str(args.data), "split": args.split,
               "samples": len(dataset), f"{args.split}_top1": result["top1"],
               f"{args.split}_top5": result["top5"], f"{args.split}_loss": result["loss"],
               "class_names": names, "per_class_accuracy": result["per_class_accuracy"],
               "confusion_matrix": result["confusion_matrix"]}
    save_json(metrics, out / f"eval_{args.split}.json")
    png = plot_confusion(result["confusion_matrix"], names, out / f"eval_{args.split}_confusion.png")
    print(f"{args.split}: {len(dataset)} samples  top-1 {result['top1']:.4f}  "
          f"top-5 {result['top5']:.4f}  loss {result['loss']:.4f}")
    print(f"wrote {out / f'eval_{args.split}.json'} and {png}")
    return 0


def _load(path: Path):
    try:
        return load_model(path)
    except (RuntimeError, EOFError, pickle.UnpicklingError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ValueError(f"checkpoint {path}: not a loadable stgcn-pyg model ({first})") from None


def _stored_stream(path: Path) -> str:
    """The input stream of the training run that wrote ``path`` (joint when not recorded)."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    config = state.get("config") if isinstance(state, dict) else None
    return config.get("stream", "joint") if isinstance(config, dict) else "joint"

