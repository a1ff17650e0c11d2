import math

import pytest
import torch

from stgcn_pyg.data import (Compose, RandomRotation, RandomScale, RandomShift,
                            RandomTemporalCrop, Resample, Streams, bone_parents, bones,
                            default_augmentation, motion, resample, rotation_matrix)
from stgcn_pyg.graph import get_skeleton


def _sample(frames=10, joints=25, bodies=2, pad=0):
    x = torch.randn(3, frames, joints, bodies, dtype=torch.float64)
    x[..., 1] = 0  # an absent second body
    if pad:
        x[:, -pad:] = 0
    return x


def _bone_lengths(x, layout="ntu-rgb+d"):
    edges = torch.tensor(get_skeleton(layout).edges)
    return (x[:, :, edges[:, 0]] - x[:, :, edges[:, 1]]).norm(dim=0)


def test_rotation_matrix_is_orthonormal():
    r = rotation_matrix([0.3, -1.2, 2.0]).double()
    assert torch.allclose(r @ r.T, torch.eye(3, dtype=torch.float64), atol=1e-6)
    assert torch.allclose(rotation_matrix([0, math.pi / 2, 0]) @ torch.tensor([1.0, 0, 0]),
                          torch.tensor([0.0, 0, -1]), atol=1e-6)


def test_rotation_preserves_bone_lengths_and_absent_bodies():
    x = _sample()
    y = RandomRotation((30, 90, 30))(x)
    assert not torch.allclose(x, y)
    assert torch.allclose(_bone_lengths(x), _bone_lengths(y), atol=1e-5)
    assert not y[..., 1].any()


def test_scale_and_shift_keep_padding_zero():
    x = _sample(pad=3)
    y = RandomShift(0.5)(RandomScale(0.2)(x))
    assert not y[:, -3:].any() and not y[..., 1].any()
    moved = (y - x)[:, :-3, :, 0]
    assert moved.abs().min() > 0
    ratio = RandomScale(0.2)(x)[:, :-3, :, 0] / x[:, :-3, :, 0]
    assert ((ratio > 0.8 - 1e-6) & (ratio < 1.2 + 1e-6)).all()


def test_resample_is_linear_between_frames():
    x = torch.arange(5.0, dtype=torch.float64).view(1, 5, 1, 1)
    torch.testing.assert_close(resample(x, 9).flatten(),
                               torch.arange(0, 4.5, 0.5, dtype=torch.float64))
    assert resample(x[:, :1], 3).flatten().tolist() == [0.0, 0.0, 0.0]


def test_resample_drops_padding_and_keeps_endpoints():
    x = _sample(frames=10, pad=4)
    y = Resample(13)(x)
    assert y.shape == (3, 13, 25, 2)
    assert torch.allclose(y[:, 0], x[:, 0]) and torch.allclose(y[:, -1], x[:, 5])


def test_temporal_crop_keeps_length_and_takes_a_window():
    x = torch.arange(20.0).view(1, 20, 1, 1).expand(3, 20, 4, 1).clone() + 1
    y = RandomTemporalCrop(0.5)(x)
    assert y.shape == x.shape
    values = y[0, :, 0, 0]
    assert (values.diff() >= 0).all() and values[-1] - values[0] >= 20 * 0.5 - 2
    assert RandomTemporalCrop(1.0, frames=7)(x).shape == (3, 7, 4, 1)


def test_transforms_are_seeded():
    t = Compose([RandomTemporalCrop(0.6), RandomRotation(), RandomScale(), RandomShift()])
    x = _sample()
    torch.manual_seed(3)
    a = t(x)
    torch.manual_seed(3)
    assert torch.equal(a, t(x))


@pytest.mark.parametrize("rotation, expected", [(None, (10.0, 45.0, 10.0)),
                                               ((0, 30, 0), (0.0, 30.0, 0.0)), ((0, 0, 0), None)])
def test_default_augmentation_rotation_range(rotation, expected):
    augment = default_augmentation(**({} if rotation is None else {"rotation": rotation}))
    kinds = [type(t) for t in augment.transforms]
    turns = [t.degrees for t in augment.transforms if isinstance(t, RandomRotation)]
    assert turns == ([] if expected is None else [expected])
    assert [k for k in kinds if k is not RandomRotation] == [RandomTemporalCrop, RandomScale,
                                                             RandomShift]


def test_bad_arguments():
    with pytest.raises(ValueError, match="degrees: expected 3"):
        RandomRotation((10, 10))
    with pytest.raises(ValueError, match=r"min_ratio: expected a value in \(0, 1\]"):
        RandomTemporalCrop(0)
    with pytest.raises(ValueError, match=r"x: expected one sample \[3, T, V, M\]"):
        RandomScale()(torch.zeros(2, 5, 25, 1))


def test_bone_parents_form_a_tree_over_layout_edges():
    for layout in ("ntu-rgb+d", "kinect-v1", "openpose", "coco"):
        skeleton = get_skeleton(layout)
        parents = bone_parents(layout)
        edges = {frozenset(e) for e in skeleton.edges}
        assert parents[skeleton.center] == skeleton.center
        assert all(frozenset((v, p)) in edges for v, p in enumerate(parents) if v != p)


def test_streams():
    x = _sample()
    parents = bone_parents("ntu-rgb+d")
    b = bones(x, parents)
    assert torch.equal(b[:, :, 3], x[:, :, 3] - x[:, :, 2])  # head - neck
    assert not b[:, :, 20].any()  # centre joint
    m = motion(x)
    assert torch.equal(m[:, 2], x[:, 3] - x[:, 2]) and not m[:, -1].any()
    s = Streams("joint+bone+motion", "ntu-rgb+d")
    assert s.channels() == 9 and torch.equal(s(x), torch.cat([x, b, m]))
    bone_motion = Streams("bone_motion", "ntu-rgb+d")(x)  # frame-to-frame change of a bone
    head_bone = x[:, :, 3] - x[:, :, 2]
    assert torch.allclose(bone_motion[:, 4, 3], head_bone[:, 5] - head_bone[:, 4])
    assert not bone_motion[:, -1].any() and not bone_motion[:, :, 20].any()
    with pytest.raises(ValueError, match="streams: expected names"):
        Streams("angle", "ntu-rgb+d")


def test_temporal_windows_are_fixed_crops():
    from stgcn_pyg.data.transforms import TemporalWindow, clip_windows
    x = torch.arange(10.0).view(1, 10, 1, 1).expand(3, 10, 2, 1).contiguous() + 1
    x[:, 8:] = 0                                            # 8 tracked frames, 2 padding
    late = TemporalWindow(1.0, 0.5)(x)                      # frames 4..7 stretched to 10
    assert late.shape == x.shape and late[0, 0, 0, 0] == 5 and late[0, -1, 0, 0] == 8
    assert TemporalWindow(0.0, 0.5)(x)[0, -1, 0, 0] == 4
    windows = clip_windows(3, 0.5)
    assert [w.position for w in windows] == [0.0, 0.5, 1.0]
    assert torch.equal(clip_windows(1)[0](x), x)     # one clip: untouched
    with pytest.raises(ValueError, match="clips: expected a positive int"):
        clip_windows(0)
    with pytest.raises(ValueError, match="ratio: expected a value in"):
        TemporalWindow(0.0, 0.0)
