"""Building a network from run options: a preset, with the layout, strategy and layers that a
run (the CLI, a config, a resumed checkpoint) asks for."""
from __future__ import annotations

import importlib
from typing import Any, Iterable

from .presets import preset_config
from .stgcn import STGCN


def model_from_options(preset: str, num_classes: int, layout: str, in_channels: int, *,
                       strategy: str | None = None, spatial: str | None = None,
                       spatial_kwargs: dict[str, Any] | None = None,
                       temporal: str | None = None,
                       temporal_kwargs: dict[str, Any] | None = None,
                       imports: Iterable[str] = (), persons: int = 1) -> STGCN:
    """``STGCN.from_preset(preset, ...)`` on ``layout`` with ``in_channels`` inputs; every
    other option overrides the preset only when given. ``imports`` are imported first (the
    modules that register custom layers). A preset that normalizes its input per person
    (CTR-GCN's) is built for the data's ``persons``."""
    for module in imports:
        importlib.import_module(module)
    overrides: dict[str, Any] = dict(graph=layout, in_channels=in_channels)
    if preset_config(preset).get("persons") is not None:
        overrides["persons"] = persons
    given = dict(strategy=strategy, spatial=spatial, spatial_kwargs=spatial_kwargs,
                 temporal=temporal, temporal_kwargs=temporal_kwargs)
    overrides.update({key: value for key, value in given.items() if value is not None})
    return STGCN.from_preset(preset, num_classes, **overrides)
