"""Input checks shared by the layers, with errors that name what was expected."""
from __future__ import annotations

import torch
from torch import Tensor


def check_input(x: Tensor, channels: int, num_nodes: int | None = None, name: str = "x") -> None:
    """Require ``x`` of shape [N, channels, T, num_nodes] (any V when ``num_nodes`` is None)."""
    if x.dim() != 4:
        raise ValueError(f"{name}: expected a 4-D tensor [N, C, T, V], got shape {list(x.shape)}")
    if x.size(1) != channels:
        raise ValueError(f"{name}: expected C={channels} channels (dim 1), got shape {list(x.shape)}")
    if num_nodes is not None and x.size(3) != num_nodes:
        raise ValueError(
            f"{name}: expected V={num_nodes} joints (dim 3) to match the graph, got shape "
            f"{list(x.shape)}"
        )


def check_num_partitions(num_partitions: int) -> int:
    """Require an int K >= 1; returns it."""
    if not isinstance(num_partitions, int) or num_partitions < 1:
        raise ValueError(f"num_partitions: expected an int >= 1, got {num_partitions!r}")
    return num_partitions


def graph_weights(x: Tensor, edge_index: Tensor, edge_type: Tensor,
                  edge_weight: Tensor | None, num_partitions: int) -> Tensor:
    """:func:`check_graph`, then the edge weights in ``x``'s dtype ([E] or [N, E]; all ones
    when None): the common preamble of the partitioned spatial layers."""
    check_graph(x, edge_index, edge_type, edge_weight, num_partitions)
    if edge_weight is None:
        return x.new_ones(edge_index.size(1))
    return edge_weight.to(x.dtype)


def _weight_shape_fits(edge_weight: Tensor, n: int, num_edges: int) -> bool:
    shape = list(edge_weight.shape)
    return (shape in ([num_edges], [n, num_edges])
            or (len(shape) == 3 and shape[0] == n and shape[2] == num_edges))


def check_graph(x: Tensor, edge_index: Tensor, edge_type: Tensor | None,
                edge_weight: Tensor | None, num_partitions: int | None) -> None:
    """Require a partitioned graph that fits ``x`` [N, C, T, V] and a layer of K partitions
    (``num_partitions`` None: any ``edge_type``).

    Shapes are always checked; index values only in eager mode (reading them would break a
    compiled graph).
    """
    n, v = x.size(0), x.size(-1)
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"edge_index: expected shape [2, E], got {list(edge_index.shape)}")
    if edge_index.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"edge_index: expected an integer tensor, got {edge_index.dtype}")
    num_edges = edge_index.size(1)
    if edge_type is not None and list(edge_type.shape) != [num_edges]:
        raise ValueError(f"edge_type: expected shape [E] = [{num_edges}] (one partition per "
                         f"edge of edge_index), got {list(edge_type.shape)}")
    if edge_weight is not None and not _weight_shape_fits(edge_weight, n, num_edges):
        raise ValueError(f"edge_weight: expected shape [E] = [{num_edges}], [N, E] = "
                         f"[{n}, {num_edges}] or [N, C, E] = [{n}, C, {num_edges}], got "
                         f"{list(edge_weight.shape)}")
    if torch.compiler.is_compiling() or num_edges == 0:
        return
    low, high = int(edge_index.min()), int(edge_index.max())
    if low < 0 or high >= v:
        raise ValueError(f"edge_index: expected node indices in [0, {v - 1}] (V={v} joints in "
                         f"x dim 3), got values in [{low}, {high}]")
    if edge_type is not None and num_partitions is not None:
        low, high = int(edge_type.min()), int(edge_type.max())
        if low < 0 or high >= num_partitions:
            raise ValueError(f"edge_type: expected partitions in [0, {num_partitions - 1}] "
                             f"(the layer's num_partitions={num_partitions}), got values in "
                             f"[{low}, {high}]")
