"""The pyskl backbones of ``../shared/reference/pyskl`` (Apache 2.0) for the equivalence tests,
through :mod:`stgcn_pyg.bench.pyskl_reference` (loaded without mmcv); skipped with the reason
when the folder is absent."""
from __future__ import annotations

from pathlib import Path

import pytest

from stgcn_pyg.bench import pyskl_reference
from stgcn_pyg.bench.pyskl_reference import Recognizer, with_graph  # noqa: F401

ROOT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pyskl"
AVAILABLE = pyskl_reference.has_pyskl(ROOT)
SKIP_REASON = f"the pyskl reference is absent ({ROOT}): the equivalence tests need it"
needs_pyskl = pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)


def backbone(name: str):
    """The reference backbone class: ``"STGCN"``, ``"AAGCN"`` or ``"CTRGCN"``."""
    if not AVAILABLE:
        pytest.skip(SKIP_REASON)
    return pyskl_reference.backbone(name, ROOT)


def graph_class():
    """pyskl's ``Graph`` (``pyskl/utils/graph.py``)."""
    if not AVAILABLE:
        pytest.skip(SKIP_REASON)
    return pyskl_reference.graph_class(ROOT)
