"""View normalisation as a transform on samples (what ``train`` applies when data is read)."""
import numpy as np
import pytest
import torch

from stgcn_pyg.data import NormalizeView, view_joints_of, view_transform
from stgcn_pyg.data.transforms import rotation_matrix


def test_view_joints_come_from_the_joint_names():
    assert view_joints_of("ntu-rgb+d") == (0, 1, 4, 8)
    assert view_joints_of("kinect-v1") == (0, 1, 4, 8)
    assert view_joints_of("msr-action3d") == (6, 3, 0, 1)  # hip centre 7, spine 4, shoulders 1, 2
    assert view_joints_of("coco") is None and view_joints_of("openpose") is None


def _canonical_body(frames=5):
    """A kinect-v1 body in the canonical pose: hip (0) at the origin, spine (1) straight up,
    left shoulder (4) at -x, right (8) at +x; other joints at fixed points; moving in z."""
    rng = np.random.default_rng(0)
    pose = rng.normal(scale=0.3, size=(20, 3))
    pose[0], pose[1], pose[4], pose[8] = [0, 0, 0], [0, 0.5, 0], [-0.2, 0.6, 0], [0.2, 0.6, 0]
    body = np.stack([pose + [0, 0, 0.1 * t] for t in range(frames)])  # [T, V, 3]
    return torch.tensor(body.transpose(2, 0, 1)[..., None])          # [3, T, V, 1]


def test_a_turned_and_moved_body_comes_back_to_the_canonical_pose():
    body = _canonical_body()
    spine = body[:, 0, 1, 0].clone()  # the layout's centre (spine) in the first frame
    turn = rotation_matrix([0.3, 1.1, -0.4]).double()
    shift = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64).view(3, 1, 1, 1)
    moved = torch.einsum("ij,jtvm->itvm", turn, body) + shift
    moved = torch.cat([moved, torch.zeros(3, 2, 20, 1, dtype=moved.dtype)], dim=1)  # padding
    out = NormalizeView("kinect-v1")(moved)
    expected = body - spine.view(3, 1, 1, 1)
    torch.testing.assert_close(out[:, :5], expected, atol=1e-6, rtol=0)  # R held in float32
    assert torch.equal(out[:, 5:], torch.zeros(3, 2, 20, 1, dtype=out.dtype))  # zeros stay
    torch.testing.assert_close(NormalizeView("kinect-v1")(out), out, atol=1e-9, rtol=0)  # idempotent
    three_d = NormalizeView("kinect-v1")(moved[..., 0])  # [3, T, V] works too
    torch.testing.assert_close(three_d, out[..., 0])


def test_settings_and_bad_layouts():
    assert view_transform(None, "coco") is None and view_transform(False, "kinect-v1") is None
    assert isinstance(view_transform(None, "ntu-rgb+d"), NormalizeView)
    with pytest.raises(ValueError, match="normalize_view: layout 'coco' has no hip centre"):
        view_transform(True, "coco")
    empty = torch.zeros(3, 4, 20, 1)
    assert torch.equal(NormalizeView("kinect-v1")(empty), empty)  # never tracked: unchanged
    with pytest.raises(ValueError, match=r"x: expected one sample \[3, T, V, M\]"):
        NormalizeView("kinect-v1")(torch.zeros(2, 4, 20, 1))
