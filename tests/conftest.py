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
