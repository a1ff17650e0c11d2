"""Two worked variants built only through the extension points of :mod:`stgcn_pyg.nn.registry`.

Importing this package registers ``"adaptive"``, ``"ctrgc"`` and ``"aagcn"`` (spatial) and
``"mstcn"`` (temporal).
"""
from .adaptive_graph_conv import AdaptiveGraphConv
from .channel_topology_conv import ChannelTopologyConv
from .multiscale_temporal_conv import MultiScaleTemporalConv
from .sample_graph_conv import SampleGraphConv

__all__ = ["AdaptiveGraphConv", "ChannelTopologyConv", "MultiScaleTemporalConv",
           "SampleGraphConv"]
