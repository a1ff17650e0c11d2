"""Command-line options shared by the verbs that build or load models.

- :func:`add_layer_arguments` / :func:`layer_overrides`: ``--spatial NAME``,
  ``--spatial-kwargs JSON``, ``--temporal NAME``, ``--temporal-kwargs JSON``, ``--import MODULE``
  become ``STGCN`` keyword arguments (only those given).
- :func:`add_import_argument` / :func:`import_modules`: ``--import MODULE`` alone, for verbs that
  load checkpoints of models with custom layers.
- :func:`check_fusion_weights`: ``--weights`` of the verbs that fuse several models' scores.
- :func:`int_at_least`, :func:`float_in` and the common cases :data:`COUNT`, :data:`INDEX`,
  :data:`FINITE`, :data:`POSITIVE`: argparse ``type=`` parsers that check the range where an
  option is parsed (``argument --fps: expected an int >= 1, got 0``).
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
from typing import Any, Callable

from ..nn import SPATIAL_LAYERS, TEMPORAL_LAYERS


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse ``type``: an int >= ``low`` (``1.5``, ``true`` and ``x`` refused)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an int >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an int >= {low}, got {value}")
        return value

    parse.__name__ = f"int >= {low}"
    return parse


def float_in(low: float = -math.inf, high: float = math.inf, low_open: bool = False,
             high_open: bool = False) -> Callable[[str], float]:
    """An argparse ``type``: a finite float in the interval (``nan``, ``inf`` refused)."""
    interval = (f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
                if math.isfinite(low) or math.isfinite(high) else "")
    expected = f"a finite number{' in ' + interval if interval else ''}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        inside = ((value > low if low_open else value >= low)
                  and (value < high if high_open else value <= high))
        if not math.isfinite(value) or not inside:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
        return value

    parse.__name__ = expected
    return parse


COUNT = int_at_least(1)      # sizes, counts, frames, epochs
INDEX = int_at_least(0)      # indices, seeds
FINITE = float_in()          # angles
POSITIVE = float_in(0.0, low_open=True)  # weights


def check_fusion_weights(weights: list[float] | None, count: int, member: str) -> None:
    """Require ``--weights`` (when given) to be ``count`` numbers, one per ``member`` (each is
    positive already: the option's type is :data:`POSITIVE`)."""
    if weights is not None and len(weights) != count:
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
