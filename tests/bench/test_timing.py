import pytest
import torch

from stgcn_pyg.bench.timing import interleaved_times, peak_memory, summarize


def test_interleaved_times_runs_every_candidate_round_robin():
    calls = []
    times = interleaved_times({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                              repeats=3, warmup=1)
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3}
    # warm-up round, then rounds with the order rotated by one each time
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]
    assert all(t >= 0 for v in times.values() for t in v)


def test_interleaved_times_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats: expected an int >= 1, got 0"):
        interleaved_times({"a": lambda: None}, repeats=0)


def test_summarize_median_and_iqr():
    s = summarize([0.001, 0.002, 0.003, 0.004, 0.100])
    assert s["median_ms"] == pytest.approx(3.0) and s["runs"] == 5 and s["iqr_ms"] > 0


def test_peak_memory_sees_temporary_allocations():
    def step():
        a = torch.ones(1_000_000)  # 4 MB, freed before the 8 MB result is kept
        b = torch.ones(2_000_000) + a.sum()
        del a
        return b.sum()

    peak = peak_memory(step)
    assert 20_000_000 <= peak < 20_001_000  # a (4 MB) + ones (8 MB) + the sum (8 MB) + scalars
