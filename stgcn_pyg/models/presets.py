"""Named configurations of :class:`STGCN`."""
from __future__ import annotations

from typing import Any

from .stgcn import BlockSpec


def _seed() -> dict[str, Any]:
    # The notebook's 6 blocks: no residual, dropout 0.5 before the temporal conv.
    widths_strides = [(32, 1), (32, 1), (32, 1), (64, 2), (64, 1), (64, 1)]
    return dict(in_channels=3, graph="ntu-rgb+d", strategy="distance", max_hop=1,
                kernel_size=9, edge_importance=True, dropout_before_conv=True,
                blocks=[BlockSpec(c, s, residual=False, dropout=0.5) for c, s in widths_strides])


def _ten_blocks(dropout: float) -> list[BlockSpec]:
    # The authors' released stack (also pyskl's): a plain in->64 block, then 9 residual units
    # of widths 64, 128 (stride 2), 256 (stride 2).
    widths_strides = [(64, 1), (64, 1), (64, 1), (128, 2), (128, 1), (128, 1),
                      (256, 2), (256, 1), (256, 1)]
    return ([BlockSpec(64, 1, residual=False, dropout=0.0)]
            + [BlockSpec(c, s, residual=True, dropout=dropout) for c, s in widths_strides])


def _stgcn() -> dict[str, Any]:
    blocks = _ten_blocks(dropout=0.5)
    return dict(in_channels=3, graph="ntu-rgb+d", strategy="spatial", max_hop=1,
                kernel_size=9, edge_importance=True, dropout_before_conv=False, blocks=blocks)


def _compact() -> dict[str, Any]:
    # A small, fast network for CPU training: the original's block, early temporal striding.
    blocks = [BlockSpec(24, 1, residual=False, dropout=0.0)]
    blocks += [BlockSpec(c, s, residual=True, dropout=0.1)
               for c, s in [(48, 2), (48, 1), (96, 2), (96, 1)]]
    return dict(in_channels=3, graph="ntu-rgb+d", strategy="spatial", max_hop=1,
                kernel_size=9, edge_importance=True, dropout_before_conv=False, blocks=blocks)


def _stgcnpp() -> dict[str, Any]:
    # pyskl's ST-GCN++ (Duan et al. 2022): the ST-GCN stack with the 2s-AGCN partition, the
    # adjacency itself learned over every joint pair (gcn_adaptive="init"), a residual inside
    # the spatial unit (gcn_with_res) and the six-branch temporal unit (tcn_type="mstcn").
    blocks = _ten_blocks(dropout=0.0)
    return dict(in_channels=3, graph="ntu-rgb+d", strategy="agcn", max_hop=1, all_pairs=True,
                kernel_size=9, edge_importance="adjacency", gcn_residual=True,
                dropout_before_conv=False, temporal="mstcn", blocks=blocks)


def _ctrgcn() -> dict[str, Any]:
    # CTR-GCN (Chen et al. 2021) as pyskl ships it: channel-wise topology refinement over the
    # learned shared A (every joint pair), the spatial unit's residual, CTR-GCN's four-branch
    # temporal unit (kernel 5, dilations 1 and 2, no closing BN), data BN per person (M = 2).
    blocks = _ten_blocks(dropout=0.0)
    return dict(in_channels=3, graph="ntu-rgb+d", strategy="agcn", max_hop=1, all_pairs=True,
                kernel_size=5, edge_importance="adjacency", gcn_residual=True,
                temporal_norm=False, persons=2, spatial="ctrgc", temporal="mstcn",
                temporal_kwargs=dict(branch_kernel=5, branch_norm=True, fuse=False,
                                     remainder_last=True),
                dropout_before_conv=False, blocks=blocks)


def _aagcn() -> dict[str, Any]:
    # AAGCN (Shi et al. 2020) as pyskl ships it: the learned shared A (every joint pair) plus a
    # per-sample graph tanh(theta^T phi), per-partition biases after aggregation, the spatial
    # unit's residual, attention over joints, frames and channels, a plain (9, 1) temporal
    # conv + BN, data BN per person (M = 2).
    blocks = _ten_blocks(dropout=0.0)
    return dict(in_channels=3, graph="ntu-rgb+d", strategy="agcn", max_hop=1, all_pairs=True,
                kernel_size=9, edge_importance="adjacency", gcn_residual=True, attention=True,
                persons=2, spatial="aagcn", dropout_before_conv=False, blocks=blocks)


PRESETS = {"seed": _seed, "stgcn": _stgcn, "compact": _compact, "stgcn++": _stgcnpp,
           "aagcn": _aagcn, "ctrgcn": _ctrgcn}


def preset_config(name: str) -> dict[str, Any]:
    """The constructor arguments of a preset (without ``num_classes``)."""
    if name not in PRESETS:
        raise ValueError(f"preset: expected one of {sorted(PRESETS)}, got {name!r}")
    return PRESETS[name]()


def preset_layout(name: str) -> str:
    """The layout a preset is built on."""
    return preset_config(name)["graph"]
