"""Raw NTU RGB+D ``.skeleton`` files (Kinect v2, 25 joints, several bodies per frame)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NUM_JOINTS = 25
_NAME = re.compile(r"S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})")
NAME_FIELDS = ("setup", "camera", "performer", "replication", "action")
# The standard cross-subject protocol: these performers train, the others test.
XSUB_TRAIN_PERFORMERS = frozenset({1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28,
                                   31, 34, 35, 38})
XVIEW_TRAIN_CAMERAS = frozenset({2, 3})


@dataclass(frozen=True)
class NTUSequence:
    """One recording: ``joints [B, T, 25, 3]`` (x, y, z in metres, zeros where body b is
    absent in frame t), ``body_ids [B]`` (Kinect tracking ids), and the file-name fields."""

    name: str
    fields: dict[str, int]
    joints: np.ndarray
    body_ids: tuple[str, ...]

    @property
    def label(self) -> int:
        """0-based action class (A001 -> 0)."""
        return self.fields["action"] - 1


def parse_ntu_name(name: str) -> dict[str, int]:
    """``{"setup", "camera", "performer", "replication", "action"}`` (1-based) of a file name
    ``SsssCcccPpppRrrrAaaa[.skeleton]``."""
    match = _NAME.search(Path(name).name)
    if match is None:
        raise ValueError(f"{name}: file name does not match SsssCcccPpppRrrrAaaa")
    return dict(zip(NAME_FIELDS, map(int, match.groups())))


def ntu_split(fields: dict[str, int], protocol: str = "xsub") -> str:
    """``"train"`` or ``"test"`` of a recording under ``"xsub"`` or ``"xview"``."""
    if protocol == "xsub":
        return "train" if fields["performer"] in XSUB_TRAIN_PERFORMERS else "test"
    if protocol == "xview":
        return "train" if fields["camera"] in XVIEW_TRAIN_CAMERAS else "test"
    raise ValueError(f"protocol: expected 'xsub' or 'xview', got {protocol!r}")


def read_ntu_skeleton(path: "str | Path") -> NTUSequence:
    """Parse one ``.skeleton`` file; bodies are matched across frames by tracking id."""
    path = Path(path)
    lines = path.read_text().split("\n")
    reader = _Lines(path, lines)
    num_frames = reader.ints(1, "frame count")[0]
    frames: list[dict[str, np.ndarray]] = []
    for t in range(num_frames):
        bodies: dict[str, np.ndarray] = {}
        for _ in range(reader.ints(1, f"body count of frame {t + 1}")[0]):
            body_id = reader.fields(10, f"body line of frame {t + 1}")[0]
            num_joints = reader.ints(1, f"joint count of frame {t + 1}")[0]
            if num_joints != NUM_JOINTS:
                raise ValueError(f"{path}: line {reader.line}: expected {NUM_JOINTS} joints, "
                                 f"got {num_joints}")
            bodies[body_id] = np.array(
                [reader.floats(12, f"joint {j + 1} of frame {t + 1}")[:3]
                 for j in range(NUM_JOINTS)], dtype=np.float32)
        frames.append(bodies)
    body_ids = tuple(dict.fromkeys(b for frame in frames for b in frame))
    joints = np.zeros((len(body_ids), num_frames, NUM_JOINTS, 3), dtype=np.float32)
    for t, frame in enumerate(frames):
        for b, body_id in enumerate(body_ids):
            if body_id in frame:
                joints[b, t] = frame[body_id]
    if not np.isfinite(joints).all():
        raise ValueError(f"{path}: joint coordinates hold NaN or inf")
    return NTUSequence(path.stem, parse_ntu_name(path.name), joints, body_ids)


class _Lines:
    """Sequential reader of whitespace-separated lines with file/line-numbered errors."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path, self.lines, self.line = path, lines, 0
        if not any(line.strip() for line in lines):
            raise ValueError(f"{path}: empty file")

    def fields(self, count: int, what: str) -> list[str]:
        while self.line < len(self.lines):
            self.line += 1
            parts = self.lines[self.line - 1].split()
            if parts:
                if len(parts) < count:
                    raise ValueError(f"{self.path}: line {self.line}: {what}: expected {count} "
                                     f"fields, got {len(parts)}")
                return parts
        raise ValueError(f"{self.path}: truncated: file ended while reading the {what}")

    def ints(self, count: int, what: str) -> list[int]:
        return [int(v) for v in self._numbers(count, what, int)]

    def floats(self, count: int, what: str) -> list[float]:
        return [float(v) for v in self._numbers(count, what, float)]

    def _numbers(self, count: int, what: str, kind: type) -> list:
        parts = self.fields(count, what)
        try:
            return [kind(p) for p in parts[:count]]
        except ValueError:
            raise ValueError(f"{self.path}: line {self.line}: {what}: expected {count} "
                             f"{kind.__name__} values, got {' '.join(parts)!r}") from None
