"""Animated GIFs of skeleton sequences, optionally coloured by a per-joint activation."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..graph import Skeleton, get_skeleton, resolve_layout
from ..io import atomic_path
from .draw import draw_skeleton, skeleton_networkx
from .poses import project

FIGSIZE = (4.0, 4.5)  # inches; +1 inch of width for an activation colorbar
DPI = 80


def load_sequence(source: "np.ndarray | str | Path", index: int | None = None) -> np.ndarray:
    """One sequence as an array [C, T, V, M].

    ``source`` is an array [C, T, V] or [C, T, V, M], a ``.npy`` file holding one, an
    NW-UCLA ``.json`` file (``{"skeletons": [[[x, y, z] x V] x T], ...}``), or, with
    ``index``, a stacked array or ``.npy`` [N, C, T, V(, M)] (the seed's ``*_data.npy``,
    memory-mapped) from which sample ``index`` is taken.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"sequence {path}: no such file")
        if path.suffix == ".json":
            skeletons = np.asarray(json.loads(path.read_text())["skeletons"], dtype=np.float64)
            source = skeletons.transpose(2, 0, 1)  # [T, V, C] -> [C, T, V]
        elif path.suffix == ".npy":
            source = np.load(path, mmap_mode="r")
        else:
            raise ValueError(f"sequence {path}: expected a .npy or an NW-UCLA .json file")
    array = np.asarray(source)
    if index is not None:
        if not -len(array) <= index < len(array):
            raise ValueError(f"index: expected a sample index in 0..{len(array) - 1}, got {index}")
        array = array[index]
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4:
        raise ValueError(f"sequence: expected [C, T, V] or [C, T, V, M] (or [N, ...] with index), "
                         f"got shape {list(array.shape)}")
    return np.asarray(array, dtype=np.float64)


def plot_sequence(sequence: "np.ndarray | str | Path", path: "str | Path", *,
                  layout: "str | Skeleton | None" = None, activation: np.ndarray | None = None,
                  activation_label: str = "activation", azimuth: float = 0.0,
                  elevation: float = 0.0, fps: int = 10, max_frames: int = 40,
                  title: str | None = None) -> Path:
    """Write an animated GIF of a skeleton sequence (every person drawn).

    All-zero (padding) frames and persons are skipped; at most ``max_frames`` frames are kept,
    evenly strided.

    Args:
        sequence: anything :func:`load_sequence` reads (2-D or 3-D coordinates).
        path: the ``.gif`` to write.
        layout: the skeleton; default: ``kinect-v1`` for an NW-UCLA ``.json`` file, else the
            one registered layout with the sequence's V (an error when several have it).
        activation: per-joint values [T, V] or [T, V, M] (e.g. from :func:`class_activation`)
            that colour the joints on a diverging scale centred at 0, with a colorbar.
        activation_label: the colorbar's label.
        azimuth, elevation: view of 3-D coordinates in degrees (see :func:`project`).
        fps: frames per second of the GIF.
        max_frames: most frames in the GIF.
        title: title prefix; default: the layout name.

    Returns:
        ``path``; the GIF is 320 x 360 pixels (400 x 360 with an activation colorbar).
    """
    data = load_sequence(sequence)
    channels, num_frames, num_nodes, num_persons = data.shape
    if layout is None and isinstance(sequence, (str, Path)) and Path(sequence).suffix == ".json":
        layout = "kinect-v1"  # the NW-UCLA format's joint order
    layout = resolve_layout(num_nodes, source="sequence") if layout is None else layout
    skeleton = get_skeleton(layout)
    if skeleton.num_nodes != num_nodes:
        raise ValueError(f"sequence: has V={num_nodes} joints, layout {skeleton.name!r} has "
                         f"{skeleton.num_nodes}")
    if channels == 3:
        points = project(data.transpose(1, 3, 2, 0), azimuth, elevation)  # [T, M, V, 2]
    elif channels == 2:
        points = data.transpose(1, 3, 2, 0)
    else:
        raise ValueError(f"sequence: expected C=2 or 3 coordinates (dim 0), got C={channels}")
    if activation is not None:
        activation = np.asarray(activation, dtype=np.float64)
        if activation.ndim == 2:
            activation = activation[..., None]
        if activation.shape != (num_frames, num_nodes, num_persons):
            raise ValueError(f"activation: expected [T={num_frames}, V={num_nodes}(, "
                             f"M={num_persons})], got shape {list(activation.shape)}")
    present = np.abs(data).sum(axis=(0, 2)) > 0  # [T, M]
    frames = np.flatnonzero(present.any(axis=1))
    if frames.size == 0:
        raise ValueError("sequence: every frame is all zeros")
    frames = frames[:: -(-frames.size // max_frames)]
    persons = np.flatnonzero(present.any(axis=0))
    shown = points[frames][:, persons]
    low, high = shown.reshape(-1, 2).min(axis=0), shown.reshape(-1, 2).max(axis=0)
    margin = 0.08 * (high - low).max()

    width = FIGSIZE[0] + (1.0 if activation is not None else 0.0)
    fig = Figure(figsize=(width, FIGSIZE[1]))
    ax = fig.add_axes((0.02, 0.02, FIGSIZE[0] / width - 0.04, 0.86))
    bones = skeleton_networkx(skeleton)
    cmap, norm = colormaps["RdBu_r"], None
    if activation is not None:
        limit = float(np.abs(activation[frames][:, :, persons]).max()) or 1.0
        norm = Normalize(-limit, limit)
        cax = fig.add_axes((FIGSIZE[0] / width + 0.01, 0.1, 0.04, 0.7))
        fig.colorbar(ScalarMappable(norm, cmap), cax=cax).set_label(activation_label, fontsize=8)
        cax.tick_params(labelsize=7)
    heading = title or skeleton.name

    def draw(step: int) -> None:
        t = frames[step]
        ax.clear()
        for m in persons:
            if not present[t, m]:
                continue
            colors = "tab:blue" if norm is None else [cmap(norm(a)) for a in activation[t, :, m]]
            draw_skeleton(ax, bones, points[t, m], nodes={
                "node_color": colors, "node_size": 45 if norm is None else 60,
                "edgecolors": "0.3"}, edges={"width": 2.0})
        ax.set_xlim(low[0] - margin, high[0] + margin)
        ax.set_ylim(low[1] - margin, high[1] + margin)
        ax.set_title(f"{heading}\nframe {t + 1} / {num_frames}", fontsize=9)

    animation = FuncAnimation(fig, draw, frames=len(frames), interval=1000 / fps)
    path = Path(path)
    with atomic_path(path) as tmp:
        animation.save(tmp, writer=PillowWriter(fps=fps), dpi=DPI)
    return path
