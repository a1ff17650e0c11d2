"""One ST-GCN unit: spatial graph conv, temporal conv, residual."""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

from torch import Tensor, nn
from torch_geometric.data import Data

from .dense_spatial_graph_conv import DenseSpatialGraphConv
from .spatial_graph_conv import SpatialGraphConv
from .temporal_conv import TemporalConv

BACKENDS = ("mp", "dense")

SpatialFactory = Callable[[int, int, Data], nn.Module]
"""``factory(in_channels, out_channels, graph) -> module`` mapping [N, C, T, V] -> [N, C', T, V]."""
TemporalFactory = Callable[[int, int, int], nn.Module]
"""``factory(channels, kernel_size, stride) -> module`` mapping [N, C, T, V] -> [N, C, T', V]."""


def spatial_factory(backend: str = "mp", edge_importance: bool = True) -> SpatialFactory:
    """The built-in spatial layer of a backend: ``"mp"`` (SpatialGraphConv) or ``"dense"``."""
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {list(BACKENDS)}, got {backend!r}")
    if backend == "mp":
        return lambda c_in, c_out, graph: SpatialGraphConv(c_in, c_out, graph, edge_importance)
    return lambda c_in, c_out, graph: DenseSpatialGraphConv(c_in, c_out, graph, edge_importance)


def temporal_conv(channels: int, kernel_size: int, stride: int) -> nn.Module:
    """The built-in temporal layer: :class:`TemporalConv` from ``channels`` to ``channels``."""
    return TemporalConv(channels, channels, kernel_size, stride)


class STGCNBlock(nn.Module):
    """``relu(tcn(gcn(x)) + residual(x))`` with ``tcn = BN, ReLU, conv(kt, stride), BN``.

    Covers both source blocks: the original's (``dropout_before_conv=False``: dropout after the
    last BN; residual none / identity / 1x1 conv + BN) and the seed notebook's
    (``dropout_before_conv=True``, ``residual=False``: BN-ReLU-Dropout-Conv-BN-ReLU).

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        graph: the skeleton graph (``Data``) handed to the spatial layer.
        stride: temporal stride.
        kernel_size: temporal kernel size (odd).
        dropout: dropout probability (0 adds no dropout module).
        residual: add a residual: identity when shapes allow, else 1x1 conv + BN.
        dropout_before_conv: put dropout before the temporal conv (seed) instead of last.
        spatial: factory of the spatial layer (default: ``SpatialGraphConv`` with importance).
        temporal: factory of the temporal layer (default: :func:`temporal_conv`).

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C', ceil(T / stride), V]``.
    """

    def __init__(self, in_channels: int, out_channels: int, graph: Data, stride: int = 1,
                 kernel_size: int = 9, dropout: float = 0.0, residual: bool = True,
                 dropout_before_conv: bool = False, spatial: SpatialFactory | None = None,
                 temporal: TemporalFactory | None = None) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout: expected a probability in [0, 1), got {dropout!r}")
        spatial = spatial or spatial_factory()
        temporal = temporal or temporal_conv
        self.gcn = spatial(in_channels, out_channels, graph)
        parts: list[tuple[str, nn.Module]] = [("bn_in", nn.BatchNorm2d(out_channels)),
                                              ("relu", nn.ReLU())]
        drop = [("dropout", nn.Dropout(dropout))] if dropout > 0 else []
        if dropout_before_conv:
            parts += drop
        parts += [("conv", temporal(out_channels, kernel_size, stride)),
                  ("bn_out", nn.BatchNorm2d(out_channels))]
        if not dropout_before_conv:
            parts += drop
        self.tcn = nn.Sequential(OrderedDict(parts))
        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = nn.Sequential(OrderedDict([
                ("conv", nn.Conv2d(in_channels, out_channels, 1, (stride, 1))),
                ("bn", nn.BatchNorm2d(out_channels)),
            ]))

    def forward(self, x: Tensor) -> Tensor:
        y = self.tcn(self.gcn(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return y.relu()
