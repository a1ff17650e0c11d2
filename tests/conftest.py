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


@pytest.fixture(scope="session")
def inductor_verdict():
    """Whether torch's inductor computes right gradients on this machine (the known fault's
    reproduction, ``stgcn_pyg.models.compile.known_fault_check``)."""
    from stgcn_pyg.models.compile import known_fault_check

    return known_fault_check()


@pytest.fixture
def right_inductor(inductor_verdict):
    """Compiled-equals-eager tests skip, with the probe's finding as the reason, on a machine
    where torch's compiler is wrong: that is torch's fault, which the library's own check
    (tests/models/test_compile.py) catches on every machine."""
    if not inductor_verdict.ok:
        pytest.skip(f"torch's inductor is wrong on this machine: {inductor_verdict.line()}")
