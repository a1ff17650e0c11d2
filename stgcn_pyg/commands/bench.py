"""``stgcn-pyg bench``: MP vs dense equivalence, speed, memory and scaling."""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import torch

from ..bench import speed, suite
from .options import COUNT, int_at_least


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true",
                        help="the whole matrix (all layouts, hops, backends, compile; long)")
    parser.add_argument("--only", nargs="+", choices=suite.SECTIONS,
                        default=list(suite.DEFAULT_SECTIONS),
                        help="sections to run (default: all but compile-check, which says "
                             "whether torch.compile is right on this machine per preset, and "
                             "zoo, ST-GCN++ / AAGCN / CTR-GCN against pyskl's own code)")
    parser.add_argument("--pyskl", type=Path, help="zoo: the folder holding pyskl's source "
                        "(pyskl/models/gcns), e.g. ../shared/reference/pyskl")
    parser.add_argument("--out", help="write results.json, results.md and PNG plots here")
    parser.add_argument("--threads", type=COUNT, default=2, help="torch threads (default 2)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--batch", type=COUNT, help="clips per batch (override)")
    parser.add_argument("--repeats", type=COUNT, help="timed runs per candidate (override)")
    parser.add_argument("--presets", nargs="+", choices=["seed", "stgcn", "compact"],
                        help="override")
    parser.add_argument("--backends", nargs="+", choices=speed.BACKENDS, help="override")
    parser.add_argument("--workloads", nargs="+", choices=speed.WORKLOADS, help="override")
    parser.add_argument("--sizes", nargs="+", type=int_at_least(2),
                        help="graph sizes V of the scaling (override)")
    parser.add_argument("--compile", choices=["off", "on", "both"],
                        help="torch.compile modes (override)")
    parser.add_argument("--precision", nargs="+", choices=speed.PRECISIONS,
                        help="models: fp32 and/or bf16 autocast (default fp32)")


def run(args: argparse.Namespace) -> int:
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise ValueError(f"--out {args.out}: expected a folder for the results, got an existing "
                         f"file")
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"--device: {args.device!r} requested but CUDA is not available")
    config = dataclasses.replace(suite.FULL if args.full else suite.QUICK)
    for name in ("batch", "repeats", "presets", "backends", "workloads", "sizes"):
        if getattr(args, name) is not None:
            setattr(config, name, getattr(args, name))
    if args.precision is not None:
        config.precisions = args.precision
    if args.pyskl is not None:
        config.pyskl = str(args.pyskl)
    if args.compile is not None:
        config.compile_modes = {"off": [False], "on": [True], "both": [False, True]}[args.compile]
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        results = suite.run(config, args.only, args.device)
    finally:  # a caller in the same process (a test, a notebook) keeps its thread count
        torch.set_num_threads(threads)
    print(suite.markdown(results))
    if args.out:
        for path in suite.write(results, args.out):
            print(f"wrote {path}")
    return 0
