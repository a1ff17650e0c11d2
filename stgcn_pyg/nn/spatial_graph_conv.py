"""The spatial graph convolution of ST-GCN as a PyG ``MessagePassing`` layer."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.index import index2ptr
from torch_geometric.nn import MessagePassing
from torch_geometric.utils import scatter

from ..graph.data import densify, pairs_to_dense
from .checks import check_input, check_num_partitions, graph_weights
from .registry import register_spatial

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


@register_spatial("mp")
class SpatialGraphConv(MessagePassing):
    r"""ST-GCN's partitioned spatial graph convolution; the graph is passed at forward.

    .. math::
        \mathbf{y} = \mathrm{Conv}_{1\times1}(\mathbf{x}) \in \mathbb{R}^{N\times K C'\times T
        \times V},\qquad
        \mathbf{x}'_{w} = \sum_{e=(k, v \to w)} a_e\, \mathbf{y}_{k, v}

    where edge :math:`e` of partition :math:`k = ` ``edge_type[e]`` carries the weight
    :math:`a_e` (``edge_weight``: the normalized partition weight, times a learned importance
    when the caller applies one, see :class:`~stgcn_pyg.nn.EdgeImportance`). Channel
    :math:`k C' + c` of the 1x1 convolution belongs to partition :math:`k`; its bias is added
    before aggregation, as in the original, so node :math:`w` receives
    :math:`\sum_k b_k \sum_{e \to w, k} a_e`.

    Like every PyG conv, the layer holds no graph: ``forward`` takes it, so one graph (or a
    PyG ``Batch`` of several skeletons, a disjoint union along V) serves every layer of a
    model. ``edge_weight`` of shape [N, E] gives every sample its own edge weights, and
    [N, C', E] every sample and output channel its own (CTR-GCN's channel-wise topology: the
    layer then always convolves first, since the weights belong to output channels).

    Convolution and aggregation are both linear and act on different axes, so the layer runs
    them in the order that moves the narrower tensor through the graph: when :math:`C \le C'`
    it aggregates the input onto K·V "partition-targets" (k, w) and then applies the
    partition's weights with a (K, 1) convolution of stride K (the bias term above added after,
    exactly); otherwise the 1x1 convolution, bias included, is laid out as [N, C', T, K·V]
    "partition-sources" and the aggregation sums them into V targets.

    Aggregation runs along the node (last) axis of ``[N, C, T, V]`` tensors, never copying the
    graph per sample or frame, on one of three paths of the same result: ``"edge"``
    (``message``/``aggregate``), ``"scatter"`` (``message``, then a ``segment_csr`` over edges
    sorted by target when torch-scatter is installed, PyG's ``scatter`` otherwise) and
    ``"fused"`` (``message_and_aggregate``: a dense matrix scattered from the edges and one
    matmul on a free view). ``"auto"`` picks ``"edge"`` for graphs sparser than
    :data:`AUTO_EDGE_DENSITY`, ``"fused"`` otherwise.

    PyG's explainers (``torch_geometric.explain``) set an edge mask [E] on the layer; it
    multiplies ``edge_weight`` before any path runs, so all three paths and the bias term
    honour it (a mask entry of 0 removes the edge exactly).

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        num_partitions: partitions K (``graph.num_partitions`` of
            :func:`stgcn_pyg.graph.build_graph`).
        bias: add a bias to the 1x1 convolution.
        path: ``"auto"``, ``"edge"``, ``"fused"`` or ``"scatter"``.

    Shapes:
        input ``x`` [N, C, T, V], ``edge_index`` [2, E] (row 0 source, row 1 target),
        ``edge_type`` [E] (0..K-1), ``edge_weight`` [E], [N, E], [N, C', E] or None (all
        ones); output [N, C', T, V].
    """

    def __init__(self, in_channels: int, out_channels: int, num_partitions: int,
                 bias: bool = True, path: str = "auto") -> None:
        super().__init__(aggr="add", node_dim=-1)
        if path not in PATHS:
            raise ValueError(f"path: expected one of {list(PATHS)}, got {path!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_partitions = check_num_partitions(num_partitions)
        self.path = path
        self.conv = nn.Conv2d(in_channels, num_partitions * out_channels, 1, bias=bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        self.conv.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor,
                edge_weight: Tensor | None = None) -> Tensor:
        check_input(x, self.in_channels)
        weight = graph_weights(x, edge_index, edge_type, edge_weight, self.num_partitions)
        if self.explain:  # a PyG explainer's edge mask (set_masks): scales every edge's weight
            weight = weight * self._explain_mask(edge_index.size(1)).to(weight.dtype)
        n, _, t, v = x.shape
        k = self.num_partitions
        # Partition-node k·V + v of the bipartite graph between V nodes and K·V partition-nodes.
        part = edge_type * v
        path = self.resolved_path(edge_index.size(1), v)
        per_channel = weight.dim() == 3
        if per_channel and weight.size(1) != self.out_channels:
            raise ValueError(f"edge_weight: expected [N, C', E] with C'={self.out_channels} "
                             f"(the layer's out_channels), got {list(weight.shape)}")
        if self.in_channels <= self.out_channels and not per_channel:  # aggregate C channels, then convolve
            index = torch.stack([edge_index[0], part + edge_index[1]])
            z = self._aggregate(path, index, x, weight, (v, k * v))  # [N, C, T, K·V]
            out = F.conv2d(z.view(n, self.in_channels, t * k, v), self._kernel(), stride=(k, 1))
            if self.conv.bias is not None:
                out = out + self._bias_term(edge_index, edge_type, weight, v).unsqueeze(-2)
            return out
        # convolve into K·V partition-sources of C' channels (bias included), then aggregate
        index = torch.stack([part + edge_index[0], edge_index[1]])
        return self._aggregate(path, index, self.partition_sources(x), weight, (k * v, v))

    def partition_sources(self, x: Tensor) -> Tensor:
        """The 1x1 convolution (with its bias) written as K·V partition-sources: [N, C, T, V]
        -> [N, C', T, K·V], channel c of partition k at node ``k·V + v``.

        A plain convolution and one copy into that layout: on CPU (oneDNN) faster, forward and
        backward, than a transposed convolution of stride K that writes it directly."""
        n, _, t, v = x.shape
        k = self.num_partitions
        y = self.conv(x).view(n, k, self.out_channels, t, v)
        return y.permute(0, 2, 3, 1, 4).reshape(n, self.out_channels, t, k * v)

    def _kernel(self) -> Tensor:
        """[C', C, K, 1]: the 1x1 conv's k-major weight, partition k as the kernel offset."""
        kernel = self.conv.weight.view(self.num_partitions, self.out_channels, self.in_channels)
        return kernel.permute(1, 2, 0).unsqueeze(-1)

    def resolved_path(self, num_edges: int, num_nodes: int) -> str:
        """The path ``"auto"`` takes for a graph of E edges on V nodes (else ``self.path``)."""
        if self.path != "auto":
            return self.path
        density = num_edges / (self.num_partitions * num_nodes ** 2)
        return "edge" if density < AUTO_EDGE_DENSITY else "fused"

    def _bias_term(self, edge_index: Tensor, edge_type: Tensor, weight: Tensor, v: int) -> Tensor:
        """[C', V] (or [N, C', V] for ``weight`` [N, E]): node w receives sum_k b_k ·
        sum_{e of k into w} weight_e (the bias added before aggregation)."""
        colsum = densify(torch.stack([edge_type, edge_index[1]]), weight, self.num_partitions, v)
        return self.conv.bias.view(self.num_partitions, self.out_channels).t() @ colsum

    def _aggregate(self, path: str, index: Tensor, x: Tensor, weight: Tensor,
                   size: tuple[int, int]) -> Tensor:
        """Sum ``weight_e · x[..., src_e]`` into ``[..., dst]`` on ``path``; ``weight`` [E],
        [N, E] (per sample) or [N, C, E] (per sample and channel)."""
        if path == "fused":
            return self.message_and_aggregate(index, x=x, edge_weight=weight,
                                              num_targets=size[1])
        if weight.dim() == 2:  # per sample: broadcast over channels and frames
            weight = weight[:, None, None, :]
        elif weight.dim() == 3:  # per sample and channel: broadcast over frames
            weight = weight[:, :, None, :]
        if path == "edge":
            return self.propagate(index, x=x, edge_weight=weight, size=size)
        dst, order = torch.sort(index[1], stable=True)  # "scatter": edges sorted by target
        messages = self.message(x.index_select(-1, index[0, order]), weight[..., order])
        if segment_csr is None or torch.compiler.is_compiling():
            return scatter(messages, dst, dim=-1, dim_size=size[1], reduce="sum")
        ptr = index2ptr(dst, size[1])
        return segment_csr(messages, ptr.view((1,) * (messages.dim() - 1) + (-1,)))

    def message(self, x_j: Tensor, edge_weight: Tensor) -> Tensor:
        return x_j * edge_weight

    def _explain_mask(self, num_edges: int) -> Tensor:
        """The edge mask [E] that ``torch_geometric.explain`` set on this layer (after its
        sigmoid when the explainer asks for one)."""
        mask = self._edge_mask
        if mask is None:
            raise ValueError("explain: the layer is in explain mode without an edge mask; set "
                             "one with torch_geometric.explain.algorithm.utils.set_masks")
        if mask.dim() != 1 or mask.size(0) != num_edges:
            raise ValueError(f"edge mask: expected one entry per edge of the graph given to "
                             f"the layer ([{num_edges}]), got {list(mask.shape)}")
        return mask.sigmoid() if self._apply_sigmoid else mask

    def _all_pairs_adjacency(self, weight: Tensor, term: Tensor, num_nodes: int) -> Tensor:
        """The dense adjacency ``[..., K, V, V]`` (``[.., k, src, dst]``) of the all-pairs graph
        in build order (edge ``k·V·V + dst·V + src``): its edge weights [E] as a view plus a
        dense data-dependent ``term``, times an explainer's edge mask. For the per-sample
        layers built for that graph, which aggregate densely."""
        k, v = self.num_partitions, num_nodes
        if weight.size(0) != k * v * v:
            raise ValueError(f"edge_index: this layer was built for the all-pairs graph of "
                             f"K·V·V = {k * v * v} edges, got {weight.size(0)}")
        adjacency = pairs_to_dense(weight, k, v) + term
        if self.explain:
            mask = self._explain_mask(k * v * v).to(weight.dtype)
            adjacency = adjacency * pairs_to_dense(mask, k, v)
        return adjacency

    def explain_message(self, inputs: Tensor, dim_size: int | None) -> Tensor:
        """Identity: ``forward`` has already scaled the edge weights by the explainer's mask,
        on every path and in the bias term (an edge masked to 0 is an edge removed)."""
        return inputs

    def message_and_aggregate(self, edge_index: Tensor, x: Tensor, edge_weight: Tensor,
                              num_targets: int) -> Tensor:
        """Fused path: scatter the edges into a dense [num_src, num_dst] matrix (one per
        sample for ``edge_weight`` [N, E], one per sample and channel for [N, C, E]) and do
        one matmul.

        ``x`` is ``[N, ..., num_src]`` (contiguous, so the matmul folds it for free); the result
        is ``[N, ..., num_dst]``.
        """
        dense = densify(edge_index, edge_weight, x.size(-1), num_targets)
        if edge_weight.dim() == 2:  # [N, src, dst] against x [N, C, T, src]
            dense = dense.unsqueeze(1)
        return x @ dense  # [N, C, src, dst] per channel

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"num_partitions={self.num_partitions}, path={self.path!r})")
