import numpy as np
import pytest

from stgcn_pyg.data import ACTIONS, SkeletonFolder, synthesize, write_synthetic
from stgcn_pyg.graph import get_skeleton


def test_deterministic_and_seeded():
    a, la = synthesize(24, frames=12, seed=5)
    b, lb = synthesize(24, frames=12, seed=5)
    c, _ = synthesize(24, frames=12, seed=6)
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert not np.allclose(a, c)
    assert a.shape == (24, 3, 12, 25) and a.dtype == np.float32 and np.isfinite(a).all()


def test_balanced_distinct_actions():
    assert len(ACTIONS) >= 8
    data, labels = synthesize(len(ACTIONS) * 4, frames=16, seed=0)
    assert np.bincount(labels).tolist() == [4] * len(ACTIONS)
    means = np.stack([data[labels == c].std(axis=2).mean(axis=0) for c in range(len(ACTIONS))])
    distances = np.sqrt(((means[:, None] - means[None]) ** 2).sum(axis=(-1, -2)))
    assert distances[~np.eye(len(ACTIONS), dtype=bool)].min() > 0.05


def test_per_sample_bone_lengths_differ():
    data, labels = synthesize(20, frames=4, seed=1)
    upper_arm = np.linalg.norm(data[:, :, 0, 4] - data[:, :, 0, 5], axis=1)  # shoulder-elbow
    assert upper_arm.std() > 0.01 and 0.15 < upper_arm.mean() < 0.45


@pytest.mark.parametrize("layout", ["kinect-v1", "openpose", "coco", "ntu_edge"])
def test_other_layouts(layout):
    data, _ = synthesize(4, frames=6, layout=layout, seed=0)
    assert data.shape == (4, 3, 6, get_skeleton(layout).num_nodes)


def test_custom_points_and_errors():
    data, _ = synthesize(2, frames=3, layout="ntu-rgb+d", points=list(range(5, 30)))
    assert data.shape == (2, 3, 3, 25)
    from stgcn_pyg.graph import Skeleton

    star = Skeleton.from_edge_list([(0, 1), (0, 2)], center=0)
    with pytest.raises(ValueError, match="no built-in point selection"):
        synthesize(2, layout=star)
    with pytest.raises(ValueError, match=r"points: expected 3 body points"):
        synthesize(2, layout=star, points=[0, 1])


def test_write_synthetic_folder(tmp_path):
    write_synthetic(tmp_path, train=24, test=12, frames=8)
    ds = SkeletonFolder(tmp_path, "train", num_nodes=25)
    assert len(ds) == 24 and ds.num_classes == len(ACTIONS)
    assert ds.class_names == list(ACTIONS)
