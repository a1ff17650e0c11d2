"""Learned edge importance: per block, the effective weight ``A ⊙ M`` drawn on the skeleton."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from torch import Tensor

from ..graph import dense_adjacency, to_dense_adjacency
from ..models import STGCN, load_model
from .draw import draw_skeleton, joint_labels, save_figure
from .skeleton import pose_2d

CMAP = "viridis"


def layer_weights(model: STGCN) -> Tensor:
    """The effective adjacency ``A ⊙ M`` of every block, [L, K, V, V] float64, ``[l, k, src,
    dst]``: the partition weight times the learned importance (``A`` where a block learns
    none). Both backends give the same numbers for the same weights."""
    weights = []
    graph_weight = model.edge_weight.to(torch.float64)
    for block in model.blocks:
        weight = graph_weight
        if block.importance is not None:
            weight = block.importance(model.edge_index, model.edge_type, weight)
        weights.append(dense_adjacency(model.edge_index, model.edge_type, weight.detach(),
                                       model.num_partitions, model.num_nodes).cpu())
    return torch.stack(weights)


def plot_importance(model: "STGCN | str | Path", path: "str | Path | None" = None, *,
                    layer: int | None = None, partition: int | None = None,
                    pose: np.ndarray | None = None, labels: str | None = None) -> Figure:
    """Draw the learned edge weights ``A ⊙ M`` of a model (or a checkpoint path) on its skeleton.

    Every directed entry ``src -> dst`` is a curved arrow (the two directions of a bone bend
    apart) whose width and colour give its weight; a joint's colour is its self-loop weight.
    One colour scale is shared by all panels.

    Args:
        model: an :class:`STGCN` or a checkpoint file for :func:`load_model`.
        path: save the figure there when given.
        layer: one block index; default: a small-multiples page of all blocks.
        partition: one partition index; default: the sum over partitions.
        pose: joint coordinates [V, 2] or [V, 3]; default: the layout's standing pose.
        labels: ``"names"``, ``"indices"`` or ``None`` (single-layer figures only).

    Returns:
        The ``Figure``: one layer 650 x 650 pixels; all layers ``min(L, 5)`` columns of 2.6
        inches (+1 inch colorbar) by 3.2 inches per row, at 100 dpi.
    """
    if not isinstance(model, STGCN):
        model = load_model(model)
    weights = layer_weights(model).numpy()
    structure = to_dense_adjacency(model.graph).numpy() != 0
    num_layers, num_partitions = weights.shape[:2]
    if layer is not None and not 0 <= layer < num_layers:
        raise ValueError(f"layer: expected a block index in 0..{num_layers - 1}, got {layer}")
    if partition is None:
        weights, structure = weights.sum(axis=1), structure.any(axis=0)
        what = "summed over partitions"
    elif 0 <= partition < num_partitions:
        weights, structure = weights[:, partition], structure[partition]
        names = getattr(model.graph, "partition_names", None)
        what = f"of partition k={partition}" + (f" ({names[partition]})" if names else "")
    else:
        raise ValueError(
            f"partition: expected an index in 0..{num_partitions - 1}, got {partition}")
    positions = pose_2d(model.graph, pose)
    layers = range(num_layers) if layer is None else [layer]
    values = weights[list(layers)][:, structure]
    limit = float(np.abs(values).max()) or 1.0
    negative = bool((values < 0).any())
    norm = Normalize(-limit if negative else 0.0, limit)
    cmap = colormaps["RdBu_r" if negative else CMAP]
    if layer is None:
        ncols = min(num_layers, 5)
        nrows = -(-num_layers // ncols)
        fig = Figure(figsize=(2.6 * ncols + 1.0, 3.2 * nrows), layout="constrained")
        axes = list(fig.subplots(nrows, ncols, squeeze=False).flat)
        for ax in axes[num_layers:]:
            ax.axis("off")
        text = {}
    else:
        fig = Figure(figsize=(6.5, 6.5), layout="constrained")
        axes = [fig.add_subplot()]
        text = joint_labels(model.graph, labels)
    for ax, i in zip(axes, layers):
        _draw_weights(ax, weights[i], structure, positions, norm, cmap, limit, text,
                      small=layer is None)
        ax.set_title(f"block {i}", fontsize=9)
    label = f"learned weight A ⊙ M\n{what}"
    fig.colorbar(ScalarMappable(norm, cmap), ax=axes, shrink=0.8, label=label)
    which = "per block" if layer is None else f"of block {layer}"
    graph_name = (f"{getattr(model.graph, 'layout', 'custom graph')}, "
                  f"{getattr(model.graph, 'strategy', 'custom')} partitions")
    fig.suptitle(f"{graph_name}: learned edge weight "
                 f"{which}\n(arrows: source → target, width and colour by weight; "
                 f"joint colour: self-loop)", fontsize=10)
    return save_figure(fig, path)


def _draw_weights(ax, weight: np.ndarray, structure: np.ndarray, positions: np.ndarray,
                  norm: Normalize, cmap, limit: float, labels: dict, small: bool) -> None:
    num_nodes = weight.shape[0]
    graph = nx.DiGraph()
    graph.add_nodes_from(range(num_nodes))
    graph.add_edges_from((s, d) for s, d in zip(*np.nonzero(structure)) if s != d)
    edge_values = np.array([weight[s, d] for s, d in graph.edges])
    has_self = np.diag(structure)
    node_colors = [cmap(norm(weight[v, v])) if has_self[v] else "0.8" for v in graph.nodes]
    scale = 2.0 if small else 4.5
    draw_skeleton(ax, graph, positions, labels=labels, nodes={
        "node_color": node_colors, "node_size": 25 if small else 90, "edgecolors": "0.3",
        "linewidths": 0.5}, edges={
        "edge_color": [cmap(norm(w)) for w in edge_values],
        "width": 0.4 + scale * np.abs(edge_values) / limit,
        "arrowsize": 5 if small else 10, "connectionstyle": "arc3,rad=0.25"})
