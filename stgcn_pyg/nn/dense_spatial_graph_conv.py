"""The dense einsum formulation of ST-GCN's spatial graph convolution (the reference)."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from .checks import check_input


class DenseSpatialGraphConv(nn.Module):
    r"""``einsum('nkctv,kvw->nctw', conv(x), A * M)`` with a dense learnable importance M.

    This is the formulation of the original ST-GCN code and of the seed notebook, kept as the
    numerical reference for :class:`SpatialGraphConv` (convert with
    ``SpatialGraphConv.from_dense`` / ``SpatialGraphConv.to_dense``).

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        adjacency: ``A[k, src, dst]`` [K, V, V], or a graph ``Data`` to densify.
        edge_importance: learn a dense importance M [K, V, V] initialised to ones.
        bias: add a bias to the 1x1 convolution.

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C', T, V]``.
    """

    def __init__(self, in_channels: int, out_channels: int, adjacency: "Tensor | Data",
                 edge_importance: bool = True, bias: bool = True) -> None:
        super().__init__()
        if isinstance(adjacency, Data):
            from ..graph import to_dense_adjacency

            adjacency = to_dense_adjacency(adjacency)
        adjacency = torch.as_tensor(adjacency)
        if adjacency.dim() != 3 or adjacency.size(1) != adjacency.size(2):
            raise ValueError(f"adjacency: expected shape [K, V, V], got {list(adjacency.shape)}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_partitions, self.num_nodes = adjacency.size(0), adjacency.size(1)
        self.conv = nn.Conv2d(in_channels, self.num_partitions * out_channels, 1, bias=bias)
        # The adjacency keeps float64 precision; it is cast to the input's dtype when used.
        self.register_buffer("adjacency", adjacency.to(torch.float64))
        self.importance = (nn.Parameter(torch.ones(adjacency.shape)) if edge_importance else None)
        # Drawn like SpatialGraphConv's, so one seed gives both backends the same weights.
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()
        if self.importance is not None:
            nn.init.ones_(self.importance)

    def forward(self, x: Tensor) -> Tensor:
        check_input(x, self.in_channels, self.num_nodes)
        y = self.conv(x)
        n, _, t, v = y.shape
        y = y.view(n, self.num_partitions, self.out_channels, t, v)
        a = self.adjacency if self.importance is None else self.adjacency * self.importance
        return torch.einsum("nkctv,kvw->nctw", y, a.to(y.dtype))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"num_partitions={self.num_partitions}, num_nodes={self.num_nodes}, "
                f"edge_importance={self.importance is not None})")
