"""The dense einsum formulation of ST-GCN's spatial graph convolution (the reference)."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..graph.data import dense_adjacency
from .checks import check_input, check_num_partitions, graph_weights
from .registry import register_spatial


@register_spatial("dense")
class DenseSpatialGraphConv(nn.Module):
    r"""``einsum('nkctv,kvw->nctw', conv(x), A)``: the formulation of the original ST-GCN code
    and of the seed notebook, kept as the numerical reference for :class:`SpatialGraphConv`.

    It takes the same arguments and parameters as :class:`SpatialGraphConv` (the two are
    interchangeable, state dicts included) and densifies the edges with
    :func:`stgcn_pyg.graph.dense_adjacency` at every call; per-sample ``edge_weight`` [N, E]
    gives ``einsum('nkctv,nkvw->nctw', ...)`` and per-channel ``edge_weight`` [N, C', E]
    ``einsum('nkctv,nckvw->nctw', ...)``.

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        num_partitions: partitions K.
        bias: add a bias to the 1x1 convolution.

    Shapes:
        input ``x`` [N, C, T, V], ``edge_index`` [2, E], ``edge_type`` [E], ``edge_weight``
        [E], [N, E], [N, C', E] or None (all ones); output [N, C', T, V].
    """

    def __init__(self, in_channels: int, out_channels: int, num_partitions: int,
                 bias: bool = True) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_partitions = check_num_partitions(num_partitions)
        self.conv = nn.Conv2d(in_channels, num_partitions * out_channels, 1, bias=bias)
        self.reset_parameters()  # drawn like SpatialGraphConv's: one seed, the same weights

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor,
                edge_weight: Tensor | None = None) -> Tensor:
        check_input(x, self.in_channels)
        weight = graph_weights(x, edge_index, edge_type, edge_weight, self.num_partitions)
        y = self.conv(x)
        n, _, t, v = y.shape
        y = y.view(n, self.num_partitions, self.out_channels, t, v)
        a = dense_adjacency(edge_index, edge_type, weight.to(y.dtype), self.num_partitions, v)
        equation = {3: "nkctv,kvw->nctw", 4: "nkctv,nkvw->nctw", 5: "nkctv,nckvw->nctw"}[a.dim()]
        return torch.einsum(equation, y, a)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"num_partitions={self.num_partitions})")
