"""A run folder's safety: one writer at a time (a lock file) and a checkpoint that survives a
crash at any moment (the previous one kept, a corrupted latest one skipped with a warning)."""
from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path
from typing import Any, Callable

import torch

from ..io import atomic_path, remove_leftover_temporaries

LOCK = ".lock"
PREVIOUS_SUFFIX = ".prev"


class RunLock:
    """Hold ``out/.lock`` (``pid host``) while a run writes into ``out``.

    A lock of a live process on this host makes a second run fail with a ``ValueError``; a lock
    left by a process that died (``kill -9``, power loss) is taken over with a warning, and the
    half-written temporaries such a death leaves in ``out`` are removed once the lock is held.
    """

    def __init__(self, out: "str | Path") -> None:
        self.out = Path(out)
        self.path = self.out / LOCK

    def __enter__(self) -> "RunLock":
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"--out {self.out}: expected a folder, got an existing file")
        self.created = not self.out.exists()
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ValueError(f"--out {self.out}: cannot create the folder ({err})") from None
        if not os.access(self.out, os.W_OK):
            raise ValueError(f"--out {self.out}: the folder is not writable")
        me = f"{os.getpid()} {socket.gethostname()}"
        for _ in range(2):  # a stale lock is removed once, then taken
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is not None:
                    raise ValueError(f"--out {self.out}: another run (process {owner}) is writing "
                                     f"there; wait for it or choose another folder") from None
                warnings.warn(f"--out {self.out}: taking over the lock of a run that stopped "
                              f"without releasing it", RuntimeWarning, stacklevel=2)
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(me)
            remove_leftover_temporaries(self.out)
            return self
        raise ValueError(f"--out {self.out}: could not take the lock {self.path}")

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)
        if self.created and not any(self.out.iterdir()):
            self.out.rmdir()  # a run that failed before writing anything leaves no folder

    def _owner(self) -> str | None:
        """The live process holding the lock (``"pid@host"``), or None when it is stale."""
        try:
            pid_text, host = self.path.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            return None  # unreadable or half-written by a process that died
        if host != socket.gethostname():
            return f"{pid}@{host}"  # another machine: cannot tell, assume alive
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, another user's
        return None if pid == os.getpid() else f"{pid}@{host}"


def previous(path: Path) -> Path:
    """Where the checkpoint before ``path`` is kept: ``checkpoint.prev.pt``."""
    return path.with_name(path.stem + PREVIOUS_SUFFIX + path.suffix)


def save_checkpoint(state: dict[str, Any], path: "str | Path") -> None:
    """Write ``state`` atomically, keeping the checkpoint it replaces as :func:`previous`.

    At every moment one complete checkpoint exists: the new file is fully written before the
    old one moves aside, and the new one is renamed into place right after.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
        if path.exists():
            os.replace(path, previous(path))


def load_latest_checkpoint(path: "str | Path", load: Callable[[Path], dict[str, Any]],
                           log: Callable[[str], None]) -> dict[str, Any]:
    """``load(path)``; if that file is missing or corrupted and the previous one is readable,
    the previous one (one epoch older) with a warning."""
    path = Path(path)
    try:
        return load(path)
    except (ValueError, FileNotFoundError) as err:
        backup = previous(path)
        if not backup.is_file():
            raise
        state = load(backup)
        log(f"warning: {err}; resuming from the previous checkpoint {backup} "
            f"(epoch {state['epoch']})")
        return state
