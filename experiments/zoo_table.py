"""The zoo networks against pyskl's own code in one process: parameters, GFLOPs per sample,
train step and inference time, interleaved (ours, pyskl, ours, ...), median of the repeats,
and the peak memory of a train step (PyTorch's CPU allocator, ``stgcn_pyg.bench.timing``).

    python experiments/zoo_table.py run [--repeats 3] [--threads 2]   # rows -> results/zoo.jsonl
    python experiments/zoo_table.py table --docs docs/zoo.md          # the table in that page

Needs ``../shared/reference/pyskl`` (loaded as tests/pyskl_reference.py does, without mmcv).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from pyskl_reference import Recognizer, backbone, with_graph  # noqa: E402

from stgcn_pyg.bench.timing import peak_memory  # noqa: E402
from stgcn_pyg.convert import from_pyskl  # noqa: E402
from stgcn_pyg.graph import build_graph, to_dense_adjacency  # noqa: E402

RESULTS = ROOT / "experiments" / "results" / "zoo.jsonl"
NETWORKS = {"stgcn++": ("STGCN", dict(gcn_adaptive="init", gcn_with_res=True,
                                      tcn_type="mstcn")),
            "aagcn": ("AAGCN", {}),
            "ctrgcn": ("CTRGCN", {})}
# (N, C, T, V, M): NTU's shape and NW-UCLA's (V = 20: the reference gets our Kinect v1
# graph, 2s-AGCN partition, as tests/models/test_pyskl_equivalence.py does).
SHAPES = {"ntu 16x3x100x25x2": (16, 3, 100, 25, 2), "nw-ucla 16x3x52x20x1": (16, 3, 52, 20, 1)}
MARKERS = ("<!-- zoo table: experiments/zoo_table.py table --docs -->", "<!-- end -->")


def build(network: str, v: int, persons: int, num_classes: int = 10):
    name, kwargs = NETWORKS[network]
    cls = backbone(name)
    if name in ("CTRGCN", "AAGCN"):
        kwargs = dict(kwargs, num_person=persons)
    module = sys.modules[cls.__module__]
    pyskl_graph = module.Graph
    if v != 25:  # NW-UCLA: Kinect v1, a layout pyskl lacks
        module.Graph = with_graph(to_dense_adjacency(build_graph("kinect-v1", "agcn")).float())
    try:
        ref = Recognizer(cls(graph_cfg=dict(layout="nturgb+d", mode="spatial"), **kwargs),
                         256, num_classes)
    finally:
        module.Graph = pyskl_graph
    return ref, from_pyskl(ref.state_dict())


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def measure(network: str, shape_name: str, repeats: int) -> dict:
    n, c, t, v, m = SHAPES[shape_name]
    ref, ours = build(network, v, m)
    x_ref = torch.randn(n, m, t, v, c)
    x_ours = x_ref.permute(0, 4, 2, 3, 1).contiguous()
    models = {"ours": (ours, x_ours), "pyskl": (ref, x_ref)}

    def train_step(name):
        model, x = models[name]
        model.train()
        model.zero_grad()
        model(x).sum().backward()

    def infer(name):
        model, x = models[name]
        model.eval()
        with torch.no_grad():
            model(x)

    times = {(kind, name): [] for kind in ("train", "infer") for name in models}
    for kind, step in (("train", train_step), ("infer", infer)):
        for name in models:  # warm-up
            step(name)
        for _ in range(repeats):
            for name in models:
                times[(kind, name)].append(timed(lambda: step(name)))
    median = {key: statistics.median(values) for key, values in times.items()}
    peak = {name: peak_memory(lambda: train_step(name)) for name in models}
    with FlopCounterMode(display=False) as counter:
        infer("ours")
    return {"network": network, "shape": shape_name,
            "params_ours": sum(p.numel() for p in ours.parameters()),
            "params_pyskl": sum(p.numel() for p in ref.parameters()),
            "gflops_per_sample": counter.get_total_flops() / 2 / n / 1e9,
            "train_ms_ours": 1e3 * median[("train", "ours")],
            "train_ms_pyskl": 1e3 * median[("train", "pyskl")],
            "infer_ms_ours": 1e3 * median[("infer", "ours")],
            "infer_ms_pyskl": 1e3 * median[("infer", "pyskl")],
            "train_peak_mib_ours": peak["ours"] / 2**20,
            "train_peak_mib_pyskl": peak["pyskl"] / 2**20,
            "repeats": repeats, "threads": torch.get_num_threads(),
            "torch": torch.__version__, "date": time.strftime("%Y-%m-%d")}


def table() -> str:
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    latest = {(r["network"], r["shape"]): r for r in rows}  # a rerun replaces its row
    rows = list(latest.values())
    lines = ["| network | shape | parameters (ours = pyskl) | GFLOPs / sample (MACs) | train step "
             "ours / pyskl (ratio) | inference ours / pyskl (ratio) | train peak memory ours / "
             "pyskl (ratio) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        same = "yes" if r["params_ours"] == r["params_pyskl"] else f"no ({r['params_pyskl']})"
        lines.append(
            f"| {r['network']} | {r['shape']} | {r['params_ours']:,} ({same}) | "
            f"{r['gflops_per_sample']:.2f} | {r['train_ms_ours']:.0f} / "
            f"{r['train_ms_pyskl']:.0f} ms ({r['train_ms_ours'] / r['train_ms_pyskl']:.2f}) | "
            f"{r['infer_ms_ours']:.0f} / {r['infer_ms_pyskl']:.0f} ms "
            f"({r['infer_ms_ours'] / r['infer_ms_pyskl']:.2f}) | {_memory(r)} |")
    return "\n".join(lines)


def _memory(row: dict) -> str:
    if "train_peak_mib_ours" not in row:
        return "not measured"
    ours, theirs = row["train_peak_mib_ours"], row["train_peak_mib_pyskl"]
    return f"{ours:.0f} / {theirs:.0f} MiB ({ours / theirs:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--repeats", type=int, default=3)
    run.add_argument("--threads", type=int, default=2)
    run.add_argument("--networks", nargs="+", default=list(NETWORKS))
    run.add_argument("--shapes", nargs="+", default=list(SHAPES))
    show = sub.add_parser("table")
    show.add_argument("--docs", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        torch.set_num_threads(args.threads)
        for network in args.networks:
            for shape in args.shapes:
                row = measure(network, shape, args.repeats)
                print(json.dumps(row), flush=True)
                with open(RESULTS, "a") as f:
                    f.write(json.dumps(row) + "\n")
        return
    text = table()
    if args.docs is None:
        print(text)
        return
    page = args.docs.read_text()
    start, end = page.index(MARKERS[0]) + len(MARKERS[0]), page.index(MARKERS[1])
    args.docs.write_text(page[:start] + "\n" + text + "\n" + page[end:])


if __name__ == "__main__":
    main()
