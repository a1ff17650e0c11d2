"""Shared drawing helpers: the networkx graph of a skeleton, one function that draws it on
an axis, joint labels, and atomic figure saving."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch_geometric.data import Data
from torch_geometric.utils import to_networkx

from ..graph import Skeleton, build_graph, get_skeleton, layout_names
from ..io import atomic_path

LABEL_MODES = ("names", "indices")


def as_graph(graph: "str | Path | Skeleton | Data") -> Data:
    """A ``Data`` as given, or the one-hop graph of a layout name, file or ``Skeleton``."""
    if isinstance(graph, Data):
        return graph
    return build_graph(graph, "uniform", max_hop=1)


def skeleton_networkx(graph: "str | Path | Skeleton | Data") -> nx.Graph:
    """The undirected networkx graph of a skeleton graph's links, through
    ``torch_geometric.utils.to_networkx`` (self-loops and per-partition duplicates dropped).

    For a one-hop graph its edges are the skeleton's bones.
    """
    data = as_graph(graph)
    plain = Data(edge_index=data.edge_index, num_nodes=int(data.num_nodes))
    return to_networkx(plain, to_undirected=True, remove_self_loops=True)


def skeleton_of(graph: "str | Path | Skeleton | Data") -> Skeleton | None:
    """The ``Skeleton`` behind a graph argument, or ``None`` when a ``Data`` names no
    registered layout of its size."""
    if not isinstance(graph, Data):
        return get_skeleton(graph)
    name = getattr(graph, "layout", None)
    if name in layout_names() and get_skeleton(name).num_nodes == int(graph.num_nodes):
        return get_skeleton(name)
    return None


def joint_labels(graph: "str | Path | Skeleton | Data", mode: str | None) -> dict[int, str]:
    """``{joint: text}`` for ``mode`` ``"names"`` or ``"indices"``; empty for ``None``."""
    if mode is None:
        return {}
    if mode not in LABEL_MODES:
        raise ValueError(f"labels: expected one of {list(LABEL_MODES)} or None, got {mode!r}")
    num_nodes = int(as_graph(graph).num_nodes)
    if mode == "indices":
        return {v: str(v) for v in range(num_nodes)}
    skeleton = skeleton_of(graph)
    if skeleton is None or skeleton.joint_names is None:
        raise ValueError("labels: this layout has no joint names; use 'indices'")
    return dict(enumerate(skeleton.joint_names))


def draw_skeleton(ax: Axes, graph: nx.Graph, pose: np.ndarray, *, nodes: dict | None = None,
                  edges: dict | None = None, labels: dict[int, str] | None = None):
    """Draw ``graph`` with joint ``v`` at ``pose[v]`` on ``ax``.

    ``nodes`` and ``edges`` are keyword arguments of ``networkx.draw_networkx_nodes`` /
    ``draw_networkx_edges`` over the defaults (a per-edge list follows ``graph.edges``);
    a directed graph is drawn with arrows. Labels sit beside their joint, clear of its
    links. Returns the node collection (for a colorbar).
    """
    positions = {v: pose[v] for v in graph.nodes}
    edge_style = {"edgelist": list(graph.edges), "edge_color": "0.55", "width": 2.5, **(edges or {})}
    node_style = {"nodelist": list(graph.nodes), "node_color": "tab:blue", "node_size": 70,
                  "edgecolors": "white", "linewidths": 0.8, **(nodes or {})}
    if graph.is_directed():
        edge_style.setdefault("node_size", node_style["node_size"])
    nx.draw_networkx_edges(graph, positions, ax=ax, **edge_style)
    collection = nx.draw_networkx_nodes(graph, positions, ax=ax, **node_style)
    collection.set_zorder(3)
    for v, text in (labels or {}).items():
        offset = _label_offset(graph, pose, v)
        ax.annotate(text, pose[v], xytext=6 * offset, textcoords="offset points",
                    ha=("left", "center", "right")[1 - int(np.sign(round(offset[0])))],
                    va=("bottom", "center", "top")[1 - int(np.sign(round(offset[1])))],
                    fontsize=7, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    ax.set_aspect("equal")
    ax.axis("off")
    return collection


def _label_offset(graph: nx.Graph, pose: np.ndarray, v: int) -> np.ndarray:
    """Where joint ``v``'s label goes (a unit step): of the 8 compass directions, the one
    farthest in angle from ``v``'s links, ties broken towards the side away from the body's
    vertical midline (to the right on it)."""
    angles = np.arange(8) * np.pi / 4
    steps = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    links = [pose[u] - pose[v] for u in nx.all_neighbors(graph, v) if u != v]
    links = [d / np.linalg.norm(d) for d in links if np.linalg.norm(d) > 0]
    gap = np.arccos(np.clip(steps @ np.array(links).T, -1, 1)).min(axis=1) if links else 0
    side = np.sign(pose[v, 0] - np.median(pose[:, 0])) or 1.0
    return steps[np.argmax(gap + 0.3 * steps[:, 0] * side)]


def save_figure(fig: Figure, path: "str | Path | None", dpi: int = 100) -> Figure:
    """Save ``fig`` atomically when ``path`` is given (format from its suffix); return it."""
    if path is not None:
        path = Path(path)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or None)
    return fig
