"""A procedural, seeded generator of labelled skeleton actions (the embedded demo dataset).

A 30-point body (the 25 NTU RGB+D joints plus nose, eyes and ears) is posed by forward
kinematics: each action rotates a few joints over time (waving, squatting, kicking, ...).
Every sample draws its own bone lengths, amplitude, speed, phase, viewpoint (yaw, pitch,
camera distance) and sensor noise. Any layout is a selection of the 30 points.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..graph import get_skeleton
from .folder import write_folder

# point: (parent, rest offset from the parent in metres; x = the body's left, y up, -z forward)
_BODY = {
    0: (-1, (0.0, 0.0, 0.0)), 1: (0, (0.0, 0.25, 0.0)), 20: (1, (0.0, 0.25, 0.0)),
    2: (20, (0.0, 0.08, 0.0)), 3: (2, (0.0, 0.12, 0.0)),
    4: (20, (0.18, -0.02, 0.0)), 5: (4, (0.0, -0.28, 0.0)), 6: (5, (0.0, -0.25, 0.0)),
    7: (6, (0.0, -0.07, 0.0)), 21: (7, (0.0, -0.08, 0.0)), 22: (7, (0.03, -0.04, -0.02)),
    8: (20, (-0.18, -0.02, 0.0)), 9: (8, (0.0, -0.28, 0.0)), 10: (9, (0.0, -0.25, 0.0)),
    11: (10, (0.0, -0.07, 0.0)), 23: (11, (0.0, -0.08, 0.0)), 24: (11, (-0.03, -0.04, -0.02)),
    12: (0, (0.09, -0.05, 0.0)), 13: (12, (0.0, -0.42, 0.0)), 14: (13, (0.0, -0.42, 0.0)),
    15: (14, (0.0, -0.05, -0.10)),
    16: (0, (-0.09, -0.05, 0.0)), 17: (16, (0.0, -0.42, 0.0)), 18: (17, (0.0, -0.42, 0.0)),
    19: (18, (0.0, -0.05, -0.10)),
    25: (3, (0.0, 0.0, -0.10)), 26: (3, (0.03, 0.03, -0.08)), 27: (3, (-0.03, 0.03, -0.08)),
    28: (3, (0.07, 0.0, 0.0)), 29: (3, (-0.07, 0.0, 0.0)),
}
NOSE, LEYE, REYE, LEAR, REAR = 25, 26, 27, 28, 29


def _depth(point: int) -> int:
    return 0 if _BODY[point][0] < 0 else 1 + _depth(_BODY[point][0])


_ORDER = sorted(_BODY, key=_depth)

# Layouts as selections of the 30 points (NTU joints are points 0..24).
LAYOUT_POINTS: dict[str, list[int]] = {
    "ntu-rgb+d": list(range(25)),
    "ntu_edge": [p for p in range(25) if p != 20],
    "kinect-v1": [0, 1, 20, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    "openpose": [NOSE, 20, 8, 9, 10, 4, 5, 6, 16, 17, 18, 12, 13, 14, REYE, LEYE, REAR, LEAR],
    "coco": [NOSE, LEYE, REYE, LEAR, REAR, 4, 8, 5, 9, 6, 10, 12, 16, 13, 17, 14, 18],
}

# An action: cycles per clip and a list of (point, axis, degrees, profile) rotations applied
# at that point in order; profile "osc" = sin, "rise" = (1 - cos) / 2, "hold" = 1,
# "opp" = -sin (the other phase). "root" adds a vertical offset (metres) instead.
ACTIONS: dict[str, tuple[float, list[tuple]]] = {
    "wave right hand": (3.0, [(8, "z", -150, "hold"), (9, "z", 35, "osc")]),
    "wave left hand": (3.0, [(4, "z", 150, "hold"), (5, "z", -35, "osc")]),
    "raise both arms": (1.0, [(4, "z", 160, "rise"), (8, "z", -160, "rise")]),
    "squat": (1.0, [(12, "x", 90, "rise"), (16, "x", 90, "rise"), (13, "x", -120, "rise"),
                    (17, "x", -120, "rise"), ("root", "y", -0.35, "rise")]),
    "jump": (2.0, [("root", "y", 0.3, "rise"), (13, "x", -25, "rise"),
                   (17, "x", -25, "rise")]),
    "kick right leg": (1.0, [(16, "x", 80, "rise"), (17, "x", -40, "rise")]),
    "walk in place": (2.0, [(12, "x", 35, "osc"), (16, "x", 35, "opp"), (4, "x", 25, "opp"),
                            (8, "x", 25, "osc")]),
    "bow": (1.0, [(1, "x", -70, "rise")]),
    "clap": (3.0, [(4, "x", 80, "hold"), (8, "x", 80, "hold"), (4, "y", 35, "rise"),
                   (8, "y", -35, "rise")]),
    "punch right": (2.0, [(8, "x", 90, "hold"), (9, "x", 110, "rise")]),
    "twist torso": (1.5, [(1, "y", 45, "osc"), (4, "z", 40, "hold"), (8, "z", -40, "hold")]),
    "side bend": (1.0, [(1, "z", 30, "osc")]),
}


def _rotation(axis: str, angle: np.ndarray) -> np.ndarray:
    """Rotations [T, 3, 3] about a body axis by ``angle`` [T] radians."""
    c, s = np.cos(angle), np.sin(angle)
    one, zero = np.ones_like(c), np.zeros_like(c)
    rows = {"x": [[one, zero, zero], [zero, c, -s], [zero, s, c]],
            "y": [[c, zero, s], [zero, one, zero], [-s, zero, c]],
            "z": [[c, -s, zero], [s, c, zero], [zero, zero, one]]}[axis]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def _profile(kind: str, phase: np.ndarray) -> np.ndarray:
    return {"osc": np.sin(phase), "opp": -np.sin(phase), "rise": (1 - np.cos(phase)) / 2,
            "hold": np.ones_like(phase)}[kind]


def _sample(action: int, frames: int, rng: np.random.Generator) -> np.ndarray:
    """One clip of the 30-point body: ``[frames, 30, 3]`` in camera coordinates."""
    cycles, moves = ACTIONS[list(ACTIONS)[action]]
    speed = rng.uniform(0.75, 1.3)
    phase = 2 * np.pi * (cycles * speed * np.arange(frames) / frames + rng.uniform(0, 0.15))
    amplitude = rng.uniform(0.75, 1.15)
    local = np.tile(np.eye(3), (frames, len(_BODY), 1, 1))           # [T, P, 3, 3]
    root = np.zeros((frames, 3))
    for point, axis, size, kind in moves:
        value = amplitude * size * _profile(kind, phase)
        if point == "root":
            root[:, 1] += value
        else:
            local[:, point] = local[:, point] @ _rotation(axis, np.radians(value))
    # small idle sway of the torso, present in every action
    local[:, 1] = local[:, 1] @ _rotation("z", np.radians(3 * np.sin(phase / cycles * 0.7)))
    lengths = rng.uniform(0.85, 1.15) * rng.uniform(0.93, 1.07, len(_BODY))
    glob = np.zeros_like(local)
    pos = np.zeros((frames, len(_BODY), 3))
    for point in _ORDER:
        parent, offset = _BODY[point]
        if parent < 0:
            glob[:, point] = local[:, point]
            pos[:, point] = root
            continue
        bone = lengths[point] * np.asarray(offset)
        pos[:, point] = pos[:, parent] + glob[:, parent] @ bone
        glob[:, point] = glob[:, parent] @ local[:, point]
    view = _rotation("y", np.radians([rng.uniform(-60, 60)]))[0] @ \
        _rotation("x", np.radians([rng.uniform(-10, 10)]))[0]
    camera = np.array([rng.uniform(-0.4, 0.4), rng.uniform(-0.2, 0.2), rng.uniform(2.5, 3.5)])
    pos = pos @ view.T + camera
    return pos + rng.normal(0.0, 0.01, pos.shape)


def synthesize(num_samples: int, frames: int = 32, layout: str = "ntu-rgb+d",
               seed: int = 0, points: Sequence[int] | None = None,
               num_classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(data [N, 3, frames, V] float32, labels [N] int64)``, classes balanced and shuffled.

    Args:
        num_samples: N.
        frames: frames per clip.
        layout: a registered layout with a built-in point selection (``LAYOUT_POINTS``).
        seed: the generator seed; equal arguments give identical arrays.
        points: for any other layout, which of the 30 body points each joint is (V entries).
        num_classes: use the first this many actions (default all, ``len(ACTIONS)``).
    """
    num_classes = num_classes or len(ACTIONS)
    if not 1 <= num_classes <= len(ACTIONS):
        raise ValueError(f"num_classes: expected 1..{len(ACTIONS)}, got {num_classes}")
    if points is None:
        name = layout if isinstance(layout, str) else getattr(layout, "name", None)
        if name not in LAYOUT_POINTS:
            raise ValueError(f"layout: no built-in point selection for {name!r} (have "
                             f"{sorted(LAYOUT_POINTS)}); pass points=[...] (0..29, V entries)")
        points = LAYOUT_POINTS[name]
    num_nodes = get_skeleton(layout).num_nodes
    if len(points) != num_nodes or not all(0 <= p < len(_BODY) for p in points):
        raise ValueError(f"points: expected {num_nodes} body points in 0..{len(_BODY) - 1}, "
                         f"got {list(points)}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(num_samples) % num_classes)
    data = np.stack([_sample(int(a), frames, rng)[:, list(points)] for a in labels])
    return data.transpose(0, 3, 1, 2).astype(np.float32), labels.astype(np.int64)


def write_synthetic(root: "str | Path", train: int = 960, test: int = 480, frames: int = 32,
                    layout: str = "ntu-rgb+d", seed: int = 0,
                    num_classes: int | None = None) -> None:
    """Write a seed-format folder of synthetic actions (train and test from distinct seeds)."""
    num_classes = num_classes or len(ACTIONS)
    splits = {"train": synthesize(train, frames, layout, seed, num_classes=num_classes),
              "test": synthesize(test, frames, layout, seed + 1_000_003,
                                 num_classes=num_classes)}
    write_folder(root, splits, list(ACTIONS)[:num_classes])
