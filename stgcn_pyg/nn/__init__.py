"""Layers: the message-passing spatial graph conv, its dense reference, temporal conv, block."""
from .block import BACKENDS, STGCNBlock, spatial_factory, temporal_conv
from .dense_spatial_graph_conv import DenseSpatialGraphConv
from .spatial_graph_conv import SpatialGraphConv
from .temporal_conv import TemporalConv

__all__ = [
    "BACKENDS", "DenseSpatialGraphConv", "STGCNBlock", "SpatialGraphConv", "TemporalConv",
    "spatial_factory", "temporal_conv",
]
