"""The zoo networks against pyskl's own code in one process (``stgcn-pyg bench --only zoo
--pyskl DIR``): parameters, GFLOPs per sample, train step and inference time interleaved
(ours, pyskl, ours, ...; median of the repeats), the peak memory of a train step, and the
inference's achieved GFLOP/s against the fp32 matmul peak measured in the same run."""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import torch

from ..convert import from_pyskl
from ..graph import build_graph, to_dense_adjacency
from .flops import count_flops, matmul_peak_gflops
from .pyskl_reference import Recognizer, backbone, with_graph
from .timing import peak_memory

#: preset -> (pyskl backbone, its arguments)
NETWORKS = {"stgcn++": ("STGCN", dict(gcn_adaptive="init", gcn_with_res=True,
                                      tcn_type="mstcn")),
            "aagcn": ("AAGCN", {}),
            "ctrgcn": ("CTRGCN", {})}
#: name -> (N, C, T, V, M): NTU's shape and NW-UCLA's (V = 20: pyskl gets our Kinect v1
#: graph, 2s-AGCN partition, as the equivalence tests do).
SHAPES = {"ntu 16x3x100x25x2": (16, 3, 100, 25, 2), "nw-ucla 16x3x52x20x1": (16, 3, 52, 20, 1)}


def build(network: str, num_nodes: int, persons: int, root: "str | Path",
          num_classes: int = 10):
    """``(pyskl recognizer, ours converted from it)`` for NTU-25 or Kinect-v1 (V = 20)."""
    name, kwargs = NETWORKS[network]
    cls = backbone(name, root)
    if name in ("CTRGCN", "AAGCN"):
        kwargs = dict(kwargs, num_person=persons)
    module = sys.modules[cls.__module__]
    pyskl_graph = module.Graph
    if num_nodes != 25:  # NW-UCLA: Kinect v1, a layout pyskl lacks
        module.Graph = with_graph(to_dense_adjacency(build_graph("kinect-v1", "agcn")).float())
    try:
        ref = Recognizer(cls(graph_cfg=dict(layout="nturgb+d", mode="spatial"), **kwargs),
                         256, num_classes)
    finally:
        module.Graph = pyskl_graph
    return ref, from_pyskl(ref.state_dict())


def measure(network: str, shape_name: str, shape: tuple[int, int, int, int, int], repeats: int,
            root: "str | Path") -> dict[str, Any]:
    """One row: both networks on random clips of ``shape`` (N, C, T, V, M)."""
    n, c, t, v, m = shape
    ref, ours = build(network, v, m, root)
    x_ref = torch.randn(n, m, t, v, c)
    x_ours = x_ref.permute(0, 4, 2, 3, 1).contiguous()
    models = {"ours": (ours, x_ours), "pyskl": (ref, x_ref)}

    def train_step(name: str) -> None:
        model, x = models[name]
        model.train()
        model.zero_grad()
        model(x).sum().backward()

    def forward(name: str) -> None:  # the inference's work; counted with autograd on (the
        model, x = models[name]     # counter's module tracking fails on pyskl's CTR-GCN under
        model.eval()                # no_grad), timed without
        model(x)

    def infer(name: str) -> None:
        with torch.no_grad():
            forward(name)

    times: dict[tuple[str, str], list[float]] = {}
    for kind, step in (("train", train_step), ("infer", infer)):
        for name in models:  # warm-up
            step(name)
        for _ in range(repeats):
            for name in models:
                times.setdefault((kind, name), []).append(_timed(lambda: step(name)))
    median = {key: 1e3 * statistics.median(values) for key, values in times.items()}
    peak = {name: peak_memory(lambda: train_step(name)) / 2**20 for name in models}
    flops = {name: count_flops(lambda: forward(name)) for name in models}
    return {"network": network, "shape": shape_name,
            "params_ours": sum(p.numel() for p in ours.parameters()),
            "params_pyskl": sum(p.numel() for p in ref.parameters()),
            "gflops_per_sample": flops["ours"] / 2 / n / 1e9,
            "gflops_per_sample_pyskl": flops["pyskl"] / 2 / n / 1e9,
            **{f"infer_gflop_per_s_{name}": flops[name] / 1e6 / median[("infer", name)]
               for name in models},
            "train_ms_ours": median[("train", "ours")],
            "train_ms_pyskl": median[("train", "pyskl")],
            "infer_ms_ours": median[("infer", "ours")],
            "infer_ms_pyskl": median[("infer", "pyskl")],
            "train_peak_mib_ours": peak["ours"], "train_peak_mib_pyskl": peak["pyskl"],
            "repeats": repeats, "threads": torch.get_num_threads()}


