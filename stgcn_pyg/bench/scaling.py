"""Time vs graph size, batch and frames; the crossover of the edge-level and fused paths."""
from __future__ import annotations

import random
from typing import Any, Iterable

import torch

from ..graph import Skeleton, build_graph
from .speed import layer_candidates, measure, model_candidates


def random_tree(num_nodes: int, max_children: int = 3, seed: int = 0) -> Skeleton:
    """A skeleton-like random tree: node i hangs from a random earlier node that still has
    fewer than ``max_children`` children (limbs branch little, as in body skeletons)."""
    if num_nodes < 2:
        raise ValueError(f"num_nodes: expected an int >= 2, got {num_nodes!r}")
    rng = random.Random(seed)
    children = [0] * num_nodes
    edges = []
    for i in range(1, num_nodes):
        parent = rng.choice([p for p in range(max(0, i - 8), i) if children[p] < max_children])
        children[parent] += 1
        edges.append((parent, i))
    return Skeleton(f"tree-{num_nodes}", num_nodes, tuple(edges), center=0)


def graph_size_rows(sizes: Iterable[int], backends: Iterable[str], batch: int, frames: int,
                    channels: int, repeats: int, strategy: str = "distance") -> list[dict[str, Any]]:
    """Layer forward+backward time on random trees of every size (C -> C channels)."""
    rows = []
    for v in sizes:
        graph = build_graph(random_tree(v), strategy)
        layers = layer_candidates(channels, channels, backends, graph)
        x = torch.randn(batch, channels, frames, v)
        density = graph.edge_index.size(1) / (graph.num_partitions * v * v)
        for row in measure(layers, x, ["forward_backward"], repeats, memory=False):
            rows.append({"num_nodes": v, "num_edges": graph.edge_index.size(1),
                         "density": density, **row})
    return rows


def crossover(rows: list[dict[str, Any]], sparse: str = "mp-edge",
              dense: str = "mp-fused") -> int | None:
    """The smallest graph size from which ``sparse`` stays faster than ``dense``."""
    times = {(r["num_nodes"], r["backend"]): r["median_ms"] for r in rows}
    sizes = sorted({r["num_nodes"] for r in rows})
    wins = [times[(v, sparse)] < times[(v, dense)] for v in sizes]
    for i, v in enumerate(sizes):
        if all(wins[i:]):
            return v
    return None


def input_size_rows(preset: str, backends: Iterable[str], batches: Iterable[int],
                    frames: Iterable[int], repeats: int, base_frames: int = 80
                    ) -> list[dict[str, Any]]:
    """Whole-model inference time of a preset over batch sizes (at ``base_frames``) and frame
    counts (at the largest batch)."""
    models = model_candidates(preset, backends)
    batches, frames = list(batches), list(frames)
    shapes = [(b, base_frames) for b in batches]
    shapes += [(batches[-1], t) for t in frames if t != base_frames]
    rows = []
    for b, t in shapes:
        x = torch.randn(b, 3, t, 25)
        for row in measure(models, x, ["inference"], repeats, memory=False):
            rows.append({"batch": b, "frames": t, **row})
    return rows
