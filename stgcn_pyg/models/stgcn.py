"""The ST-GCN network: data BatchNorm, a stack of ST-GCN blocks, global pooling, linear head."""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from torch import Tensor, nn
from torch_geometric.data import Data

from ..graph import Skeleton, build_graph
from ..nn import BACKENDS, DenseSpatialGraphConv, SpatialGraphConv, STGCNBlock
from ..nn.block import SpatialFactory, TemporalFactory


@dataclass(frozen=True)
class BlockSpec:
    """One block of the stack: output channels, temporal stride, residual on/off, dropout."""

    out_channels: int
    stride: int = 1
    residual: bool = True
    dropout: float = 0.0


class STGCN(nn.Module):
    """Spatial temporal graph convolutional network for skeleton action recognition.

    Persons are folded into the batch; a BatchNorm1d normalizes the input over V·C channels
    (channel ``v * C + c``, as both source implementations do); after the blocks, features are
    averaged over frames and joints, then over persons (padded all-zero persons included, as
    in the original), and a linear head gives the class scores.

    Args:
        in_channels: input channels C (3 for x, y, z).
        num_classes: number of classes.
        graph: a layout name, ``.json`` file, :class:`Skeleton`, or a graph ``Data``.
        strategy, max_hop, dilation, exact_distance: partitioning, see
            :func:`stgcn_pyg.graph.build_graph` (ignored when ``graph`` is a ``Data``).
        blocks: the :class:`BlockSpec` of every block (or dicts of its fields).
        kernel_size: temporal kernel size.
        edge_importance: learn edge importance in every block (built-in spatial layer).
        backend: the built-in spatial layer, ``"mp"`` (:class:`SpatialGraphConv`) or
            ``"dense"`` (einsum reference); used when ``spatial`` is None.
        dropout_before_conv: dropout placement of :class:`STGCNBlock`.
        spatial, spatial_kwargs: another spatial layer, a name registered with
            :func:`stgcn_pyg.nn.register_spatial` and its keyword arguments (a factory callable
            also works but cannot be saved).
        temporal, temporal_kwargs: the temporal layer, likewise (None: ``"conv"``,
            :class:`TemporalConv`).

    Shapes:
        input ``[N, C, T, V]`` or ``[N, C, T, V, M]``, output ``[N, num_classes]``.
    """

    def __init__(self, in_channels: int, num_classes: int,
                 graph: "str | Path | Skeleton | Data" = "ntu-rgb+d", *,
                 strategy: str = "spatial", max_hop: int = 1, dilation: int = 1,
                 exact_distance: bool = False, blocks: Sequence["BlockSpec | dict"] = (),
                 kernel_size: int = 9, edge_importance: bool = True, backend: str = "mp",
                 dropout_before_conv: bool = False,
                 spatial: "str | SpatialFactory | None" = None,
                 spatial_kwargs: dict[str, Any] | None = None,
                 temporal: "str | TemporalFactory | None" = None,
                 temporal_kwargs: dict[str, Any] | None = None) -> None:
        super().__init__()
        blocks = [b if isinstance(b, BlockSpec) else BlockSpec(**b) for b in blocks]
        if not blocks:
            raise ValueError("blocks: expected at least one BlockSpec, got none")
        if backend not in BACKENDS:
            raise ValueError(f"backend: expected one of {list(BACKENDS)}, got {backend!r}")
        if spatial is not None and backend != "mp":
            raise ValueError(f"backend: selects the built-in spatial layer; with spatial="
                             f"{spatial!r} leave it 'mp', got {backend!r}")
        if isinstance(graph, Data):
            self.graph = graph
        else:
            self.graph = build_graph(graph, strategy, max_hop, dilation, exact_distance)
        self.config: dict[str, Any] = dict(
            in_channels=in_channels, num_classes=num_classes, graph=graph, strategy=strategy,
            max_hop=max_hop, dilation=dilation, exact_distance=exact_distance,
            blocks=[asdict(b) for b in blocks], kernel_size=kernel_size,
            edge_importance=edge_importance, backend=backend,
            dropout_before_conv=dropout_before_conv, spatial=spatial,
            spatial_kwargs=spatial_kwargs, temporal=temporal, temporal_kwargs=temporal_kwargs)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_nodes = int(self.graph.num_nodes)
        if spatial is None:
            spatial, spatial_kwargs = backend, {"edge_importance": edge_importance}
        temporal = "conv" if temporal is None else temporal
        self.data_bn = nn.BatchNorm1d(in_channels * self.num_nodes)
        channels = [in_channels] + [b.out_channels for b in blocks]
        self.blocks = nn.ModuleList(
            STGCNBlock(channels[i], spec.out_channels, self.graph, spec.stride, kernel_size,
                       spec.dropout, spec.residual, dropout_before_conv, spatial,
                       spatial_kwargs, temporal, temporal_kwargs)
            for i, spec in enumerate(blocks))
        self.head = nn.Linear(channels[-1], num_classes)

    @classmethod
    def from_preset(cls, name: str, num_classes: int, **overrides: Any) -> "STGCN":
        """A network of a named preset (``"seed"``, ``"stgcn"``), any argument overridden."""
        from .presets import preset_config

        return cls(**{**preset_config(name), "num_classes": num_classes, **overrides})

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 4:
            x = x.unsqueeze(-1)
        elif x.dim() != 5:
            raise ValueError(
                f"x: expected [N, C, T, V] or [N, C, T, V, M], got shape {list(x.shape)}")
        n, c, t, v, m = x.shape
        if c != self.in_channels or v != self.num_nodes:
            raise ValueError(
                f"x: expected C={self.in_channels} channels (dim 1) and V={self.num_nodes} "
                f"joints (dim 3), got shape {list(x.shape)}")
        x = x.permute(0, 4, 3, 1, 2).reshape(n * m, v * c, t)
        x = self.data_bn(x)
        x = x.view(n * m, v, c, t).permute(0, 2, 3, 1).contiguous()
        for block in self.blocks:
            x = block(x)
        x = x.mean(dim=(2, 3)).view(n, m, -1).mean(dim=1)
        return self.head(x)

    def to_backend(self, backend: str) -> "STGCN":
        """A copy of this model on another backend (``"mp"`` or ``"dense"``), weights equal."""
        if backend not in BACKENDS:
            raise ValueError(f"backend: expected one of {list(BACKENDS)}, got {backend!r}")
        if self.config["spatial"] is not None:
            raise TypeError(f"to_backend: the spatial layer {self.config['spatial']!r} is not "
                            f"the built-in layer and has no {backend!r} equivalent")
        model = copy.deepcopy(self)
        for block in model.blocks:
            if backend == "dense" and isinstance(block.gcn, SpatialGraphConv):
                block.gcn = block.gcn.to_dense()
            elif backend == "mp" and isinstance(block.gcn, DenseSpatialGraphConv):
                block.gcn = SpatialGraphConv.from_dense(block.gcn)
        model.config["backend"] = backend
        return model
