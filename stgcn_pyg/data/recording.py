"""One labelled recording of a subject, as the MSR Action3D and UTKinect readers return it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class SubjectRecording:
    """``joints [T, V, 3]`` of one action, its 0-based ``label`` and ``subject`` (1-based)."""

    name: str
    joints: np.ndarray
    label: int
    subject: int


def number_rows(path: Path, width: int, what: str) -> np.ndarray:
    """The whitespace-separated numbers of a text file as ``[rows, width]`` float64 (blank
    lines skipped); a ``ValueError`` names the file and line of a row that is not ``width``
    numbers (``what`` says what a row should be)."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = [float(v) for v in line.split()]
        except ValueError:
            raise ValueError(f"{path}, line {number}: expected {what}, got "
                             f"{line.strip()[:60]!r}") from None
        if len(values) != width:
            raise ValueError(f"{path}, line {number}: expected {what}, got {len(values)} "
                             f"numbers")
        rows.append(values)
    return np.asarray(rows, dtype=np.float64).reshape(-1, width)