def rows(networks: list[str], shapes: dict[str, tuple[int, int, int, int, int]], repeats: int,
         root: "str | Path", log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """:func:`measure` for every network x named shape, each row with the fp32 matmul peak
    (``peak_gflop_per_s``) measured first."""
    peak = matmul_peak_gflops()
    found = []
    for network in networks:
        for name, shape in shapes.items():
            log(f"zoo: {network} vs pyskl, {name}")
            found.append({**measure(network, name, tuple(shape), repeats, root),
                          "peak_gflop_per_s": peak})
    return found


def markdown(rows_: list[dict[str, Any]]) -> str:
    """The rows as a table (the latest row of each network x shape)."""
    latest = {(r["network"], r["shape"]): r for r in rows_}
    lines = ["| network | shape (N x C x T x V x M) | parameters (ours = pyskl) | GFLOPs / sample "
             "(MACs; ours / pyskl where they differ) | train step ours / pyskl (ratio) | "
             "inference ours / pyskl (ratio) | train peak memory ours / pyskl (ratio) | "
             "inference GFLOP/s ours / pyskl (% of fp32 matmul peak) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in latest.values():
        same = "yes" if r["params_ours"] == r["params_pyskl"] else f"no ({r['params_pyskl']})"
        memory = (f"{r['train_peak_mib_ours']:.0f} / {r['train_peak_mib_pyskl']:.0f} MiB "
                  f"({r['train_peak_mib_ours'] / r['train_peak_mib_pyskl']:.2f})"
                  if "train_peak_mib_ours" in r else "not measured")
        achieved = (f"{r['infer_gflop_per_s_ours']:.1f} / {r['infer_gflop_per_s_pyskl']:.1f} "
                    f"({100 * r['infer_gflop_per_s_ours'] / r['peak_gflop_per_s']:.0f} / "
                    f"{100 * r['infer_gflop_per_s_pyskl'] / r['peak_gflop_per_s']:.0f} %)"
                    if "peak_gflop_per_s" in r else "not measured")
        lines.append(
            f"| {r['network']} | {r['shape']} | {r['params_ours']:,} ({same}) | "
            f"{_gflops(r)} | {r['train_ms_ours']:.0f} / "
            f"{r['train_ms_pyskl']:.0f} ms ({r['train_ms_ours'] / r['train_ms_pyskl']:.2f}) | "
            f"{r['infer_ms_ours']:.0f} / {r['infer_ms_pyskl']:.0f} ms "
            f"({r['infer_ms_ours'] / r['infer_ms_pyskl']:.2f}) | {memory} | {achieved} |")
    return "\n".join(lines)


def _gflops(row: dict[str, Any]) -> str:
    ours, theirs = row["gflops_per_sample"], row.get("gflops_per_sample_pyskl")
    if theirs is None or f"{ours:.2f}" == f"{theirs:.2f}":
        return f"{ours:.2f}"
    return f"{ours:.2f} / {theirs:.2f}"


def plot(rows_: list[dict[str, Any]], path: "str | Path") -> Path:
    """Bars of ours / pyskl (train step, inference, train peak memory) per network and shape,
    a line at 1; saved atomically as a PNG."""
    from matplotlib.figure import Figure

    from ..viz.draw import save_figure

    latest = list({(r["network"], r["shape"]): r for r in rows_}.values())
    kinds = [("train step", "train_ms"), ("inference", "infer_ms"),
             ("train peak memory", "train_peak_mib")]
    fig = Figure(figsize=(1.6 + 1.4 * len(latest), 4.2), layout="constrained")
    ax = fig.add_subplot()
    for j, (label, key) in enumerate(kinds):
        ratios = [r[f"{key}_ours"] / r[f"{key}_pyskl"] for r in latest]
        ax.bar([i + (j - 1) * 0.27 for i in range(len(latest))], ratios, 0.27, label=label)
    ax.axhline(1.0, color="0.3", linewidth=1)
    ax.set_xticks(range(len(latest)),
                  [f"{r['network']}\n{r['shape']}" for r in latest], fontsize=7)
    ax.set_ylabel("ours / pyskl (lower is better)")
    ax.set_title("The zoo against pyskl, same process", fontsize=10)
    ax.legend(fontsize=8)
    save_figure(fig, path)
    return Path(path)


def _timed(step: Callable[[], None]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


__all__ = ["NETWORKS", "SHAPES", "build", "markdown", "measure", "plot", "rows"]
