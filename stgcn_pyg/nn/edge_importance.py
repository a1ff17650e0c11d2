"""Learnable edge importance: a weight per edge that multiplies the graph's edge weights."""
from __future__ import annotations

import torch
from torch import Tensor, nn


class EdgeImportance(nn.Module):
    r"""``edge_weight * m``: ST-GCN's learnable edge importance, owned by each block.

    Two shapes of the same idea: ``"edge"`` learns one weight per edge entry, ``m`` [E];
    ``"dense"`` learns a dense ``M`` [K, V, V] like the original and the seed notebook and
    reads it at the edges, ``m_e = M[edge_type_e, src_e, dst_e]`` (entries off the graph get
    no gradient, as in the original's ``A * M``). Both start at ones.

    Args:
        shape: ``(E,)`` for per-edge weights or ``(K, V, V)`` for the dense form.

    Shapes:
        ``edge_index`` [2, E], ``edge_type`` [E], ``edge_weight`` [E] or [N, E]; returns the
        shape of ``edge_weight``.
    """

    def __init__(self, shape: "int | tuple[int, ...]") -> None:
        super().__init__()
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if len(shape) not in (1, 3):
            raise ValueError(f"shape: expected (E,) or (K, V, V), got {shape}")
        self.weight = nn.Parameter(torch.ones(shape))

    @property
    def dense(self) -> bool:
        return self.weight.dim() == 3

    def reset_parameters(self) -> None:
        nn.init.ones_(self.weight)

    def at_edges(self, edge_index: Tensor, edge_type: Tensor) -> Tensor:
        """The importance of every edge entry [E]."""
        if self.dense:
            return self.weight[edge_type, edge_index[0], edge_index[1]]
        if self.weight.numel() != edge_type.numel():
            raise ValueError(f"edge_index: expected E={self.weight.numel()} edges (the graph the "
                             f"importance was built for), got {edge_type.numel()}")
        return self.weight

    def forward(self, edge_index: Tensor, edge_type: Tensor, edge_weight: Tensor) -> Tensor:
        return edge_weight * self.at_edges(edge_index, edge_type).to(edge_weight.dtype)

    def extra_repr(self) -> str:
        return f"shape={tuple(self.weight.shape)}"


class LearnedAdjacency(nn.Module):
    r"""The partitioned adjacency itself as a parameter: one weight per edge entry that
    *replaces* the graph's ``edge_weight`` (pyskl's ``gcn_adaptive="init"``, the learnable
    ``A`` of ST-GCN++ and CTR-GCN), initialised to the graph's weights.

    On a graph of the skeleton's edges the learned adjacency stays on them; on a graph built
    with ``all_pairs=True`` it is the dense ``A`` [K, V, V] of those networks, every joint pair
    learnable.

    Args:
        initial: the graph's ``edge_weight`` [E] the parameter starts from.

    Shapes:
        ``edge_index`` [2, E], ``edge_type`` [E], ``edge_weight`` [E] (read for its dtype
        only); returns [E].
    """

    def __init__(self, initial: Tensor) -> None:
        super().__init__()
        if initial.dim() != 1:
            raise ValueError(f"initial: expected the graph's edge weights [E], got shape "
                             f"{list(initial.shape)}")
        self.weight = nn.Parameter(initial.detach().clone().to(torch.get_default_dtype()))

    def forward(self, edge_index: Tensor, edge_type: Tensor, edge_weight: Tensor) -> Tensor:
        if self.weight.numel() != edge_type.numel():
            raise ValueError(f"edge_index: expected E={self.weight.numel()} edges (the graph the "
                             f"adjacency was built for), got {edge_type.numel()}")
        return self.weight.to(edge_weight.dtype)

    def extra_repr(self) -> str:
        return f"edges={self.weight.numel()}"
