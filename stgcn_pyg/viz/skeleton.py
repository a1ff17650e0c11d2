"""The skeleton graph drawn through networkx, at a default pose or at real coordinates."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from torch_geometric.data import Data

from ..graph import Skeleton
from .draw import (as_graph, draw_skeleton, joint_labels, save_figure, skeleton_networkx,
                   skeleton_of)
from .poses import default_pose, project


def pose_2d(graph: "str | Path | Skeleton | Data", pose: np.ndarray | None = None,
            azimuth: float = 0.0, elevation: float = 0.0) -> np.ndarray:
    """Joint positions [V, 2]: the layout's default pose, ``pose`` [V, 2] as given, or
    ``pose`` [V, 3] projected with the view ``azimuth``/``elevation`` (degrees)."""
    num_nodes = int(as_graph(graph).num_nodes)
    if pose is None:
        return default_pose(graph)
    pose = np.asarray(pose, dtype=np.float64)
    if pose.shape == (num_nodes, 3):
        return project(pose, azimuth, elevation)
    if pose.shape != (num_nodes, 2):
        raise ValueError(f"pose: expected [V={num_nodes}, 2 or 3] coordinates, got shape "
                         f"{list(pose.shape)}")
    return pose


def plot_skeleton(graph: "str | Path | Skeleton | Data" = "ntu-rgb+d",
                  path: "str | Path | None" = None, *, pose: np.ndarray | None = None,
                  azimuth: float = 0.0, elevation: float = 0.0, labels: str | None = None,
                  title: str | None = None) -> Figure:
    """Draw a skeleton graph (a layout name, file, ``Skeleton`` or ``Data``) with networkx.

    Args:
        graph: what to draw; a ``Data`` is drawn with all its links (every hop).
        path: save the figure there (PNG, SVG or PDF by suffix) when given.
        pose: joint coordinates [V, 2] or [V, 3] (e.g. one frame of a sequence); default: the
            layout's readable standing pose.
        azimuth, elevation: view of a 3-D ``pose``, in degrees (see :func:`project`).
        labels: ``"names"``, ``"indices"`` or ``None``.
        title: the title; default names the layout, its joints and links.

    Returns:
        The matplotlib ``Figure`` (500 x 600 pixels when saved).
    """
    data = as_graph(graph)
    positions = pose_2d(graph, pose, azimuth, elevation)
    nx_graph = skeleton_networkx(data)
    skeleton = skeleton_of(graph)
    name = skeleton.name if skeleton is not None else getattr(data, "layout", "graph")
    if title is None:
        where = "default pose" if pose is None else (
            f"view azimuth {azimuth:g}°, elevation {elevation:g}°" if np.shape(pose)[-1] == 3
            else "given 2-D pose")
        title = (f"{name}: {nx_graph.number_of_nodes()} joints, "
                 f"{nx_graph.number_of_edges()} links ({where})")
    fig = Figure(figsize=(5, 6), layout="constrained")
    ax = fig.add_subplot()
    center = getattr(data, "center", skeleton.center if skeleton is not None else None)
    colors = ["tab:red" if v == center else "tab:blue" for v in nx_graph.nodes]
    draw_skeleton(ax, nx_graph, positions, nodes={"node_color": colors},
                  labels=joint_labels(graph, labels))
    if center is not None:
        named = f" ({skeleton.joint_names[center]})" if skeleton and skeleton.joint_names else ""
        ax.plot([], [], "o", color="tab:red", label=f"centre joint {center}{named}")
        ax.legend(loc="lower center", fontsize=8, frameon=False, bbox_to_anchor=(0.5, -0.05))
    ax.set_title(title, fontsize=10)
    return save_figure(fig, path)
