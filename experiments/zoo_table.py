"""The zoo networks against pyskl's own code in one process (``stgcn_pyg.bench.zoo``, also
``stgcn-pyg bench --only zoo --pyskl DIR``), recorded and turned into docs/zoo.md's table.

    python experiments/zoo_table.py run [--repeats 3] [--threads 1]   # rows -> results/zoo.jsonl
    python experiments/zoo_table.py table --docs docs/zoo.md          # the table in that page

Needs ``../shared/reference/pyskl``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from stgcn_pyg.bench import zoo

ROOT = Path(__file__).resolve().parents[1]
PYSKL = ROOT.parent / "shared" / "reference" / "pyskl"
RESULTS = ROOT / "experiments" / "results" / "zoo.jsonl"
MARKERS = ("<!-- zoo table: experiments/zoo_table.py table --docs -->", "<!-- end -->")


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
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    text = zoo.markdown(rows)
    if args.docs is None:
        print(text)
        return
    page = args.docs.read_text()
    start, end = page.index(MARKERS[0]) + len(MARKERS[0]), page.index(MARKERS[1])
    args.docs.write_text(page[:start] + "\n" + text + "\n" + page[end:])


if __name__ == "__main__":
    main()
