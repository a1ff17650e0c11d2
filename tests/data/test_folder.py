import numpy as np
import pytest
import torch

from stgcn_pyg.data import SkeletonFolder, num_classes_of, write_folder


def _folder(tmp_path, shape=(6, 3, 8, 25), labels=None, classes=None):
    rng = np.random.default_rng(0)
    data = rng.normal(size=shape).astype(np.float32)
    labels = np.arange(shape[0]) % 3 if labels is None else np.asarray(labels)
    write_folder(tmp_path, {"train": (data, labels), "test": (data[:2], labels[:2])}, classes)
    return data


@pytest.mark.parametrize("shape", [(6, 3, 8, 25), (6, 3, 8, 25, 2)])
def test_reads_4d_and_5d_memory_mapped(tmp_path, shape):
    data = _folder(tmp_path, shape)
    ds = SkeletonFolder(tmp_path, "train", num_nodes=25, in_channels=3)
    assert isinstance(ds.data, np.memmap)
    assert len(ds) == 6 and ds.num_classes == 3
    x, y = ds[4]
    expected = data[4] if len(shape) == 5 else data[4][..., None]
    assert x.dtype == torch.float32 and torch.equal(x, torch.from_numpy(expected))
    assert y == 1 and ds.sample_shape == (3, 8, 25, shape[4] if len(shape) == 5 else 1)


def test_class_names_file_sets_num_classes(tmp_path):
    _folder(tmp_path, classes=["a", "b", "c", "d"])
    assert num_classes_of(tmp_path) == 4
    assert SkeletonFolder(tmp_path, "test").class_names == ["a", "b", "c", "d"]
    assert SkeletonFolder(tmp_path, "test").label_names() == ["a", "b", "c", "d"]
    # A model with another class count (evaluate passes it) gets index names.
    assert SkeletonFolder(tmp_path, "test", num_classes=5).label_names() == list("01234")


def test_label_names_without_a_class_file_are_indices(tmp_path):
    _folder(tmp_path)
    assert SkeletonFolder(tmp_path, "train").label_names() == ["0", "1", "2"]


def test_transform_is_applied(tmp_path):
    _folder(tmp_path)
    ds = SkeletonFolder(tmp_path, "train", transform=lambda x: x * 0)
    assert not ds[0][0].any()


def test_missing_folder_and_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        SkeletonFolder(tmp_path / "nope")
    _folder(tmp_path)
    (tmp_path / "test_label.npy").unlink()
    with pytest.raises(FileNotFoundError, match="missing test_label.npy"):
        SkeletonFolder(tmp_path, "test", num_classes=3)


def test_label_count_mismatch(tmp_path):
    _folder(tmp_path)
    np.save(tmp_path / "train_label.npy", np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match=r"train_label.npy: 5 labels but train_data.npy holds 6"):
        SkeletonFolder(tmp_path, "train")


def test_labels_out_of_range(tmp_path):
    _folder(tmp_path)
    np.save(tmp_path / "train_label.npy", np.array([0, 1, 2, 0, 1, 7]))
    with pytest.raises(ValueError, match=r"train_label.npy: labels must lie in 0..2, found \[7\]"):
        SkeletonFolder(tmp_path, "train", num_classes=3)


def test_non_finite_data(tmp_path):
    data = _folder(tmp_path)
    data[3, 1, 2, 4] = np.nan
    np.save(tmp_path / "train_data.npy", data)
    with pytest.raises(ValueError, match="train_data.npy: sample 3 holds NaN or inf"):
        SkeletonFolder(tmp_path, "train")


def test_joint_count_must_match_layout(tmp_path):
    _folder(tmp_path)
    with pytest.raises(ValueError, match=r"V = 25 joints \(dim 3\) does not match the layout's 20"):
        SkeletonFolder(tmp_path, "train", num_nodes=20)


def test_wrong_rank_and_unreadable(tmp_path):
    _folder(tmp_path)
    np.save(tmp_path / "train_data.npy", np.zeros((6, 3, 8), dtype=np.float32))
    with pytest.raises(ValueError, match=r"expected data \[N, C, T, V\]"):
        SkeletonFolder(tmp_path, "train")
    (tmp_path / "train_data.npy").write_text("not numpy")
    with pytest.raises(ValueError, match="not a readable .npy array"):
        SkeletonFolder(tmp_path, "train")
