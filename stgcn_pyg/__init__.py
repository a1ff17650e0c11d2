"""ST-GCN on PyTorch Geometric: skeleton graphs as ``Data``, a message-passing spatial layer."""
from .graph import build_graph, from_dense_adjacency, to_dense_adjacency
from .models import STGCN
from .nn import DenseSpatialGraphConv, SpatialGraphConv, STGCNBlock, TemporalConv

__version__ = "0.1.0"

__all__ = [
    "DenseSpatialGraphConv", "STGCN", "STGCNBlock", "SpatialGraphConv", "TemporalConv",
    "build_graph", "from_dense_adjacency", "to_dense_adjacency",
]
