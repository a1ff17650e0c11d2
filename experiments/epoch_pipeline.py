"""Does the data pipeline hide behind compute? An epoch's wall time against its model steps.

    python experiments/epoch_pipeline.py [--presets compact seed] [--workers 0 1 2] [--epochs 2]

For each preset and ``--workers`` value it trains on NW-UCLA (``$STGCN_PYG_DATA/nw-ucla``,
32 frames, the default recipe with its augmentation) through the ``stgcn-pyg`` CLI and reads the
last epoch's ``epoch_seconds``, ``data_seconds`` (the main process waiting for batches) and
``step_seconds`` from ``metrics.json``. It also times the loader alone (reading, augmentation,
batching; no model) for one epoch. Writes ``experiments/results/epoch_pipeline.json``.
Not a unit test: minutes on a CPU.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from accuracy import RUNS, prepared, run_cli
from stgcn_pyg.data import SkeletonFolder
from stgcn_pyg.data.transforms import default_augmentation

RESULTS = Path(__file__).resolve().parent / "results" / "epoch_pipeline.json"


def loader_alone(data: Path, workers: int, batch_size: int = 32) -> float:
    """Seconds to draw one epoch of augmented training batches without a model."""
    dataset = SkeletonFolder(data, "train", transform=default_augmentation())
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers)
    start = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["compact", "seed"])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    data = prepared(32)
    rows = []
    for preset in args.presets:
        for workers in args.workers:
            out = RUNS / "pipeline" / f"{preset}-w{workers}"
            run_cli(["train", "--data", str(data), "--out", str(out), "--preset", preset,
                     "--epochs", str(args.epochs), "--workers", str(workers), "--force",
                     "--no-progress"])
            last = json.loads((out / "metrics.json").read_text())["history"][-1]
            row = {"preset": preset, "workers": workers, "threads": torch.get_num_threads(),
                   **{k: round(last[k], 2) for k in ("epoch_seconds", "data_seconds",
                                                     "step_seconds")},
                   "loader_alone_seconds": round(loader_alone(data, workers), 2)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
