"""``stgcn-pyg demo``: generate the synthetic dataset, train, evaluate, plot — on a CPU in
a few minutes, no download."""
from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from ..data import ACTIONS, write_synthetic
from ..train import TrainConfig, train
from ..train.loop import CHECKPOINT, CONFUSION_PNG, CURVES_PNG, METRICS
from .options import COUNT, INDEX


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="runs/demo", help="run folder (default: runs/demo)")
    parser.add_argument("--epochs", type=COUNT, default=20,
                        help="epochs (default 20: about 1.5 minutes on 2 cores)")
    parser.add_argument("--train-samples", type=COUNT, default=720)
    parser.add_argument("--test-samples", type=COUNT, default=360)
    parser.add_argument("--frames", type=COUNT, default=32)
    parser.add_argument("--seed", type=INDEX, default=0)
    parser.add_argument("--preset", default="compact", help="network preset (default: compact)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--force", action="store_true",
                        help="replace a finished demo in --out (kept until the new one is done)")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if str(out) in ("", "."):
        raise ValueError(f"--out: expected a folder name, got {args.out!r}")
    unfinished = (out / CHECKPOINT).is_file() and not (out / METRICS).is_file()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not unfinished:
        if not args.force:
            raise ValueError(f"--out {out}: holds a finished demo or other files; pass --force "
                             f"to replace it or choose another folder")
        backup = out.with_name(f".{out.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(out, backup)  # the old demo comes back if this one fails
        try:
            code = _demo(args, out, resume=False)
        except BaseException:
            shutil.rmtree(out, ignore_errors=True)
            os.replace(backup, out)
            raise
        shutil.rmtree(backup, ignore_errors=True)
        return code
    return _demo(args, out, resume=unfinished)


def _demo(args: argparse.Namespace, out: Path, resume: bool) -> int:
    """Generate the data (kept when ``resume``: an interrupted demo continues) and train."""
    start = time.perf_counter()
    data = out / "data"
    if not resume:
        write_synthetic(data, args.train_samples, args.test_samples, args.frames, seed=args.seed)
    print(f"synthetic dataset: {len(ACTIONS)} actions, {args.train_samples} train / "
          f"{args.test_samples} test clips of {args.frames} frames -> {data}")
    config = TrainConfig(data=str(data.resolve()), out=str(out), preset=args.preset,
                         epochs=args.epochs, seed=args.seed, recipe="default",
                         # the generator already varies viewpoint, speed, bone lengths, noise
                         overrides={"warmup_epochs": 1.0, "augment": False},
                         progress=args.progress)
    metrics = train(config, resume=resume)
    chance = 1 / len(ACTIONS)
    print(f"demo: test top-1 {metrics['test_top1']:.3f} (chance {chance:.3f}), top-5 "
          f"{metrics['test_top5']:.3f}, {time.perf_counter() - start:.0f} s")
    print(f"wrote {out / METRICS}, {out / CONFUSION_PNG}, {out / CURVES_PNG}")
    return 0
