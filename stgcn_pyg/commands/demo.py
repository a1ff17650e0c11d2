"""``stgcn-pyg demo``: generate the synthetic dataset, train, evaluate, plot — on a CPU in
a few minutes, no download."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..data import ACTIONS, write_synthetic
from ..train import TrainConfig, train
from ..train.loop import CHECKPOINT, CONFUSION_PNG, CURVES_PNG, METRICS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="runs/demo", help="run folder (default: runs/demo)")
    parser.add_argument("--epochs", type=int, default=20,
                        help="epochs (default 20: about 1.5 minutes on 2 cores)")
    parser.add_argument("--train-samples", type=int, default=720)
    parser.add_argument("--test-samples", type=int, default=360)
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--preset", default="compact", help="network preset (default: compact)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    out = Path(args.out)
    data = out / "data"
    write_synthetic(data, args.train_samples, args.test_samples, args.frames, seed=args.seed)
    print(f"synthetic dataset: {len(ACTIONS)} actions, {args.train_samples} train / "
          f"{args.test_samples} test clips of {args.frames} frames -> {data}")
    config = TrainConfig(data=str(data.resolve()), out=str(out), preset=args.preset,
                         epochs=args.epochs, seed=args.seed, recipe="default",
                         # the generator already varies viewpoint, speed, bone lengths, noise
                         overrides={"warmup_epochs": 1.0, "augment": False},
                         progress=args.progress)
    metrics = train(config, resume=(out / CHECKPOINT).is_file())
    chance = 1 / len(ACTIONS)
    print(f"demo: test top-1 {metrics['test_top1']:.3f} (chance {chance:.3f}), top-5 "
          f"{metrics['test_top5']:.3f}, {time.perf_counter() - start:.0f} s")
    print(f"wrote {out / METRICS}, {out / CONFUSION_PNG}, {out / CURVES_PNG}")
    return 0
