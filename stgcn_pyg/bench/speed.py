"""Speed and peak memory of the backends, layer and whole model, measured side by side.

Backends: ``mp-fused``, ``mp-edge``, ``mp-scatter`` (:class:`SpatialGraphConv` paths),
``dense`` (:class:`DenseSpatialGraphConv`, the library's einsum), the PyG convs run by
:class:`~stgcn_pyg.nn.FramewiseConv` (``gcn``, ``gat``, ``graphconv``, ``cheb``) and, for the
seed preset, ``notebook`` (the seed notebook's own dense model, :mod:`.notebook_model`), each
eager and under ``torch.compile``. The ST-GCN candidates of one measurement share the weights
and the input; the PyG convs have their own weights (a different layer, timed alongside).
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Iterable

import torch
from torch import Tensor, nn

from ..convert import from_seed_notebook
from ..graph import build_graph
from ..models import STGCN
from ..nn import SPATIAL_LAYERS, DenseSpatialGraphConv, GraphBound, SpatialGraphConv
from .notebook_model import NotebookSTGCN
from .flops import count_flops
from .timing import interleaved_times, peak_memory, summarize

PYG_LAYERS = ("gcn", "gat", "graphconv", "cheb")
BACKENDS = ("mp-fused", "mp-edge", "mp-scatter", "dense", "notebook") + PYG_LAYERS
WORKLOADS = ("inference", "forward", "forward_backward", "train_step")
PRECISIONS = ("fp32", "bf16")  # bf16: the step under torch.autocast(dtype=torch.bfloat16)
MODEL_PRESETS = ("seed", "stgcn")


def model_candidates(preset: str, backends: Iterable[str], num_classes: int = 14,
                     seed: int = 0) -> dict[str, nn.Module]:
    """Equal-weight models of ``preset``, one per backend (``notebook`` only for ``seed``)."""
    torch.manual_seed(seed)
    if preset == "seed":
        notebook = NotebookSTGCN(num_classes)
        base = from_seed_notebook(notebook.state_dict())
    elif preset == "stgcn":
        notebook, base = None, STGCN.from_preset("stgcn", num_classes)
    else:
        raise ValueError(f"preset: expected one of {list(MODEL_PRESETS)}, got {preset!r}")
    models: dict[str, nn.Module] = {}
    for backend in backends:
        if backend == "dense":
            models[backend] = base.to_backend("dense")
        elif backend == "notebook":
            if notebook is not None:
                models[backend] = notebook
        elif backend.startswith("mp-"):
            models[backend] = with_path(base, backend[3:])
        elif backend in PYG_LAYERS:
            models[backend] = STGCN(**{**base.config, "spatial": backend})
        else:
            raise ValueError(f"backends: expected names from {list(BACKENDS)}, got {backend!r}")
    return models


def with_path(module: nn.Module, path: str) -> nn.Module:
    """A copy of ``module`` whose :class:`SpatialGraphConv` layers all use ``path``."""
    module = copy.deepcopy(module)
    for layer in module.modules():
        if isinstance(layer, SpatialGraphConv):
            layer.path = path
    return module


def layer_candidates(c_in: int, c_out: int, backends: Iterable[str], graph: Any = None,
                     seed: int = 0) -> dict[str, nn.Module]:
    """Spatial layers C -> C' bound to ``graph`` (default: NTU, distance, hop 1) with
    :class:`GraphBound`; the ST-GCN ones share their weights."""
    torch.manual_seed(seed)
    graph = graph if graph is not None else build_graph("ntu-rgb+d", "distance")
    k = int(graph.num_partitions)
    base = SpatialGraphConv(c_in, c_out, k)
    models: dict[str, nn.Module] = {}
    for backend in backends:
        if backend == "dense":
            layer = DenseSpatialGraphConv(c_in, c_out, k)
            layer.conv = copy.deepcopy(base.conv)
        elif backend.startswith("mp-"):
            layer = with_path(base, backend[3:])
        elif backend in PYG_LAYERS:
            layer = SPATIAL_LAYERS.get(backend)(c_in, c_out, k)
        else:
            continue
        models[backend] = GraphBound(layer, graph)
    return models


def workload(model: nn.Module, name: str, x: Tensor,
             runnable: Callable[[Tensor], Tensor] | None = None,
             precision: str = "fp32") -> Callable[[], Any]:
    """A no-argument step of ``model`` on ``x``: one of :data:`WORKLOADS`.

    ``inference``: eval mode, no autograd; ``forward``: train mode, autograd recorded;
    ``forward_backward``: plus ``backward`` of a scalar loss; ``train_step``: SGD (lr 0.01,
    momentum 0.9, as the notebook) zero_grad, forward, cross-entropy/backward, step.
    ``runnable`` (e.g. ``torch.compile(model)``) is called instead of ``model``;
    ``precision="bf16"`` runs the forward pass under bfloat16 autocast.
    """
    if name not in WORKLOADS:
        raise ValueError(f"workload: expected one of {list(WORKLOADS)}, got {name!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision: expected one of {list(PRECISIONS)}, got {precision!r}")
    plain = model if runnable is None else runnable

    def run(inputs: Tensor) -> Tensor:
        with torch.autocast(inputs.device.type, torch.bfloat16, enabled=precision == "bf16"):
            return plain(inputs)
    model.train(name != "inference")
    if name == "inference":
        def infer() -> Tensor:
            with torch.no_grad():
                return run(x)
        return infer
    if name == "forward":
        return lambda: run(x)
    out = run(x)  # probe the output shape once
    target = torch.zeros(out.size(0), dtype=torch.long, device=x.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        out = run(x)
        loss = nn.functional.cross_entropy(out, target) if out.dim() == 2 else out.square().mean()
        loss.backward()
        if name == "train_step":
            optimizer.step()
    return train_step


def measure(models: dict[str, nn.Module], x: Tensor, workloads: Iterable[str], repeats: int,
            compile_modes: Iterable[bool] = (False,), memory: bool = True,
            warmup: int = 1, precisions: Iterable[str] = ("fp32",)) -> list[dict[str, Any]]:
    """Time (interleaved) and, if asked, peak memory of every model, workload, compile mode
    and precision.

    Returns rows ``{workload, backend, compiled, precision, median_ms, iqr_ms, runs,
    ratio_vs_dense, gflop, gflop_per_s, clips_per_s?, peak_mb?, peak_ratio_vs_dense?}``; ratios
    compare with ``dense`` under the same compile mode and precision; ``gflop`` is counted on
    the eager fp32 step (autocast changes the precision, not the count).
    """
    rows = []
    for name in workloads:
        steps = {}
        for compiled in compile_modes:
            for precision in precisions:
                for backend, model in models.items():
                    runnable = torch.compile(model) if compiled else None
                    steps[(backend, compiled, precision)] = workload(model, name, x, runnable,
                                                                     precision)
        times = interleaved_times({"|".join(map(str, key)): s for key, s in steps.items()},
                                  repeats, warmup, x.device)
        gflop = {backend: count_flops(steps.get((backend, False, "fp32"))
                                      or workload(model, name, x)) / 1e9
                 for backend, model in models.items()}
        for (backend, compiled, precision), step in steps.items():
            row = {"workload": name, "backend": backend, "compiled": compiled,
                   "precision": precision,
                   **summarize(times[f"{backend}|{compiled}|{precision}"])}
            row["gflop"] = gflop[backend]
            row["gflop_per_s"] = row["gflop"] / (row["median_ms"] / 1e3)
            if name == "inference":
                row["clips_per_s"] = x.size(0) / (row["median_ms"] / 1e3)
            if memory:
                row["peak_mb"] = peak_memory(step, x.device) / 2**20
            rows.append(row)
    _add_ratios(rows)
    return rows


def _add_ratios(rows: list[dict[str, Any]]) -> None:
    dense = {(r["workload"], r["compiled"], r["precision"]): r for r in rows
             if r["backend"] == "dense"}
    for row in rows:
        ref = dense.get((row["workload"], row["compiled"], row["precision"]))
        if ref is None:
            continue
        row["ratio_vs_dense"] = row["median_ms"] / ref["median_ms"]
        if "peak_mb" in row and ref.get("peak_mb"):
            row["peak_ratio_vs_dense"] = row["peak_mb"] / ref["peak_mb"]
