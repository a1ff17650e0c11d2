"""Fixtures of the training and command tests: a tiny synthetic folder and a tiny preset."""
import pytest

from stgcn_pyg.data import write_synthetic


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    """A 12-class synthetic folder: 32 train / 16 test clips of 8 frames, 25 joints."""
    root = tmp_path_factory.mktemp("tiny")
    write_synthetic(root, train=32, test=16, frames=8, seed=0)
    return root


@pytest.fixture(autouse=True)
def tiny_preset(monkeypatch):
    """A two-block network ("tiny") so that training tests take seconds."""
    from stgcn_pyg.models import BlockSpec, presets

    def tiny():
        return dict(in_channels=3, graph="ntu-rgb+d", strategy="spatial", kernel_size=3,
                    blocks=[BlockSpec(8, 1, residual=False), BlockSpec(16, 2, dropout=0.1)])

    monkeypatch.setitem(presets.PRESETS, "tiny", tiny)
