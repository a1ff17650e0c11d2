"""Atomic file writes: a reader never sees a half-written file, a crash leaves the old one."""
from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch


TEMPORARY_MARK = ".tmp"  # atomic_path writes ``.<name>.<random>.tmp<suffix>`` beside ``<name>``


@contextlib.contextmanager
def atomic_path(path: "str | Path") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_MARK + path.suffix,
                               dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    tmp_path.chmod(0o666 & ~umask)  # mkstemp makes 0600; give the file an ordinary mode
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextlib.contextmanager
def new_folder(out: "str | Path", force: bool = False, option: str = "--out") -> Iterator[Path]:
    """Write a whole folder at once: yields an empty temporary folder beside ``out`` that
    becomes ``out`` when the block ends without an error (removed otherwise).

    An existing non-empty ``out`` is refused (a ``ValueError`` naming ``option``) unless
    ``force``; then it stays intact until the new content is complete, and is replaced.
    """
    out = Path(out)
    if str(out) in ("", "."):
        raise ValueError(f"{option}: expected a folder name, got {str(out)!r}")
    if out.exists() and not force and (not out.is_dir() or any(out.iterdir())):
        kind = "a file" if not out.is_dir() else "a folder with files in it"
        raise ValueError(f"{option} {out}: exists and is {kind}; pass --force to replace it "
                         f"or choose another folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists() or out.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
        os.replace(out, old / "content")
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_leftover_temporaries(folder: "str | Path") -> list[Path]:
    """Delete the temporaries a killed process left in ``folder`` mid-:func:`atomic_path`
    (``kill -9`` skips its cleanup) and return them. Only safe for a folder nobody else is
    writing into, e.g. under a :class:`~stgcn_pyg.train.run_folder.RunLock`."""
    leftovers = sorted(Path(folder).glob(f".*{TEMPORARY_MARK}*"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers


def save_torch(obj: Any, path: "str | Path") -> None:
    """``torch.save`` atomically."""
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def save_json(obj: Any, path: "str | Path") -> None:
    """Write ``obj`` as indented JSON atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2) + "\n")


def load_npy(path: "str | Path") -> np.ndarray:
    """A ``.npy`` array, memory-mapped (no copy in memory, no pickles); an unreadable file is a
    ``ValueError`` that names it."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f"{path}: not a readable .npy array ({err})") from None


def load_json_object(path: "str | Path", what: str = "") -> dict:
    """Read a JSON object; errors name ``what`` and the file (missing, invalid, not an object)."""
    path = Path(path)
    label = f"{what} {path}" if what else str(path)
    if not path.is_file():
        raise FileNotFoundError(f"{label}: no such file")
    try:
        value = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{label}: not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{label}: expected a JSON object, got {type(value).__name__}")
    return value


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain values only (lists, tuples, dicts, str, numbers, numpy scalars/arrays)."""

    ALLOWED = {("builtins", "list"), ("builtins", "tuple"), ("builtins", "dict"),
               ("builtins", "str"), ("builtins", "int"), ("builtins", "float"),
               ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "_reconstruct"),
               ("numpy._core.multiarray", "_reconstruct"), ("numpy", "ndarray")}

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} (only plain values "
                                         f"are read from data files)")
        return super().find_class(module, name)


def load_plain_pickle(path: "str | Path", what: str = "") -> Any:
    """Read a pickle of plain values (label files of other toolkits) without running code
    from it; errors name the file."""
    path = Path(path)
    label = f"{what} {path}" if what else str(path)
    if not path.is_file():
        raise FileNotFoundError(f"{label}: no such file")
    try:
        with open(path, "rb") as handle:
            return _PlainUnpickler(handle).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        raise ValueError(f"{label}: not a readable pickle of plain values ({err})") from None
