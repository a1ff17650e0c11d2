"""Command-line options shared by the verbs that build or load models.

- :func:`add_layer_arguments` / :func:`layer_overrides`: ``--spatial NAME``,
  ``--spatial-kwargs JSON``, ``--temporal NAME``, ``--temporal-kwargs JSON``, ``--import MODULE``
  become ``STGCN`` keyword arguments (only those given).
- :func:`add_import_argument` / :func:`import_modules`: ``--import MODULE`` alone, for verbs that
  load checkpoints of models with custom layers.
- :func:`check_fusion_weights`: ``--weights`` of the verbs that fuse several models' scores.
"""
from __future__ import annotations

import argparse
import importlib
import json
from typing import Any

from ..nn import SPATIAL_LAYERS, TEMPORAL_LAYERS


def check_fusion_weights(weights: list[float] | None, count: int, member: str) -> None:
    """Require ``--weights`` (when given) to be ``count`` positive numbers, one per ``member``."""
    if weights is not None and (len(weights) != count or any(not w > 0 for w in weights)):
        raise ValueError(f"--weights: expected {count} positive numbers (one per {member}), "
                         f"got {weights}")


def add_import_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--import", dest="imports", action="append", default=[],
                        metavar="MODULE", help="import a module that registers custom layers "
                                               "(repeatable; it must be on PYTHONPATH)")


def import_modules(args: argparse.Namespace) -> None:
    """Import every ``--import`` module (their ``register_*`` decorators run)."""
    for module in args.imports:
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise ValueError(f"--import: cannot import {module!r}: {err}") from err


def add_layer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spatial", metavar="NAME", default=None,
                        help=f"registered spatial layer (built in: "
                             f"{', '.join(SPATIAL_LAYERS.names())})")
    parser.add_argument("--spatial-kwargs", metavar="JSON", default=None,
                        help='its keyword arguments, e.g. \'{"data_dependent": true}\'')
    parser.add_argument("--temporal", metavar="NAME", default=None,
                        help=f"registered temporal layer (built in: "
                             f"{', '.join(TEMPORAL_LAYERS.names())})")
    parser.add_argument("--temporal-kwargs", metavar="JSON", default=None,
                        help='its keyword arguments, e.g. \'{"dilations": [1, 2]}\'')
    add_import_argument(parser)


def layer_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The ``STGCN`` keyword arguments of the layer options (after ``--import``)."""
    import_modules(args)
    overrides: dict[str, Any] = {}
    for kind in ("spatial", "temporal"):
        name, kwargs = getattr(args, kind), getattr(args, f"{kind}_kwargs")
        if kwargs is not None and name is None:
            raise ValueError(f"--{kind}-kwargs: given without --{kind}")
        if name is not None:
            overrides[kind] = name
        if kwargs is not None:
            try:
                parsed = json.loads(kwargs)
            except json.JSONDecodeError as err:
                raise ValueError(f"--{kind}-kwargs: expected a JSON object, got {kwargs!r} "
                                 f"({err})") from None
            if not isinstance(parsed, dict):
                raise ValueError(f"--{kind}-kwargs: expected a JSON object, got {kwargs!r}")
            overrides[f"{kind}_kwargs"] = parsed
    return overrides
