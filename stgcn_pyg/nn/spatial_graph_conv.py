"""The spatial graph convolution of ST-GCN as a PyG ``MessagePassing`` layer."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import MessagePassing

from .dense_spatial_graph_conv import DenseSpatialGraphConv
from ..utils import default_dtype
from .checks import check_input

PATHS = ("auto", "edge", "fused")


class SpatialGraphConv(MessagePassing):
    r"""ST-GCN's partitioned spatial graph convolution with learnable edge importance.

    .. math::
        \mathbf{y} = \mathrm{Conv}_{1\times1}(\mathbf{x}) \in \mathbb{R}^{N\times K C'\times T
        \times V},\qquad
        \mathbf{x}'_{w} = \sum_{e=(k, v \to w)} a_e\, m_e\, \mathbf{y}_{k, v}

    where edge entry :math:`e` of partition :math:`k` carries the normalized weight
    :math:`a_e` (``edge_weight``) and a learnable importance :math:`m_e` (initialised to 1).
    Channel :math:`k C' + c` of the 1x1 convolution belongs to partition :math:`k`; its bias
    is added before aggregation, as in the original, so node :math:`w` receives
    :math:`\sum_k b_k \sum_{e \to w, k} a_e m_e`.

    The graph is held once as buffers and propagated along the node (last) axis of
    ``[N, C, T, V]`` tensors, never copied per sample or frame. Two execution paths compute
    the same result: ``"edge"`` (``message``/``aggregate`` over the K·V partition-nodes) and
    ``"fused"`` (``message_and_aggregate``: a dense [K, V, V] matrix scattered from the
    edges and one contraction). ``"auto"`` picks the fused path.

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        graph: a ``Data`` from :func:`stgcn_pyg.graph.build_graph` (``edge_index``,
            ``edge_type``, ``edge_weight``, ``num_nodes``, ``num_partitions``).
        edge_importance: learn one importance weight per edge entry.
        path: ``"auto"``, ``"edge"`` or ``"fused"``.
        bias: add a bias to the 1x1 convolution.

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C', T, V]``.
    """

    def __init__(self, in_channels: int, out_channels: int, graph: Data,
                 edge_importance: bool = True, path: str = "auto", bias: bool = True) -> None:
        super().__init__(aggr="add", node_dim=-1)
        if path not in PATHS:
            raise ValueError(f"path: expected one of {list(PATHS)}, got {path!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_nodes = int(graph.num_nodes)
        self.num_partitions = int(graph.num_partitions)
        self.path = path
        self.conv = nn.Conv2d(in_channels, self.num_partitions * out_channels, 1, bias=bias)
        self.register_buffer("edge_index", graph.edge_index.clone())
        self.register_buffer("edge_type", graph.edge_type.clone())
        # Graph weights keep float64 precision; they are cast to the input's dtype when used.
        self.register_buffer("edge_weight", graph.edge_weight.to(torch.float64))
        num_edges = graph.edge_index.size(1)
        self.edge_importance = nn.Parameter(torch.ones(num_edges)) if edge_importance else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        self.conv.reset_parameters()
        if self.edge_importance is not None:
            nn.init.ones_(self.edge_importance)

    def weighted_edges(self) -> Tensor:
        """``edge_weight`` times the learned importance [E]."""
        if self.edge_importance is None:
            return self.edge_weight
        return self.edge_weight * self.edge_importance

    def forward(self, x: Tensor) -> Tensor:
        check_input(x, self.in_channels, self.num_nodes)
        y = self.conv(x)
        n, _, t, v = y.shape
        weight = self.weighted_edges().to(y.dtype)
        # Source "partition-nodes" k·V + v: the bipartite graph (K·V sources -> V targets).
        index = torch.stack([self.edge_type * v + self.edge_index[0], self.edge_index[1]])
        if self.path == "edge":
            y = y.view(n, self.num_partitions, self.out_channels, t, v).permute(0, 2, 3, 1, 4)
            y = y.reshape(n, self.out_channels, t, self.num_partitions * v)
            return self.propagate(index, x=y, edge_weight=weight,
                                  size=(self.num_partitions * v, v))
        return self.message_and_aggregate(index, x=y, edge_weight=weight)

    def message(self, x_j: Tensor, edge_weight: Tensor) -> Tensor:
        return x_j * edge_weight

    def message_and_aggregate(self, edge_index: Tensor, x: Tensor, edge_weight: Tensor) -> Tensor:
        """Fused path: scatter the edges into a dense [K·V, V] matrix, then one contraction.

        ``edge_index`` holds (partition-node k·V + v, target w); ``x`` is ``[N, K·C', T, V]``.
        """
        n, _, t, v = x.shape
        dense = edge_weight.new_zeros(self.num_partitions * v, v)
        dense = dense.index_put((edge_index[0], edge_index[1]), edge_weight, accumulate=True)
        x = x.view(n, self.num_partitions, self.out_channels, t, v)
        return torch.einsum("nkctv,kvw->nctw", x, dense.view(self.num_partitions, v, v))

    def to_dense(self) -> DenseSpatialGraphConv:
        """The equivalent :class:`DenseSpatialGraphConv` (same weights, same dtype/device)."""
        adjacency = self.edge_weight.new_zeros(self.num_partitions, self.num_nodes, self.num_nodes)
        src, dst = self.edge_index
        adjacency[self.edge_type, src, dst] = self.edge_weight
        with default_dtype(self.conv.weight.dtype):
            dense = DenseSpatialGraphConv(self.in_channels, self.out_channels, adjacency,
                                          edge_importance=self.edge_importance is not None,
                                          bias=self.conv.bias is not None)
        dense = dense.to(self.edge_weight.device)
        dense.conv.load_state_dict(self.conv.state_dict())
        dense.adjacency.copy_(adjacency)
        if self.edge_importance is not None:
            with torch.no_grad():
                dense.importance[self.edge_type, src, dst] = self.edge_importance
        return dense

    @classmethod
    def from_dense(cls, dense: DenseSpatialGraphConv, path: str = "auto") -> "SpatialGraphConv":
        """The equivalent sparse layer of a :class:`DenseSpatialGraphConv`; importance entries
        where the adjacency is zero have no effect and are dropped."""
        from ..graph import from_dense_adjacency

        graph = from_dense_adjacency(dense.adjacency.detach().cpu())
        with default_dtype(dense.conv.weight.dtype):
            layer = cls(dense.in_channels, dense.out_channels, graph,
                        edge_importance=dense.importance is not None, path=path,
                        bias=dense.conv.bias is not None)
        layer = layer.to(dense.adjacency.device)
        layer.conv.load_state_dict(dense.conv.state_dict())
        src, dst = layer.edge_index
        layer.edge_weight.copy_(dense.adjacency[layer.edge_type, src, dst])
        if dense.importance is not None:
            with torch.no_grad():
                layer.edge_importance.copy_(dense.importance[layer.edge_type, src, dst])
        return layer

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"num_partitions={self.num_partitions}, num_nodes={self.num_nodes}, "
                f"num_edges={self.edge_index.size(1)}, "
                f"edge_importance={self.edge_importance is not None}, path={self.path!r})")
