"""Interleaved wall-clock timing and peak-memory measurement, CPU or CUDA."""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Mapping

import torch
from torch.profiler import ProfilerActivity, profile


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def interleaved_times(fns: Mapping[str, Callable[[], Any]], repeats: int, warmup: int = 1,
                      device: "torch.device | str" = "cpu") -> dict[str, list[float]]:
    """Seconds per call of every function, measured round-robin in one process.

    Each round runs every function once, the order rotated by one per round, so slow drifts
    of the machine (other jobs, frequency) hit all candidates alike; ``warmup`` untimed rounds
    come first (they include ``torch.compile``'s compilation).
    """
    if repeats < 1:
        raise ValueError(f"repeats: expected an int >= 1, got {repeats!r}")
    device = torch.device(device)
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            _sync(device)
            start = time.perf_counter()
            fns[name]()
            _sync(device)
            times[name].append(time.perf_counter() - start)
    return times


def summarize(seconds: list[float]) -> dict[str, float]:
    """Median and interquartile range in milliseconds."""
    ms = sorted(s * 1e3 for s in seconds)
    q = statistics.quantiles(ms, n=4) if len(ms) > 1 else [ms[0]] * 3
    return {"median_ms": statistics.median(ms), "iqr_ms": q[2] - q[0], "runs": len(ms)}


def peak_memory(fn: Callable[[], Any], device: "torch.device | str" = "cpu") -> int:
    """Peak bytes allocated by ``fn`` above what was allocated before it ran.

    CUDA: ``torch.cuda.max_memory_allocated``. CPU: the profiler records every allocation and
    free of PyTorch's CPU allocator (``profile_memory=True``); the running sum of those events
    in time order peaks at the answer. Memory a library allocates outside PyTorch's allocator
    (e.g. oneDNN scratch space) is not seen, alike for every backend.
    """
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        fn()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - base
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events()
                    if e.name() == "[memory]" and e.device_type() == torch.autograd.DeviceType.CPU)
    current = peak = 0
    for _, nbytes in events:
        current += nbytes
        peak = max(peak, current)
    return peak
