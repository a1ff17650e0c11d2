"""Layers: the message-passing spatial graph conv, its dense reference, temporal conv, block,
the registry of named layers and two worked variants built on it."""
from .block import STGCNBlock
from .dense_spatial_graph_conv import DenseSpatialGraphConv
from .registry import (BACKENDS, SPATIAL_LAYERS, TEMPORAL_LAYERS, register_spatial, register_temporal,
                       temporal_conv)
from .spatial_graph_conv import SpatialGraphConv
from .temporal_conv import TemporalConv
from .variants import AdaptiveGraphConv, MultiScaleTemporalConv

__all__ = [
    "AdaptiveGraphConv", "BACKENDS", "DenseSpatialGraphConv", "MultiScaleTemporalConv", "SPATIAL_LAYERS",
    "STGCNBlock", "SpatialGraphConv", "TEMPORAL_LAYERS", "TemporalConv", "register_spatial",
    "register_temporal", "temporal_conv",
]
