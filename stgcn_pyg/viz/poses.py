"""2-D joint positions: hand-placed default poses of the registered layouts, and a camera
projection of 3-D coordinates."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
from torch_geometric.data import Data

from ..graph import Skeleton, get_skeleton
from .draw import skeleton_networkx

# A person facing the viewer, arms slightly spread, y up: their left side is on the right.
# Every pose is listed as (x, y) per joint in the layout's joint order. NTU's bones chain
# hand -> thumb -> hand tip, so the thumb sits between them.
_NTU = [
    (0.0, 0.0), (0.0, 0.35), (0.0, 0.88), (0.0, 1.08),          # spine base, mid, neck, head
    (0.42, 0.66), (0.56, 0.38), (0.64, 0.08), (0.68, -0.04),     # left shoulder .. hand
    (-0.42, 0.66), (-0.56, 0.38), (-0.64, 0.08), (-0.68, -0.04),  # right shoulder .. hand
    (0.2, 0.0), (0.22, -0.5), (0.24, -0.95), (0.32, -1.1),    # left hip .. foot
    (-0.2, 0.0), (-0.22, -0.5), (-0.24, -0.95), (-0.32, -1.1),
    (0.0, 0.7),                                                  # spine shoulder
    (0.72, -0.26), (0.7, -0.15), (-0.72, -0.26), (-0.7, -0.15),  # hand tips, thumbs
]
_KINECT_V1 = [
    (0.0, 0.0), (0.0, 0.35), (0.0, 0.7), (0.0, 1.0),             # hip centre, spine, shoulders, head
    (0.42, 0.64), (0.56, 0.36), (0.64, 0.06), (0.7, -0.08),
    (-0.42, 0.64), (-0.56, 0.36), (-0.64, 0.06), (-0.7, -0.08),
    (0.2, 0.0), (0.22, -0.5), (0.24, -0.95), (0.32, -1.1),
    (-0.2, 0.0), (-0.22, -0.5), (-0.24, -0.95), (-0.32, -1.1),
]
_FACE = {"nose": (0.0, 0.92), "left_eye": (0.14, 1.1), "right_eye": (-0.14, 1.1),
         "left_ear": (0.28, 1.0), "right_ear": (-0.28, 1.0)}
_LIMBS = {"neck": (0.0, 0.7), "left_shoulder": (0.36, 0.68), "right_shoulder": (-0.36, 0.68),
          "left_elbow": (0.5, 0.36), "right_elbow": (-0.5, 0.36),
          "left_wrist": (0.56, 0.04), "right_wrist": (-0.56, 0.04),
          "left_hip": (0.15, 0.0), "right_hip": (-0.15, 0.0),
          "left_knee": (0.2, -0.5), "right_knee": (-0.2, -0.5),
          "left_ankle": (0.22, -0.95), "right_ankle": (-0.22, -0.95)}


def _by_name(layout: str) -> list[tuple[float, float]]:
    points = {**_FACE, **_LIMBS}
    return [points[name] for name in get_skeleton(layout).joint_names]


# ntu_edge is NTU RGB+D without the mid spine: its joint 1 takes the spine shoulder's place.
_NTU_EDGE = [_NTU[0], _NTU[20]] + _NTU[2:20] + _NTU[21:]

_POSES = {"ntu-rgb+d": _NTU, "ntu_edge": _NTU_EDGE, "kinect-v1": _KINECT_V1,
          "openpose": _by_name("openpose"), "coco": _by_name("coco")}


def default_pose(graph: "str | Path | Skeleton | Data") -> np.ndarray:
    """Readable 2-D joint positions [V, 2] for drawing a layout.

    Registered layouts get a hand-placed standing pose; any other skeleton (or a ``Data``
    whose ``layout`` is not registered) gets a deterministic spring layout of its links.
    """
    if isinstance(graph, Data):
        name, num_nodes = getattr(graph, "layout", None), int(graph.num_nodes)
    else:
        skeleton = get_skeleton(graph)
        name, num_nodes = skeleton.name, skeleton.num_nodes
    pose = _POSES.get(name)
    if pose is not None and len(pose) == num_nodes:
        return np.asarray(pose, dtype=np.float64)
    positions = nx.spring_layout(skeleton_networkx(graph), seed=0)
    return np.asarray([positions[v] for v in range(num_nodes)], dtype=np.float64)


def project(points: np.ndarray, azimuth: float = 0.0, elevation: float = 0.0) -> np.ndarray:
    """Orthographic view of 3-D points [..., 3] (x right, y up, z away from the camera) as
    [..., 2] image coordinates.

    ``azimuth`` turns the camera about the vertical axis and ``elevation`` tilts it down
    onto the subject, both in degrees; ``(0, 0)`` is the sensor's own view, ``(x, y)``.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.shape[-1] != 3:
        raise ValueError(f"points: expected [..., 3] coordinates, got shape {list(points.shape)}")
    phi, theta = np.deg2rad(azimuth), np.deg2rad(elevation)
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    u = x * np.cos(phi) - z * np.sin(phi)
    depth = x * np.sin(phi) + z * np.cos(phi)
    v = y * np.cos(theta) + depth * np.sin(theta)
    return np.stack([u, v], axis=-1)
