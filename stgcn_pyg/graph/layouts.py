"""The registered skeleton layouts and the registry that resolves a layout argument."""
from __future__ import annotations

from pathlib import Path

from .skeleton import Skeleton

_NTU_JOINTS = (
    "spine_base", "spine_mid", "neck", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
    "spine_shoulder", "left_hand_tip", "left_thumb", "right_hand_tip", "right_thumb",
)
_OPENPOSE_JOINTS = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)
_COCO_JOINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)
_KINECT_V1_JOINTS = (
    "hip_center", "spine", "shoulder_center", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
)

_LAYOUTS: dict[str, Skeleton] = {}


def register_layout(skeleton: Skeleton, name: str | None = None) -> None:
    """Make ``skeleton`` available to every ``layout`` argument under ``name`` (default its own)."""
    _LAYOUTS[name or skeleton.name] = skeleton


def layout_names() -> list[str]:
    """The registered layout names."""
    return sorted(_LAYOUTS)


def layouts_with_nodes(num_nodes: int) -> list[str]:
    """The registered layout names whose skeleton has ``num_nodes`` joints."""
    return [name for name in layout_names() if _LAYOUTS[name].num_nodes == num_nodes]


def resolve_layout(num_nodes: int, layout: "str | Path | None" = None,
                   preferred: "str | None" = None, source: str = "data") -> "str | Path":
    """The layout of data with ``num_nodes`` joints.

    ``layout`` given: checked against ``num_nodes``. Otherwise ``preferred`` (e.g. a preset's
    layout) when its joint count matches, else the one registered layout with that count; a
    ``ValueError`` naming ``source`` when there is none or several.
    """
    if layout is not None:
        joints = get_skeleton(layout).num_nodes
        if joints != num_nodes:
            raise ValueError(f"{source}: V = {num_nodes} joints (dim 3) does not match layout "
                             f"{layout!r} with {joints} joints")
        return layout
    if preferred is not None and get_skeleton(preferred).num_nodes == num_nodes:
        return preferred
    matches = layouts_with_nodes(num_nodes)
    if len(matches) != 1:
        raise ValueError(f"{source}: cannot tell the layout of V = {num_nodes} joints; pass a "
                         f"layout (registered layouts with {num_nodes} joints: "
                         f"{matches or 'none'})")
    return matches[0]


def get_skeleton(layout: "str | Path | Skeleton") -> Skeleton:
    """Resolve a registered name, a path to a ``.json`` layout file, or a ``Skeleton``."""
    if isinstance(layout, Skeleton):
        return layout
    if isinstance(layout, Path) or (isinstance(layout, str) and layout.endswith(".json")):
        return Skeleton.from_json(layout)
    if isinstance(layout, str):
        if layout not in _LAYOUTS:
            raise ValueError(
                f"layout: expected one of {layout_names()}, a .json layout file or a Skeleton, "
                f"got {layout!r}"
            )
        return _LAYOUTS[layout]
    raise TypeError(f"layout: expected a str, a path or a Skeleton, got {type(layout).__name__}")


# The seed notebook's and the original authors' NTU RGB+D bones, 1-based; centre: spine shoulder.
register_layout(Skeleton.from_edge_list(
    [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9),
     (11, 10), (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18),
     (20, 19), (22, 23), (23, 8), (24, 25), (25, 12)],
    center=21, num_nodes=25, joint_names=_NTU_JOINTS, one_based=True, name="ntu-rgb+d"))
# The original's 24-node NTU variant; its centre is 2 (0-based) as the authors wrote it.
register_layout(Skeleton.from_edge_list(
    [(1, 2), (3, 2), (4, 3), (5, 2), (6, 5), (7, 6), (8, 7), (9, 2), (10, 9), (11, 10),
     (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20, 19),
     (21, 22), (22, 8), (23, 24), (24, 12)],
    center=3, num_nodes=24, one_based=True, name="ntu_edge"))
register_layout(Skeleton.from_edge_list(
    [(4, 3), (3, 2), (7, 6), (6, 5), (13, 12), (12, 11), (10, 9), (9, 8), (11, 5), (8, 2),
     (5, 1), (2, 1), (0, 1), (15, 0), (14, 0), (17, 15), (16, 14)],
    center=1, num_nodes=18, joint_names=_OPENPOSE_JOINTS, name="openpose"))
# The mmskeleton edition's COCO bones (1-based); they form cycles.
register_layout(Skeleton.from_edge_list(
    [(16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (8, 6),
     (9, 7), (10, 8), (11, 9), (2, 3), (2, 1), (3, 1), (4, 2), (5, 3), (4, 6), (5, 7)],
    center=1, num_nodes=17, joint_names=_COCO_JOINTS, one_based=True, name="coco"))
# Kinect v1 SDK order (NW-UCLA, UTD-MHAD); centre: spine.
register_layout(Skeleton.from_edge_list(
    [(0, 1), (1, 2), (2, 3), (2, 4), (4, 5), (5, 6), (6, 7), (2, 8), (8, 9), (9, 10),
     (10, 11), (0, 12), (12, 13), (13, 14), (14, 15), (0, 16), (16, 17), (17, 18), (18, 19)],
    center=1, num_nodes=20, joint_names=_KINECT_V1_JOINTS, name="kinect-v1"))
# MSR Action3D's own order (1-based bones of the Lie-group code's body_model; both sides'
# bone lengths agree and stay constant within sequences: tests/data/test_msr.py); centre: spine.
_MSR_JOINTS = (
    "left_shoulder", "right_shoulder", "shoulder_center", "spine", "left_hip", "right_hip",
    "hip_center", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hand",
    "right_hand", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_foot",
    "right_foot", "head",
)
register_layout(Skeleton.from_edge_list(
    [(7, 4), (4, 3), (3, 20), (3, 1), (3, 2), (1, 8), (2, 9), (8, 10), (9, 11), (10, 12),
     (11, 13), (7, 5), (7, 6), (5, 14), (6, 15), (14, 16), (15, 17), (16, 18), (17, 19)],
    center=4, num_nodes=20, joint_names=_MSR_JOINTS, one_based=True, name="msr-action3d"))
