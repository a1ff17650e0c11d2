import numpy as np
import pytest

from stgcn_pyg.data import (SkeletonFolder, fit_sequence, prepare_ntu, prepare_ucla,
                            ucla_recording)
from stgcn_pyg.data.view import VIEW_JOINTS, view_rotation


def test_fit_centres_ranks_bodies_and_drops_empty_frames():
    rng = np.random.default_rng(0)
    joints = np.zeros((3, 6, 4, 3), dtype=np.float32)
    joints[0, 1:5] = 1 + 0.01 * rng.normal(size=(4, 4, 3))   # nearly still
    joints[1, 1:5] = 2 + rng.normal(size=(4, 4, 3))          # moves most
    out = fit_sequence(joints, frames=4, bodies=2, center=1, mode="pad")
    assert out.shape == (3, 4, 4, 2)
    assert np.allclose(out[:, 0, 1, 0], 0)                   # centre of body 0, frame 0
    assert np.allclose(out[..., 0].transpose(1, 2, 0), joints[1, 1:5] - joints[1, 1, 1])
    assert np.allclose(out[..., 1].transpose(1, 2, 0), joints[0, 1:5] - joints[1, 1, 1])
    padded = fit_sequence(joints, frames=7, bodies=3, center=1, mode="pad")
    assert not padded[:, 4:].any() and not padded[..., 2].any()
    assert fit_sequence(joints, frames=9, bodies=1, center=1).shape == (3, 9, 4, 1)


def test_fit_errors():
    with pytest.raises(ValueError, match="no frame holds a tracked body"):
        fit_sequence(np.zeros((1, 3, 4, 3)), 4, 1, 0)
    with pytest.raises(ValueError, match=r"joints: expected \[B, T, V, 3\]"):
        fit_sequence(np.zeros((3, 4, 3)), 4, 1, 0)
    with pytest.raises(ValueError, match="mode: expected one of"):
        fit_sequence(np.ones((1, 3, 4, 3)), 4, 1, 0, mode="loop")


def test_view_rotation_undoes_a_known_rotation():
    # canonical pose in the VIEW_JOINTS order (hip 0, spine 1, left 4, right 8)
    canonical = np.zeros((9, 3))
    canonical[1], canonical[4], canonical[8] = [0, 0.3, 0], [-0.2, 0.3, 0], [0.2, 0.3, 0]
    canonical[6] = [0.1, 0.2, 0.4]                              # a hand ahead of the body
    a, b = np.radians(70), np.radians(-25)                       # about y, then about x
    turn = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    tilt = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    seen = np.stack([canonical @ (tilt @ turn).T] * 4)          # [T, V, 3] as the camera saw it
    seen[2] = 0                                                  # an untracked frame
    r = view_rotation(seen, VIEW_JOINTS)
    assert np.allclose(r @ r.T, np.eye(3)) and np.isclose(np.linalg.det(r), 1)
    assert np.allclose(seen[0] @ r.T, canonical, atol=1e-12)    # hand back ahead, not behind


def test_fit_sequence_normalizes_the_view():
    body = np.zeros((1, 4, 9, 3))
    body[0, :, 1], body[0, :, 4], body[0, :, 8] = [0.3, 0, 0], [0.3, 0, 0.2], [0.3, 0, -0.2]
    out = fit_sequence(body, 4, 1, center=0, mode="pad", view_joints=VIEW_JOINTS)
    assert np.allclose(out[:, 0, 1, 0], [0, 0.3, 0]) and np.allclose(out[:, 0, 8, 0], [0.2, 0.3, 0])
    with pytest.raises(ValueError, match="shoulder line is parallel"):
        flat = body.copy()
        flat[0, :, 8] = [0.6, 0, 0]
        flat[0, :, 4] = [0.0, 0, 0.0]
        fit_sequence(flat, 4, 1, center=0, mode="pad", view_joints=VIEW_JOINTS)


def test_ucla_recording_names_one_performance():
    assert ucla_recording("a12_s03_e01_v02") == ucla_recording("a12_s03_e01_v01") == (12, 3, 1)
    with pytest.raises(ValueError, match="name: expected aAA_sSS_eEE_vVV"):
        ucla_recording("a1_s2")


def test_val_hold_out_takes_both_views_of_a_recording():
    from stgcn_pyg.data import UCLASequence
    from stgcn_pyg.data.prepare import _held_out_recordings
    seqs = [UCLASequence(f"a{a:02d}_s{s:02d}_e01_v{v:02d}", np.zeros((1, 20, 3)), a - 1, v)
            for a in (1, 2) for s in range(1, 11) for v in (1, 2, 3)]
    held = _held_out_recordings(seqs, 0.2, seed=0)
    assert len(held) == 4 and {a for a, _, _ in held} == {1, 2}   # 2 of 10 per class
    assert held == _held_out_recordings(seqs, 0.2, seed=0) != _held_out_recordings(seqs, 0.2, 1)


@pytest.mark.realdata
def test_prepare_real_ucla_val_split_holds_out_whole_recordings(shared_datasets, tmp_path):
    counts = prepare_ucla(shared_datasets / "nw-ucla", tmp_path, frames=8, val_fraction=0.1,
                          normalize_view=True)
    assert counts["test"] == 464 and counts["train"] + counts["val"] == 1020
    assert 80 <= counts["val"] <= 120
    val = SkeletonFolder(tmp_path, "val", num_nodes=20)
    assert sorted(set(val.labels.tolist())) == list(range(10))  # every class held out
    # joints of the normalised data: hip -> spine points up (+y) on average
    spine_up = (val.data[:, :, :, 1] - val.data[:, :, :, 0]).mean(axis=(0, 2))
    assert spine_up[1] > 0.03 and abs(spine_up[0]) < 1e-3 and abs(spine_up[2]) < 1e-3
    with pytest.raises(ValueError, match="val_fraction: expected a fraction"):
        prepare_ucla(shared_datasets / "nw-ucla", tmp_path, val_fraction=1.0)


@pytest.mark.realdata
def test_prepare_real_ntu(shared_datasets, tmp_path):
    counts = prepare_ntu(shared_datasets / "ntu-samples", tmp_path, frames=64, bodies=2)
    assert counts == {"train": 3, "test": 2}
    ds = SkeletonFolder(tmp_path, "train", num_nodes=25)
    assert ds.data.shape[1:] == (3, 64, 25, 2) and ds.num_classes == 60
    two_bodies = [x for x, y in ds if y == 57][0]
    assert two_bodies[..., 1].abs().sum() > 0


@pytest.mark.realdata
def test_prepare_real_ucla(shared_datasets, tmp_path):
    counts = prepare_ucla(shared_datasets / "nw-ucla", tmp_path, frames=20)
    assert counts == {"train": 1020, "test": 464}
    test = SkeletonFolder(tmp_path, "test", num_nodes=20)
    assert test.data.shape == (464, 3, 20, 20) and test.num_classes == 10
    assert np.bincount(test.labels).min() > 0
