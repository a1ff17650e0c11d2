"""Arithmetic of a workload and of the machine: FLOPs counted by torch's ``FlopCounterMode``
and the fp32 peak measured by a large matmul in the same run (the roofline's ceiling)."""
from __future__ import annotations

import time
from typing import Any, Callable

import torch
from torch.utils.flop_counter import FlopCounterMode


def count_flops(step: Callable[[], Any]) -> int:
    """Floating-point operations of one call of ``step`` (forward and, if it runs one,
    backward), as ``FlopCounterMode`` counts them (matmuls and convolutions; elementwise work
    such as BatchNorm and ReLU is not counted)."""
    with FlopCounterMode(display=False) as counter:
        step()
    return int(counter.get_total_flops())


def matmul_peak_gflops(size: int = 2048, repeats: int = 5,
                       device: "str | torch.device" = "cpu") -> float:
    """GFLOP/s of the best of ``repeats`` ``[size, size] @ [size, size]`` fp32 matmuls at the
    current thread count: the practical peak a dense kernel reaches on this machine."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b  # warm-up: thread pool, page faults
    best = float("inf")
    for _ in range(repeats):
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best / 1e9
