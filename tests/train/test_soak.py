"""Endurance: 200 epochs on the embedded synthetic data, a checkpoint every epoch, memory flat.

Run with ``python -m pytest -m soak tests/train/test_soak.py`` (about 15 minutes on 2 cores).
"""
import resource
import statistics

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
    # allocator pools and caches fill during the first epochs; after that, a leak would show
    # as a trend (transient peaks of the allocator are not one)
    early, late = statistics.median(rss[20:40]), statistics.median(rss[-20:])
    print(f"RSS median epochs 21-40: {early:.1f} MB, epochs 181-200: {late:.1f} MB, "
          f"max: {max(rss[20:]):.1f} MB")
    assert late - early < 32, f"RSS grew {late - early:.1f} MB from epochs 21-40 to 181-200"
    assert max(rss[20:]) - early < 160, f"RSS peaked {max(rss[20:]) - early:.1f} MB above"
