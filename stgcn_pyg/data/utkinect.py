"""UTKinect-Action3D (Xia, Chen & Aggarwal 2012): 20 continuous recordings
``joints_sSS_eEE.txt`` (a frame id, then 20 Kinect v1 joints x (x, y, z) per line) cut into
clips by ``actionLabel.txt`` (start and end frame id of each action)."""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from .recording import SubjectRecording, number_rows

NUM_JOINTS = 20
CLASS_NAMES = ("walk", "sitDown", "standUp", "pickUp", "carry", "throw", "push", "pull",
               "waveHands", "clapHands")
LABEL_FILE = "actionLabel.txt"
PROTOCOLS = ("xsub", "loso")
_RECORDING = re.compile(r"s(\d+)_e(\d+)")


UTKinectClip = SubjectRecording  # joints [T, 20, 3] in Kinect v1 order


def read_utkinect_joints(path: "str | Path") -> tuple[np.ndarray, np.ndarray]:
    """``(frame_ids [F], joints [F, 20, 3])`` of one recording, in file order, the first row
    of a repeated frame id kept (the files repeat some ids with slightly other values)."""
    path = Path(path)
    table = number_rows(path, 1 + 3 * NUM_JOINTS, f"a frame id and {3 * NUM_JOINTS} coordinates")
    if not len(table):
        raise ValueError(f"{path}: empty (no frames)")
    ids_array = table[:, 0]
    _, first = np.unique(ids_array, return_index=True)
    keep = np.sort(first)
    joints = table[keep, 1:].astype(np.float32).reshape(-1, NUM_JOINTS, 3)
    if not np.isfinite(joints).all():
        raise ValueError(f"{path}: holds NaN or inf")
    return ids_array[keep], joints


def read_action_labels(path: "str | Path") -> dict[str, list[tuple[str, float, float]]]:
    """``{recording "sSS_eEE": [(action, start id, end id), ...]}`` of ``actionLabel.txt``;
    bounds may be NaN (a clip that was not annotated)."""
    path = Path(path)
    labels: dict[str, list[tuple[str, float, float]]] = {}
    current = None
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if not text:
            continue
        if _RECORDING.fullmatch(text):
            current = labels.setdefault(text, [])
            continue
        action, _, bounds = text.partition(":")
        parts = bounds.split()
        if current is None or action not in CLASS_NAMES or len(parts) != 2:
            raise ValueError(f"{path}, line {number}: expected 'sSS_eEE' or 'action: start "
                             f"end' with an action of {list(CLASS_NAMES)}, got {text[:60]!r}")
        try:
            current.append((action, float(parts[0]), float(parts[1])))
        except ValueError:
            raise ValueError(f"{path}, line {number}: frame ids must be numbers, got "
                             f"{bounds.strip()!r}") from None
    if not labels:
        raise ValueError(f"{path}: no recording listed")
    return labels


def read_utkinect(root: "str | Path") -> tuple[list[UTKinectClip], list[str]]:
    """Every annotated clip of a UTKinect folder (``root`` or ``root/joints``) and the names
    of the clips skipped (NaN bounds, or no frame between its bounds), with the reason."""
    root = Path(root)
    if (root / "joints").is_dir():
        root = root / "joints"
    if not (root / LABEL_FILE).is_file():
        raise FileNotFoundError(f"UTKinect folder {root}: no {LABEL_FILE}")
    clips, skipped = [], []
    for recording, actions in read_action_labels(root / LABEL_FILE).items():
        path = root / f"joints_{recording}.txt"
        if not path.is_file():
            raise FileNotFoundError(f"UTKinect folder {root}: {LABEL_FILE} lists {recording} "
                                    f"but {path.name} is missing")
        ids, joints = read_utkinect_joints(path)
        subject = int(_RECORDING.fullmatch(recording).group(1))
        for action, start, end in actions:
            name = f"{recording}_{action}"
            if math.isnan(start) or math.isnan(end):
                skipped.append(f"{name} (bounds NaN)")
                continue
            inside = (ids >= start) & (ids <= end)
            if not inside.any():
                skipped.append(f"{name} (no frame between ids {start:g} and {end:g})")
                continue
            clips.append(UTKinectClip(name, joints[inside], CLASS_NAMES.index(action), subject))
    return clips, skipped


def utkinect_split(subject: int, protocol: str = "xsub", fold: int | None = None) -> str:
    """``xsub``: subjects 1-5 train, 6-10 test; ``loso``: subject ``fold`` tests."""
    if protocol == "xsub":
        return "train" if subject <= 5 else "test"
    if protocol == "loso":
        if fold is None:
            raise ValueError("fold: the loso protocol needs the test subject (1..10)")
        return "test" if subject == fold else "train"
    raise ValueError(f"protocol: expected one of {list(PROTOCOLS)}, got {protocol!r}")
