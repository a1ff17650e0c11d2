"""The spatial graph convolution of ST-GCN as a PyG ``MessagePassing`` layer."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.index import index2ptr
from torch_geometric.nn import MessagePassing
from torch_geometric.utils import scatter

from ..utils import default_dtype
from .checks import check_input
from .dense_spatial_graph_conv import DenseSpatialGraphConv

try:  # optional accelerated segment reduction
    from torch_scatter import segment_csr
except ImportError:  # exercised by a subprocess test that hides torch_scatter
    segment_csr = None

PATHS = ("auto", "edge", "fused", "scatter")

# ``path="auto"`` takes the edge-level path when the graph's density E / (K·V·V) is below this
# value, the fused dense matmul otherwise. Measured on a 2-core Xeon, 2 threads (layer
# forward+backward, C = C' = 32, batch 4 x 20 frames; docs/benchmarks.md "Scaling"): on
# skeleton-like random trees (distance partitions, K = 2, E = 3V - 2) the fused path is faster up
# to V = 1600 (density 0.00094) and the edge path from V = 2400 (0.00063) in two runs; the
# threshold sits between. Every skeleton layout (V <= 25, density >= 0.04) stays fused.
AUTO_EDGE_DENSITY = 0.0008


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

    Convolution and aggregation are both linear and act on different axes, so the layer runs
    them in the order that moves the narrower tensor through the graph, without copying it:
    when :math:`C \le C'` it aggregates the input onto K·V "partition-targets" (k, w) and then
    applies the partition's weights with a (K, 1) convolution of stride K; otherwise a (K, 1)
    transposed convolution writes the K partitions as [N, C', T, K·V] "partition-sources" and
    the aggregation sums them into V targets. The bias term above is added after, exactly.

    The graph is held once as buffers and propagated along the node (last) axis of
    ``[N, C, T, V]`` tensors, never copied per sample or frame. Three execution paths compute
    the same result: ``"edge"`` (``message``/``aggregate``), ``"scatter"`` (``message``, then
    a ``segment_csr`` over edges sorted by target when torch-scatter is installed, PyG's
    ``scatter`` otherwise) and ``"fused"`` (``message_and_aggregate``: a dense matrix scattered
    from the edges and one matmul on a free view). ``"auto"`` picks ``"edge"`` for graphs
    sparser than :data:`AUTO_EDGE_DENSITY`, ``"fused"`` otherwise.

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        graph: a ``Data`` from :func:`stgcn_pyg.graph.build_graph` (``edge_index``,
            ``edge_type``, ``edge_weight``, ``num_nodes``, ``num_partitions``).
        edge_importance: learn one importance weight per edge entry.
        path: ``"auto"``, ``"edge"``, ``"fused"`` or ``"scatter"``.
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
        density = num_edges / (self.num_partitions * self.num_nodes ** 2)
        self.auto_path = "edge" if density < AUTO_EDGE_DENSITY else "fused"
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
        n, _, t, v = x.shape
        k = self.num_partitions
        weight = self.weighted_edges().to(x.dtype)
        # Partition-node k·V + v of the bipartite graph between V nodes and K·V partition-nodes.
        part = self.edge_type * v
        # [C', C, K, 1]: the 1x1 conv's k-major weight, partition k as the kernel offset.
        kernel = self.conv.weight.view(k, self.out_channels, self.in_channels)
        kernel = kernel.permute(1, 2, 0).unsqueeze(-1)
        if self.in_channels <= self.out_channels:  # aggregate C channels, then convolve
            index = torch.stack([self.edge_index[0], part + self.edge_index[1]])
            z = self._aggregate(index, x, weight, (v, k * v))  # [N, C, T, K·V]
            out = F.conv2d(z.view(n, self.in_channels, t * k, v), kernel, stride=(k, 1))
        else:  # convolve into K·V partition-sources of C' channels, then aggregate
            y = F.conv_transpose2d(x, kernel.transpose(0, 1), stride=(k, 1))
            index = torch.stack([part + self.edge_index[0], self.edge_index[1]])
            out = self._aggregate(index, y.view(n, self.out_channels, t, k * v), weight, (k * v, v))
        if self.conv.bias is not None:
            out = out + self._bias_term(weight).unsqueeze(1)
        return out

    def _bias_term(self, weight: Tensor) -> Tensor:
        """[C', V]: node w receives sum_k b_k · sum_{e of partition k into w} weight_e."""
        k, v = self.num_partitions, self.num_nodes
        # index_put with accumulate (not index_add): both ONNX exporters translate it exactly.
        colsum = weight.new_zeros(k * v).index_put((self.edge_type * v + self.edge_index[1],),
                                                   weight, accumulate=True)
        return self.conv.bias.view(k, self.out_channels).t() @ colsum.view(k, v)

    def _aggregate(self, index: Tensor, x: Tensor, weight: Tensor, size: tuple[int, int]) -> Tensor:
        """Sum ``weight_e · x[..., src_e]`` into ``[..., dst]`` on the selected path."""
        path = self.auto_path if self.path == "auto" else self.path
        if path == "fused":
            return self.message_and_aggregate(index, x=x, edge_weight=weight,
                                              num_targets=size[1])
        if path == "edge":
            return self.propagate(index, x=x, edge_weight=weight, size=size)
        dst, order = torch.sort(index[1], stable=True)  # "scatter": edges sorted by target
        messages = self.message(x.index_select(-1, index[0, order]), weight[order])
        if segment_csr is None or torch.compiler.is_compiling():
            return scatter(messages, dst, dim=-1, dim_size=size[1], reduce="sum")
        ptr = index2ptr(dst, size[1])
        return segment_csr(messages, ptr.view((1,) * (messages.dim() - 1) + (-1,)))

    def message(self, x_j: Tensor, edge_weight: Tensor) -> Tensor:
        return x_j * edge_weight

    def message_and_aggregate(self, edge_index: Tensor, x: Tensor, edge_weight: Tensor,
                              num_targets: int) -> Tensor:
        """Fused path: scatter the edges into a dense [num_src, num_dst] matrix, one matmul.

        ``x`` is ``[..., num_src]`` (contiguous, so the matmul folds it for free); the result
        is ``[..., num_dst]``.
        """
        dense = edge_weight.new_zeros(x.size(-1), num_targets)
        dense = dense.index_put((edge_index[0], edge_index[1]), edge_weight, accumulate=True)
        return x @ dense

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
