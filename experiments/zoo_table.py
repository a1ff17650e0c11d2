"""The zoo networks against pyskl's own code in one process (``stgcn_pyg.bench.zoo``, also
``stgcn-pyg bench --only zoo --pyskl DIR``), recorded and turned into docs/zoo.md's tables.

    python experiments/zoo_table.py run [--repeats 3] [--threads 1]   # rows -> results/zoo.jsonl
    python experiments/zoo_table.py table --docs docs/zoo.md          # the tables in that page

The accuracy table reads the NW-UCLA rows of the zoo presets that ``experiments/defaults.py``
recorded (results/defaults.jsonl).

Needs ``../shared/reference/pyskl``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from doc_tables import put_table, read_rows
from stgcn_pyg.bench import zoo

ROOT = Path(__file__).resolve().parents[1]
PYSKL = ROOT.parent / "shared" / "reference" / "pyskl"
RESULTS = ROOT / "experiments" / "results" / "zoo.jsonl"
ACCURACY = ROOT / "experiments" / "results" / "defaults.jsonl"
COST_MARKER = "<!-- zoo table: experiments/zoo_table.py table --docs -->"
ACCURACY_MARKER = "<!-- zoo accuracy: experiments/zoo_table.py table --docs -->"
#: NW-UCLA cross-view top-1 in each network's paper (None: the paper does not report NW-UCLA)
PUBLISHED = {"stgcn++": None, "aagcn": None,
             "ctrgcn": "0.965 (4 streams: joint, bone and their motions; Chen et al. 2021)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--repeats", type=int, default=3)
    run.add_argument("--threads", type=int, default=2)
    run.add_argument("--networks", nargs="+", default=list(zoo.NETWORKS))
    run.add_argument("--shapes", nargs="+", default=list(zoo.SHAPES))
    show = sub.add_parser("table")
    show.add_argument("--docs", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        torch.set_num_threads(args.threads)
        shapes = {name: zoo.SHAPES[name] for name in args.shapes}
        for network in args.networks:
            for row in zoo.rows([network], shapes, args.repeats, PYSKL):
                row.update(torch=torch.__version__, date=time.strftime("%Y-%m-%d"))
                print(json.dumps(row), flush=True)
                with open(RESULTS, "a") as f:
                    f.write(json.dumps(row) + "\n")
        return
    tables = {COST_MARKER: zoo.markdown(read_rows(RESULTS)),
              ACCURACY_MARKER: accuracy_markdown(read_rows(ACCURACY))}
    if args.docs is None:
        print("\n\n".join(tables.values()))
        return
    page = args.docs.read_text()
    for marker, text in tables.items():
        page = put_table(page, marker, text)
    args.docs.write_text(page)


def accuracy_markdown(rows: list[dict]) -> str:
    """One line per zoo network and recipe run on NW-UCLA: top-1 per seed, mean, wall time."""
    runs: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["dataset"] == "nw-ucla" and row.get("preset") in zoo.NETWORKS:
            runs.setdefault((row["preset"], " ".join(row["extra"])), []).append(row)
    lines = ["| network | command (`stgcn-pyg train --data D --out R` plus) | NW-UCLA top-1 "
             "per seed | mean | wall per run (one core) | published |",
             "|---|---|---|---|---|---|"]
    for network in zoo.NETWORKS:
        published = PUBLISHED[network] or "not reported on NW-UCLA"
        found = [(extra, seeds) for (preset, extra), seeds in runs.items() if preset == network]
        if not found:
            lines.append(f"| {network} | not run | | | | {published} |")
        for extra, seeds in found:
            seeds = sorted(seeds, key=lambda r: r["seed"])
            top1 = " / ".join(f"{r['top1']:.3f} (seed {r['seed']})" for r in seeds)
            mean = sum(r["top1"] for r in seeds) / len(seeds)
            wall = sum(r["wall_seconds"] for r in seeds) / len(seeds) / 60
            lines.append(f"| {network} | `{extra}` | {top1} | **{mean:.3f}** ({len(seeds)} "
                         f"seed{'s' * (len(seeds) > 1)}) | {wall:.0f} min | {published} |")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
