"""Small helpers shared across the package."""
from __future__ import annotations

import contextlib
import inspect
from typing import Callable, Iterator

import torch


def accepts(function: Callable, name: str) -> bool:
    """Whether ``function`` declares a parameter called ``name`` (False when its signature
    cannot be read)."""
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """Create parameters in ``dtype`` inside the block (graph buffers stay float64)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)
