import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import datasets_dir  # noqa: E402


@pytest.fixture
def shared_datasets() -> Path:
    """The real recordings of ../shared/datasets; skips with the reason when absent."""
    path = datasets_dir()
    if not path.is_dir():
        pytest.skip(f"real datasets not found at {path} (set STGCN_PYG_DATA)")
    return path


@pytest.fixture(autouse=True)
def fresh_dynamo():
    """Each test compiles from a clean Dynamo cache: compiled models in earlier tests share
    code objects (``STGCN.forward``) and would otherwise exhaust its recompile limit."""
    import torch._dynamo

    torch._dynamo.reset()
    yield
