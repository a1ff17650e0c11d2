"""AAGCN's adaptive spatial unit: the learned graph plus a graph computed from every sample."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data

from ...graph import holds_every_pair
from ..checks import graph_weights
from ..registry import register_spatial
from ..spatial_graph_conv import SpatialGraphConv


@register_spatial("aagcn")
class SampleGraphConv(SpatialGraphConv):
    r""":class:`SpatialGraphConv` over a graph of every sample (AAGCN, Shi et al. TIP 2020):

    .. math::
        w_{n,e} = a_e + \alpha \tanh\Big(\frac{1}{C_e T} \sum_{c,t} \theta_k(\mathbf{x}_n)_{c,t,u}
        \, \phi_k(\mathbf{x}_n)_{c,t,v}\Big), \qquad e = (k, u \to v)

    with 1x1-convolution embeddings :math:`\theta_k, \phi_k` of :math:`C_e` channels, a gate
    :math:`\alpha` (0 at start) and :math:`a_e` the incoming ``edge_weight`` (AAGCN's learned
    ``A`` when the block learns the adjacency). Each partition's bias is added **after**
    aggregation, as AAGCN's ``conv_d`` does (a constant :math:`\sum_k b_k` per channel), not
    carried along the edges as :class:`SpatialGraphConv` carries it.

    Built for a graph holding every joint pair (``graph``; the ``aagcn`` preset's), the layer
    keeps the per-sample adjacency dense ([N, K, V, V]) and aggregates the narrower side
    (the C inputs, then the 1x1 convolution, when C <= C'; else the K·C' partition outputs);
    otherwise the term is read at the graph's edges and aggregated as per-sample edge weights
    [N, E].

    Args:
        in_channels, out_channels, num_partitions: as :class:`SpatialGraphConv`.
        embed_channels: :math:`C_e` (default ``out_channels // 4``, as AAGCN).
        bias: the per-partition biases (K x C').
        path: as :class:`SpatialGraphConv` (unused on the dense all-pairs path).
        graph: the graph the layer is built for.

    Shapes:
        ``x`` [N, C, T, V] and the graph (``edge_weight`` [E] or None), output [N, C', T, V].
    """

    def __init__(self, in_channels: int, out_channels: int, num_partitions: int,
                 embed_channels: int | None = None, bias: bool = True, path: str = "auto",
                 graph: Data | None = None) -> None:
        super().__init__(in_channels, out_channels, num_partitions, bias=False, path=path)
        k = self.num_partitions
        self.embed_channels = embed_channels or max(1, out_channels // 4)
        self.source_embed = nn.Conv2d(in_channels, k * self.embed_channels, 1)
        self.target_embed = nn.Conv2d(in_channels, k * self.embed_channels, 1)
        self.alpha = nn.Parameter(torch.zeros(()))
        self.partition_bias = nn.Parameter(torch.zeros(k, out_channels)) if bias else None
        self.dense_pairs = graph is not None and holds_every_pair(graph, k)

    def sample_adjacency(self, x: Tensor) -> Tensor:
        """The data-dependent term of every (partition, source, target), [N, K, V, V] (before
        the gate)."""
        n, _, t, v = x.shape
        shape = (n, self.num_partitions, self.embed_channels, t, v)
        source, target = self.source_embed(x).view(shape), self.target_embed(x).view(shape)
        return torch.tanh(torch.einsum("nkctu,nkctv->nkuv", source, target)
                          / (self.embed_channels * t))

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor,
                edge_weight: Tensor | None = None) -> Tensor:
        weight = graph_weights(x, edge_index, edge_type, edge_weight, self.num_partitions)
        if weight.dim() != 1:
            raise ValueError(f"edge_weight: expected shape [E] (the shared graph the layer "
                             f"adapts per sample), got {list(weight.shape)}")
        sample = self.alpha * self.sample_adjacency(x)
        if self.dense_pairs:
            out = self._forward_all_pairs(x, weight, sample)
        else:
            weights = weight + sample[:, edge_type, edge_index[0], edge_index[1]]
            out = super().forward(x, edge_index, edge_type, weights)
        if self.partition_bias is not None:
            out = out + self.partition_bias.sum(dim=0)[:, None, None]
        return out

    def _forward_all_pairs(self, x: Tensor, weight: Tensor, sample: Tensor) -> Tensor:
        n, _, _, v = x.shape
        k = self.num_partitions
        adjacency = self._all_pairs_adjacency(weight, sample, v)  # [N, K, V, V]
        if self.in_channels <= self.out_channels:  # aggregate the C channels, then convolve
            z = torch.einsum("nctu,nkuv->nctkv", x, adjacency)  # [N, C, T, K, V]
            return F.conv2d(z.reshape(n, self.in_channels, -1, v), self._kernel(),
                            stride=(k, 1))
        return self.partition_sources(x) @ adjacency.reshape(n, 1, k * v, v)

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, embed_channels={self.embed_channels})"


__all__ = ["SampleGraphConv"]
