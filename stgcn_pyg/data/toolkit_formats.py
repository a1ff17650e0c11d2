"""The processed formats of other skeleton toolkits -> the folder format, without a full copy
in memory.

- ``stgcn-npy``: the original ST-GCN / mmskeleton ``{train,val}_data.npy`` [N, 3, T, V, M]
  float32 with ``{train,val}_label.pkl`` = ``(sample_names, labels)``, labels 0-based; also
  2s-AGCN's ``{train,val}_data_joint.npy`` naming.
- ``ctrgcn-npz``: CTR-GCN's ``x_train`` [N, T, M·V·C] (M = 2, V = 25, C = 3) with one-hot
  ``y_train`` [N, classes], and ``x_test`` / ``y_test``.

Both write ``{train,test}_{data,label}.npy`` (``val`` becomes ``test``) and ``meta.json`` with
the layout and channel names, so ``train`` needs no ``--layout``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..io import atomic_path, load_plain_pickle, save_json
from .folder import META_FILE, split_paths

CHANNELS = {"ntu-rgb+d": ["x", "y", "z"], "openpose": ["x", "y", "score"],
            "coco": ["x", "y", "score"]}
LAYOUT_OF_V = {25: "ntu-rgb+d", 18: "openpose", 17: "coco"}
CHUNK = 256  # samples copied at a time


def prepare_stgcn_npy(source: "str | Path", out: "str | Path",
                      layout: str | None = None) -> dict[str, int]:
    """An ST-GCN / 2s-AGCN processed folder -> the folder format. Returns samples per split."""
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"stgcn-npy folder {source}: no such directory")
    counts: dict[str, int] = {}
    shapes = []
    for theirs, ours in (("train", "train"), ("val", "test")):
        data_path = next((source / name for name in (f"{theirs}_data.npy",
                                                     f"{theirs}_data_joint.npy")
                          if (source / name).is_file()), None)
        if data_path is None:
            raise FileNotFoundError(f"stgcn-npy folder {source}: missing {theirs}_data.npy "
                                    f"(or 2s-AGCN's {theirs}_data_joint.npy)")
        data = _open_npy(data_path)
        if data.ndim != 5:
            raise ValueError(f"{data_path}: expected data [N, C, T, V, M], got shape "
                             f"{list(data.shape)}")
        labels = _read_label_pickle(source / f"{theirs}_label.pkl", len(data))
        _copy(data, split_paths(out, ours)[0])
        with atomic_path(split_paths(out, ours)[1]) as tmp:
            np.save(tmp, labels)
        counts[ours] = len(labels)
        shapes.append(data.shape)
    _write_meta(out, shapes[0][3], shapes[0][1], layout, "stgcn-npy")
    return counts


def prepare_ctrgcn_npz(source: "str | Path", out: "str | Path", persons: int = 2,
                       joints: int = 25, layout: str | None = None) -> dict[str, int]:
    """CTR-GCN's NTU ``.npz`` -> the folder format. Returns samples per split."""
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"ctrgcn-npz file {source}: no such file")
    try:
        archive = np.load(source)
    except (OSError, ValueError) as err:
        raise ValueError(f"{source}: not a readable .npz archive ({err})") from None
    with archive:
        missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in archive]
        if missing:
            raise ValueError(f"{source}: missing arrays {missing} (expected x_train, y_train, "
                             f"x_test, y_test)")
        counts = {}
        for split in ("train", "test"):
            x, y = archive[f"x_{split}"], archive[f"y_{split}"]
            if x.ndim != 3 or x.shape[2] % (persons * joints):
                raise ValueError(f"{source}: x_{split}: expected [N, T, {persons} x {joints} x C], "
                                 f"got shape {list(x.shape)}")
            if y.ndim != 2 or len(y) != len(x) or not np.all(y.sum(axis=1) == 1) \
                    or not np.all((y == 0) | (y == 1)):
                raise ValueError(f"{source}: y_{split}: expected one-hot labels [N={len(x)}, "
                                 f"classes], got shape {list(y.shape)}")
            c = x.shape[2] // (persons * joints)
            # [N, T, M, V, C] -> [N, C, T, V, M]
            data = x.reshape(len(x), x.shape[1], persons, joints, c).transpose(0, 4, 1, 3, 2)
            _copy(data, split_paths(out, split)[0])
            with atomic_path(split_paths(out, split)[1]) as tmp:
                np.save(tmp, y.argmax(axis=1).astype(np.int64))
            counts[split] = len(x)
    _write_meta(out, joints, c, layout, "ctrgcn-npz")
    return counts


def _open_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable .npy array ({err})") from None


def _read_label_pickle(path: Path, count: int) -> np.ndarray:
    """``(sample_names, labels)`` -> labels [N] int64, checked against the data's N."""
    value: Any = load_plain_pickle(path, "label file")
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(f"label file {path}: expected a pickle of (sample_names, labels), got "
                         f"{type(value).__name__}")
    names, labels = value
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or len(names) != len(labels):
        raise ValueError(f"label file {path}: expected as many integer labels as names, got "
                         f"{len(names)} names and labels of shape {list(labels.shape)} "
                         f"dtype {labels.dtype}")
    if len(labels) != count:
        raise ValueError(f"label file {path}: {len(labels)} labels but the data holds {count} "
                         f"samples")
    if labels.size and labels.min() < 0:
        raise ValueError(f"label file {path}: labels must be >= 0 (0-based), found "
                         f"{int(labels.min())}")
    return labels.astype(np.int64)


def _copy(data: np.ndarray, path: Path) -> None:
    """Write ``data`` as float32 ``.npy`` chunk by chunk, atomically."""
    with atomic_path(path) as tmp:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=data.shape)
        for start in range(0, len(data), CHUNK):
            out[start:start + CHUNK] = data[start:start + CHUNK]
        out.flush()
        del out


def _write_meta(out: "str | Path", num_nodes: int, channels: int, layout: str | None,
                source: str) -> None:
    layout = layout or LAYOUT_OF_V.get(num_nodes)
    names = CHANNELS.get(layout, [f"c{i}" for i in range(channels)])[:channels]
    save_json({"layout": layout, "channels": names, "source": source},
              Path(out) / META_FILE)
