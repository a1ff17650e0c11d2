"""Two worked variants built only through the extension points of :mod:`stgcn_pyg.nn.registry`.

Importing this package registers ``"adaptive"`` (spatial) and ``"mstcn"`` (temporal).
"""
from .adaptive_graph_conv import AdaptiveGraphConv
from .multiscale_temporal_conv import MultiScaleTemporalConv

__all__ = ["AdaptiveGraphConv", "MultiScaleTemporalConv"]
