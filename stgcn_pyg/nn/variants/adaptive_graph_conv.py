"""An adaptive-graph spatial layer in the style of 2s-AGCN and ST-GCN++ (``gcn_adaptive="init"``)."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from ..registry import register_spatial
from ..spatial_graph_conv import SpatialGraphConv


@register_spatial("adaptive")
class AdaptiveGraphConv(SpatialGraphConv):
    r""":class:`SpatialGraphConv` whose graph is learned: per-edge weights plus a data term.

    .. math::
        \mathbf{y} = \mathrm{Conv}_{1\times1}(\mathbf{x}),\qquad
        \mathbf{x}'_{w} = \sum_{e=(k, v \to w)} \hat a_e\, m_e\, \mathbf{y}_{k, v}
        \;+\; \alpha \sum_{k} \sum_{v=1}^{V} C_k[v, w]\, \mathbf{y}_{k, v}

    - **learned edge weights** (``learn_weights``): :math:`\hat a_e` is a parameter per edge
      entry, initialised from the normalized ``edge_weight`` (ST-GCN++'s ``"init"`` mode,
      restricted to the graph's edges); :math:`m_e` is the optional importance of the base layer.
    - **data-dependent term** (``data_dependent``, 2s-AGCN's :math:`C_k`): over all joint pairs,
      :math:`C_k = \mathrm{softmax}_v\big(\theta_k(\mathbf{x})^\top \phi_k(\mathbf{x}) /
      (C_e T)\big)` with 1x1-conv embeddings :math:`\theta_k, \phi_k` of :math:`C_e` channels
      (the inner product sums over channels and frames; each target's weights sum to 1),
      scaled by a learnable gate :math:`\alpha` initialised to 0, so a fresh layer computes
      exactly what :class:`SpatialGraphConv` computes.

    With both switched off the layer *is* :class:`SpatialGraphConv` (same parameters, same
    outputs and gradients on both execution paths).

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        graph: the skeleton ``Data`` of :func:`stgcn_pyg.graph.build_graph`.
        learn_weights: learn the edge weights :math:`\hat a_e`.
        data_dependent: add the data-dependent term.
        embed_channels: :math:`C_e` (default ``max(1, out_channels // 4)``, as 2s-AGCN).
        edge_importance: also learn the base layer's importance :math:`m_e` (redundant with
            ``learn_weights``, hence off by default).
        path, bias: as in :class:`SpatialGraphConv`.

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C', T, V]``.
    """

    def __init__(self, in_channels: int, out_channels: int, graph: Data,
                 learn_weights: bool = True, data_dependent: bool = False,
                 embed_channels: int | None = None, edge_importance: bool = False,
                 path: str = "auto", bias: bool = True) -> None:
        super().__init__(in_channels, out_channels, graph, edge_importance, path, bias)
        # A parameter like any other (default dtype), initialised from the float64 graph weights.
        self.adaptive_weight = (nn.Parameter(self.edge_weight.to(torch.get_default_dtype()))
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
        if getattr(self, "adaptive_weight", None) is not None:
            with torch.no_grad():
                self.adaptive_weight.copy_(self.edge_weight)
        if getattr(self, "theta", None) is not None:
            self.theta.reset_parameters()
            self.phi.reset_parameters()
            nn.init.zeros_(self.alpha)

    def weighted_edges(self) -> Tensor:
        """The learned (or fixed) edge weights times the importance [E]."""
        if self.adaptive_weight is None:
            return super().weighted_edges()
        if self.edge_importance is None:
            return self.adaptive_weight
        return self.adaptive_weight * self.edge_importance

    def data_adjacency(self, x: Tensor) -> Tensor:
        """The data-dependent :math:`C_k` of every sample, ``[N, K, V, V]`` (``[n, k, src, dst]``)."""
        n, _, t, v = x.shape
        shape = (n, self.num_partitions, self.embed_channels, t, v)
        theta, phi = self.theta(x).view(shape), self.phi(x).view(shape)
        scores = torch.einsum("nkctv,nkctw->nkvw", theta, phi) / (self.embed_channels * t)
        return scores.softmax(dim=2)

    def forward(self, x: Tensor) -> Tensor:
        out = super().forward(x)
        if self.theta is None:
            return out
        n, _, t, v = x.shape
        y = self.conv(x).view(n, self.num_partitions, self.out_channels, t, v)
        c = self.data_adjacency(x).to(y.dtype)
        return out + self.alpha * torch.einsum("nkctv,nkvw->nctw", y, c)

    def to_dense(self):
        if self.adaptive_weight is not None or self.theta is not None:
            raise TypeError("to_dense: an AdaptiveGraphConv with learned weights or the data "
                            "term has no DenseSpatialGraphConv equivalent")
        return super().to_dense()

    def __repr__(self) -> str:
        return (f"{super().__repr__()[:-1]}, learn_weights={self.adaptive_weight is not None}, "
                f"embed_channels={self.embed_channels})")
