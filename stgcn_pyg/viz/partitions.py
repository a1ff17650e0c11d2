"""Partitions: one root joint's neighbours coloured by partition (the paper's figure of the
strategies), and the grid of all K partition adjacency matrices."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from torch_geometric.data import Data

from ..graph import Skeleton, build_graph, to_dense_adjacency
from .draw import draw_skeleton, joint_labels, save_figure, skeleton_networkx, skeleton_of
from .skeleton import pose_2d

# Partition k is drawn in PARTITION_COLORS[k]: the root green as in the paper, then orange
# ("inward": the paper's centrifugal group) and blue ("outward": its centripetal group).
PARTITION_COLORS = ("tab:green", "tab:orange", "tab:blue", "tab:red", "tab:purple",
                    "tab:brown", "tab:pink", "tab:olive", "tab:cyan")
OTHER_COLOR = "0.8"


def resolve_joint(graph: "str | Path | Skeleton | Data", joint: "int | str", name: str = "root") -> int:
    """A joint index from an index (or its text) or a joint name; ``ValueError`` naming
    ``name`` when it is out of range or unknown."""
    num_nodes = int(_as_partitioned(graph).num_nodes)
    if isinstance(joint, str) and not joint.lstrip("-").isdigit():
        skeleton = skeleton_of(graph)
        names = list(skeleton.joint_names or ()) if skeleton is not None else []
        if joint not in names:
            raise ValueError(f"{name}: expected a joint index in 0..{num_nodes - 1} or one of the "
                             f"joint names {names}, got {joint!r}")
        return names.index(joint)
    index = int(joint)
    if not 0 <= index < num_nodes:
        raise ValueError(f"{name}: expected a joint index in 0..{num_nodes - 1}, got {index}")
    return index


def neighbour_partitions(graph: "str | Path | Skeleton | Data", root: "int | str") -> dict[int, int]:
    """``{joint j: partition k}`` for every ``j`` that sends a message to ``root``, i.e.
    ``A[k, j, root] != 0`` in :func:`to_dense_adjacency` (the root itself included)."""
    data = _as_partitioned(graph)
    root = resolve_joint(graph, root)
    adjacency = to_dense_adjacency(data)[:, :, root]
    partitions: dict[int, int] = {}
    for k, j in adjacency.nonzero().tolist():
        partitions.setdefault(j, k)
    return partitions


def plot_partitions(graph: "str | Path | Skeleton | Data", root: "int | str",
                    path: "str | Path | None" = None, *, pose: np.ndarray | None = None,
                    labels: str | None = None) -> Figure:
    """Draw the neighbourhood of ``root`` with every neighbour coloured by its partition.

    Args:
        graph: a partitioned ``Data`` from :func:`build_graph`, or a layout (then the
            ``spatial`` strategy with ``max_hop=1``).
        root: the joint (index or name) whose neighbourhood is shown.
        path: save the figure there when given.
        pose: joint coordinates [V, 2] or [V, 3]; default: the layout's standing pose.
        labels: ``"names"``, ``"indices"`` or ``None``.

    Returns:
        The ``Figure`` (650 x 650 pixels when saved).
    """
    data = _as_partitioned(graph)
    root = resolve_joint(graph, root)
    partitions = neighbour_partitions(data, root)
    skeleton = skeleton_of(graph)
    bones = skeleton_networkx(skeleton if skeleton is not None else data)
    positions = pose_2d(graph, pose)
    names = list(data.partition_names)
    colors = [PARTITION_COLORS[partitions[v]] if v in partitions else OTHER_COLOR
              for v in bones.nodes]
    fig = Figure(figsize=(6.5, 6.5), layout="constrained")
    ax = fig.add_subplot()
    draw_skeleton(ax, bones, positions, labels=joint_labels(graph, labels), nodes={
        "node_color": colors, "node_size": [200 if v == root else 90 for v in bones.nodes],
        "edgecolors": ["black" if v == root else "white" for v in bones.nodes],
        "linewidths": [2.0 if v == root else 0.8 for v in bones.nodes]})
    messages = nx.DiGraph([(j, root) for j in partitions if j != root])
    nx.draw_networkx_edges(messages, {v: positions[v] for v in messages.nodes}, ax=ax,
                           edge_color=[PARTITION_COLORS[partitions[j]] for j, _ in messages.edges],
                           width=1.5, style="dashed", arrowsize=12, node_size=200,
                           connectionstyle="arc3,rad=0.25")
    for k in sorted(set(partitions.values())):
        ax.scatter([], [], s=60, c=PARTITION_COLORS[k], label=_describe(names[k], data.strategy))
    ax.scatter([], [], s=60, c=OTHER_COLOR, label="not a neighbour")
    if data.strategy == "spatial":
        center = int(data.center)
        ax.scatter(*positions[center], marker="x", s=100, c="black", linewidths=2.0, zorder=5,
                   label=f"centre joint {center} (spatial distances are measured from it)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8, frameon=False)
    if data.strategy == "spatial":
        detail = ("exact hop distances" if data.exact_distance
                  else f"original hop distances, capped at max_hop={data.max_hop}")
    else:
        detail = f"max_hop={data.max_hop}, dilation={data.dilation}"
    ax.set_title(f"{data.layout}: {data.strategy} partitions seen from joint {root}"
                 f"{_joint_name(skeleton, root)}\n(dashed arrows: messages into the root; "
                 f"{detail})", fontsize=10)
    return save_figure(fig, path)


def plot_partition_matrices(graph: "str | Path | Skeleton | Data",
                            path: "str | Path | None" = None) -> Figure:
    """A grid of the K partition matrices ``A[k, src, dst]`` with one labelled colorbar.

    Returns:
        The ``Figure``: ``min(K, 3)`` columns of 3.2 inches plus 1 inch for the colorbar,
        3.6 inches per row (at 100 dpi when saved).
    """
    data = _as_partitioned(graph)
    adjacency = to_dense_adjacency(data).numpy()
    num_partitions, num_nodes = adjacency.shape[:2]
    ncols = min(num_partitions, 3)
    nrows = -(-num_partitions // ncols)
    fig = Figure(figsize=(3.2 * ncols + 1.0, 3.6 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    cmap = colormaps["viridis"].with_extremes(bad="white")
    vmax = float(adjacency.max())
    for k, ax in enumerate(axes.flat):
        if k >= num_partitions:
            ax.axis("off")
            continue
        image = ax.imshow(np.ma.masked_equal(adjacency[k], 0.0), cmap=cmap, vmin=0.0, vmax=vmax)
        ax.set_title(f"k={k}: {data.partition_names[k]} ({int((adjacency[k] != 0).sum())} entries)",
                     fontsize=9)
        ax.set_xlabel("target joint (dst)", fontsize=8)
        ax.set_ylabel("source joint (src)", fontsize=8)
        ticks = np.arange(0, num_nodes, 5)
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        ax.tick_params(labelsize=7)
    fig.colorbar(image, ax=axes, shrink=0.8, label="normalized weight A[k, src, dst] (white: 0)")
    fig.suptitle(f"{data.layout}: {data.strategy} partitions, K={num_partitions}, "
                 f"max_hop={data.max_hop}, dilation={data.dilation}", fontsize=10)
    return save_figure(fig, path)


def _as_partitioned(graph: "str | Path | Skeleton | Data") -> Data:
    return graph if isinstance(graph, Data) else build_graph(graph, "spatial")


def _joint_name(skeleton: Skeleton | None, joint: int) -> str:
    if skeleton is None or skeleton.joint_names is None:
        return ""
    return f" ({skeleton.joint_names[joint]})"


def _describe(name: str, strategy: str) -> str:
    if name.startswith("hop0") or strategy == "uniform":
        return f"root ({name})" if strategy != "uniform" else "all: the root and its neighbours"
    if name.endswith("inward"):
        return f"{name}: neighbour as far from the centre or farther (paper: centrifugal)"
    if name.endswith("outward"):
        return f"{name}: neighbour closer to the centre (paper: centripetal)"
    return f"{name}: neighbour at hop distance {name[3:]} from the root"
