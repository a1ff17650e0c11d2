"""One ST-GCN unit: spatial graph conv, temporal conv, residual."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from ..utils import accepts
from .attention import JointFrameChannelAttention
from .dropout import Dropout
from .edge_importance import EdgeImportance, LearnedAdjacency
from .registry import SPATIAL_LAYERS, TEMPORAL_LAYERS, Registry

SpatialFactory = Callable[..., nn.Module]
"""``factory(in_channels, out_channels, num_partitions, **kwargs) -> module`` called as
``module(x, edge_index, edge_type, edge_weight)``: [N, C, T, V] -> [N, C', T, V]."""
TemporalFactory = Callable[..., nn.Module]
"""``factory(channels, kernel_size, stride, **kwargs) -> module``: [N, C, T, V] -> [N, C, T', V]."""


def build_layer(registry: Registry, spec: "str | Callable[..., nn.Module]",
                kwargs: dict[str, Any] | None, args: tuple, input_shape: tuple[int, ...],
                output_shape: tuple[int, ...], graph: Data | None = None) -> nn.Module:
    """Build ``spec(*args, **kwargs)`` (a registered name or a factory) and check its shape.

    With a ``graph``, the layer is a spatial one: a factory that declares a ``graph`` parameter
    receives it (for layers whose parameters are sized by the graph), and the dry run passes
    the graph's ``edge_index``, ``edge_type`` and ``edge_weight``. One dry run in eval mode
    without gradients on zeros of ``input_shape`` (running statistics stay untouched,
    train/eval modes are restored) must give ``output_shape``; it happens at construction, so
    ``forward`` carries no check and compiles without graph breaks.
    """
    factory = registry.get(spec) if isinstance(spec, str) else spec
    if not callable(factory):
        raise TypeError(f"{registry.kind}: expected a registered name or a factory, got {spec!r}")
    kwargs = dict(kwargs or {})
    if graph is not None and accepts(factory, "graph"):
        kwargs["graph"] = graph
    try:
        layer = factory(*args, **kwargs)
    except TypeError as err:  # e.g. an unknown keyword in spatial_kwargs / temporal_kwargs
        raise TypeError(f"{registry.kind}_kwargs: the {registry.kind} layer "
                        f"{spec if isinstance(spec, str) else factory!r} does not accept "
                        f"{sorted(kwargs)}: {err}") from None
    name = f"{registry.kind} layer {spec if isinstance(spec, str) else factory!r}"
    if not isinstance(layer, nn.Module):
        raise TypeError(f"{name}: expected the factory to return an nn.Module, got "
                        f"{type(layer).__name__}")
    modes = [(m, m.training) for m in layer.modules()]
    layer.eval()
    try:
        with torch.no_grad():
            x = torch.zeros(input_shape)
            out = layer(x) if graph is None else layer(
                x, graph.edge_index, graph.edge_type, graph.edge_weight.to(x.dtype))
    finally:
        for module, training in modes:
            module.training = training
    actual = list(out.shape) if isinstance(out, Tensor) else type(out).__name__
    if actual != list(output_shape):
        raise ValueError(f"{name} ({type(layer).__name__}): expected output shape "
                         f"{list(output_shape)} for input {list(input_shape)}, got {actual}")
    return layer


class STGCNBlock(nn.Module):
    """``relu(tcn(gcn(x, graph)) + residual(x))`` with ``tcn = BN, ReLU, conv(kt, stride), BN``.

    With ``gcn_residual`` the spatial unit has its own residual, added after its BN and before
    its ReLU (ST-GCN++'s ``unit_gcn(with_res=True)``):
    ``relu(BN(gcn(x, graph)) + gcn_residual(x))`` feeds the temporal conv.

    The block owns its learnable edge importance (``importance``, as the original model keeps
    one per unit) and receives the graph at every call; the model holds the graph once.

    Covers both source blocks: the original's (``dropout_before_conv=False``: dropout after the
    last BN; residual none / identity / 1x1 conv + BN) and the seed notebook's
    (``dropout_before_conv=True``, ``residual=False``: BN-ReLU-Dropout-Conv-BN-ReLU).

    Args:
        in_channels: input channels C.
        out_channels: output channels C'.
        graph: the skeleton graph (``Data``): sizes the importance and the dry run; handed to
            spatial factories that declare a ``graph`` parameter. Not stored.
        stride: temporal stride.
        kernel_size: temporal kernel size (odd).
        dropout: dropout probability (0 adds no dropout module).
        residual: add a residual: identity when shapes allow, else 1x1 conv + BN.
        dropout_before_conv: put dropout before the temporal conv (seed) instead of last.
        spatial: the spatial layer: a name in :data:`~stgcn_pyg.nn.registry.SPATIAL_LAYERS`
            (default ``"mp"``: :class:`SpatialGraphConv`) or a factory
            ``(in_channels, out_channels, num_partitions, **kwargs)``.
        spatial_kwargs: extra keyword arguments of the spatial factory.
        temporal: the temporal layer: a name in :data:`~stgcn_pyg.nn.registry.TEMPORAL_LAYERS`
            (default ``"conv"``: :class:`TemporalConv`) or a factory
            ``(channels, kernel_size, stride, **kwargs)``.
        temporal_kwargs: extra keyword arguments of the temporal factory.
        edge_importance: ``"edge"`` (one weight per edge), ``"dense"`` (a [K, V, V] matrix
            read at the edges) or None: see :class:`EdgeImportance`; or ``"adjacency"``: the
            edge weights themselves learned (:class:`LearnedAdjacency`, ST-GCN++'s ``A``).
        gcn_residual: give the spatial unit its own residual (identity when the channels
            agree, else 1x1 conv + BN).
        temporal_norm: close the temporal unit with a BatchNorm (``bn_out``; CTR-GCN's
            temporal layer ends in its own ReLU instead).
        attention: AAGCN's attention over joints, frames and channels
            (:class:`~stgcn_pyg.nn.JointFrameChannelAttention`) after the spatial unit's ReLU.

    Both layers are checked once at construction by a dry run; a wrong output shape raises a
    ``ValueError`` naming the layer, the expected and the actual shape.

    Shapes:
        input ``x`` [N, C, T, V] and the graph (``edge_index`` [2, E], ``edge_type`` [E],
        ``edge_weight`` [E] or [N, E]), output [N, C', ceil(T / stride), V].
    """

    def __init__(self, in_channels: int, out_channels: int, graph: Data, stride: int = 1,
                 kernel_size: int = 9, dropout: float = 0.0, residual: bool = True,
                 dropout_before_conv: bool = False, spatial: "str | SpatialFactory" = "mp",
                 spatial_kwargs: dict[str, Any] | None = None,
                 temporal: "str | TemporalFactory" = "conv",
                 temporal_kwargs: dict[str, Any] | None = None,
                 edge_importance: str | None = "edge", gcn_residual: bool = False,
                 temporal_norm: bool = True, attention: bool = False) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout: expected a probability in [0, 1), got {dropout!r}")
        v, t, k = int(graph.num_nodes), 4 * stride, int(graph.num_partitions)
        self.gcn = build_layer(SPATIAL_LAYERS, spatial, spatial_kwargs,
                               (in_channels, out_channels, k),
                               (1, in_channels, t, v), (1, out_channels, t, v), graph)
        shapes = {"edge": (graph.edge_index.size(1),), "dense": (k, v, v)}
        if edge_importance not in (*shapes, "adjacency", None):
            raise ValueError(f"edge_importance: expected 'edge', 'dense', 'adjacency' or None, "
                             f"got {edge_importance!r}")
        if edge_importance == "adjacency":
            self.importance = LearnedAdjacency(graph.edge_weight)
        elif edge_importance is not None:
            self.importance = EdgeImportance(shapes[edge_importance])
        else:
            self.importance = None
        if not gcn_residual:
            self.gcn_residual = None
        elif in_channels == out_channels:
            self.gcn_residual = nn.Identity()
        else:
            self.gcn_residual = nn.Sequential(OrderedDict([
                ("conv", nn.Conv2d(in_channels, out_channels, 1)),
                ("bn", nn.BatchNorm2d(out_channels)),
            ]))
        temporal_layer = build_layer(TEMPORAL_LAYERS, temporal, temporal_kwargs,
                                     (out_channels, kernel_size, stride),
                                     (1, out_channels, t, v), (1, out_channels, 4, v))
        parts: list[tuple[str, nn.Module]] = [("bn_in", nn.BatchNorm2d(out_channels)),
                                              ("relu", nn.ReLU())]
        if attention:
            parts += [("attention", JointFrameChannelAttention(out_channels, v))]
        drop = [("dropout", Dropout(dropout))] if dropout > 0 else []
        if dropout_before_conv:
            parts += drop
        parts += [("conv", temporal_layer)]
        if temporal_norm:
            parts += [("bn_out", nn.BatchNorm2d(out_channels))]
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

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor,
                edge_weight: Tensor) -> Tensor:
        if self.importance is not None:
            edge_weight = self.importance(edge_index, edge_type, edge_weight)
        y = self.gcn(x, edge_index, edge_type, edge_weight)
        if self.gcn_residual is None:
            y = self.tcn(y)
        else:  # the spatial unit's residual joins between its BN and its ReLU
            y = self.tcn[1:](self.tcn.bn_in(y) + self.gcn_residual(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return y.relu()
