"""One ST-GCN unit: spatial graph conv, temporal conv, residual."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from .registry import SPATIAL_LAYERS, TEMPORAL_LAYERS, Registry

SpatialFactory = Callable[..., nn.Module]
"""``factory(in_channels, out_channels, graph, **kwargs) -> module``: [N, C, T, V] -> [N, C', T, V]."""
TemporalFactory = Callable[..., nn.Module]
"""``factory(channels, kernel_size, stride, **kwargs) -> module``: [N, C, T, V] -> [N, C, T', V]."""


def build_layer(registry: Registry, spec: "str | Callable[..., nn.Module]",
                kwargs: dict[str, Any] | None, args: tuple, input_shape: tuple[int, ...],
                output_shape: tuple[int, ...]) -> nn.Module:
    """Build ``spec(*args, **kwargs)`` (a registered name or a factory) and check its shape.

    One dry run in eval mode without gradients on zeros of ``input_shape`` (running statistics
    stay untouched, train/eval modes are restored) must give ``output_shape``; it happens at
    construction, so ``forward`` carries no check and compiles without graph breaks.
    """
    factory = registry.get(spec) if isinstance(spec, str) else spec
    if not callable(factory):
        raise TypeError(f"{registry.kind}: expected a registered name or a factory, got {spec!r}")
    layer = factory(*args, **(kwargs or {}))
    name = f"{registry.kind} layer {spec if isinstance(spec, str) else factory!r}"
    if not isinstance(layer, nn.Module):
        raise TypeError(f"{name}: expected the factory to return an nn.Module, got "
                        f"{type(layer).__name__}")
    modes = [(m, m.training) for m in layer.modules()]
    layer.eval()
    try:
        with torch.no_grad():
            out = layer(torch.zeros(input_shape))
    finally:
        for module, training in modes:
            module.training = training
    actual = list(out.shape) if isinstance(out, Tensor) else type(out).__name__
    if actual != list(output_shape):
        raise ValueError(f"{name} ({type(layer).__name__}): expected output shape "
                         f"{list(output_shape)} for input {list(input_shape)}, got {actual}")
    return layer


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
        spatial: the spatial layer: a name in :data:`~stgcn_pyg.nn.registry.SPATIAL_LAYERS`
            (default ``"mp"``: :class:`SpatialGraphConv`) or a factory
            ``(in_channels, out_channels, graph, **kwargs)``.
        spatial_kwargs: extra keyword arguments of the spatial factory.
        temporal: the temporal layer: a name in :data:`~stgcn_pyg.nn.registry.TEMPORAL_LAYERS`
            (default ``"conv"``: :class:`TemporalConv`) or a factory
            ``(channels, kernel_size, stride, **kwargs)``.
        temporal_kwargs: extra keyword arguments of the temporal factory.

    Both layers are checked once at construction by a dry run; a wrong output shape raises a
    ``ValueError`` naming the layer, the expected and the actual shape.

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C', ceil(T / stride), V]``.
    """

    def __init__(self, in_channels: int, out_channels: int, graph: Data, stride: int = 1,
                 kernel_size: int = 9, dropout: float = 0.0, residual: bool = True,
                 dropout_before_conv: bool = False, spatial: "str | SpatialFactory" = "mp",
                 spatial_kwargs: dict[str, Any] | None = None,
                 temporal: "str | TemporalFactory" = "conv",
                 temporal_kwargs: dict[str, Any] | None = None) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout: expected a probability in [0, 1), got {dropout!r}")
        v, t = int(graph.num_nodes), 4 * stride
        self.gcn = build_layer(SPATIAL_LAYERS, spatial, spatial_kwargs,
                               (in_channels, out_channels, graph),
                               (1, in_channels, t, v), (1, out_channels, t, v))
        temporal_layer = build_layer(TEMPORAL_LAYERS, temporal, temporal_kwargs,
                                     (out_channels, kernel_size, stride),
                                     (1, out_channels, t, v), (1, out_channels, 4, v))
        parts: list[tuple[str, nn.Module]] = [("bn_in", nn.BatchNorm2d(out_channels)),
                                              ("relu", nn.ReLU())]
        drop = [("dropout", nn.Dropout(dropout))] if dropout > 0 else []
        if dropout_before_conv:
            parts += drop
        parts += [("conv", temporal_layer),
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
