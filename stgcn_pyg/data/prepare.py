"""Convert raw recordings (an NTU ``.skeleton`` folder, NW-UCLA JSON) into the seed's folder
format: fixed length T, centred, up to M bodies, ``[N, C, T, V, M]`` (``[N, C, T, V]`` when M=1)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from .folder import write_folder
from .ntu import read_ntu_skeleton, ntu_split
from .transforms import resample
from .ucla import CLASS_NAMES, read_ucla_json, ucla_files, ucla_split

FIT_MODES = ("resample", "pad")
NTU_CENTER, UCLA_CENTER = 20, 1  # the joint (0-based) each dataset's recordings are centred on


def fit_sequence(joints: np.ndarray, frames: int, bodies: int, center: int,
                 mode: str = "resample") -> np.ndarray:
    """One recording ``[B, T, V, 3]`` -> ``[3, frames, V, bodies]``.

    Frames where no body is tracked are dropped; bodies are ranked by how much they move
    (zero-padded when fewer than ``bodies``); all are translated so that joint ``center`` of the
    first body in the first frame sits at the origin. ``mode="resample"`` stretches every
    sequence to ``frames`` by linear interpolation; ``"pad"`` keeps the first ``frames`` and
    pads shorter sequences with zeros.
    """
    if mode not in FIT_MODES:
        raise ValueError(f"mode: expected one of {list(FIT_MODES)}, got {mode!r}")
    if joints.ndim != 4 or joints.shape[-1] != 3:
        raise ValueError(f"joints: expected [B, T, V, 3], got shape {list(joints.shape)}")
    present = np.abs(joints).sum(axis=(2, 3)) > 0                       # [B, T]
    joints = joints[:, present.any(axis=0)]
    if joints.shape[1] == 0:
        raise ValueError("joints: no frame holds a tracked body")
    motion = np.array([_motion(body) for body in joints])
    joints = joints[np.argsort(-motion, kind="stable")[:bodies]]
    absent = np.abs(joints).sum(axis=-1, keepdims=True) == 0          # [B, T, V, 1]
    origin = joints[0, np.argmax(~absent[0].all(axis=(1, 2))), center]
    joints = np.where(absent, 0.0, joints - origin)
    track = np.ascontiguousarray(joints.transpose(3, 1, 2, 0))       # [3, T, V, B]
    track = resample(torch.from_numpy(track).double(), frames).numpy() if mode == "resample" \
        else track[:, :frames]
    out = np.zeros((3, frames, track.shape[2], bodies), dtype=np.float32)
    out[:, :track.shape[1], :, :track.shape[3]] = track
    return out


def prepare_ntu(source: "str | Path", out: "str | Path", frames: int = 300, bodies: int = 2,
                protocol: str = "xsub", mode: str = "pad", center: int = NTU_CENTER,
                progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    """A folder of ``.skeleton`` files -> seed format, split by ``protocol`` (xsub / xview);
    labels are the 60 NTU actions (``classes.txt``: A001..A060). Returns samples per split."""
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"NTU folder {source}: no such directory")
    files = sorted(source.glob("*.skeleton"))
    if not files:
        raise FileNotFoundError(f"NTU folder {source}: no .skeleton files")
    samples: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    for path in progress(files):
        seq = read_ntu_skeleton(path)
        try:
            x = fit_sequence(seq.joints, frames, bodies, center, mode)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        split = samples[ntu_split(seq.fields, protocol)]
        split[0].append(x)
        split[1].append(seq.label)
    names = [f"A{a:03d}" for a in range(1, 61)]
    return _write(out, samples, names)


def prepare_ucla(source: "str | Path", out: "str | Path", frames: int = 52,
                 center: int = UCLA_CENTER,
                 mode: str = "resample",
                 progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    """The NW-UCLA JSON folder -> seed format with the cross-view split (views 1, 2 / 3)."""
    samples: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    for path in progress(ucla_files(source)):
        seq = read_ucla_json(path)
        x = fit_sequence(seq.joints[None], frames, 1, center, mode)
        split = samples[ucla_split(seq.view)]
        split[0].append(x)
        split[1].append(seq.label)
    return _write(out, samples, CLASS_NAMES)


def _motion(body: np.ndarray) -> float:
    """Total variance of the tracked frames of one body ``[T, V, 3]`` (0 when never tracked)."""
    tracked = body[np.abs(body).sum(axis=(1, 2)) > 0]
    return float(tracked.var(axis=0).sum()) if len(tracked) > 1 else 0.0


def _write(out: "str | Path", samples: dict[str, tuple[list, list]],
           class_names) -> dict[str, int]:
    arrays = {}
    for split, (xs, ys) in samples.items():
        if not xs:
            raise ValueError(f"{split} split: no recordings fall into it")
        data = np.stack(xs)
        arrays[split] = (data[..., 0] if data.shape[-1] == 1 else data, np.array(ys))
    write_folder(out, arrays, class_names)
    return {split: len(ys) for split, (_, ys) in samples.items()}
