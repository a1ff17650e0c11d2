"""Other toolkits' processed formats, written here by hand from their definitions."""
import json
import os
import pickle

import numpy as np
import pytest

from stgcn_pyg.cli import main
from training_fixtures import tiny_preset  # noqa: F401  (the "tiny" preset, autouse)
from stgcn_pyg.data import prepare_ctrgcn_npz, prepare_stgcn_npy


def _stgcn_folder(root, v=18, n=(12, 6), joint_suffix=False, labels=None):
    """ST-GCN's processed layout: {train,val}_data.npy [N, 3, T, V, 2] float32 and
    {train,val}_label.pkl = pickle((sample_names, labels)), names keep their extension."""
    root.mkdir()
    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in zip(("train", "val"), n):
        data = rng.standard_normal((count, 3, 16, v, 2)).astype(np.float32)
        ys = labels if labels is not None else [i % 4 for i in range(count)]
        suffix = "_joint" if joint_suffix else ""
        np.save(root / f"{split}_data{suffix}.npy", data)
        with open(root / f"{split}_label.pkl", "wb") as handle:
            pickle.dump(([f"clip{i:03d}.json" for i in range(count)], list(ys)), handle)
        arrays[split] = (data, np.asarray(ys))
    return arrays


@pytest.mark.parametrize("joint_suffix", [False, True], ids=["st-gcn", "2s-agcn"])
def test_stgcn_npy_becomes_the_folder_format_with_its_layout(tmp_path, joint_suffix):
    arrays = _stgcn_folder(tmp_path / "src", joint_suffix=joint_suffix)
    counts = prepare_stgcn_npy(tmp_path / "src", tmp_path / "out")
    assert counts == {"train": 12, "test": 6}
    for theirs, ours in (("train", "train"), ("val", "test")):
        np.testing.assert_array_equal(np.load(tmp_path / "out" / f"{ours}_data.npy"),
                                      arrays[theirs][0])
        np.testing.assert_array_equal(np.load(tmp_path / "out" / f"{ours}_label.npy"),
                                      arrays[theirs][1])
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta == {"layout": "openpose", "channels": ["x", "y", "score"], "source": "stgcn-npy"}


def _ctrgcn_npz(path, n=(10, 5), classes=6):
    """CTR-GCN's NTU npz: x_* [N, T, 150] = (person, joint, xyz) flattened per frame, y_*
    one-hot [N, classes]. Returns the [N, C, T, V, M] arrays it encodes."""
    rng = np.random.default_rng(1)
    out, expected = {}, {}
    for split, count in zip(("train", "test"), n):
        data = rng.standard_normal((count, 3, 12, 25, 2)).astype(np.float32)  # N C T V M
        x = data.transpose(0, 2, 4, 3, 1).reshape(count, 12, 150)            # N T (M V C)
        labels = rng.integers(0, classes, count)
        out[f"x_{split}"], out[f"y_{split}"] = x, np.eye(classes)[labels]
        expected[split] = (data, labels)
    np.savez(path, **out)
    return expected


def test_ctrgcn_npz_becomes_the_folder_format(tmp_path):
    expected = _ctrgcn_npz(tmp_path / "ntu.npz")
    assert prepare_ctrgcn_npz(tmp_path / "ntu.npz", tmp_path / "out") == {"train": 10, "test": 5}
    for split in ("train", "test"):
        np.testing.assert_array_equal(np.load(tmp_path / "out" / f"{split}_data.npy"),
                                      expected[split][0])
        np.testing.assert_array_equal(np.load(tmp_path / "out" / f"{split}_label.npy"),
                                      expected[split][1])
    assert json.loads((tmp_path / "out" / "meta.json").read_text())["layout"] == "ntu-rgb+d"


