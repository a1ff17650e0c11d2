"""Skeleton graphs: layouts, the authors' partitioning, and PyG ``Data`` conversion."""
from .data import (build_graph, clips_from_batch, dense_adjacency, densify,
                   from_dense_adjacency, holds_every_pair, pairs_to_dense, to_dense_adjacency)
from .layouts import (get_skeleton, layout_names, layouts_with_nodes, register_layout,
                      resolve_layout)
from .partition import STRATEGIES, partition_adjacency, partition_names
from .skeleton import Skeleton

__all__ = [
    "Skeleton", "STRATEGIES", "build_graph", "clips_from_batch", "dense_adjacency", "densify",
    "from_dense_adjacency",
    "get_skeleton", "holds_every_pair", "layout_names", "layouts_with_nodes", "pairs_to_dense",
    "partition_adjacency", "partition_names",
    "register_layout", "resolve_layout",
    "to_dense_adjacency",
]
