import contextlib
import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))

TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5}


@contextlib.contextmanager
def default_dtype(dtype):
    """Build modules in ``dtype`` so graph buffers are exact in that precision."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def datasets_dir() -> Path:
    return Path(os.environ.get("STGCN_PYG_DATA", Path(__file__).parents[1] / ".." / "shared" / "datasets"))


@pytest.fixture
def shared_datasets() -> Path:
    path = datasets_dir()
    if not path.is_dir():
        pytest.skip(f"real datasets not found at {path} (set STGCN_PYG_DATA)")
    return path