@pytest.mark.parametrize("kind", ["stgcn-npy", "ctrgcn-npz"])
def test_prepare_train_evaluate_on_each_format(tmp_path, kind):
    if kind == "stgcn-npy":
        _stgcn_folder(tmp_path / "src")
        source = tmp_path / "src"
    else:
        _ctrgcn_npz(tmp_path / "ntu.npz")
        source = tmp_path / "ntu.npz"
    assert main(["prepare", kind, str(source), "--out", str(tmp_path / "data")]) == 0
    # no --layout: train reads it from meta.json (openpose for V = 18 is not the preset's)
    assert main(["train", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "run"),
                 "--preset", "tiny", "--epochs", "1", "--batch-size", "4", "--no-progress"]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["layout"] == ("openpose" if kind == "stgcn-npy" else "ntu-rgb+d")
    assert main(["evaluate", "--checkpoint", str(tmp_path / "run" / "model.pt"), "--data",
                 str(tmp_path / "data")]) == 0


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("breakage,match", [
    ("no-val", r"missing val_data.npy \(or 2s-AGCN's val_data_joint.npy\)"),
    ("not-a-tuple", r"train_label.pkl: expected a pickle of \(sample_names, labels\), got dict"),
    ("count", r"train_label.pkl: 3 labels but the data holds 12 samples"),
    ("float-labels", r"train_label.pkl: expected as many integer labels as names"),
    ("code", r"train_label.pkl: not a readable pickle of plain values \(refusing to load "
             r"posix.system"),
    ("rank", r"train_data.npy: expected data \[N, C, T, V, M\], got shape \[12, 3, 16, 18\]"),
    ("0-byte-pkl", r"train_label.pkl: not a readable pickle"),
])
def test_malformed_stgcn_npy_names_file_and_field(tmp_path, breakage, match):
    _stgcn_folder(tmp_path / "src")
    src = tmp_path / "src"
    label = src / "train_label.pkl"
    if breakage == "no-val":
        (src / "val_data.npy").unlink()
    elif breakage == "not-a-tuple":
        label.write_bytes(pickle.dumps({"labels": [1]}))
    elif breakage == "count":
        label.write_bytes(pickle.dumps((["a", "b", "c"], [0, 1, 2])))
    elif breakage == "float-labels":
        label.write_bytes(pickle.dumps(([f"c{i}" for i in range(12)], [0.5] * 12)))
    elif breakage == "code":
        label.write_bytes(pickle.dumps(_Payload()))
    elif breakage == "rank":
        np.save(src / "train_data.npy", np.zeros((12, 3, 16, 18), np.float32))
    elif breakage == "0-byte-pkl":
        label.write_bytes(b"")
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        prepare_stgcn_npy(src, tmp_path / "out")
    assert not (tmp_path / "out" / "meta.json").exists()


@pytest.mark.parametrize("breakage,match", [
    ("missing-key", r"missing arrays \['y_test'\]"),
    ("not-one-hot", r"y_train: expected one-hot labels \[N=10, classes\]"),
    ("shape", r"x_train: expected \[N, T, 2 x 25 x C\], got shape \[10, 12, 149\]"),
    ("not-npz", r"not a readable .npz archive"),
])
def test_malformed_ctrgcn_npz_names_file_and_field(tmp_path, breakage, match):
    path = tmp_path / "ntu.npz"
    _ctrgcn_npz(path)
    arrays = dict(np.load(path))
    if breakage == "missing-key":
        del arrays["y_test"]
    elif breakage == "not-one-hot":
        arrays["y_train"] = arrays["y_train"] * 2
    elif breakage == "shape":
        arrays["x_train"] = arrays["x_train"][:, :, :149]
    if breakage == "not-npz":
        path.write_text("plain text")
    else:
        np.savez(path, **arrays)
    with pytest.raises(ValueError, match=match):
        prepare_ctrgcn_npz(path, tmp_path / "out")


def _kinetics_folder(root):
    """Kinetics-skeleton, written from the format: per-video {"data": [{"frame_index",
    "skeleton": [{"pose": [x0, y0, ...] (36), "score": [18]}]}], "label", "label_index"} and
    kinetics_{train,val}_label.json {id: {"has_skeleton", "label", "label_index"}}."""
    def person(x, score):
        return {"pose": [v for j in range(18) for v in (x + 0.01 * j, 0.6)],
                "score": [score] * 17 + [0.0]}  # the last joint is not detected

    videos = {
        "train": {"vid_a": (0, "abseiling", [{"frame_index": 0, "skeleton": [person(0.7, 0.5),
                                                                           person(0.2, 0.9)]},
                                            {"frame_index": 1, "skeleton": [person(0.4, 0.8)]},
                                            {"frame_index": 99, "skeleton": [person(0.1, 1.0)]}]),
                  "vid_b": (2, "archery", [{"frame_index": 0, "skeleton": [person(0.5, 0.7)]}]),
                  "vid_empty": (1, "bowling", [])},
        "val": {"vid_c": (1, "bowling", [{"frame_index": 2, "skeleton": [person(0.3, 0.6)]}]),
                "vid_d": (0, "abseiling", [{"frame_index": 0, "skeleton": [person(0.6, 0.4)]}])},
    }
    root.mkdir()
    for split, items in videos.items():
        (root / f"kinetics_{split}").mkdir()
        labels = {}
        for vid, (index, name, data) in items.items():
            labels[vid] = {"has_skeleton": bool(data), "label": name, "label_index": index}
            (root / f"kinetics_{split}" / f"{vid}.json").write_text(json.dumps(
                {"data": data, "label": name, "label_index": index}))
        (root / f"kinetics_{split}_label.json").write_text(json.dumps(labels))


