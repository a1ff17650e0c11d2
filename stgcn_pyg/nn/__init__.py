"""Layers: the message-passing spatial graph conv, its dense reference, PyG convs as spatial
layers, edge importance, temporal conv, block, the registry of named layers and two worked
variants built on it. Importing this package registers every built-in layer."""
from .attention import JointFrameChannelAttention
from .block import STGCNBlock
from .dense_spatial_graph_conv import DenseSpatialGraphConv
from .edge_importance import EdgeImportance, LearnedAdjacency
from .graph_bound import GraphBound
from .pyg_conv import FramewiseConv
from .registry import SPATIAL_LAYERS, TEMPORAL_LAYERS, register_spatial, register_temporal
from .spatial_graph_conv import SpatialGraphConv
from .temporal_conv import TemporalConv, temporal_conv
from .variants import (AdaptiveGraphConv, ChannelTopologyConv, MultiScaleTemporalConv,
                       SampleGraphConv)

__all__ = [
    "AdaptiveGraphConv", "ChannelTopologyConv", "DenseSpatialGraphConv", "EdgeImportance",
    "FramewiseConv", "GraphBound", "JointFrameChannelAttention", "LearnedAdjacency",
    "MultiScaleTemporalConv", "SPATIAL_LAYERS", "STGCNBlock", "SampleGraphConv",
    "SpatialGraphConv", "TEMPORAL_LAYERS", "TemporalConv", "register_spatial",
    "register_temporal", "temporal_conv",
]
