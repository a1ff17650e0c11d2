import numpy as np
import pytest

from stgcn_pyg.data import SkeletonFolder, fit_sequence, prepare_ntu, prepare_ucla


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
