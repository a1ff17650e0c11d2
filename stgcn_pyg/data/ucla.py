"""The NW-UCLA Multiview Action 3D JSON folder (Kinect v1, 20 joints) and its cross-view split."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io import load_json_object

NUM_JOINTS = 20
NUM_CLASSES = 10
CLASS_NAMES = ("pick up with one hand", "pick up with two hands", "drop trash",
               "walk around", "sit down", "stand up", "donning", "doffing", "throw", "carry")
TRAIN_VIEWS = frozenset({1, 2})  # the standard cross-view protocol: view 3 tests
_NAME = re.compile(r"a(\d+)_s(\d+)_e(\d+)_v(\d+)")
_KEYS = ("file_name", "skeletons", "label")


@dataclass(frozen=True)
class UCLASequence:
    """One sequence: ``joints [T, 20, 3]`` in metres, 0-based ``label``, ``view`` 1..3."""

    name: str
    joints: np.ndarray
    label: int
    view: int


def read_ucla_json(path: "str | Path", record: dict | None = None) -> UCLASequence:
    """Read ``{"file_name": "aAA_sSS_eEE_vVV", "skeletons": [T][20][3], "label": 1..10}``
    (``record``: the file's content when already read)."""
    path = Path(path)
    record = load_json_object(path) if record is None else record
    missing = [key for key in _KEYS if key not in record]
    if missing:
        raise ValueError(f"{path}: missing keys {missing} (expected {list(_KEYS)})")
    match = _NAME.fullmatch(str(record["file_name"]))
    if match is None:
        raise ValueError(f"{path}: file_name {record['file_name']!r} does not match "
                         f"aAA_sSS_eEE_vVV")
    label = record["label"]
    if not isinstance(label, int) or not 1 <= label <= NUM_CLASSES:
        raise ValueError(f"{path}: label: expected an int in 1..{NUM_CLASSES}, got {label!r}")
    try:
        joints = np.asarray(record["skeletons"], dtype=np.float32)
    except (ValueError, TypeError):
        raise ValueError(f"{path}: skeletons: expected a [T][{NUM_JOINTS}][3] number array") from None
    if joints.ndim != 3 or joints.shape[0] < 1 or joints.shape[1:] != (NUM_JOINTS, 3):
        raise ValueError(f"{path}: skeletons: expected shape [T >= 1, {NUM_JOINTS}, 3], got "
                         f"{list(joints.shape)}")
    if not np.isfinite(joints).all():
        raise ValueError(f"{path}: skeletons hold NaN or inf")
    return UCLASequence(record["file_name"], joints, label - 1, int(match.group(4)))


def ucla_split(view: int) -> str:
    """``"train"`` (views 1, 2) or ``"test"`` (view 3) under the cross-view protocol."""
    return "train" if view in TRAIN_VIEWS else "test"


def ucla_recording(name: str) -> tuple[int, int, int]:
    """``(action, subject, repetition)`` of a file name ``aAA_sSS_eEE_vVV``: one performance,
    recorded by every view."""
    match = _NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"name: expected aAA_sSS_eEE_vVV, got {name!r}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def ucla_files(root: "str | Path") -> list[Path]:
    """The sorted ``*.json`` files of an NW-UCLA folder (``root`` or ``root/all_sqe``)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"NW-UCLA folder {root}: no such directory")
    if (root / "all_sqe").is_dir():
        root = root / "all_sqe"
    files = sorted(root.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"NW-UCLA folder {root}: no .json files")
    return files
