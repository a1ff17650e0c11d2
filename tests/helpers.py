"""Helpers shared by the tests (imported as ``helpers``; conftest files hold fixtures only)."""
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stgcn_pyg.utils import default_dtype  # noqa: F401  (re-exported for the tests)

TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5}
MIN_PIXEL_VARIANCE = 25.0


def datasets_dir() -> Path:
    """``$STGCN_PYG_DATA`` or ``../shared/datasets`` beside the project."""
    return Path(os.environ.get("STGCN_PYG_DATA",
                               Path(__file__).parents[1] / ".." / "shared" / "datasets"))


def check_image(path, size=None, min_size=(200, 200), min_frames=1) -> Image.Image:
    """The file is a real picture: it exists, has ``size`` pixels (or at least ``min_size``),
    is not blank (grey-level variance above a threshold) and has ``min_frames`` frames."""
    path = Path(path)
    assert path.is_file() and path.stat().st_size > 1000, f"{path} was not written"
    image = Image.open(path)
    if size is not None:
        assert image.size == tuple(size), f"{path}: {image.size} pixels, expected {size}"
    else:
        assert image.size >= tuple(min_size), f"{path}: {image.size} pixels, expected >= {min_size}"
    assert getattr(image, "n_frames", 1) >= min_frames
    variance = float(np.asarray(image.convert("L"), dtype=np.float64).var())
    assert variance > MIN_PIXEL_VARIANCE, f"{path} looks blank (pixel variance {variance:.1f})"
    return image


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        new = _children(todo.pop()) - found
        found |= new
        todo.extend(new)
    return found


def alive(pid: int) -> bool:
    """``pid`` runs (a zombie does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def run_process_tree(command, timeout: float, dump_signal=None, **kwargs):
    """``subprocess.run`` for a command that starts processes of its own (torchrun): in a new
    session, its descendants noted while it runs (torchrun's workers leave the launcher's
    process group), and on timeout the group and every noted descendant killed.

    ``dump_signal``: sent to every descendant 2 s before the kill (e.g. SIGUSR1 for a
    ``faulthandler`` stack dump). Returns ``(CompletedProcess, pids of every descendant
    seen)``; its ``returncode`` is None when the command was killed for the timeout.
    """
    import signal
    import subprocess
    import time

    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while True:
        seen |= _descendants(proc.pid)
        try:
            out, err = proc.communicate(timeout=0.2)
            return subprocess.CompletedProcess(command, proc.returncode, out, err), seen
        except subprocess.TimeoutExpired:
            if time.monotonic() < deadline:
                continue
        seen |= _descendants(proc.pid)
        if dump_signal is not None:
            _signal_all(seen, dump_signal)
            time.sleep(2)
        _signal_all(seen | {proc.pid}, signal.SIGKILL)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        gone_by = time.monotonic() + 10  # SIGKILL is delivered asynchronously
        while any(alive(pid) for pid in seen) and time.monotonic() < gone_by:
            time.sleep(0.05)
        return subprocess.CompletedProcess(command, None, out, err), seen


def _signal_all(pids, signum) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def assert_same_function(out, expected, inputs, atol):
    """``out`` equals ``expected`` and so do their gradients with respect to every tensor of
    ``inputs`` (for one random output weighting), within ``atol``."""
    import torch

    torch.testing.assert_close(out, expected, rtol=0, atol=atol)
    seed = torch.randn_like(out)
    ours = torch.autograd.grad((out * seed).sum(), inputs, retain_graph=True)
    theirs = torch.autograd.grad((expected * seed).sum(), inputs, retain_graph=True)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=atol)
