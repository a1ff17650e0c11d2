"""Any standard PyG convolution as an ST-GCN spatial layer, run over the frames as one graph."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.nn import ChebConv, GATConv, GCNConv, GraphConv

from ..utils import accepts
from .checks import check_graph
from .registry import register_spatial


class FramewiseConv(nn.Module):
    r"""Apply a PyG conv ``conv(x [nodes, C], edge_index, ...)`` to every frame of every sample.

    The N·T skeletons of a ``[N, C, T, V]`` input become one batched graph of N·T·V nodes
    (a disjoint union: frame ``f`` owns nodes ``f·V .. f·V + V - 1``), so the wrapped layer
    runs once, exactly as PyG's own mini-batching would run it on N·T separate graphs. The
    edges of all partitions are passed together (``edge_type`` is not used: a plain PyG conv
    knows no partitions). Edge weights are passed as the conv accepts them: ``edge_weight``
    (GCNConv, GraphConv, ChebConv), else ``edge_attr`` [E, 1] (GATConv with ``edge_dim=1``),
    else not at all.

    Args:
        conv: a PyG layer mapping ``[nodes, C] -> [nodes, C']``.

    Shapes:
        input ``x`` [N, C, T, V], ``edge_index`` [2, E], ``edge_type`` [E] (ignored),
        ``edge_weight`` [E], [N, E] or None; output [N, C', T, V].
    """

    def __init__(self, conv: nn.Module) -> None:
        super().__init__()
        self.conv = conv
        self.weight_argument = next((name for name in ("edge_weight", "edge_attr")
                                     if accepts(conv.forward, name)), None)

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_type: Tensor | None = None,
                edge_weight: Tensor | None = None) -> Tensor:
        check_graph(x, edge_index, edge_type, edge_weight, num_partitions=None)
        n, c, t, v = x.shape
        frames = n * t
        offsets = torch.arange(frames, device=x.device).mul_(v).view(frames, 1, 1)
        batched_index = (edge_index.unsqueeze(0) + offsets).transpose(0, 1).reshape(2, -1)
        nodes = x.permute(0, 2, 3, 1).reshape(frames * v, c)  # frame-major, then joint
        kwargs = {}
        if self.weight_argument is not None and edge_weight is not None:
            weight = edge_weight.to(x.dtype)  # [E] or [N, E] -> one copy per frame
            per_frame = weight.reshape(-1, 1, weight.size(-1)).expand(n, t, -1).reshape(-1)
            kwargs[self.weight_argument] = (per_frame.unsqueeze(-1)
                                            if self.weight_argument == "edge_attr" else per_frame)
        out = self.conv(nodes, batched_index, **kwargs)
        return out.view(n, t, v, -1).permute(0, 3, 1, 2)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.conv})"


# The registered PyG layers: factory(in_channels, out_channels, num_partitions, **kwargs), the
# keyword arguments going to the PyG constructor. ``num_partitions`` is accepted for the
# common spatial-layer signature and not used.

@register_spatial("gcn")
def gcn(in_channels: int, out_channels: int, num_partitions: int, **kwargs) -> FramewiseConv:
    """PyG ``GCNConv`` (symmetric normalization, self-loops added where missing)."""
    return FramewiseConv(GCNConv(in_channels, out_channels, **kwargs))


@register_spatial("gat")
def gat(in_channels: int, out_channels: int, num_partitions: int, heads: int = 1,
        **kwargs) -> FramewiseConv:
    """PyG ``GATConv``; ``heads`` heads of ``out_channels // heads`` channels, concatenated.
    The edge weight enters the attention as a 1-D edge feature (``edge_dim=1``)."""
    if out_channels % heads:
        raise ValueError(f"heads: expected a divisor of out_channels={out_channels}, got {heads}")
    kwargs.setdefault("edge_dim", 1)
    return FramewiseConv(GATConv(in_channels, out_channels // heads, heads=heads, **kwargs))


@register_spatial("graphconv")
def graphconv(in_channels: int, out_channels: int, num_partitions: int,
              **kwargs) -> FramewiseConv:
    """PyG ``GraphConv`` (weighted neighbour sum plus a root weight)."""
    return FramewiseConv(GraphConv(in_channels, out_channels, **kwargs))


@register_spatial("cheb")
def cheb(in_channels: int, out_channels: int, num_partitions: int, K: int = 2,
         **kwargs) -> FramewiseConv:
    """PyG ``ChebConv`` with Chebyshev order ``K`` (default 2)."""
    return FramewiseConv(ChebConv(in_channels, out_channels, K, **kwargs))
