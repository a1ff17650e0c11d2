from pathlib import Path

import pytest


@pytest.fixture
def nw_ucla_file(shared_datasets) -> Path:
    path = shared_datasets / "nw-ucla" / "all_sqe" / "a01_s01_e00_v01.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path
