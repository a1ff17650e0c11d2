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
