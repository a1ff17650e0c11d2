"""Accuracy on real recordings (NW-UCLA, cross-view), run through the ``stgcn-pyg`` CLI.

    python experiments/accuracy.py nwucla [--epochs 30 --frames 32 --preset compact --stream joint --seeds 0]
    python experiments/accuracy.py seed-vs-dense [--seeds 0 1 --epochs 15]
    python experiments/accuracy.py ensemble --runs compact-joint-T32-e50-s0 compact-bone-T32-e50-s0

Options it does not know are handed to ``stgcn-pyg train`` (e.g. ``--stream joint+bone``).

Each prepares ``runs/data/nwucla-<T>`` from ``$STGCN_PYG_DATA/nw-ucla`` (default
``../shared/datasets``) once, trains into ``runs/<experiment>/...`` and appends one JSON line
per run (command, wall time, top-1/top-5) to ``runs/<experiment>/results.jsonl``.
``ensemble`` evaluates finished ``nwucla`` runs together (``stgcn-pyg evaluate`` with several
checkpoints: their softmax probabilities averaged) and appends to ``runs/nwucla/results.jsonl``.
Not a unit test: minutes to tens of minutes on a CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import time
from pathlib import Path

from stgcn_pyg.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "runs"


def datasets() -> Path:
    return Path(os.environ.get("STGCN_PYG_DATA", ROOT.parent / "shared" / "datasets"))


def prepared(frames: int) -> Path:
    out = RUNS / "data" / f"nwucla-{frames}"
    if not (out / "test_label.npy").is_file():
        run_cli(["prepare", "ucla", str(datasets() / "nw-ucla"), "--out", str(out),
                 "--frames", str(frames)])
    return out


def run_cli(argv: list[str]) -> float:
    print("$ stgcn-pyg " + shlex.join(argv), flush=True)
    start = time.perf_counter()
    code = cli(argv)
    if code:
        raise SystemExit(f"stgcn-pyg {argv[0]} failed with exit code {code}")
    return time.perf_counter() - start


def train(name: str, data: Path, extra: list[str], results: Path) -> dict:
    out = RUNS / results.parent.name / name
    argv = ["train", "--data", str(data), "--out", str(out), "--no-progress", *extra]
    seconds = run_cli(argv + (["--resume"] if (out / "checkpoint.pt").is_file() else []))
    metrics = json.loads((out / "metrics.json").read_text())
    row = {"run": name, "command": "stgcn-pyg " + shlex.join(argv),
           "wall_seconds": round(seconds, 1), "epochs": metrics["epochs"],
           "test_top1": metrics["test_top1"], "test_top5": metrics["test_top5"],
           "best_epoch_top1": max(h.get("test_top1", 0) for h in metrics["history"])}
    with results.open("a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)
    return row


def ensemble(names: list[str], data: Path, results: Path) -> dict:
    runs = [RUNS / "nwucla" / name for name in names]
    out = RUNS / "nwucla" / ("ensemble-" + "+".join(names))
    argv = ["evaluate", "--checkpoint", *[str(run / "checkpoint.pt") for run in runs],
            "--data", str(data), "--out", str(out)]
    seconds = run_cli(argv)
    metrics = json.loads((out / "eval_test.json").read_text())
    row = {"run": out.name, "command": "stgcn-pyg " + shlex.join(argv),
           "wall_seconds": round(seconds, 1), "members": metrics["members"],
           "test_top1": metrics["test_top1"], "test_top5": metrics["test_top5"]}
    with results.open("a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=["nwucla", "seed-vs-dense", "ensemble"])
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--preset", default="compact")
    parser.add_argument("--stream", default="joint", help="nwucla: the input stream")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1],
                        help="seed-vs-dense: one mp and one dense run per seed; nwucla: the "
                        "first is the run's seed")
    parser.add_argument("--runs", nargs="+", help="ensemble: names of runs in runs/nwucla/")
    args, extra = parser.parse_known_args()  # unknown options go to stgcn-pyg train
    data = prepared(args.frames)
    folder = "nwucla" if args.experiment == "ensemble" else args.experiment
    results = RUNS / folder / "results.jsonl"
    results.parent.mkdir(parents=True, exist_ok=True)
    if args.experiment == "ensemble":
        if not args.runs or len(args.runs) < 2:
            parser.error("ensemble: --runs needs two or more run names")
        ensemble(args.runs, data, results)
    elif args.experiment == "nwucla":
        epochs = args.epochs or 30
        seed = args.seeds[0]
        train(f"{args.preset}-{args.stream}-T{args.frames}-e{epochs}-s{seed}", data,
              ["--preset", args.preset, "--stream", args.stream, "--epochs", str(epochs),
               "--seed", str(seed), *extra], results)
    else:
        for seed in args.seeds:
            for backend in ("mp", "dense"):
                train(f"seed-{backend}-s{seed}", data,
                      ["--preset", "seed", "--recipe", "seed", "--backend", backend,
                       "--seed", str(seed), "--epochs", str(args.epochs or 15), *extra], results)


if __name__ == "__main__":
    main()
