"""MP vs dense equivalence: max absolute and relative errors of outputs and every gradient.

Every layout x strategy x max_hop, float32 and float64, every :class:`SpatialGraphConv` path
and both contraction orders (aggregate-first when C <= C', convolve-first otherwise), at
layer level and for a small whole model; plus both presets and the seed notebook's model.
"""
from __future__ import annotations

from typing import Any, Iterable

import torch
from torch import Tensor, nn

from ..convert import from_seed_notebook
from ..graph import STRATEGIES, build_graph, layout_names
from ..models import STGCN, BlockSpec
from .notebook_model import NotebookSTGCN
from ..utils import default_dtype
from .speed import layer_candidates, with_path

PATHS = ("fused", "edge", "scatter")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
ORDERS = {"aggregate_first": (3, 8), "convolve_first": (8, 3)}  # (C, C') of the layer
SMALL_MODEL = [BlockSpec(8, 1, residual=False), BlockSpec(8, 1), BlockSpec(16, 2)]


def errors(mp: nn.Module, dense: nn.Module, x: Tensor, seed: int = 0,
           params: bool = True) -> dict[str, dict[str, float]]:
    """``{tensor: {max_abs, rel}}`` for the output and every gradient of ``mp`` vs ``dense``.

    Both get the same input and dropout masks (same RNG seed) and backpropagate the same
    random output gradient. ``rel`` is the max abs error over the max abs reference value.
    Edge-importance gradients are compared with the dense importance's at the edge entries;
    ``params=False`` compares the output and input gradient only (differently named models).
    """
    results = []
    for module in (mp, dense):
        module.zero_grad(set_to_none=True)
        xi = x.detach().clone().requires_grad_(True)
        torch.manual_seed(seed)
        out = module(xi)
        out.backward(torch.randn(out.shape, generator=torch.Generator().manual_seed(seed),
                                 dtype=out.dtype))
        results.append((out.detach(), xi.grad))
    pairs = {"output": (results[0][0], results[1][0]), "grad_x": (results[0][1], results[1][1])}
    dense_params = dict(dense.named_parameters())
    for name, param in mp.named_parameters() if params else ():
        ref = dense_params[name].grad
        if ref.shape != param.shape:  # per-edge importance [E] vs dense [K, V, V]
            src, dst = mp.edge_index
            ref = ref[mp.edge_type, src, dst]
        pairs[f"grad_{name}"] = (param.grad, ref)
    return {name: _error(a, b) for name, (a, b) in pairs.items()}


def _error(actual: Tensor, expected: Tensor) -> dict[str, float]:
    return {"max_abs": (actual - expected).abs().max().item(),
            "scale": expected.abs().max().item()}


def _row(level: str, errs: dict[str, dict[str, float]], **keys: Any) -> dict[str, Any]:
    """One report row; ``max_rel`` skips tensors whose reference is zero up to rounding (scale
    below 1e-4 of the row's largest, e.g. a conv bias gradient in front of a BatchNorm)."""
    top = max(e["scale"] for e in errs.values())
    for e in errs.values():
        e["rel"] = e["max_abs"] / e["scale"] if e["scale"] > 1e-4 * top else None
    return {"level": level, **keys, "max_abs": max(e["max_abs"] for e in errs.values()),
            "max_rel": max(e["rel"] for e in errs.values() if e["rel"] is not None),
            "tensors": errs}


def graph_grid(layouts: Iterable[str] | None = None,
               max_hops: Iterable[int] = (1, 2, 3)) -> list[tuple[str, str, int]]:
    """Every (layout, strategy, max_hop) of the registered layouts."""
    layouts = list(layouts) if layouts is not None else layout_names()
    return [(l, s, h) for l in layouts for s in STRATEGIES for h in max_hops]


def layer_rows(grid: list[tuple[str, str, int]], batch: int = 2, frames: int = 6,
               seed: int = 0) -> list[dict[str, Any]]:
    """Layer-level errors for every graph, dtype, path and contraction order."""
    rows = []
    for layout, strategy, max_hop in grid:
        for dtype_name, dtype in DTYPES.items():
            for order, (c_in, c_out) in ORDERS.items():
                graph = build_graph(layout, strategy, max_hop)
                # importance-like weights: the graph's times factors in [0.5, 1.5]
                graph.edge_weight = graph.edge_weight * torch.empty(
                    graph.edge_weight.shape, dtype=torch.float64).uniform_(
                    0.5, 1.5, generator=torch.Generator().manual_seed(seed))
                with default_dtype(dtype):
                    layers = layer_candidates(c_in, c_out, ["mp-" + p for p in PATHS] + ["dense"],
                                              graph, seed)
                dense = layers.pop("dense")
                x = torch.randn(batch, c_in, frames, graph.num_nodes, dtype=dtype)
                for path in PATHS:
                    errs = errors(layers["mp-" + path], dense, x, seed)
                    rows.append(_row("layer", errs, layout=layout, strategy=strategy,
                                     max_hop=max_hop, dtype=dtype_name, path=path, order=order))
    return rows


def model_rows(grid: list[tuple[str, str, int]], presets: Iterable[str] = ("seed", "stgcn"),
               batch: int = 2, frames: int = 12, seed: int = 0) -> list[dict[str, Any]]:
    """Whole-model errors (train mode, same dropout masks): a small 3-block model on every
    graph, and each preset on its own graph, for both dtypes and every path."""
    configs = [(f"small:{l}/{s}/{h}", dict(graph=l, strategy=s, max_hop=h, blocks=SMALL_MODEL,
                                            num_classes=5, in_channels=3))
               for l, s, h in grid]
    configs += [(f"preset:{p}", dict(preset=p)) for p in presets]
    rows = []
    for name, config in configs:
        for dtype_name, dtype in DTYPES.items():
            torch.manual_seed(seed)
            with default_dtype(dtype):
                if "preset" in config:
                    mp = STGCN.from_preset(config["preset"], 5)
                else:
                    mp = STGCN(**config)
            with torch.no_grad():
                for block in mp.blocks:
                    block.importance.weight.uniform_(0.5, 1.5)
            dense = mp.to_backend("dense").train()
            x = torch.randn(batch, 3, frames, mp.num_nodes, 2, dtype=dtype)
            for path in PATHS:
                errs = errors(with_path(mp, path).train(), dense, x, seed)
                rows.append(_row("model", errs, model=name, dtype=dtype_name, path=path))
    return rows


def notebook_rows(batch: int = 2, frames: int = 16, seed: int = 0) -> list[dict[str, Any]]:
    """The MP seed preset (converted from the notebook's weights) vs the notebook's own dense
    model: output and input gradient, eval mode, float32 and float64, every path."""
    rows = []
    for dtype_name, dtype in DTYPES.items():
        torch.manual_seed(seed)
        notebook = NotebookSTGCN(14).to(dtype)
        with torch.no_grad():
            for i in range(1, 7):
                getattr(notebook, f"stgc{i}").M.uniform_(0.5, 1.5)
        mp = from_seed_notebook(notebook.state_dict()).to(dtype)
        x = torch.randn(batch, 3, frames, 25, dtype=dtype)
        for path in PATHS:
            model = with_path(mp, path).eval()
            errs = errors(model, notebook.eval(), x, seed, params=False)
            rows.append(_row("notebook", errs, model="seed preset vs notebook", dtype=dtype_name,
                             path=path))
    return rows
