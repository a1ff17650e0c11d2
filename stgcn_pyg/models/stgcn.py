"""The ST-GCN network: data BatchNorm, a stack of ST-GCN blocks, global pooling, linear head."""
from __future__ import annotations

import copy
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from ..graph import Skeleton, build_graph, clips_from_batch
from ..nn import DenseSpatialGraphConv, EdgeImportance, SpatialGraphConv, STGCNBlock
from ..nn.block import SpatialFactory, TemporalFactory
from ..nn.graph_bound import register_graph_buffers

BACKENDS = {"mp": SpatialGraphConv, "dense": DenseSpatialGraphConv}
"""The built-in spatial layers that :meth:`STGCN.to_backend` converts between."""
GRAPH_METADATA = ("layout", "strategy", "max_hop", "dilation", "exact_distance", "center",
                  "partition_names", "all_pairs")


@dataclass(frozen=True)
class BlockSpec:
    """One block of the stack: output channels, temporal stride, residual on/off, dropout."""

    out_channels: int
    stride: int = 1
    residual: bool = True
    dropout: float = 0.0


class STGCN(nn.Module):
    """Spatial temporal graph convolutional network for skeleton action recognition.

    The model holds the skeleton graph once, as buffers (``edge_index``, ``edge_type``,
    ``edge_weight``) that follow ``.to()`` and ``state_dict``, and passes it to every block;
    each block owns its edge importance. Persons are folded into the batch; a BatchNorm1d
    normalizes the input over V·C channels (channel ``v * C + c``, as both source
    implementations do); after the blocks, features are averaged over frames and joints, then
    over persons (padded all-zero persons included, as in the original), and a linear head
    gives the class scores.

    Args:
        in_channels: input channels C (3 for x, y, z).
        num_classes: number of classes.
        graph: a layout name, ``.json`` file, :class:`Skeleton`, or a graph ``Data``.
        strategy, max_hop, dilation, exact_distance, all_pairs: partitioning, see
            :func:`stgcn_pyg.graph.build_graph` (ignored when ``graph`` is a ``Data``).
        blocks: the :class:`BlockSpec` of every block (or dicts of its fields).
        kernel_size: temporal kernel size.
        edge_importance: learn edge importance in every block, one weight per edge (a dense
            [K, V, V] matrix with ``spatial="dense"``, as the original and the seed keep it);
            ``"adjacency"``: every block learns the edge weights themselves instead
            (:class:`~stgcn_pyg.nn.LearnedAdjacency`, ST-GCN++).
        gcn_residual: give every block's spatial unit its own residual (ST-GCN++, CTR-GCN).
        temporal_norm: close every temporal unit with a BatchNorm (off for CTR-GCN).
        attention: AAGCN's attention over joints, frames and channels after every spatial unit.
        persons: normalize the input over M·V·C channels for exactly this many persons M
            (CTR-GCN's and AAGCN's data BatchNorm); None: over V·C, any M.
        dropout_before_conv: dropout placement of :class:`STGCNBlock`.
        spatial, spatial_kwargs: the spatial layer, the one way to choose it: ``"mp"``
            (:class:`SpatialGraphConv`, default), ``"dense"`` (the einsum reference), a PyG conv
            (``"gcn"``, ``"gat"``, ``"graphconv"``, ``"cheb"``) or any name registered with
            :func:`stgcn_pyg.nn.register_spatial`, and its keyword arguments (a factory
            callable also works but cannot be saved).
        backend: deprecated alias of ``spatial`` (``"mp"`` or ``"dense"``).
        temporal, temporal_kwargs: the temporal layer, likewise (None: ``"conv"``,
            :class:`TemporalConv`).

    Shapes:
        input ``[N, C, T, V]`` or ``[N, C, T, V, M]``, output ``[N, num_classes]``.
    """

    def __init__(self, in_channels: int, num_classes: int,
                 graph: "str | Path | Skeleton | Data" = "ntu-rgb+d", *,
                 strategy: str = "spatial", max_hop: int = 1, dilation: int = 1,
                 exact_distance: bool = False, blocks: Sequence["BlockSpec | dict"] = (),
                 kernel_size: int = 9, edge_importance: "bool | str" = True,
                 dropout_before_conv: bool = False, gcn_residual: bool = False,
                 temporal_norm: bool = True, attention: bool = False,
                 persons: int | None = None, all_pairs: bool = False,
                 spatial: "str | SpatialFactory | None" = None,
                 spatial_kwargs: dict[str, Any] | None = None,
                 temporal: "str | TemporalFactory | None" = None,
                 temporal_kwargs: dict[str, Any] | None = None,
                 backend: str | None = None) -> None:
        super().__init__()
        blocks = [b if isinstance(b, BlockSpec) else BlockSpec(**b) for b in blocks]
        if not blocks:
            raise ValueError("blocks: expected at least one BlockSpec, got none")
        spatial = _spatial_choice(spatial, backend)
        graph_data = model_graph(graph, strategy, max_hop, dilation, exact_distance, all_pairs)
        self.config: dict[str, Any] = dict(
            in_channels=in_channels, num_classes=num_classes, graph=graph, strategy=strategy,
            max_hop=max_hop, dilation=dilation, exact_distance=exact_distance,
            blocks=[asdict(b) for b in blocks], kernel_size=kernel_size,
            edge_importance=edge_importance, dropout_before_conv=dropout_before_conv,
            gcn_residual=gcn_residual, temporal_norm=temporal_norm, attention=attention,
            persons=persons, all_pairs=all_pairs,
            spatial=spatial, spatial_kwargs=spatial_kwargs, temporal=temporal,
            temporal_kwargs=temporal_kwargs)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.num_nodes = int(graph_data.num_nodes)
        self.num_partitions = int(graph_data.num_partitions)
        self.graph_metadata = {key: graph_data[key] for key in GRAPH_METADATA
                               if key in graph_data}
        register_graph_buffers(self, graph_data)
        if edge_importance not in (True, False, "adjacency"):
            raise ValueError(f"edge_importance: expected True, False or 'adjacency', got "
                             f"{edge_importance!r}")
        importance = ("adjacency" if edge_importance == "adjacency"
                      else ("dense" if spatial == "dense" else "edge") if edge_importance
                      else None)
        temporal = "conv" if temporal is None else temporal
        if persons is not None and (not isinstance(persons, int) or persons < 1):
            raise ValueError(f"persons: expected an int >= 1 or None, got {persons!r}")
        self.persons = persons
        self.data_bn = nn.BatchNorm1d((persons or 1) * in_channels * self.num_nodes)
        channels = [in_channels] + [b.out_channels for b in blocks]
        self.blocks = nn.ModuleList(
            STGCNBlock(channels[i], spec.out_channels, graph_data, spec.stride, kernel_size,
                       spec.dropout, spec.residual, dropout_before_conv, spatial,
                       spatial_kwargs, temporal, temporal_kwargs, importance, gcn_residual,
                       temporal_norm, attention)
            for i, spec in enumerate(blocks))
        self.head = nn.Linear(channels[-1], num_classes)

    @property
    def graph(self) -> Data:
        """The model's graph as a ``Data`` (its tensors are the model's buffers)."""
        return Data(edge_index=self.edge_index, edge_type=self.edge_type,
                    edge_weight=self.edge_weight, num_nodes=self.num_nodes,
                    num_partitions=self.num_partitions, **self.graph_metadata)

    @classmethod
    def from_preset(cls, name: str, num_classes: int, **overrides: Any) -> "STGCN":
        """A network of a named preset (``"seed"``, ``"stgcn"``), any argument overridden."""
        from .presets import preset_config

        return cls(**{**preset_config(name), "num_classes": num_classes, **overrides})

    def forward(self, x: "Tensor | Data") -> Tensor:
        """Class scores [N, classes] of clips ``x`` [N, C, T, V] or [N, C, T, V, M], or of a
        PyG ``Batch`` of skeleton samples (``x`` [V, T, C(, M)] each, e.g. from
        :class:`~stgcn_pyg.data.SkeletonDataset` through PyG's ``DataLoader``)."""
        if isinstance(x, Data):  # Batch is a Data
            x = clips_from_batch(x, self.num_nodes)
        given = list(x.shape)
        if x.dim() == 4:
            x = x.unsqueeze(-1)
        elif x.dim() != 5:
            raise ValueError(
                f"x: expected [N, C, T, V] or [N, C, T, V, M], got shape {list(x.shape)}")
        n, c, t, v, m = x.shape
        if n == 0 or t == 0 or m == 0:
            raise ValueError(f"x: expected at least one sample (N >= 1), frame and person, got "
                             f"shape {given}")
        if c != self.in_channels or v != self.num_nodes:
            raise ValueError(
                f"x: expected C={self.in_channels} channels (dim 1) and V={self.num_nodes} "
                f"joints (dim 3), got shape {list(x.shape)}")
        if self.persons is not None and m != self.persons:
            raise ValueError(f"x: expected M={self.persons} persons (dim 4; the model "
                             f"normalizes its input per person), got shape {given}")
        x = x.permute(0, 4, 3, 1, 2).reshape(n * m, v * c, t)
        if self.persons is None:
            x = self.data_bn(x)
        else:  # one BatchNorm channel per (person, joint, coordinate)
            x = self.data_bn(x.reshape(n, m * v * c, t)).view(n * m, v * c, t)
        x = x.view(n * m, v, c, t).permute(0, 2, 3, 1).contiguous()
        for block in self.blocks:
            x = block(x, self.edge_index, self.edge_type, self.edge_weight)
        x = x.mean(dim=(2, 3)).view(n, m, -1).mean(dim=1)
        return self.head(x)

    def to_backend(self, backend: str) -> "STGCN":
        """A copy of this model on another built-in spatial layer (``"mp"`` or ``"dense"``),
        weights equal; the importance changes form (per edge / dense [K, V, V]) with it."""
        if backend not in BACKENDS:
            raise ValueError(f"backend: expected one of {list(BACKENDS)}, got {backend!r}")
        if self.config["spatial"] not in BACKENDS:
            raise TypeError(f"to_backend: the spatial layer {self.config['spatial']!r} is not "
                            f"a built-in layer and has no {backend!r} equivalent")
        model = copy.deepcopy(self)
        for block in model.blocks:
            block.gcn = _convert_layer(block.gcn, BACKENDS[backend])
            if block.importance is not None:
                block.importance = _convert_importance(
                    block.importance, backend == "dense", model.edge_index, model.edge_type,
                    (model.num_partitions, model.num_nodes, model.num_nodes))
        model.config["spatial"] = backend
        return model


