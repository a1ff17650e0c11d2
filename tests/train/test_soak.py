"""Endurance: 200 epochs on the embedded synthetic data, a checkpoint every epoch, memory flat.

Run with ``python -m pytest -m soak tests/train/test_soak.py`` (about 15 minutes on 2 cores).
"""
import resource

import pytest

from stgcn_pyg.data import write_synthetic
from stgcn_pyg.train import TrainConfig, load_checkpoint, train


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


@pytest.mark.soak
def test_200_epochs_with_a_checkpoint_each_keep_memory_flat(tmp_path):
    data = tmp_path / "data"
    write_synthetic(data, train=240, test=120, frames=32, seed=0)  # the demo's actions
    rss = []
    config = TrainConfig(data=str(data), out=str(tmp_path / "run"), preset="compact",
                         epochs=200, seed=0, overrides={"batch_size": 32}, progress=False)
    train(config, log=lambda line: rss.append(_rss_mb()) if line.startswith("epoch ") else None)
    assert len(rss) == 200
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")["epoch"] == 200
    settled = rss[19]  # allocator pools and caches fill during the first epochs
    growth = max(rss[20:]) - settled
    print(f"RSS after epoch 20: {settled:.1f} MB, max after: {max(rss[20:]):.1f} MB, "
          f"last: {rss[-1]:.1f} MB")
    assert growth < 64, f"RSS grew {growth:.1f} MB between epoch 20 and 200"
