"""A layer with its graph attached, for one-line use outside a model."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.data import Data


def register_graph_buffers(module: nn.Module, graph: Data) -> None:
    """Hold ``graph``'s ``edge_index``, ``edge_type`` and ``edge_weight`` as buffers of
    ``module`` (they follow ``.to()`` and ``state_dict``). The weights keep float64 precision;
    the layers cast them to the input's dtype."""
    module.register_buffer("edge_index", graph.edge_index.clone())
    module.register_buffer("edge_type", graph.edge_type.clone())
    module.register_buffer("edge_weight", graph.edge_weight.to(torch.float64))


class GraphBound(nn.Module):
    """``layer(x, edge_index, edge_type, edge_weight)`` with the graph held as buffers.

    The convenience form of a graph-at-forward layer, like PyG's ``cached=True``: the graph
    follows ``.to()`` and ``state_dict``; a model with many layers should hold the graph once
    and pass it instead (as :class:`~stgcn_pyg.models.STGCN` does)::

        conv = GraphBound(SpatialGraphConv(3, 64, graph.num_partitions), graph)
        y = conv(x)  # [N, 3, T, V] -> [N, 64, T, V]

    Args:
        layer: a spatial layer ``(x, edge_index, edge_type, edge_weight) -> Tensor``.
        graph: a ``Data`` with ``edge_index``, ``edge_type`` and ``edge_weight``.

    Shapes:
        input [N, C, T, V], output [N, C', T, V].
    """

    def __init__(self, layer: nn.Module, graph: Data) -> None:
        super().__init__()
        self.layer = layer
        register_graph_buffers(self, graph)

    def forward(self, x: Tensor) -> Tensor:
        return self.layer(x, self.edge_index, self.edge_type, self.edge_weight)