def model_graph(graph: "str | Path | Skeleton | Data", strategy: str = "spatial",
                max_hop: int = 1, dilation: int = 1, exact_distance: bool = False,
                all_pairs: bool = False) -> Data:
    """The graph of an :class:`STGCN` argument: a ``Data`` as it is, else
    :func:`~stgcn_pyg.graph.build_graph` of the layout with the partition arguments."""
    if isinstance(graph, Data):
        return graph
    return build_graph(graph, strategy, max_hop, dilation, exact_distance, all_pairs)


def _spatial_choice(spatial: "str | SpatialFactory | None", backend: str | None
                    ) -> "str | SpatialFactory":
    """``spatial``, with the deprecated ``backend`` keyword mapped onto it."""
    if backend is None:
        return "mp" if spatial is None else spatial
    warnings.warn("STGCN(backend=...) is deprecated: pass spatial=... (the one way to choose "
                  "the spatial layer)", DeprecationWarning, stacklevel=3)
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {list(BACKENDS)}, got {backend!r}")
    if spatial is not None and spatial != backend:
        raise ValueError(f"backend: a deprecated alias of spatial; got both backend={backend!r} "
                         f"and spatial={spatial!r}")
    return backend


def _convert_layer(layer: nn.Module, cls: type) -> nn.Module:
    if type(layer) is cls:
        return layer
    if type(layer) not in BACKENDS.values():
        raise TypeError(f"to_backend: a {type(layer).__name__} spatial layer has no {cls.__name__} "
                        f"equivalent")
    converted = cls(layer.in_channels, layer.out_channels, layer.num_partitions,
                    bias=layer.conv.bias is not None)
    converted.conv = layer.conv
    return converted


def _convert_importance(importance: EdgeImportance, dense: bool, edge_index: Tensor,
                        edge_type: Tensor, dense_shape: tuple[int, int, int]) -> EdgeImportance:
    """The same importance in per-edge [E] or dense [K, V, V] form (off-graph entries: 1)."""
    if not isinstance(importance, EdgeImportance) or importance.dense == dense:
        return importance  # a LearnedAdjacency works with either layer as it is
    at_edges = importance.at_edges(edge_index, edge_type).detach()
    converted = EdgeImportance(dense_shape if dense else (at_edges.numel(),)).to(at_edges)
    with torch.no_grad():
        if dense:
            converted.weight[edge_type, edge_index[0], edge_index[1]] = at_edges
        else:
            converted.weight.copy_(at_edges)
    return converted
