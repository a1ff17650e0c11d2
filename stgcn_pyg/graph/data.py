"""Skeleton graphs as PyG ``Data``: one edge entry per non-zero ``(partition, source, target)``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data

from .layouts import get_skeleton
from .partition import partition_adjacency, partition_names
from .skeleton import Skeleton


def build_graph(layout: "str | Path | Skeleton", strategy: str = "spatial", max_hop: int = 1,
                dilation: int = 1, exact_distance: bool = False, all_pairs: bool = False) -> Data:
    """The partitioned skeleton graph of ST-GCN as a PyG ``Data``.

    Args:
        layout: a registered name (``"ntu-rgb+d"``, ``"ntu_edge"``, ``"openpose"``, ``"coco"``,
            ``"kinect-v1"``), a ``.json`` layout file or a ``Skeleton``.
        strategy: ``"uniform"``, ``"distance"`` or ``"spatial"`` (ST-GCN's), or ``"agcn"``
            (2s-AGCN's, CTR-GCN's and pyskl's identity / outward / inward; ``max_hop=1``).
        all_pairs: hold every (partition, source, target) pair as an edge, weight 0 off the
            skeleton: the graph of networks that learn the whole adjacency (ST-GCN++,
            CTR-GCN, AAGCN); an edge-level parameter over it is their dense ``A``.
        max_hop: neighbours up to this many hops (>= 1).
        dilation: keep hops ``0, dilation, 2 * dilation, ... <= max_hop`` (>= 1).
        exact_distance: compare true distances to the centre in ``spatial`` (opt-in fix of the
            original's truncated distances; the default reproduces the original).

    Returns:
        ``Data`` with ``edge_index`` [2, E] (row 0 source, row 1 target), ``edge_type`` [E]
        (partition 0..K-1), ``edge_weight`` [E] (float64), ``num_nodes`` V, ``num_partitions``
        K, and ``layout``, ``strategy``, ``max_hop``, ``dilation``, ``center``,
        ``partition_names`` (and ``all_pairs`` when set). Edges are ordered by partition, then target, then source.
    """
    skeleton = get_skeleton(layout)
    adjacency = partition_adjacency(skeleton, strategy, max_hop, dilation, exact_distance)
    data = from_dense_adjacency(torch.from_numpy(adjacency), all_pairs)
    if all_pairs:
        data.all_pairs = True
    data.layout = skeleton.name
    data.strategy = strategy
    data.max_hop = max_hop
    data.dilation = dilation
    data.exact_distance = exact_distance
    data.center = skeleton.center
    data.partition_names = partition_names(strategy, max_hop, dilation)
    return data


def from_dense_adjacency(adjacency: "Tensor | np.ndarray", all_pairs: bool = False) -> Data:
    """A ``Data`` holding the non-zeros of a dense ``A[k, src, dst]`` [K, V, V], or with
    ``all_pairs`` every one of its K·V·V entries (zeros included: the graph of a network that
    learns a weight for every joint pair)."""
    adjacency = torch.as_tensor(adjacency)
    if adjacency.dim() != 3 or adjacency.size(1) != adjacency.size(2):
        raise ValueError(f"adjacency: expected shape [K, V, V], got {list(adjacency.shape)}")
    num_partitions, num_nodes = adjacency.size(0), adjacency.size(1)
    # nonzero() on the (k, dst, src) view gives partition-, then target-, then source-major order.
    chosen = torch.ones_like(adjacency, dtype=torch.bool) if all_pairs else adjacency
    k, dst, src = chosen.transpose(1, 2).nonzero(as_tuple=True)
    return Data(
        edge_index=torch.stack([src, dst]),
        edge_type=k,
        edge_weight=adjacency[k, src, dst].to(torch.float64),
        num_nodes=num_nodes,
        num_partitions=num_partitions,
    )


def holds_every_pair(graph: Data, num_partitions: int) -> bool:
    """Whether ``graph`` holds every (partition, source, target) pair in
    :func:`from_dense_adjacency`'s order (edge ``k·V·V + dst·V + src``): then its edge values
    are a dense [K, V, V] view (:func:`pairs_to_dense`)."""
    v = int(graph.num_nodes)
    every = from_dense_adjacency(torch.ones(num_partitions, v, v), all_pairs=True)
    return (graph.edge_index.shape == every.edge_index.shape
            and torch.equal(graph.edge_index.cpu(), every.edge_index)
            and torch.equal(graph.edge_type.cpu(), every.edge_type))


def pairs_to_dense(values: Tensor, num_partitions: int, num_nodes: int) -> Tensor:
    """Values [..., K·V·V] of an all-pairs graph's edges (build order) as ``[..., k, src,
    dst]``: a view, no scatter."""
    return values.unflatten(-1, (num_partitions, num_nodes, num_nodes)).transpose(-1, -2)


def clips_from_batch(batch: Data, num_nodes: int) -> Tensor:
    """The clips ``[N, C, T, V, M]`` of a PyG ``Batch`` (or one ``Data``) of skeleton samples,
    each ``x`` [V, T, C] or [V, T, C, M] (nodes first, as :class:`~stgcn_pyg.data.
    SkeletonDataset` gives them). The batch's own edges are not used: a model convolves over
    the graph it holds (its partition strategy, or every joint pair)."""
    x = batch.x
    graphs = int(getattr(batch, "num_graphs", 1))
    if x is None or x.dim() not in (3, 4):
        raise ValueError(f"batch.x: expected [N·V, T, C] or [N·V, T, C, M] (nodes first), got "
                         f"{None if x is None else list(x.shape)}")
    if x.size(0) != graphs * num_nodes:
        raise ValueError(f"batch.x: expected {graphs} graphs x V={num_nodes} joints = "
                         f"{graphs * num_nodes} nodes, got {x.size(0)}")
    if x.dim() == 3:
        x = x.unsqueeze(-1)
    return x.view(graphs, num_nodes, *x.shape[1:]).permute(0, 3, 2, 1, 4)


def to_dense_adjacency(data: Data) -> Tensor:
    """The dense ``A[k, src, dst]`` [K, V, V] of a graph from ``build_graph`` (float64)."""
    num_partitions = getattr(data, "num_partitions", None)
    if num_partitions is None:
        num_partitions = int(data.edge_type.max()) + 1 if data.edge_type.numel() else 1
    return dense_adjacency(data.edge_index, data.edge_type, data.edge_weight.to(torch.float64),
                           num_partitions, data.num_nodes)


def dense_adjacency(edge_index: Tensor, edge_type: Tensor, edge_weight: Tensor,
                    num_partitions: int, num_nodes: int) -> Tensor:
    """The effective dense adjacency ``A[..., k, src, dst]`` of a partitioned edge list.

    The one place where edges become a dense matrix: the dense layer, the fused path, the
    pictures and :func:`to_dense_adjacency` all call it. Entries of repeated
    ``(k, src, dst)`` add up.

    Shapes:
        ``edge_index`` [2, E], ``edge_type`` [E], ``edge_weight`` [E] or [N, E] (one graph per
        sample); returns [K, V, V] or [N, K, V, V] in ``edge_weight``'s dtype.
    """
    rows = edge_type * num_nodes + edge_index[0]
    flat = densify(torch.stack([rows, edge_index[1]]), edge_weight, num_partitions * num_nodes,
                   num_nodes)
    return flat.unflatten(-2, (num_partitions, num_nodes))


def densify(index: Tensor, weight: Tensor, num_rows: int, num_cols: int) -> Tensor:
    """Scatter ``weight`` [..., E] into a dense ``[..., num_rows, num_cols]`` at ``index``
    [2, E] (row, column), adding repeated entries.

    ``index_put`` with accumulation (not ``index_add``): both ONNX exporters translate it
    exactly.
    """
    flat = index[0] * num_cols + index[1]
    batch = weight.shape[:-1]
    dense = weight.new_zeros(num_rows * num_cols, *batch)
    dense = dense.index_put((flat,), weight.movedim(-1, 0), accumulate=True)
    return dense.movedim(0, -1).reshape(*batch, num_rows, num_cols)