def test_kinetics_is_read_as_the_original_feeder_does(tmp_path):
    from stgcn_pyg.data import prepare_kinetics

    _kinetics_folder(tmp_path / "kin")
    counts = prepare_kinetics(tmp_path / "kin", tmp_path / "out", frames=8)
    assert counts == {"train": 2, "test": 2}  # vid_empty (has_skeleton: false) skipped
    data = np.load(tmp_path / "out" / "train_data.npy")
    assert data.shape == (2, 3, 8, 18, 2)
    a = data[0]  # vid_a (sorted by id)
    # frame 0: the second person scores higher (0.9 x 17 > 0.5 x 17) and comes first
    np.testing.assert_allclose(a[0, 0, 0, 0], 0.2 - 0.5, atol=1e-6)
    np.testing.assert_allclose(a[0, 0, 0, 1], 0.7 - 0.5, atol=1e-6)
    np.testing.assert_allclose(a[1, 0, 3, 0], 0.6 - 0.5, atol=1e-6)
    np.testing.assert_allclose(a[2, 0, :17, 0], 0.9, atol=1e-6)
    assert a[0, 0, 17, 0] == 0 and a[1, 0, 17, 0] == 0  # score 0: x, y zeroed
    np.testing.assert_allclose(a[0, 1, 0, 0], 0.4 - 0.5, atol=1e-6)
    assert np.all(a[:, 2:] == 0)  # frame 99 lies beyond T = 8
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "train_label.npy"), [0, 2])
    assert (tmp_path / "out" / "classes.txt").read_text().splitlines() == [
        "abseiling", "bowling", "archery"]
    assert json.loads((tmp_path / "out" / "meta.json").read_text())["channels"] == [
        "x", "y", "score"]


def _pyskl_pickle(path, dims):
    """pyskl: {"split": {...}, "annotations": [{"frame_dir", "label", "keypoint" [M, T, V, C]
    float16, "total_frames", "keypoint_score" [M, T, V] (2-D), "img_shape"}]}."""
    rng = np.random.default_rng(2)
    v, c = (25, 3) if dims == 3 else (17, 2)
    annotations, names = [], {"xsub_train": [], "xsub_val": []}
    for i in range(6):
        t = 5 + i
        item = {"frame_dir": f"S001C001P00{i}R001A00{i}", "label": i % 3, "total_frames": t,
                "img_shape": (1080, 1920),
                "keypoint": rng.standard_normal((2 if i % 2 else 1, t, v, c)).astype(np.float16)}
        if dims == 2:
            item["keypoint_score"] = rng.random(item["keypoint"].shape[:3]).astype(np.float16)
        annotations.append(item)
        names["xsub_train" if i < 4 else "xsub_val"].append(item["frame_dir"])
    with open(path, "wb") as handle:
        pickle.dump({"split": names, "annotations": annotations}, handle)
    return annotations


