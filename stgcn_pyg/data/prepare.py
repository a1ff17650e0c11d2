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
from .ucla import CLASS_NAMES, read_ucla_json, ucla_files, ucla_recording, ucla_split

FIT_MODES = ("resample", "pad")
NTU_CENTER, UCLA_CENTER = 20, 1  # the joint (0-based) each dataset's recordings are centred on
# (hip, spine, left shoulder, right shoulder), 0-based: the same joints in NTU's 25-joint and
# NW-UCLA's Kinect v1 20-joint order.
VIEW_JOINTS = (0, 1, 4, 8)


def view_rotation(joints: np.ndarray, view_joints: tuple[int, int, int, int] = VIEW_JOINTS
                  ) -> np.ndarray:
    """The [3, 3] rotation that makes one body's pose canonical (the 2s-AGCN normalisation).

    ``joints [T, V, 3]`` (untracked frames all zero). Over the tracked frames, the mean
    hip -> spine vector becomes +y (up) and the mean left -> right shoulder line, made
    orthogonal to it, becomes +x; z = x cross y. Rows are the new axes: ``p' = R @ p``.
    (2s-AGCN aligns the spine with z; y is kept as the vertical here, so the default rotation
    augmentation about y still turns the viewpoint.)
    """
    hip, spine, left, right = view_joints
    tracked = _tracked_frames(joints)
    if len(tracked) == 0:
        raise ValueError("view normalisation: the first body is never tracked")
    up = (tracked[:, spine] - tracked[:, hip]).mean(axis=0)
    side = (tracked[:, right] - tracked[:, left]).mean(axis=0)
    if np.linalg.norm(up) < 1e-8:
        raise ValueError("view normalisation: no tracked frame with hip != spine")
    y = up / np.linalg.norm(up)
    x = side - side.dot(y) * y
    if np.linalg.norm(x) < 1e-8:
        raise ValueError("view normalisation: the shoulder line is parallel to the spine")
    x = x / np.linalg.norm(x)
    return np.stack([x, y, np.cross(x, y)])


def fit_sequence(joints: np.ndarray, frames: int, bodies: int, center: int,
                 mode: str = "resample",
                 view_joints: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """One recording ``[B, T, V, 3]`` -> ``[3, frames, V, bodies]``.

    Frames where no body is tracked are dropped; bodies are ranked by how much they move
    (zero-padded when fewer than ``bodies``); all are translated so that joint ``center`` of the
    first body in the first frame sits at the origin. ``mode="resample"`` stretches every
    sequence to ``frames`` by linear interpolation; ``"pad"`` keeps the first ``frames`` and
    pads shorter sequences with zeros. With ``view_joints`` (hip, spine, left and right
    shoulder), every body is rotated about that origin by :func:`view_rotation` of the first
    body: the view normalisation.
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
    if view_joints is not None:
        joints = np.where(absent, 0.0, joints @ view_rotation(joints[0], view_joints).T)
    track = np.ascontiguousarray(joints.transpose(3, 1, 2, 0))       # [3, T, V, B]
    track = resample(torch.from_numpy(track).double(), frames).numpy() if mode == "resample" \
        else track[:, :frames]
    out = np.zeros((3, frames, track.shape[2], bodies), dtype=np.float32)
    out[:, :track.shape[1], :, :track.shape[3]] = track
    return out


def prepare_ntu(source: "str | Path", out: "str | Path", frames: int = 300, bodies: int = 2,
                protocol: str = "xsub", mode: str = "pad", center: int = NTU_CENTER,
                normalize_view: bool = False,
                progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    """A folder of ``.skeleton`` files -> seed format, split by ``protocol`` (xsub / xview);
    labels are the 60 NTU actions (``classes.txt``: A001..A060); ``normalize_view`` as in
    :func:`prepare_ucla`. Returns samples per split."""
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
            x = fit_sequence(seq.joints, frames, bodies, center, mode,
                             VIEW_JOINTS if normalize_view else None)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from None
        split = samples[ntu_split(seq.fields, protocol)]
        split[0].append(x)
        split[1].append(seq.label)
    names = [f"A{a:03d}" for a in range(1, 61)]
    return _write(out, samples, names)


def prepare_ucla(source: "str | Path", out: "str | Path", frames: int = 52,
                 center: int = UCLA_CENTER,
                 mode: str = "resample", normalize_view: bool = False,
                 val_fraction: float = 0.0, seed: int = 0,
                 progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    """The NW-UCLA JSON folder -> seed format with the cross-view split (views 1, 2 / 3).

    ``normalize_view``: rotate every sequence to the canonical pose of :func:`view_rotation`.
    ``val_fraction`` > 0 moves that fraction of the training views' recordings into a ``val``
    split (for fitting ensemble weights): whole recordings (action, subject, repetition), so
    the two views of one performance never sit on both sides, drawn per class with ``seed``.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction: expected a fraction in [0, 1), got {val_fraction!r}")
    sequences = [read_ucla_json(path) for path in progress(ucla_files(source))]
    held_out = _held_out_recordings(sequences, val_fraction, seed)
    samples: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    if held_out:
        samples["val"] = ([], [])
    for seq in sequences:
        x = fit_sequence(seq.joints[None], frames, 1, center, mode,
                         VIEW_JOINTS if normalize_view else None)
        split = ucla_split(seq.view)
        if split == "train" and ucla_recording(seq.name) in held_out:
            split = "val"
        samples[split][0].append(x)
        samples[split][1].append(seq.label)
    return _write(out, samples, CLASS_NAMES)


def _held_out_recordings(sequences, fraction: float, seed: int) -> set[tuple[int, int, int]]:
    """``round(fraction * n)`` of each class's n training-view recordings, drawn with ``seed``."""
    if fraction == 0:
        return set()
    by_class: dict[int, set] = {}
    for seq in sequences:
        if ucla_split(seq.view) == "train":
            by_class.setdefault(seq.label, set()).add(ucla_recording(seq.name))
    rng = np.random.default_rng(seed)
    held_out = set()
    for label in sorted(by_class):
        recordings = sorted(by_class[label])
        count = max(1, round(fraction * len(recordings)))
        held_out.update(recordings[i] for i in rng.permutation(len(recordings))[:count])
    return held_out


def _tracked_frames(body: np.ndarray) -> np.ndarray:
    """The frames of one body ``[T, V, 3]`` where it is tracked (not all zero)."""
    return body[np.abs(body).sum(axis=(1, 2)) > 0]


def _motion(body: np.ndarray) -> float:
    """Total variance of the tracked frames of one body ``[T, V, 3]`` (0 when never tracked)."""
    tracked = _tracked_frames(body)
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
