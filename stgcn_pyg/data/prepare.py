"""Convert raw recordings (an NTU ``.skeleton`` folder, NW-UCLA JSON) into the seed's folder
format: fixed length T, centred, up to M bodies, ``[N, C, T, V, M]`` (``[N, C, T, V]`` when M=1)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from ..graph import get_skeleton
from . import msr, utkinect
from .folder import write_folder, write_folder_meta
from .ntu import read_ntu_skeleton, ntu_split
from .transforms import resample
from .view import VIEW_JOINTS, tracked_frames, view_joints_of, view_rotation
from .ucla import CLASS_NAMES, read_ucla_json, ucla_files, ucla_recording, ucla_split

FIT_MODES = ("resample", "pad")
NTU_CENTER, UCLA_CENTER = 20, 1  # the joint (0-based) each dataset's recordings are centred on
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
    return _write(out, samples, names, "ntu-rgb+d", "ntu")


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
    return _write(out, samples, CLASS_NAMES, "kinect-v1", "ucla")


def prepare_msr(source: "str | Path", out: "str | Path", frames: int = 64,
                mode: str = "resample", normalize_view: bool = False,
                listed_only: bool = True, log: Callable[[str], None] = print,
                progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    """The MSR Action3D folder -> seed format, cross-subject (odd subjects train), layout
    ``msr-action3d`` (the files' joint order). ``listed_only``: only the 557 sequences of
    ``files_used_in_cvpr12_paper.txt``. Empty or broken files are skipped and ``log`` names
    them with their count; all-zero frames are dropped before fitting to ``frames``."""
    samples: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    skipped = []
    center = get_skeleton("msr-action3d").center  # spine
    view_joints = view_joints_of("msr-action3d") if normalize_view else None
    for path in progress(msr.msr_files(source, listed_only)):
        try:
            seq = msr.read_msr_skeleton(path)
            x = fit_sequence(seq.joints[None], frames, 1, center, mode, view_joints)
        except ValueError as err:
            skipped.append(str(err))
            continue
        split = samples[msr.msr_split(seq.subject)]
        split[0].append(x)
        split[1].append(seq.label)
    _report_skipped(skipped, "files", log)
    return _write(out, samples, msr.CLASS_NAMES, "msr-action3d", "msr-action3d")


def prepare_utkinect(source: "str | Path", out: "str | Path", frames: int = 64,
                     protocol: str = "xsub", fold: int | None = None, mode: str = "resample",
                     normalize_view: bool = False,
                     log: Callable[[str], None] = print) -> dict[str, int]:
    """UTKinect-Action3D -> seed format (layout ``kinect-v1``): the recordings cut into the
    clips of ``actionLabel.txt`` (frame ids start <= id <= end), split by ``protocol``
    (``xsub``: subjects 1-5 train; ``loso``: subject ``fold`` tests). Clips without bounds
    or frames are skipped and ``log`` names them."""
    if protocol == "loso" and (fold is None or not 1 <= fold <= 10):
        raise ValueError(f"--fold: the loso protocol needs the test subject 1..10, got {fold}")
    if protocol != "loso" and fold is not None:
        raise ValueError(f"--fold: only for the loso protocol, got protocol {protocol!r}")
    clips, skipped = utkinect.read_utkinect(source)
    samples: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    for clip in clips:
        x = fit_sequence(clip.joints[None], frames, 1, UCLA_CENTER, mode,
                         VIEW_JOINTS if normalize_view else None)
        split = samples[utkinect.utkinect_split(clip.subject, protocol, fold)]
        split[0].append(x)
        split[1].append(clip.label)
    _report_skipped(skipped, "clips", log)
    return _write(out, samples, utkinect.CLASS_NAMES, "kinect-v1", "utkinect")


def _report_skipped(skipped: list[str], what: str, log: Callable[[str], None]) -> None:
    if skipped:
        log(f"skipped {len(skipped)} {what}:")
        for reason in skipped:
            log(f"  {reason}")


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


def _motion(body: np.ndarray) -> float:
    """Total variance of the tracked frames of one body ``[T, V, 3]`` (0 when never tracked)."""
    tracked = tracked_frames(body)
    return float(tracked.var(axis=0).sum()) if len(tracked) > 1 else 0.0


def _write(out: "str | Path", samples: dict[str, tuple[list, list]], class_names,
           layout: str, source: str) -> dict[str, int]:
    arrays = {}
    for split, (xs, ys) in samples.items():
        if not xs:
            raise ValueError(f"{split} split: no recordings fall into it")
        data = np.stack(xs)
        arrays[split] = (data[..., 0] if data.shape[-1] == 1 else data, np.array(ys))
    write_folder(out, arrays, class_names)
    write_folder_meta(out, layout, ["x", "y", "z"], source)
    return {split: len(ys) for split, (_, ys) in samples.items()}
