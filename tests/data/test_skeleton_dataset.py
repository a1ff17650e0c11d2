"""SkeletonDataset: a folder as PyG Data samples; PyG's DataLoader batches them into a disjoint
union that the models take, equal to the [N, C, T, V, M] path."""
import numpy as np
import pytest
import torch
from torch_geometric.loader import DataLoader

from stgcn_pyg.data import SkeletonDataset, write_folder
from stgcn_pyg.graph import build_graph
from stgcn_pyg.models import STGCN


def _folder(root, persons=None, samples=10, frames=6, joints=25, layout=None):
    """A folder of random clips: 4-D files when ``persons`` is None, else [N, C, T, V, M]."""
    rng = np.random.default_rng(0)
    shape = (samples, 3, frames, joints) + (() if persons is None else (persons,))
    splits = {split: (rng.normal(size=shape).astype(np.float32), np.arange(samples) % 4)
              for split in ("train", "test")}
    write_folder(root, splits, ["a", "b", "c", "d"])
    if layout is not None:
        (root / "meta.json").write_text(f'{{"layout": "{layout}", "channels": ["x", "y", "z"]}}')
    return root


@pytest.mark.parametrize("persons", [None, 1, 2])
def test_a_sample_holds_the_clip_nodes_first_and_the_skeleton(tmp_path, persons):
    root = _folder(tmp_path, persons)
    dataset = SkeletonDataset(root, "test", log=False)
    clips = np.load(root / "test_data.npy")
    sample = dataset[3]
    expected = np.moveaxis(clips[3], (0, 2), (2, 0))  # [C, T, V(, M)] -> [V, T, C(, M)]
    if persons == 1:
        expected = expected[..., 0]
    assert torch.equal(sample.x, torch.from_numpy(expected))
    assert sample.y.tolist() == [3] and sample.num_nodes == 25
    graph = build_graph("ntu-rgb+d")
    assert torch.equal(sample.edge_index, graph.edge_index)
    assert torch.equal(sample.edge_type, graph.edge_type)
    assert torch.allclose(sample.edge_weight, graph.edge_weight.float())
    assert len(dataset) == 10 and dataset.num_classes == 4
    assert dataset.class_names[:2] == ["a", "b"]
    assert isinstance(dataset._x, np.memmap)  # read from disk sample by sample


@pytest.mark.parametrize("persons,preset", [(None, "compact"), (2, "compact"), (2, "ctrgcn")])
@pytest.mark.parametrize("train", [False, True])
def test_a_pyg_batch_gives_the_scores_of_the_clip_tensor(tmp_path, persons, preset, train):
    root = _folder(tmp_path, persons)
    dataset = SkeletonDataset(root, "train", log=False)
    torch.manual_seed(0)
    kwargs = {} if preset != "ctrgcn" else {"persons": persons}
    model = STGCN.from_preset(preset, 4, **kwargs).train(train)
    batch = next(iter(DataLoader(dataset, batch_size=4, shuffle=False)))
    clips = torch.from_numpy(np.load(root / "train_data.npy")[:4])
    with torch.random.fork_rng():
        from_batch = model(batch)
    from_clips = model(clips)
    assert from_batch.shape == (4, 4)
    torch.testing.assert_close(from_batch, from_clips, rtol=0, atol=0)


def test_a_batch_of_another_skeleton_is_refused(tmp_path):
    dataset = SkeletonDataset(_folder(tmp_path / "coco", joints=17, layout="coco"), log=False)
    assert dataset.layout == "coco"
    batch = next(iter(DataLoader(dataset, batch_size=2)))
    with pytest.raises(ValueError, match=r"batch.x: expected 2 graphs x V=25 joints = 50 "
                                         r"nodes, got 34"):
        STGCN.from_preset("compact", 4)(batch)


def test_processing_runs_once_and_the_pre_transform_is_stored(tmp_path):
    root = _folder(tmp_path)
    calls = []

    def first_frames_doubled(data):
        calls.append(1)
        data.x = 2 * data.x[:, :4]
        return data

    dataset = SkeletonDataset(root, pre_transform=first_frames_doubled, log=False)
    raw = np.load(root / "train_data.npy")
    assert torch.equal(dataset[5].x, torch.from_numpy(2 * raw[5, :, :4].transpose(2, 1, 0)))
    assert len(calls) == 11  # the shape probe and one per sample
    assert (root / "processed" / "train_x.npy").is_file()
    assert isinstance(dataset._x, np.memmap)
    again = SkeletonDataset(root, pre_transform=first_frames_doubled, log=False)
    assert len(calls) == 11 and torch.equal(again[5].x, dataset[5].x)  # not processed again


def test_a_pre_transform_that_changes_the_shape_between_samples_is_refused(tmp_path):
    root = _folder(tmp_path)

    def ragged(data):
        data.x = data.x[:, : 1 + int(data.y)]
        return data

    with pytest.raises(ValueError, match=r"pre_transform: every sample's x must keep one shape; "
                                         r"sample 0 gave \[25, 1, 3\], sample 1 \[25, 2, 3\]"):
        SkeletonDataset(root, pre_transform=ragged, log=False)
    assert not (root / "processed" / "train_graph.pt").exists()
    assert not list((root / "processed").glob("train_x*"))  # nothing half-written


def test_transform_and_processed_dir(tmp_path):
    root = _folder(tmp_path / "data")
    before = sorted(p.name for p in root.iterdir())

    def shifted(data):
        data.x = data.x + 1
        return data

    dataset = SkeletonDataset(root, transform=shifted, processed_dir=tmp_path / "cache",
                              log=False)
    assert sorted(p.name for p in root.iterdir()) == before  # the data folder untouched
    assert (tmp_path / "cache" / "train_graph.pt").is_file()
    raw = np.load(root / "train_data.npy")
    assert torch.equal(dataset[0].x, torch.from_numpy(raw[0].transpose(2, 1, 0) + 1))


def test_a_folder_with_nan_is_refused_when_processed(tmp_path):
    root = _folder(tmp_path)
    data = np.load(root / "train_data.npy")
    data[2, 0, 0, 0] = np.nan
    np.save(root / "train_data.npy", data)
    with pytest.raises(ValueError, match=r"train_data.npy: sample 2 holds NaN or inf"):
        SkeletonDataset(root, log=False)
