"""``torch.compile`` as an option, and the way back to the plain module for saving."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn


def maybe_compile(model: nn.Module, enabled: bool = True, **options: Any) -> nn.Module:
    """``torch.compile(model, **options)`` when ``enabled``, else ``model`` itself.

    The compiled module shares parameters with ``model``; save and convert ``model`` (or
    :func:`unwrap_compiled` of the result), whose state dict has no ``_orig_mod.`` prefix.
    The built-in layers and both variants compile with ``fullgraph=True`` (no graph breaks).
    """
    return torch.compile(model, **options) if enabled else model


def unwrap_compiled(model: nn.Module) -> nn.Module:
    """The eager module behind a compiled one (``model`` itself when it is not compiled)."""
    return getattr(model, "_orig_mod", model)
