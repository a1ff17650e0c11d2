"""View normalisation: turn a recording so that its first body faces a canonical way.

Used by ``prepare --normalize-view`` (on raw recordings) and by ``train`` (the
:class:`NormalizeView` transform on samples as they are read, recorded in the checkpoint so
that ``evaluate`` and ``predict`` apply it too).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ..graph import get_skeleton

# (hip, spine, left shoulder, right shoulder), 0-based: the same joints in NTU's 25-joint and
# NW-UCLA's Kinect v1 20-joint order.
VIEW_JOINTS = (0, 1, 4, 8)
# Joint names (of the registered layouts) that play each role, in order of preference.
_ROLES = (("hip_center", "spine_base"), ("spine", "spine_mid"), ("left_shoulder",),
          ("right_shoulder",))


def view_joints_of(layout) -> tuple[int, int, int, int] | None:
    """``(hip, spine, left shoulder, right shoulder)`` indices of a layout, from its joint
    names; None when it lacks one of them (2-D layouts such as ``coco`` and ``openpose``
    have no hip centre or spine)."""
    names = get_skeleton(layout).joint_names or ()
    found = []
    for candidates in _ROLES:
        index = next((names.index(n) for n in candidates if n in names), None)
        if index is None:
            return None
        found.append(index)
    return tuple(found)


def tracked_frames(body: np.ndarray) -> np.ndarray:
    """The frames of one body ``[T, V, 3]`` where it is tracked (not all zero)."""
    return body[np.abs(body).sum(axis=(1, 2)) > 0]


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
    tracked = tracked_frames(joints)
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


class NormalizeView:
    """One sample ``x [3, T, V, M]`` (or ``[3, T, V]``) -> the same recording moved so that the layout's centre
    joint of the first body in its first tracked frame is the origin, and turned by
    :func:`view_rotation` of the first body. Untracked entries stay zero; a sample whose first
    body is never tracked (or degenerate) is returned unchanged. Idempotent: data that
    ``prepare --normalize-view`` wrote comes out as it went in (up to rounding)."""

    def __init__(self, layout) -> None:
        joints = view_joints_of(layout)
        if joints is None:
            raise ValueError(f"normalize_view: layout {getattr(layout, 'name', layout)!r} has "
                             f"no hip centre, spine and shoulder joints to normalise the view by")
        self.view_joints = joints
        self.center = get_skeleton(layout).center

    def __call__(self, x: Tensor) -> Tensor:
        if x.dim() == 3 and x.size(0) == 3:  # one person without the M axis
            return self(x[..., None])[..., 0]
        if x.dim() != 4 or x.size(0) != 3:
            raise ValueError(f"x: expected one sample [3, T, V, M] or [3, T, V], got shape "
                             f"{list(x.shape)}")
        present = x.abs().sum(dim=0, keepdim=True) > 0                  # [1, T, V, M]
        body = x[..., 0].permute(1, 2, 0).double().numpy()              # [T, V, 3]
        frames = np.flatnonzero(np.abs(body).sum(axis=(1, 2)) > 0)
        if len(frames) == 0:
            return x
        origin = body[frames[0], self.center]
        try:
            rotation = view_rotation(np.where(body != 0, body - origin, 0.0), self.view_joints)
        except ValueError:
            return x
        moved = x.double() - torch.from_numpy(origin).view(3, 1, 1, 1)
        turned = torch.einsum("ij,jtvm->itvm", torch.from_numpy(rotation), moved)
        return torch.where(present, turned, torch.zeros(())).to(x.dtype)


def view_transform(setting: bool | None, layout) -> NormalizeView | None:
    """The transform that a run's ``normalize_view`` setting asks for on ``layout``: True
    always (an error on a layout without the joints), False never, None when the layout has
    the joints."""
    if setting is False or (setting is None and (layout is None
                                                 or view_joints_of(layout) is None)):
        return None
    if layout is None:
        raise ValueError("normalize_view: the model records no layout to normalise the view by")
    return NormalizeView(layout)
