"""An explanation (:func:`stgcn_pyg.explain.explain_clip`) drawn on the skeleton: joints by their
share of the node mask, bones by the edge mask."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from torch_geometric.data import Data

from .draw import draw_skeleton, joint_labels, save_figure, skeleton_networkx, skeleton_of
from .skeleton import pose_2d

CMAP = "magma_r"


def bone_mask(graph: Data, edge_mask: torch.Tensor) -> dict[tuple[int, int], float]:
    """``{(u, v): value}`` per bone ``u < v`` of the graph's skeleton: the sum of ``|edge_mask|``
    over the entries ``u -> v`` and ``v -> u`` of every partition (other joint pairs of an
    all-pairs graph and self-loops left out)."""
    bones = {tuple(sorted(edge)) for edge in _bones(graph).edges}
    values = dict.fromkeys(bones, 0.0)
    for (src, dst), value in zip(graph.edge_index.t().tolist(), edge_mask.abs().tolist()):
        pair = (min(src, dst), max(src, dst))
        if pair in values:
            values[pair] += value
    return values


def _bones(graph: Data):
    """The skeleton's bones as a networkx graph (the graph's own links for a custom layout)."""
    return skeleton_networkx(skeleton_of(graph) or graph)


def plot_explanation(explanation, graph: Data, path: "str | Path | None" = None, *,
                     pose: np.ndarray | None = None, labels: str | None = None,
                     class_name: str | None = None) -> Figure:
    """Draw ``explanation`` (a :class:`~stgcn_pyg.explain.ClipExplanation`) on ``graph`` (the
    model's ``model.graph``): joint colour and size by ``joint_mask``, bone colour and width by
    :func:`bone_mask`; two colour bars. ``pose``: joint coordinates [V, 2] or [V, 3] (default:
    the layout's standing pose). Returns the 720 x 620 pixel ``Figure``."""
    positions = pose_2d(graph, pose)
    joints = explanation.joint_mask.double().numpy()
    bones = bone_mask(graph, explanation.edge_mask)
    nx_graph = _bones(graph)
    bone_values = np.array([bones[tuple(sorted(edge))] for edge in nx_graph.edges])
    joint_norm = Normalize(0.0, float(joints.max()) or 1.0)
    bone_norm = Normalize(0.0, float(bone_values.max()) if bone_values.size else 1.0)
    joint_cmap, bone_cmap = colormaps[CMAP], colormaps["Blues"]
    fig = Figure(figsize=(7.2, 6.2), layout="constrained")
    ax = fig.add_subplot()
    draw_skeleton(ax, nx_graph, positions, labels=joint_labels(graph, labels), nodes={
        "node_color": [joint_cmap(joint_norm(joints[v])) for v in nx_graph.nodes],
        "node_size": [40 + 400 * joint_norm(joints[v]) for v in nx_graph.nodes],
        "edgecolors": "0.3", "linewidths": 0.6}, edges={
        "edge_color": [bone_cmap(0.25 + 0.75 * bone_norm(b)) for b in bone_values],
        "width": 1.0 + 6.0 * bone_norm(bone_values)})
    fig.colorbar(ScalarMappable(joint_norm, joint_cmap), ax=ax, shrink=0.7,
                 label="joint: share of the node mask")
    fig.colorbar(ScalarMappable(bone_norm, bone_cmap), ax=ax, shrink=0.7,
                 label="bone: |edge mask|, both directions, all partitions")
    name = class_name or f"class {explanation.target}"
    skeleton = skeleton_of(graph)
    names = skeleton.joint_names if skeleton is not None and skeleton.joint_names else None
    top = [names[v] if names else str(v) for v in np.argsort(-joints)[:3].tolist()]
    fig.suptitle(f"{explanation.method.replace('_', ' ')} for {name}\n"
                 f"({getattr(graph, 'layout', 'custom graph')}; top joints: {', '.join(top)})",
                 fontsize=10)
    return save_figure(fig, path)


__all__ = ["bone_mask", "plot_explanation"]
