"""An adaptive-graph spatial layer in the style of 2s-AGCN and ST-GCN++ (``gcn_adaptive="init"``)."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from ..registry import register_spatial
from ..spatial_graph_conv import SpatialGraphConv


@register_spatial("adaptive")
class AdaptiveGraphConv(SpatialGraphConv):
    r""":class:`SpatialGraphConv` whose graph is learned: per-edge offsets plus a data term.

    .. math::
        \mathbf{y} = \mathrm{Conv}_{1\times1}(\mathbf{x}),\qquad
        \mathbf{x}'_{w} = \sum_{e=(k, v \to w)} (a_e + b_e)\, \mathbf{y}_{k, v}
        \;+\; \alpha \sum_{k} \sum_{v=1}^{V} C_k[v, w]\, \mathbf{y}_{k, v}

    - **learned edge offsets** (``learn_weights``): :math:`b_e` is a parameter per edge
      entry added to the incoming ``edge_weight`` :math:`a_e` (2s-AGCN's additive
      :math:`B_k`, restricted to the graph's edges), initialised to 0. The layer is sized by
      the graph it is built for (``graph``, handed over by the block).
    - **data-dependent term** (``data_dependent``, 2s-AGCN's :math:`C_k`): over all joint pairs,
      :math:`C_k = \mathrm{softmax}_v\big(\theta_k(\mathbf{x})^\top \phi_k(\mathbf{x}) /
      (C_e T)\big)` with 1x1-conv embeddings :math:`\theta_k, \phi_k` of :math:`C_e` channels
      (the inner product sums over channels and frames; each target's weights sum to 1),
      scaled by a learnable gate :math:`\alpha` initialised to 0.

    A fresh layer computes exactly what :class:`SpatialGraphConv` computes (same parameters,
    same outputs and gradients on every execution path).

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        num_partitions: partitions K.
        graph: the skeleton ``Data`` the offsets are sized for (``edge_index`` [2, E]).
        learn_weights: learn the per-edge offsets :math:`b_e`.
        data_dependent: add the data-dependent term.
        embed_channels: :math:`C_e` (default ``max(1, out_channels // 4)``, as 2s-AGCN).
        bias, path: as in :class:`SpatialGraphConv`.

    Shapes:
        as :class:`SpatialGraphConv`: ``x`` [N, C, T, V] and the graph, output [N, C', T, V].
    """

    def __init__(self, in_channels: int, out_channels: int, num_partitions: int,
                 graph: Data | None = None, learn_weights: bool = True,
                 data_dependent: bool = False, embed_channels: int | None = None,
                 bias: bool = True, path: str = "auto") -> None:
        super().__init__(in_channels, out_channels, num_partitions, bias, path)
        if learn_weights and graph is None:
            raise ValueError("graph: learn_weights=True needs the graph the offsets are sized "
                             "for, got None")
        self.edge_offset = (nn.Parameter(torch.zeros(graph.edge_index.size(1)))
                            if learn_weights else None)
        self.embed_channels = (embed_channels or max(1, out_channels // 4)) if data_dependent else 0
        if data_dependent:
            embed = self.num_partitions * self.embed_channels
            self.theta = nn.Conv2d(in_channels, embed, 1)
            self.phi = nn.Conv2d(in_channels, embed, 1)
            self.alpha = nn.Parameter(torch.zeros(()))
        else:
            self.theta = self.phi = self.alpha = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        # The base constructor calls this before the adaptive parts exist.
        if getattr(self, "edge_offset", None) is not None:
            nn.init.zeros_(self.edge_offset)
        if getattr(self, "theta", None) is not None:
            self.theta.reset_parameters()
            self.phi.reset_parameters()
            nn.init.zeros_(self.alpha)

    def data_adjacency(self, x: Tensor) -> Tensor:
        """The data-dependent :math:`C_k` of every sample, ``[N, K, V, V]`` (``[n, k, src, dst]``)."""
        n, _, t, v = x.shape
        shape = (n, self.num_partitions, self.embed_channels, t, v)
        theta, phi = self.theta(x).view(shape), self.phi(x).view(shape)
        scores = torch.einsum("nkctv,nkctw->nkvw", theta, phi) / (self.embed_channels * t)
        return scores.softmax(dim=2)

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor,
                edge_weight: Tensor | None = None) -> Tensor:
        if edge_weight is None:
            edge_weight = x.new_ones(edge_index.size(1))
        if self.edge_offset is not None:
            edge_weight = edge_weight + self.edge_offset.to(edge_weight.dtype)
        out = super().forward(x, edge_index, edge_type, edge_weight)
        if self.theta is None:
            return out
        n, _, t, v = x.shape
        y = self.conv(x).view(n, self.num_partitions, self.out_channels, t, v)
        c = self.data_adjacency(x).to(y.dtype)
        return out + self.alpha * torch.einsum("nkctv,nkvw->nctw", y, c)

    def __repr__(self) -> str:
        return (f"{super().__repr__()[:-1]}, learn_weights={self.edge_offset is not None}, "
                f"embed_channels={self.embed_channels})")
