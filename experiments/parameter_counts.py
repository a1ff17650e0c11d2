"""Trainable parameters of the presets with the built-in layers and with the two variants.

Usage: python experiments/parameter_counts.py  (prints a Markdown table)
"""
from __future__ import annotations

from stgcn_pyg.models import STGCN

VARIANTS = {
    "plain (SpatialGraphConv + TemporalConv)": {},
    "adaptive (learned edge weights)": dict(spatial="adaptive"),
    "adaptive + data-dependent C_k": dict(spatial="adaptive",
                                          spatial_kwargs={"data_dependent": True}),
    "mstcn": dict(temporal="mstcn"),
    "adaptive + data-dependent + mstcn": dict(spatial="adaptive", temporal="mstcn",
                                              spatial_kwargs={"data_dependent": True}),
    "PyG GCNConv (`--spatial gcn`)": dict(spatial="gcn"),
    "PyG GATConv (`--spatial gat`)": dict(spatial="gat"),
}
PRESETS = {"seed": 14, "stgcn": 60}


def main() -> None:
    print("| layers | " + " | ".join(f"`{p}` ({c} classes)" for p, c in PRESETS.items()) + " |")
    print("|---|" + "---:|" * len(PRESETS))
    for name, overrides in VARIANTS.items():
        counts = [sum(p.numel() for p in STGCN.from_preset(preset, classes, **overrides)
                      .parameters() if p.requires_grad) for preset, classes in PRESETS.items()]
        print(f"| {name} | " + " | ".join(f"{c:,}" for c in counts) + " |")


if __name__ == "__main__":
    main()