@pytest.mark.parametrize("dims", [3, 2], ids=["ntu-3d", "coco-2d"])
def test_pyskl_annotations_become_the_folder_format(tmp_path, dims):
    from stgcn_pyg.data import prepare_pyskl

    annotations = _pyskl_pickle(tmp_path / "ann.pkl", dims)
    assert prepare_pyskl(tmp_path / "ann.pkl", tmp_path / "out") == {"train": 4, "test": 2}
    data = np.load(tmp_path / "out" / "train_data.npy")
    assert data.shape == (4, 3, 8, 25 if dims == 3 else 17, 2)  # padded to the longest, 8
    item = annotations[3]  # 2 persons, 8 frames
    expected = item["keypoint"].astype(np.float32)
    if dims == 2:
        expected = np.concatenate([expected, item["keypoint_score"].astype(np.float32)[..., None]],
                                  axis=-1)
    np.testing.assert_array_equal(data[3], expected.transpose(3, 1, 2, 0))
    assert np.all(data[0, :, 5:] == 0) and np.all(data[0, ..., 1] == 0)  # padding, 1 person
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "test_label.npy"), [1, 2])
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["layout"] == ("ntu-rgb+d" if dims == 3 else "coco")


@pytest.mark.parametrize("kind", ["kinetics", "pyskl"])
def test_prepare_train_evaluate_on_kinetics_and_pyskl(tmp_path, kind):
    if kind == "kinetics":
        _kinetics_folder(tmp_path / "src")
        source, extra = tmp_path / "src", ["--frames", "8"]
    else:
        _pyskl_pickle(tmp_path / "ann.pkl", 2)
        source, extra = tmp_path / "ann.pkl", []
    assert main(["prepare", kind, str(source), "--out", str(tmp_path / "data"), *extra]) == 0
    assert main(["train", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "run"),
                 "--preset", "tiny", "--epochs", "1", "--batch-size", "2", "--no-progress"]) == 0
    assert main(["evaluate", "--checkpoint", str(tmp_path / "run" / "model.pt"), "--data",
                 str(tmp_path / "data")]) == 0


@pytest.mark.parametrize("breakage,match", [
    ("pose-length", r"vid_b.json: frame 0, person 0: expected pose \[36\] and score \[18\]"),
    ("label-mismatch", r"vid_b.json: label_index 2 but the label file says 1"),
    ("no-data", r"vid_b.json: missing keys \['data'\]"),
    ("bad-entry", r"kinetics_train_label.json: entry 'vid_b': expected"),
])
def test_malformed_kinetics_names_file_and_field(tmp_path, breakage, match):
    from stgcn_pyg.data import prepare_kinetics

    _kinetics_folder(tmp_path / "kin")
    video = tmp_path / "kin" / "kinetics_train" / "vid_b.json"
    labels_path = tmp_path / "kin" / "kinetics_train_label.json"
    record, labels = json.loads(video.read_text()), json.loads(labels_path.read_text())
    if breakage == "pose-length":
        record["data"][0]["skeleton"][0]["pose"] = [0.5] * 34
    elif breakage == "label-mismatch":
        labels["vid_b"]["label_index"] = 1
    elif breakage == "no-data":
        del record["data"]
    elif breakage == "bad-entry":
        labels["vid_b"] = "archery"
    video.write_text(json.dumps(record))
    labels_path.write_text(json.dumps(labels))
    with pytest.raises(ValueError, match=match):
        prepare_kinetics(tmp_path / "kin", tmp_path / "out", frames=8)


@pytest.mark.parametrize("breakage,match", [
    ("no-split", r"expected a dict with 'split' and 'annotations'"),
    ("unknown-dir", r"split lists 'ghost', which has no annotation"),
    ("keypoint-rank", r"annotation 'S001C001P000R001A000': keypoint: expected \[M, T, V, C\]"),
    ("two-train-splits", r"cannot tell the split ending in train"),
])
def test_malformed_pyskl_names_file_and_field(tmp_path, breakage, match):
    from stgcn_pyg.data import prepare_pyskl

    _pyskl_pickle(tmp_path / "ann.pkl", 3)
    record = pickle.loads((tmp_path / "ann.pkl").read_bytes())
    if breakage == "no-split":
        del record["split"]
    elif breakage == "unknown-dir":
        record["split"]["xsub_train"].append("ghost")
    elif breakage == "keypoint-rank":
        record["annotations"][0]["keypoint"] = np.zeros((5, 25, 3), np.float16)
    elif breakage == "two-train-splits":
        record["split"]["xview_train"] = []
    (tmp_path / "ann.pkl").write_bytes(pickle.dumps(record))
    with pytest.raises(ValueError, match=match):
        prepare_pyskl(tmp_path / "ann.pkl", tmp_path / "out")
