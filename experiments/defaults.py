"""The defaults on every real dataset: ``prepare`` then ``train --data D --out R`` with nothing
else, as a new user runs them; one JSON line per run in ``experiments/results/defaults.jsonl``.

    python experiments/defaults.py run msr-action3d --seeds 0 1 2
    python experiments/defaults.py run utkinect --seeds 0 1 2
    python experiments/defaults.py run nw-ucla --seeds 0
    python experiments/defaults.py run demo --seeds 0
    python experiments/defaults.py run msr-action3d --seeds 0 --tag best -- --amp bf16
    python experiments/defaults.py table [--docs docs/accuracy.md]   # the table (written
                                              # between its markers in that page)

Arguments after ``--`` go to ``train`` (rows carry them and a ``tag``; the table's defaults
column takes only rows without them). Each run is a subprocess with one thread
(``OMP_NUM_THREADS=1``): start two at a time on a 2-core machine. Data are read from
``$STGCN_PYG_DATA`` (default ``../shared/datasets``) and prepared into ``runs/data/``.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from doc_tables import put_table, read_rows

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "results" / "defaults.jsonl"
PREPARE = {"msr-action3d": ["msr-action3d", "msr-action3d"], "utkinect": ["utkinect", "utkinect"],
           "nw-ucla": ["ucla", "nw-ucla"]}
# Published anchors (top-1) and the protocol of the rows.
ANCHORS = {"msr-action3d": ("cross-subject (557 listed sequences)", 0.8948,
                            "Lie group, Vemulapalli et al. 2014"),
           "utkinect": ("cross-subject (subjects 1-5 train)", 0.9708,
                        "Lie group 2014 (leave-one-sequence-out protocol)"),
           "nw-ucla": ("cross-view (views 1, 2 train)", 0.965, "CTR-GCN 2021, 4 streams"),
           "demo": ("synthetic, 12 actions", None, "")}
MARKER = "<!-- defaults table: experiments/defaults.py table --docs -->"
TARGETS = {"msr-action3d": 0.92, "utkinect": 0.97, "nw-ucla": 0.92, "demo": 0.99}


def datasets() -> Path:
    return Path(os.environ.get("STGCN_PYG_DATA", ROOT.parent / "shared" / "datasets"))


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "stgcn_pyg", *args]


def run(dataset: str, seeds: list[int], tag: str, extra: list[str]) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    data = ROOT / "runs" / "data" / f"{dataset}-default"
    if dataset != "demo" and not (data / "test_label.npy").is_file():
        kind, folder = PREPARE[dataset]
        subprocess.run(cli("prepare", kind, str(datasets() / folder), "--out", str(data)),
                       check=True, env=env)
    for seed in seeds:
        out = ROOT / "runs" / "defaults" / f"{dataset}-{tag}-s{seed}"
        if dataset == "demo":
            argv = ["demo", "--out", str(out), "--seed", str(seed), *extra]
            metrics_path = out / "metrics.json"
        else:
            argv = ["train", "--data", str(data), "--out", str(out), "--seed", str(seed),
                    "--no-progress", *extra]
            metrics_path = out / "metrics.json"
        print("$ stgcn-pyg " + shlex.join(argv), flush=True)
        start = time.perf_counter()
        subprocess.run(cli(*argv), check=True, env=env)
        metrics = json.loads(metrics_path.read_text())
        row = {"dataset": dataset, "tag": tag, "seed": seed, "extra": extra,
               "command": "stgcn-pyg " + shlex.join(argv),
               "top1": metrics["test_top1"], "top5": metrics["test_top5"],
               "epochs": metrics["epochs"], "batch_size": metrics["recipe"]["batch_size"],
               "preset": metrics["config"]["preset"],
               "normalize_view": metrics.get("normalize_view"),
               "wall_seconds": round(time.perf_counter() - start, 1),
               "cpu": _cpu(), "threads": 1, "date": time.strftime("%Y-%m-%d")}
        with open(RESULTS, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)


def table() -> str:
    rows = read_rows(RESULTS)
    lines = ["| dataset | protocol | defaults: top-1 per seed | mean | wall per run | target "
             "| best other recipe (tag: mean) | published |", "|---|---|---|---|---|---|---|---|"]
    for dataset, (protocol, anchor, source) in ANCHORS.items():
        mine = [r for r in rows if r["dataset"] == dataset and not r["extra"]]
        if not mine:
            continue
        mean = sum(r["top1"] for r in mine) / len(mine)
        target = TARGETS[dataset]
        verdict = "met" if mean >= target else f"missed by {target - mean:.3f}"
        others = {}
        for r in rows:
            if r["dataset"] == dataset and r["extra"]:
                others.setdefault(r["tag"], []).append(r["top1"])
        best = max(others.items(), key=lambda kv: sum(kv[1]) / len(kv[1]), default=None)
        best_text = _recipe_text(*best, target) if best else ""
        minutes = sum(r["wall_seconds"] for r in mine) / len(mine) / 60
        seeds = " / ".join(f"{r['top1']:.3f}" for r in mine)
        published = f"{anchor:.3f} ({source})" if anchor else ""
        lines.append(f"| {dataset} | {protocol} | {seeds} | **{mean:.3f}** | "
                     f"{minutes:.1f} min | >= {target} ({verdict}) | {best_text} | "
                     f"{published} |")
    return "\n".join(lines) + "\n"


def _recipe_text(tag: str, top1: list[float], target: float) -> str:
    """``tag: mean (n seeds)``, and the verdict against the target once 3 seeds are in."""
    mean = sum(top1) / len(top1)
    text = f"{tag}: {mean:.3f} ({len(top1)} seed{'s' * (len(top1) > 1)}"
    if len(top1) >= 3:
        text += "; met" if mean >= target else f"; missed by {target - mean:.3f}"
    return text + ")"


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["run", "table"])
    parser.add_argument("dataset", nargs="?", choices=list(ANCHORS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--tag", default="defaults")
    parser.add_argument("--docs", type=Path, help="table: replace it in this page")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    if args.action == "table":
        text = table()
        if args.docs:
            args.docs.write_text(put_table(args.docs.read_text(), MARKER, text))
        print(text, end="")
    else:
        if args.dataset is None:
            parser.error("run: which dataset")
        run(args.dataset, args.seeds, args.tag if extra else "defaults", extra)


if __name__ == "__main__":
    main()
