"""torchrun support: process-group setup from the environment, rank-0 helpers."""
from __future__ import annotations

import contextlib
import os
import re
import signal
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    """This process's place in the run (``world_size == 1``: no process group)."""

    rank: int
    world_size: int
    device: torch.device

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def setup(device: str | None = None) -> Dist:
    """Join the process group that ``torchrun`` describes (``WORLD_SIZE`` > 1): gloo on CPU,
    nccl on CUDA. Without torchrun, a single process on ``device`` (default: cuda if any)."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if not _parses(device) or torch.device(device).type not in ("cpu", "cuda"):
        raise ValueError(f"--device {device}: expected cpu, cuda or cuda:N")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"--device {device}: CUDA is not available on this machine")
    if world_size == 1:
        return Dist(0, 1, torch.device(device))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device.startswith("cuda"):
        torch.cuda.set_device(local_rank)
        target = torch.device("cuda", local_rank)
    else:
        target = torch.device("cpu")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if target.type == "cuda" else "gloo")
    return Dist(dist.get_rank(), dist.get_world_size(), target)


class PeerLost(RuntimeError):
    """A collective operation failed: another process of the run died or left."""


_PEER_FAILURES = ("Connection closed by peer", "Connection reset by peer", "Broken pipe",
                  "Timed out waiting", "Socket Timeout")


def is_peer_failure(err: BaseException) -> bool:
    """``err`` says a collective failed because another process is gone."""
    return (isinstance(err, (PeerLost, dist.DistError))
            or any(text in str(err) for text in _PEER_FAILURES))


def first_sentence(err: BaseException) -> str:
    """The first sentence of ``err``'s message, without gloo's ``[file.cc:line]`` prefix."""
    text = re.sub(r"^\[[^\]]*\]\s*", "", str(err).strip())
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0][:200]


@contextlib.contextmanager
def stop_on_sigterm(info: Dist) -> Iterator[None]:
    """Under several processes, SIGTERM (what torchrun sends the others when one process
    fails) raises :class:`PeerLost` in the main thread, so the run ends with its one-line
    message instead of dying mid-line."""
    if not info.enabled:
        yield
        return

    def handler(signum, frame):
        raise PeerLost("stopped by SIGTERM (torchrun stops every process when one fails)")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _parses(device: str) -> bool:
    try:
        torch.device(device)
    except (RuntimeError, ValueError):
        return False
    return True


def teardown(info: Dist) -> None:
    """Leave the process group together, after a success: a barrier first, so that no process
    destroys the group while process 0 still writes the run's files. Free everything that
    holds the group (the run's DDP reducer) before calling this: freed after the destroy, the
    reducer now and then never returned (docs/training.md, "Several processes")."""
    if info.enabled and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def all_sum(info: Dist, values: list[float]) -> list[float]:
    """Sum ``values`` over all processes (identity in a single process)."""
    if not info.enabled:
        return values
    tensor = torch.tensor(values, dtype=torch.float64, device=info.device)
    dist.all_reduce(tensor)
    return tensor.tolist()


def all_gather(info: Dist, obj):
    """``[obj of rank 0, obj of rank 1, ...]`` (``[obj]`` in a single process)."""
    if not info.enabled:
        return [obj]
    out = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def barrier(info: Dist) -> None:
    if info.enabled:
        dist.barrier()
