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

V1_BUFFERS = ("edge_index", "edge_type", "edge_weight", "adjacency", "running_mean",
              "running_var", "num_batches_tracked")
RENAMED = {"gcn.edge_importance": "importance.weight", "gcn.importance": "importance.weight",
           "gcn.adaptive_weight": "gcn.edge_offset"}


def v2_name(key: str) -> str:
    """The version-2 name of a version-1 parameter (``blocks.i.gcn.edge_importance`` ->
    ``blocks.i.importance.weight``, ...)."""
    for old, new in RENAMED.items():
        if key.endswith("." + old):
            return key[: -len(old)] + new
    return key


def upgrade_v1_optimizer(optimizer: dict[str, Any], v1_state_dict: dict[str, Any],
                         v2_parameter_names: list[str]) -> dict[str, Any]:
    """An optimizer ``state_dict`` saved with a version-1 model, re-indexed for the version-2
    model whose parameters are ``v2_parameter_names`` (in ``named_parameters`` order).

    Version 1 registered a layer's importance before its convolution, so parameters come in
    another order; optimizer state is kept per parameter index.
    """
    old_names = [v2_name(k) for k in v1_state_dict if k.rsplit(".", 1)[-1] not in V1_BUFFERS]
    if sorted(old_names) != sorted(v2_parameter_names):
        raise ValueError("optimizer: the stored run's parameters do not match the model "
                         f"({sorted(set(old_names) ^ set(v2_parameter_names))})")
    new_index = {old: v2_parameter_names.index(name) for old, name in enumerate(old_names)}
    state = {new_index[int(old)]: value for old, value in optimizer["state"].items()}
    groups = [{**group, "params": sorted(new_index[int(i)] for i in group["params"])}
              for group in optimizer["param_groups"]]
    return {**optimizer, "state": state, "param_groups": groups}


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
            state[v2_name(gcn + "edge_importance")] = importance
        adaptive = state.pop(gcn + "adaptive_weight", None)
        if adaptive is not None:  # v1 used w_hat * m; v2 uses a * m + offset
            base = state[gcn + "edge_weight"]
            scale = importance if importance is not None else torch.ones_like(adaptive)
            state[v2_name(gcn + "adaptive_weight")] = (
                (adaptive.double() - base.double()) * scale.double()).to(adaptive.dtype)
        for name in ("edge_index", "edge_type", "edge_weight", "adjacency"):
            state.pop(gcn + name, None)
    return {**checkpoint, "format": "stgcn-pyg/2", "config": config, "state_dict": state}
