"""CTR-GCN's channel-wise topology refinement as a spatial layer of the library's API."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..checks import graph_weights
from ..registry import register_spatial
from ..spatial_graph_conv import SpatialGraphConv


@register_spatial("ctrgc")
class ChannelTopologyConv(SpatialGraphConv):
    r""":class:`SpatialGraphConv` with a per-sample, per-channel refinement of every edge
    weight (CTR-GCN, Chen et al. ICCV 2021).

    .. math::
        w_{n,c,e} = a_e + \alpha\, \Big[ W^{(4)}_{k} \tanh\big(\bar\phi_{k}(\mathbf{x}_n)_u
        - \bar\psi_{k}(\mathbf{x}_n)_v\big) + b^{(4)}_k \Big]_c,
        \qquad e = (k, u \to v)

    where :math:`\bar\phi_k, \bar\psi_k` are 1x1 convolutions to R channels averaged over the
    frames, :math:`W^{(4)}_k` a 1x1 convolution from R to C' channels (one per partition, a
    grouped convolution), :math:`\alpha` a learnable gate (0 at start: a fresh layer is
    :class:`SpatialGraphConv`), and :math:`a_e` the incoming ``edge_weight`` (CTR-GCN's
    learned shared ``A`` when the block learns the adjacency). The refined weights
    [N, C', E] go to :class:`SpatialGraphConv`, which aggregates every output channel over its
    own graph; its 1x1 convolution is CTR-GCN's ``conv3`` of every partition.

    The refinement is naturally dense (every joint pair gets a term): it is computed as
    [N, K, C', V, V] and read at the graph's edges; on a graph built with ``all_pairs=True``
    (the CTR-GCN preset's) that is every pair, as in CTR-GCN.

    Args:
        in_channels, out_channels, num_partitions: as :class:`SpatialGraphConv`.
        relation_channels: R (default as CTR-GCN: 8 when ``in_channels <= 16``, else
            ``in_channels // 8``).
        bias, path: as :class:`SpatialGraphConv`.

    Shapes:
        ``x`` [N, C, T, V] and the graph (``edge_weight`` [E] or None), output [N, C', T, V].
    """

    def __init__(self, in_channels: int, out_channels: int, num_partitions: int,
                 relation_channels: int | None = None, bias: bool = True,
                 path: str = "auto") -> None:
        super().__init__(in_channels, out_channels, num_partitions, bias, path)
        k = self.num_partitions
        r = relation_channels or (8 if in_channels <= 16 else in_channels // 8)
        self.relation_channels = r
        self.source_embed = nn.Conv2d(in_channels, k * r, 1)
        self.target_embed = nn.Conv2d(in_channels, k * r, 1)
        self.expand = nn.Conv2d(k * r, k * out_channels, 1, groups=k)
        self.alpha = nn.Parameter(torch.zeros(()))

    def refinement(self, x: Tensor, edge_index: Tensor, edge_type: Tensor) -> Tensor:
        """The data-dependent term of every edge, [N, C', E] (before the gate)."""
        n, _, _, v = x.shape
        k, r = self.num_partitions, self.relation_channels
        source = self.source_embed(x).mean(dim=2).view(n, k * r, v, 1)
        target = self.target_embed(x).mean(dim=2).view(n, k * r, 1, v)
        dense = self.expand(torch.tanh(source - target))  # [N, K·C', V(src), V(dst)]
        dense = dense.view(n, k, self.out_channels, v, v).transpose(1, 2)  # [N, C', K, V, V]
        return dense[..., edge_type, edge_index[0], edge_index[1]]

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor,
                edge_weight: Tensor | None = None) -> Tensor:
        weight = graph_weights(x, edge_index, edge_type, edge_weight, self.num_partitions)
        if weight.dim() != 1:
            raise ValueError(f"edge_weight: expected shape [E] (the shared graph the layer "
                             f"refines per sample and channel), got {list(weight.shape)}")
        refined = weight + self.alpha * self.refinement(x, edge_index, edge_type)
        return super().forward(x, edge_index, edge_type, refined)

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, relation_channels={self.relation_channels})"
