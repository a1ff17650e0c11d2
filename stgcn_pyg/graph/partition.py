"""The authors' partitioning algorithm (uniform, distance, spatial) on dense numpy arrays, and
the partition of 2s-AGCN, CTR-GCN and pyskl (``"agcn"``).

``A[k, src, dst]`` follows the original's einsum ``'nkctv,kvw->nctw'``: node ``dst`` receives
``sum_k sum_src x_k[src] * A[k, src, dst]``.
"""
from __future__ import annotations


import numpy as np

from .skeleton import Skeleton, hop_distances

STRATEGIES = ("uniform", "distance", "spatial")
"""ST-GCN's strategies (hops up to ``max_hop``)."""
ALL_STRATEGIES = STRATEGIES + ("agcn",)
"""Every strategy :func:`partition_adjacency` builds; ``"agcn"`` takes only ``max_hop=1``."""


def check_partition_args(strategy: str, max_hop: int, dilation: int) -> None:
    """Raise ``ValueError`` for an unknown strategy, ``max_hop < 1`` or ``dilation < 1``."""
    if strategy not in ALL_STRATEGIES:
        raise ValueError(f"strategy: expected one of {list(ALL_STRATEGIES)}, got {strategy!r}")
    for name, value in (("max_hop", max_hop), ("dilation", dilation)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
    if strategy == "agcn" and (max_hop, dilation) != (1, 1):
        raise ValueError(f"max_hop, dilation: the 'agcn' strategy has one hop, expected 1 and 1, "
                         f"got {max_hop} and {dilation}")


def valid_hops(max_hop: int, dilation: int) -> list[int]:
    """The hops that get neighbours: ``range(0, max_hop + 1, dilation)``."""
    return list(range(0, max_hop + 1, dilation))


def exact_hop_distance(skeleton: Skeleton) -> np.ndarray:
    """Shortest-path hop counts [V, V] of a skeleton's bones."""
    return hop_distances(skeleton.num_nodes, skeleton.edges)


def hop_distance(skeleton: Skeleton, max_hop: int) -> np.ndarray:
    """Hop counts [V, V] as the original computes them: ``inf`` beyond ``max_hop``."""
    dist = exact_hop_distance(skeleton)
    return np.where(dist <= max_hop, dist, np.inf)


def normalize_columns(adjacency: np.ndarray) -> np.ndarray:
    """``A @ diag(1 / colsum)``: every non-empty column (target joint) sums to 1."""
    colsum = adjacency.sum(axis=0)
    scale = np.divide(1.0, colsum, out=np.zeros_like(colsum), where=colsum > 0)
    return adjacency * scale[None, :]


def partition_adjacency(skeleton: Skeleton, strategy: str = "spatial", max_hop: int = 1,
                        dilation: int = 1, exact_distance: bool = False) -> np.ndarray:
    """The partitioned, column-normalized adjacency [K, V, V] (float64).

    With ``exact_distance=False`` (the default) this reproduces the original exactly,
    including its quirk: distances to the centre are only known up to ``max_hop``, so all
    joints farther than that compare equal. ``exact_distance=True`` compares true distances.
    """
    check_partition_args(strategy, max_hop, dilation)
    if strategy == "agcn":
        return agcn_adjacency(skeleton)
    hops = valid_hops(max_hop, dilation)
    dist = hop_distance(skeleton, max_hop)
    neighbours = np.isin(dist, hops)
    normalized = normalize_columns(neighbours.astype(np.float64))
    if strategy == "uniform":
        return normalized[None]
    at_hop = [np.where(dist == hop, normalized, 0.0) for hop in hops]
    if strategy == "distance":
        return np.stack(at_hop)
    center_dist = (exact_hop_distance(skeleton) if exact_distance else dist)[:, skeleton.center]
    src_closer = center_dist[:, None] < center_dist[None, :]  # [src, dst]
    parts = [at_hop[0]]
    for a in at_hop[1:]:
        parts.append(np.where(src_closer, 0.0, a))   # same distance (R) + source farther (P)
        parts.append(np.where(src_closer, a, 0.0))   # source closer to the centre (Q)
    return np.stack(parts)


def agcn_adjacency(skeleton: Skeleton) -> np.ndarray:
    """The three partitions of 2s-AGCN, CTR-GCN and pyskl's ``mode='spatial'`` [3, V, V].

    ``A[0]`` is the identity (self-loops of weight 1); along every bone ``A[1]`` carries the
    message from the joint nearer the centre to the farther one, ``A[2]`` the reverse; each of
    the two is normalized on its own so every target's weights sum to 1. A bone whose ends
    are as far from the centre (a cycle) is in both partitions, both ways.
    """
    v = skeleton.num_nodes
    center_dist = exact_hop_distance(skeleton)[:, skeleton.center]
    outward, inward = np.zeros((v, v)), np.zeros((v, v))
    for a, b in skeleton.edges:
        for src, dst in ((a, b), (b, a)):
            if center_dist[src] <= center_dist[dst]:
                outward[src, dst] = 1.0
            if center_dist[src] >= center_dist[dst]:
                inward[src, dst] = 1.0
    return np.stack([np.eye(v), normalize_columns(outward), normalize_columns(inward)])


def partition_names(strategy: str, max_hop: int, dilation: int) -> list[str]:
    """One readable name per partition, in order.

    ``spatial``: ``"hop0 self"``, then per hop ``"hopH inward"`` (the source is as far from the
    centre as the target, or farther) and ``"hopH outward"`` (the source is closer).
    """
    check_partition_args(strategy, max_hop, dilation)
    if strategy == "agcn":
        return ["self", "outward", "inward"]
    hops = valid_hops(max_hop, dilation)
    if strategy == "uniform":
        return ["all"]
    if strategy == "distance":
        return [f"hop{h}" for h in hops]
    return ["hop0 self"] + [f"hop{h} {side}" for h in hops[1:] for side in ("inward", "outward")]
