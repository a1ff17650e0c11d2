"""The seed's dataset folder: ``{train,test}_{data,label}.npy`` (+ optional ``classes.txt``).

Data is ``[N, C, T, V]`` or ``[N, C, T, V, M]`` float, labels ``[N]`` int in ``0..classes-1``.
Arrays are memory-mapped; a sample is copied out one at a time.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from ..io import atomic_path, load_json_object, load_npy, save_json

SPLITS = ("train", "val", "test")
REQUIRED_SPLITS = ("train", "test")  # "val" is optional (e.g. `prepare ucla --val-fraction`)
CLASSES_FILE = "classes.txt"
META_FILE = "meta.json"
_CHUNK = 256  # samples per block when scanning a memory-mapped array for NaN/inf


def split_paths(root: "str | Path", split: str) -> tuple[Path, Path]:
    """``(data, label)`` file paths of a split."""
    if split not in SPLITS:
        raise ValueError(f"split: expected one of {list(SPLITS)}, got {split!r}")
    root = Path(root)
    return root / f"{split}_data.npy", root / f"{split}_label.npy"


def existing_split_paths(root: "str | Path", split: str) -> tuple[Path, Path]:
    """:func:`split_paths`, both files required to exist."""
    paths = split_paths(root, split)
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"dataset folder {root}: missing {path.name} (expected "
                                    f"{{train,test}}_{{data,label}}.npy)")
    return paths


def read_class_names(root: "str | Path") -> list[str] | None:
    """The lines of ``root/classes.txt`` (one class name per line) or None when absent."""
    path = Path(root) / CLASSES_FILE
    if not path.is_file():
        return None
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def read_folder_meta(root: "str | Path") -> dict:
    """``meta.json`` of a folder written by ``prepare`` from another toolkit's format
    (``{"layout", "channels", "source"}``), or ``{}``."""
    path = Path(root) / META_FILE
    return load_json_object(path, "folder metadata") if path.is_file() else {}


def write_folder_meta(root: "str | Path", layout: str | None, channels: Sequence[str],
                      source: str) -> None:
    """``meta.json``: the folder's layout (what ``train`` resolves V joints to), the names of
    its C channels and the format it was converted from."""
    save_json({"layout": layout, "channels": list(channels), "source": source},
              Path(root) / META_FILE)


def num_classes_of(root: "str | Path") -> int:
    """Classes of a folder: ``classes.txt`` lines if present, else 1 + the largest label."""
    names = read_class_names(root)
    if names is not None:
        return len(names)
    labels = [existing_split_paths(root, split)[1] for split in REQUIRED_SPLITS]
    return 1 + max(int(np.load(path, mmap_mode="r").max(initial=-1)) for path in labels)


def write_folder(root: "str | Path", splits: dict[str, tuple[np.ndarray, np.ndarray]],
                 class_names: Sequence[str] | None = None) -> None:
    """Write ``{split: (data, labels)}`` (and ``classes.txt``) atomically, file by file."""
    root = Path(root)
    for split, (data, labels) in splits.items():
        data_path, label_path = split_paths(root, split)
        with atomic_path(data_path) as tmp:
            np.save(tmp, np.ascontiguousarray(data, dtype=np.float32))
        with atomic_path(label_path) as tmp:
            np.save(tmp, np.asarray(labels, dtype=np.int64))
    if class_names is not None:
        with atomic_path(root / CLASSES_FILE) as tmp:
            tmp.write_text("".join(f"{name}\n" for name in class_names))


class SkeletonFolder(Dataset):
    """One split of a seed-format folder, validated on open.

    Args:
        root: the folder.
        split: ``"train"``, ``"test"`` or ``"val"`` (when the folder has one).
        num_classes: labels must lie in ``0..num_classes-1`` (default: :func:`num_classes_of`).
        num_nodes: expected V (the layout's joint count); None skips the check.
        in_channels: expected C; None skips the check.
        transform: applied to each sample tensor ``[C, T, V, M]``.
        check_finite: scan the data for NaN/inf once (block by block).

    Items are ``(x [C, T, V, M] float32, label int)``; 4-D files get ``M = 1``.
    """

    def __init__(self, root: "str | Path", split: str = "train", num_classes: int | None = None,
                 num_nodes: int | None = None, in_channels: int | None = None,
                 transform: Callable[[Tensor], Tensor] | None = None,
                 check_finite: bool = True) -> None:
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"dataset folder {root}: no such directory")
        data_path, label_path = existing_split_paths(root, split)
        self.data = load_npy(data_path)
        self.labels = np.asarray(load_npy(label_path))
        self.root, self.split, self.transform = root, split, transform
        self.class_names = read_class_names(root)
        self.num_classes = num_classes if num_classes is not None else num_classes_of(root)
        self._validate(data_path, label_path, num_nodes, in_channels, check_finite)

    def label_names(self) -> list[str]:
        """One name per class: ``classes.txt`` when it names ``num_classes`` classes, else
        ``"0"``, ``"1"``, ..."""
        if self.class_names and len(self.class_names) == self.num_classes:
            return list(self.class_names)
        return [str(c) for c in range(self.num_classes)]

    def _validate(self, data_path: Path, label_path: Path, num_nodes: int | None,
                  in_channels: int | None, check_finite: bool) -> None:
        data, labels = self.data, self.labels
        if data.ndim not in (4, 5):
            raise ValueError(f"{data_path}: expected data [N, C, T, V] or [N, C, T, V, M], "
                             f"got shape {list(data.shape)}")
        if not np.issubdtype(data.dtype, np.floating):
            raise ValueError(f"{data_path}: expected float data, got dtype {data.dtype}")
        if 0 in data.shape[1:]:
            raise ValueError(f"{data_path}: expected at least one channel, frame, joint and "
                             f"person per sample, got shape {list(data.shape)}")
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"{label_path}: expected 1-D integer labels, got shape "
                             f"{list(labels.shape)} dtype {labels.dtype}")
        if len(labels) != len(data):
            raise ValueError(f"{label_path}: {len(labels)} labels but {data_path.name} holds "
                             f"{len(data)} samples")
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            bad = labels[(labels < 0) | (labels >= self.num_classes)]
            raise ValueError(f"{label_path}: labels must lie in 0..{self.num_classes - 1}, "
                             f"found {sorted(set(bad.tolist()))[:5]}")
        if num_nodes is not None and data.shape[3] != num_nodes:
            raise ValueError(f"{data_path}: V = {data.shape[3]} joints (dim 3) does not match "
                             f"the layout's {num_nodes} joints")
        if in_channels is not None and data.shape[1] != in_channels:
            raise ValueError(f"{data_path}: C = {data.shape[1]} channels (dim 1), expected "
                             f"{in_channels}")
        if check_finite:
            for start in range(0, len(data), _CHUNK):
                block = np.asarray(data[start:start + _CHUNK])
                if not np.isfinite(block).all():
                    sample = start + int(np.argwhere(~np.isfinite(block))[0][0])
                    raise ValueError(f"{data_path}: sample {sample} holds NaN or inf values")

    @property
    def sample_shape(self) -> tuple[int, int, int, int]:
        """``(C, T, V, M)`` of one item."""
        c, t, v = self.data.shape[1:4]
        return c, t, v, (self.data.shape[4] if self.data.ndim == 5 else 1)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        x = torch.from_numpy(np.array(self.data[index], dtype=np.float32))
        if x.dim() == 3:
            x = x.unsqueeze(-1)
        if self.transform is not None:
            x = self.transform(x)
        return x, int(self.labels[index])
