"""Single clips for prediction, from the files users hold: ``.npy`` arrays, NTU ``.skeleton``,
NW-UCLA ``.json`` and Kinetics-skeleton ``.json`` recordings, or a folder of them."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
from torch import Tensor

from ..io import load_json_object, load_npy
from .ntu import read_ntu_skeleton
from .prepare import NTU_CENTER, UCLA_CENTER, fit_sequence
from .toolkit_formats import kinetics_clip
from .streams import Streams
from .ucla import read_ucla_json
from .view import view_transform

EXTENSIONS = (".npy", ".skeleton", ".json")
CENTRES = {".skeleton": NTU_CENTER, ".json": UCLA_CENTER}  # as prepare centres them


def read_clips(path: "str | Path", channels: int, num_nodes: int, persons: int = 2,
               frames: int | None = None) -> list[tuple[str, np.ndarray]]:
    """``(name, clip [C, T, V, M])`` of every clip in ``path`` (a file or a folder of files).

    ``.npy``: ``[C, T, V]``, ``[C, T, V, M]``, or a stack ``[N, C, T, V(, M)]`` (clip names
    ``file#i``), told apart by C and V. Recordings are prepared like ``stgcn-pyg prepare`` does:
    untracked frames dropped, ``persons`` most moving bodies kept, centred; ``frames`` resamples
    them to a fixed length (default: their own length).
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in EXTENSIONS)
        if not files:
            raise FileNotFoundError(f"{path}: no {'/'.join(EXTENSIONS)} files in the folder")
        return [clip for file in files
                for clip in read_clips(file, channels, num_nodes, persons, frames)]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.suffix == ".npy":
        return _npy_clips(path, channels, num_nodes)
    record = load_json_object(path) if path.suffix == ".json" else None
    if record is not None and "data" in record:
        if num_nodes != 18:  # Kinetics-skeleton: 18 OpenPose joints
            raise ValueError(f"{path}: a Kinetics-skeleton video has 18 joints, the model has "
                             f"{num_nodes}")
        last = max((f.get("frame_index", 0) for f in record["data"]
                    if isinstance(f.get("frame_index"), int)), default=0)
        clip, _ = kinetics_clip(path, frames or last + 1, persons, record=record)
        return [(path.name, clip)]
    if path.suffix == ".skeleton":
        joints = read_ntu_skeleton(path).joints
    elif record is not None:
        joints = read_ucla_json(path, record).joints[None]
    else:
        raise ValueError(f"{path}: expected a {', '.join(EXTENSIONS)} file or a folder, got "
                         f"{path.suffix or 'no extension'}")
    if joints.shape[2] != num_nodes:
        raise ValueError(f"{path}: V = {joints.shape[2]} joints, the model has {num_nodes}")
    length = frames or int((np.abs(joints).sum(axis=(0, 2, 3)) > 0).sum())
    try:
        clip = fit_sequence(joints, max(length, 1), persons, CENTRES[path.suffix], "resample")
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    return [(path.name, clip)]


def _npy_clips(path: Path, channels: int, num_nodes: int) -> list[tuple[str, np.ndarray]]:
    array = load_npy(path)
    shape = array.shape
    if array.ndim == 3 and shape[0] == channels and shape[2] == num_nodes:
        return [(path.name, np.asarray(array, np.float32)[..., None])]
    if array.ndim == 4 and shape[1] == channels and shape[3] == num_nodes:  # [N, C, T, V]
        return [(f"{path.name}#{i}", np.asarray(a, np.float32)[..., None])
                for i, a in enumerate(array)]
    if array.ndim == 4 and shape[0] == channels and shape[2] == num_nodes:  # [C, T, V, M]
        return [(path.name, np.asarray(array, np.float32))]
    if array.ndim == 5 and shape[1] == channels and shape[3] == num_nodes:
        return [(f"{path.name}#{i}", np.asarray(a, np.float32)) for i, a in enumerate(array)]
    raise ValueError(f"{path}: expected a clip [C={channels}, T, V={num_nodes}(, M)] or a stack "
                     f"[N, C={channels}, T, V={num_nodes}(, M)], got shape {list(shape)}")


def model_input(model: Any, metadata: dict[str, Any], checkpoint: "str | Path"
                ) -> tuple[int, Callable[[Tensor], Tensor]]:
    """``(raw_channels, to_input)`` for a loaded model and its checkpoint ``metadata``: the
    channels a clip must have, and ``clip [C, T, V, M] -> model input`` with the view
    normalisation and input stream the model was trained with."""
    layout = model.graph_metadata.get("layout")
    stream = metadata.get("stream", "joint")
    streams = Streams(stream, layout) if layout else None
    if streams is None and stream != "joint":
        raise ValueError(f"checkpoint {checkpoint}: stream {stream!r} needs the model's "
                         f"layout, which this checkpoint does not record")
    view = view_transform(metadata.get("normalize_view", False), layout)

    def to_input(clip: Tensor) -> Tensor:
        clip = view(clip) if view is not None else clip
        return streams(clip) if streams is not None else clip

    return model.in_channels // (len(stream.split("+")) if streams else 1), to_input
