"""``stgcn-pyg predict``: the top classes of clips (or of sliding windows over long
recordings), with class names and probabilities; text, JSON or CSV."""
from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..data.clips import model_input, read_clips
from ..io import atomic_path, save_json
from ..models import load_model_and_metadata
from .options import COUNT, add_import_argument, import_modules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, type=Path,
                        help="RUN/model.pt or RUN/checkpoint.pt")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help=".npy clip or stack, NTU .skeleton, NW-UCLA .json, or a folder")
    parser.add_argument("--top", type=COUNT, default=5, help="classes shown per clip (default 5)")
    parser.add_argument("--frames", type=COUNT,
                        help="resample recordings to this length (default: their own)")
    parser.add_argument("--window", type=COUNT, help="sliding window of this many frames: a "
                        "prediction per window")
    parser.add_argument("--stride", type=COUNT, help="window stride (default: window // 2)")
    parser.add_argument("--json", type=Path, help="also write the predictions as JSON")
    parser.add_argument("--csv", type=Path, help="also write the predictions as CSV")
    add_import_argument(parser)


def run(args: argparse.Namespace) -> int:
    import_modules(args)
    if args.stride is not None and args.window is None:
        raise ValueError("--stride: given without --window")
    model, metadata = load_model_and_metadata(args.checkpoint)
    model.eval()
    raw_channels, to_input = model_input(model, metadata, args.checkpoint)
    names = metadata.get("class_names") or [str(i) for i in range(model.num_classes)]
    rows = []
    for path in args.paths:
        for clip_name, clip in read_clips(path, raw_channels, model.num_nodes,
                                          frames=args.frames):
            if not np.isfinite(clip).all():
                raise ValueError(f"{clip_name}: holds NaN or inf coordinates; predictions on "
                                 f"them would be NaN")
            for start, end in _windows(clip.shape[1], args.window, args.stride):
                x = to_input(torch.from_numpy(clip[:, start:end].copy()))
                with torch.no_grad():
                    probabilities = model(x.unsqueeze(0)).softmax(dim=1)[0]
                top = probabilities.topk(min(args.top, model.num_classes))
                rows.append({"clip": clip_name, "start": start, "end": end,
                             "top": [{"class": names[i], "index": int(i), "probability": float(p)}
                                     for p, i in zip(top.values, top.indices)]})
    for row in rows:
        span = f" [{row['start']}:{row['end']}]" if args.window else ""
        best = ", ".join(f"{t['class']} {t['probability']:.3f}" for t in row["top"])
        print(f"{row['clip']}{span}: {best}")
    if args.json:
        save_json(rows, args.json)
    if args.csv:
        _write_csv(rows, args.csv)
    return 0


def _windows(length: int, window: int | None, stride: int | None) -> list[tuple[int, int]]:
    """``[(start, end)]``: the whole clip, or windows of ``window`` frames every ``stride``
    (the last one ending at the clip's end)."""
    if window is None or window >= length:
        return [(0, length)]
    stride = stride or max(1, window // 2)
    starts = list(range(0, length - window + 1, stride))
    if starts[-1] + window < length:
        starts.append(length - window)
    return [(s, s + window) for s in starts]


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["clip", "start", "end", "rank", "class", "index", "probability"])
        for row in rows:
            for rank, top in enumerate(row["top"], 1):
                writer.writerow([row["clip"], row["start"], row["end"], rank, top["class"],
                                 top["index"], f"{top['probability']:.6f}"])
