"""Reading version-1 checkpoints (``stgcn-pyg/1``: the graph copied into every layer).

Version 1 stored the graph in every spatial layer (``blocks.i.gcn.edge_index``,
``edge_type``, ``edge_weight``, or the dense layer's ``adjacency``) and the edge importance
inside the layer (``gcn.edge_importance`` [E] or ``gcn.importance`` [K, V, V]). Version 2 keeps
the graph once on the model and the importance on the block. :func:`upgrade_v1` rewrites a
version-1 checkpoint so that the version-2 model gives identical outputs.
"""
from __future__ import annotations

from typing import Any

import torch

BUILT_IN = ("mp", "dense")


def upgrade_v1(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The version-2 ``{"format", "config", "state_dict", ...}`` of a version-1 checkpoint."""
    config = dict(checkpoint["config"])
    backend = config.pop("backend", "mp")
    spatial_kwargs = dict(config.get("spatial_kwargs") or {})
    if config.get("spatial") is None:  # the built-in layer, chosen by ``backend``
        config["spatial"] = backend
    else:  # a registered layer: v1 ignored the model's edge_importance, the layer owned its own
        config["edge_importance"] = bool(spatial_kwargs.pop("edge_importance", False))
        config["spatial_kwargs"] = spatial_kwargs or None
    state = dict(checkpoint["state_dict"])
    blocks = sorted({int(key.split(".")[1]) for key in state if key.startswith("blocks.")})
    first = "blocks.0.gcn."
    if first + "edge_index" in state:
        for name in ("edge_index", "edge_type", "edge_weight"):
            state[name] = state[first + name]
    else:  # the dense layer kept only A [K, V, V]: read it at the graph's edges
        from .checkpoint import graph_from_config

        graph = graph_from_config(config)
        src, dst = graph.edge_index
        state["edge_index"], state["edge_type"] = graph.edge_index, graph.edge_type
        state["edge_weight"] = state[first + "adjacency"][graph.edge_type, src, dst]
    for i in blocks:
        gcn = f"blocks.{i}.gcn."
        importance = state.pop(gcn + "edge_importance", state.pop(gcn + "importance", None))
        if importance is not None:
            state[f"blocks.{i}.importance.weight"] = importance
        adaptive = state.pop(gcn + "adaptive_weight", None)
        if adaptive is not None:  # v1 used w_hat * m; v2 uses a * m + offset
            base = state[gcn + "edge_weight"]
            scale = importance if importance is not None else torch.ones_like(adaptive)
            state[gcn + "edge_offset"] = ((adaptive.double() - base.double()) * scale.double()
                                          ).to(adaptive.dtype)
        for name in ("edge_index", "edge_type", "edge_weight", "adjacency"):
            state.pop(gcn + name, None)
    return {**checkpoint, "format": "stgcn-pyg/2", "config": config, "state_dict": state}
