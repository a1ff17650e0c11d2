"""MSR Action3D skeletons (Li, Zhang & Liu 2010): ``aAA_sSS_eEE_skeleton3D.txt`` files of
``x y z c`` rows, 20 joints per frame, world coordinates (y vertical, z depth)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .recording import SubjectRecording, number_rows

NUM_JOINTS = 20
CLASS_NAMES = ("high arm wave", "horizontal arm wave", "hammer", "hand catch", "forward punch",
               "high throw", "draw x", "draw tick", "draw circle", "hand clap",
               "two hand wave", "side boxing", "bend", "forward kick", "side kick", "jogging",
               "tennis swing", "tennis serve", "golf swing", "pickup and throw")
TRAIN_SUBJECTS = frozenset({1, 3, 5, 7, 9})  # cross-subject: the even subjects test
USED_LIST = "files_used_in_cvpr12_paper.txt"  # the 557 sequences the literature uses
_NAME = re.compile(r"a(\d+)_s(\d+)_e(\d+)_skeleton3D\.txt")


MSRSequence = SubjectRecording  # joints [T, 20, 3] in the files' order (layout msr-action3d)


def parse_msr_name(path: "str | Path") -> tuple[int, int, int]:
    """``(action, subject, repetition)`` of ``aAA_sSS_eEE_skeleton3D.txt``."""
    match = _NAME.fullmatch(Path(path).name)
    if match is None:
        raise ValueError(f"{path}: name does not match aAA_sSS_eEE_skeleton3D.txt")
    action, subject, repetition = map(int, match.groups())
    if not 1 <= action <= len(CLASS_NAMES):
        raise ValueError(f"{path}: action {action} outside 1..{len(CLASS_NAMES)}")
    return action, subject, repetition


def read_msr_skeleton(path: "str | Path") -> MSRSequence:
    """Read one file; a ``ValueError`` names the file and line of anything malformed
    (a row without 4 numbers, a row count that is not a multiple of 20, no frame, NaN)."""
    path = Path(path)
    action, subject, _ = parse_msr_name(path)
    rows = number_rows(path, 4, "4 numbers 'x y z c'")[:, :3]
    if not len(rows):
        raise ValueError(f"{path}: empty (no joint rows)")
    if len(rows) % NUM_JOINTS:
        raise ValueError(f"{path}: {len(rows)} joint rows, not a multiple of {NUM_JOINTS} "
                         f"(a frame is cut off)")
    joints = np.asarray(rows, dtype=np.float32).reshape(-1, NUM_JOINTS, 3)
    if not np.isfinite(joints).all():
        raise ValueError(f"{path}: holds NaN or inf")
    return MSRSequence(path.name[:-len("_skeleton3D.txt")], joints, action - 1, subject)


def msr_files(root: "str | Path", listed_only: bool = True) -> list[Path]:
    """The sorted skeleton files of an MSR Action3D folder; with ``listed_only`` only those
    named in ``files_used_in_cvpr12_paper.txt`` (when the folder has that list)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"MSR Action3D folder {root}: no such directory")
    files = sorted(root.glob("a*_s*_e*_skeleton3D.txt"))
    if not files:
        raise FileNotFoundError(f"MSR Action3D folder {root}: no aAA_sSS_eEE_skeleton3D.txt "
                                f"files")
    listed = root / USED_LIST
    if listed_only and listed.is_file():
        names = {line.strip() for line in listed.read_text().splitlines() if line.strip()}
        files = [f for f in files if f.name[:-len("_skeleton3D.txt")] in names]
    return files


def msr_split(subject: int) -> str:
    """Cross-subject: ``"train"`` for subjects 1, 3, 5, 7, 9, else ``"test"``."""
    return "train" if subject in TRAIN_SUBJECTS else "test"
