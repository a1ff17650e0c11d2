"""Skeletons: joints, bones and the centre joint that spatial partitioning measures from."""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class Skeleton:
    """An undirected, connected joint graph.

    Args:
        name: a label for the layout (``"ntu-rgb+d"``, ``"custom"``, ...).
        num_nodes: number of joints V.
        edges: bones as 0-based ``(i, j)`` pairs, no self-loops, no duplicates
            (``(i, j)`` and ``(j, i)`` are the same bone).
        center: the 0-based centre joint of the ``spatial`` strategy.
        joint_names: optional names, one per joint.
    """

    name: str
    num_nodes: int
    edges: tuple[tuple[int, int], ...]
    center: int
    joint_names: tuple[str, ...] | None = field(default=None)

    def __post_init__(self) -> None:
        if not isinstance(self.num_nodes, int) or isinstance(self.num_nodes, bool) or self.num_nodes < 1:
            raise ValueError(f"num_nodes: expected a positive int, got {self.num_nodes!r}")
        edges = tuple((int(i), int(j)) for i, j in self.edges)
        object.__setattr__(self, "edges", edges)
        seen: set[frozenset[int]] = set()
        for i, j in edges:
            for joint in (i, j):
                if not 0 <= joint < self.num_nodes:
                    raise ValueError(
                        f"edges: joint {joint} in edge ({i}, {j}) is out of range "
                        f"0..{self.num_nodes - 1} for num_nodes={self.num_nodes}"
                    )
            if i == j:
                raise ValueError(f"edges: self-loop ({i}, {j}); self-loops are added by the partition")
            key = frozenset((i, j))
            if key in seen:
                raise ValueError(f"edges: duplicate bone ({i}, {j})")
            seen.add(key)
        if not isinstance(self.center, int) or not 0 <= self.center < self.num_nodes:
            raise ValueError(
                f"center: expected a joint index in 0..{self.num_nodes - 1}, got {self.center!r}"
            )
        if self.joint_names is not None:
            names = tuple(str(n) for n in self.joint_names)
            if len(names) != self.num_nodes:
                raise ValueError(
                    f"joint_names: expected {self.num_nodes} names, got {len(names)}"
                )
            if len(set(names)) != len(names):
                duplicates = sorted({n for n in names if names.count(n) > 1})
                raise ValueError(f"joint_names: duplicate joint names {duplicates}")
            object.__setattr__(self, "joint_names", names)
        unreached = int(np.isinf(hop_distances(self.num_nodes, edges, [self.center])).sum())
        if unreached:
            raise ValueError(
                f"edges: the skeleton is disconnected ({unreached} of {self.num_nodes} joints "
                f"cannot be reached from the centre joint {self.center})"
            )

    @classmethod
    def from_edge_list(
        cls,
        edges: Iterable[Sequence[int]],
        center: int,
        num_nodes: int | None = None,
        joint_names: Sequence[str] | None = None,
        one_based: bool = False,
        name: str = "custom",
    ) -> "Skeleton":
        """A skeleton from ``(i, j)`` bone pairs; ``num_nodes`` defaults to the largest joint + 1."""
        offset = 1 if one_based else 0
        pairs = []
        for edge in edges:
            if len(edge) != 2:
                raise ValueError(f"edges: expected (i, j) pairs, got {tuple(edge)!r}")
            pairs.append((int(edge[0]) - offset, int(edge[1]) - offset))
        if num_nodes is None:
            num_nodes = 1 + max((max(p) for p in pairs), default=0)
        return cls(name, num_nodes, tuple(pairs), int(center) - offset,
                   tuple(joint_names) if joint_names is not None else None)

    @classmethod
    def from_networkx(cls, graph, center, name: str = "custom") -> "Skeleton":
        """A skeleton from an undirected networkx graph; nodes are relabelled 0..V-1 in
        ``graph.nodes`` order, their original labels kept as joint names."""
        nodes = list(graph.nodes)
        position = {node: i for i, node in enumerate(nodes)}
        if center not in position:
            raise ValueError(f"center: {center!r} is not a node of the graph")
        edges = tuple((position[u], position[v]) for u, v in graph.edges if u != v)
        return cls(name, len(nodes), edges, position[center], tuple(str(n) for n in nodes))

    @classmethod
    def from_json(cls, path: str | Path) -> "Skeleton":
        """A skeleton from ``{"num_nodes", "edges" (0-based pairs), "center", "joint_names"?}``."""
        path = Path(path)
        try:
            spec = json.loads(path.read_text())
        except FileNotFoundError:
            raise ValueError(f"layout file {path}: no such file") from None
        except json.JSONDecodeError as err:
            raise ValueError(f"layout file {path}: not valid JSON ({err})") from None
        if not isinstance(spec, dict):
            raise ValueError(f"layout file {path}: expected a JSON object, got {type(spec).__name__}")
        missing = [key for key in ("num_nodes", "edges", "center") if key not in spec]
        if missing:
            raise ValueError(f"layout file {path}: missing keys {missing}")
        for key in ("num_nodes", "center"):
            if not _is_int(spec[key]):
                raise ValueError(f"layout file {path}: {key}: expected an int, got "
                                 f"{spec[key]!r}")
        edges = spec["edges"]
        if not isinstance(edges, list):
            raise ValueError(f"layout file {path}: edges: expected a list of [i, j] pairs, got "
                             f"{edges!r}")
        for k, edge in enumerate(edges):
            if not (isinstance(edge, list) and len(edge) == 2 and all(map(_is_int, edge))):
                raise ValueError(f"layout file {path}: edges[{k}]: expected a pair of int "
                                 f"joint indices, got {edge!r}")
        return cls.from_edge_list(spec["edges"], spec["center"], spec["num_nodes"],
                                  spec.get("joint_names"), name=spec.get("name", path.stem))

    def to_json(self, path: str | Path) -> None:
        """Write the ``from_json`` format."""
        spec = {"name": self.name, "num_nodes": self.num_nodes,
                "edges": [list(e) for e in self.edges], "center": self.center}
        if self.joint_names is not None:
            spec["joint_names"] = list(self.joint_names)
        Path(path).write_text(json.dumps(spec, indent=1))


def _is_int(value) -> bool:
    """A JSON integer (``true`` and ``1.5`` are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def hop_distances(num_nodes: int, edges: Iterable[tuple[int, int]],
                  sources: Sequence[int] | None = None) -> np.ndarray:
    """Shortest-path hop counts [S, V] from each of ``sources`` (default: every joint, [V, V])
    over undirected ``edges``, by breadth-first search; ``inf`` where unreachable."""
    sources = range(num_nodes) if sources is None else sources
    neighbours: list[list[int]] = [[] for _ in range(num_nodes)]
    for i, j in edges:
        neighbours[i].append(j)
        neighbours[j].append(i)
    dist = np.full((len(sources), num_nodes), np.inf)
    for row, start in enumerate(sources):
        dist[row, start] = 0
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in neighbours[node]:
                if dist[row, nxt] == np.inf:
                    dist[row, nxt] = dist[row, node] + 1
                    queue.append(nxt)
    return dist
