"""stgcn-pyg predict: clips and folders in every readable format, class names, JSON/CSV,
sliding windows; and its bad input."""
import csv
import json

import numpy as np
import pytest
import torch

from stgcn_pyg.cli import main
from stgcn_pyg.data import NormalizeView
from stgcn_pyg.models import load_model_and_metadata


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A trained 'tiny' run on the 12 synthetic actions (class names recorded)."""
    from training_fixtures import tiny_preset  # noqa: F401
    from stgcn_pyg.data import write_synthetic
    from stgcn_pyg.models import BlockSpec, presets

    root = tmp_path_factory.mktemp("predict")
    write_synthetic(root / "data", train=24, test=12, frames=8, seed=0)
    presets.PRESETS["tiny-predict"] = lambda: dict(
        in_channels=3, graph="ntu-rgb+d", strategy="spatial", kernel_size=3,
        blocks=[BlockSpec(8, 1, residual=False), BlockSpec(16, 2)])
    try:
        assert main(["train", "--data", str(root / "data"), "--out", str(root / "run"),
                     "--preset", "tiny-predict", "--epochs", "1", "--no-progress"]) == 0
    finally:
        del presets.PRESETS["tiny-predict"]
    return root


def _probabilities(run, clip):
    """The reference: the model's softmax on the clip turned to the canonical view (the run
    read its data so: the default on a layout with hip, spine and shoulders), computed here."""
    model, metadata = load_model_and_metadata(run / "run" / "model.pt")
    assert metadata["normalize_view"] is True
    x = NormalizeView("ntu-rgb+d")(torch.from_numpy(clip))
    with torch.no_grad():
        return model.eval()(x[None]).softmax(1)[0]


def test_one_npy_clip_prints_top5_names_with_probabilities(run, tmp_path, capsys):
    clip = np.load(run / "data" / "test_data.npy")[3][..., None]  # [C, T, V, M=1]
    np.save(tmp_path / "clip.npy", clip)
    assert main(["predict", "--checkpoint", str(run / "run" / "model.pt"),
                 str(tmp_path / "clip.npy"), "--json", str(tmp_path / "p.json"),
                 "--csv", str(tmp_path / "p.csv")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("clip.npy: ")
    rows = json.loads((tmp_path / "p.json").read_text())
    expected = _probabilities(run, clip)
    top = expected.topk(5)
    assert [t["index"] for t in rows[0]["top"]] == top.indices.tolist()
    assert [t["probability"] for t in rows[0]["top"]] == pytest.approx(top.values.tolist(),
                                                                       abs=1e-6)
    names = (run / "data" / "classes.txt").read_text().splitlines()
    assert rows[0]["top"][0]["class"] == names[top.indices[0]]
    assert f"{names[top.indices[0]]} {top.values[0]:.3f}" in out[0]
    table = list(csv.DictReader(open(tmp_path / "p.csv")))
    assert len(table) == 5 and table[0]["class"] == names[top.indices[0]] and table[0]["rank"] == "1"


def test_a_stack_and_a_folder(run, tmp_path, capsys):
    stack = np.load(run / "data" / "test_data.npy")[:3]
    np.save(tmp_path / "stack.npy", stack)
    np.save(tmp_path / "one.npy", stack[0])  # [C, T, V]
    (tmp_path / "notes.txt").write_text("ignored")
    assert main(["predict", "--checkpoint", str(run / "run" / "model.pt"), str(tmp_path),
                 "--top", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["one.npy", "stack.npy#0", "stack.npy#1",
                                                      "stack.npy#2"]
    assert all(line.count(",") == 1 for line in lines)  # two classes each


def test_sliding_windows_over_a_long_recording(run, tmp_path, capsys):
    long = np.concatenate([np.load(run / "data" / "test_data.npy")[i] for i in range(3)], axis=1)
    np.save(tmp_path / "long.npy", long)  # 24 frames
    assert main(["predict", "--checkpoint", str(run / "run" / "model.pt"),
                 str(tmp_path / "long.npy"), "--window", "8", "--stride", "8", "--json",
                 str(tmp_path / "w.json")]) == 0
    rows = json.loads((tmp_path / "w.json").read_text())
    assert [(r["start"], r["end"]) for r in rows] == [(0, 8), (8, 16), (16, 24)]
    for r in rows:
        expected = _probabilities(run, long[:, r["start"]:r["end"]].copy())
        assert r["top"][0]["index"] == int(expected.argmax())
    assert "long.npy [8:16]: " in capsys.readouterr().out


def test_raw_ntu_skeleton_recording(run, tmp_path, capsys):
    """A .skeleton file written by hand in the NTU text format: frame count; per frame the
    body count; per body a 10-field line, the joint count, 25 joint lines of 12 fields."""
    rng = np.random.default_rng(0)
    lines = ["6"]
    for _ in range(6):
        lines += ["1", "72057594037931101 0 1 1 1 1 0 0.1 0.2 2", "25"]
        for j in range(25):
            x, y, z = rng.normal(size=3) * 0.1 + [0, j * 0.05, 3]
            lines.append(f"{x:.4f} {y:.4f} {z:.4f} 0 0 0 0 0 0 0 0 2")
    (tmp_path / "S001C001P001R001A007.skeleton").write_text("\n".join(lines) + "\n")
    assert main(["predict", "--checkpoint", str(run / "run" / "model.pt"),
                 str(tmp_path / "S001C001P001R001A007.skeleton")]) == 0
    assert capsys.readouterr().out.startswith("S001C001P001R001A007.skeleton: ")


@pytest.mark.parametrize("argv,match", [
    (lambda r, t: [str(t / "none.npy")], r"none.npy: no such file or folder"),
    (lambda r, t: [str(_save(t / "bad.npy", np.zeros((3, 4))))],
     r"bad.npy: expected a clip \[C=3, T, V=25\(, M\)\] or a stack"),
    (lambda r, t: [str(_save(t / "v20.npy", np.zeros((3, 8, 20))))],
     r"v20.npy: expected a clip \[C=3, T, V=25"),
    (lambda r, t: [str((t / "empty").mkdir() or t / "empty")], r"empty: no .npy/.skeleton/.json"),
    (lambda r, t: [str(_text(t / "clip.txt"))], r"clip.txt: expected a .npy, .skeleton, .json"),
    (lambda r, t: [str(_text(t / "zero.skeleton", ""))], r"zero.skeleton: empty file"),
    (lambda r, t: [str(_text(t / "x.json", "{"))], r"x.json: not valid JSON"),
    (lambda r, t: [str(_save(t / "c.npy", np.zeros((3, 8, 25)))), "--top", "0"],
     r"--top: expected an int >= 1, got 0"),
    (lambda r, t: [str(_save(t / "c.npy", np.zeros((3, 8, 25)))), "--stride", "2"],
     r"--stride: given without --window"),
])
def test_predict_bad_input(run, tmp_path, capsys, argv, match):
    code = main(["predict", "--checkpoint", str(run / "run" / "model.pt"), *argv(run, tmp_path)])
    assert code == 2
    assert __import__("re").search(match, capsys.readouterr().err)


def test_predict_with_a_bad_checkpoint(tmp_path, capsys):
    (tmp_path / "m.pt").write_bytes(b"")
    assert main(["predict", "--checkpoint", str(tmp_path / "m.pt"), str(tmp_path)]) == 2
    assert "m.pt: not a readable torch file (empty or cut short)" in capsys.readouterr().err


def _save(path, array):
    np.save(path, array.astype(np.float32))
    return path


def _text(path, content="x"):
    path.write_text(content)
    return path


def test_a_kinetics_skeleton_video(tmp_path, capsys):
    """Kinetics JSON to predict (no label); the model is an 18-joint OpenPose one."""
    from stgcn_pyg.models import STGCN, BlockSpec, save_model

    torch.manual_seed(0)
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(8)])
    save_model(model, tmp_path / "model.pt", {"stream": "joint",
                                              "class_names": ["a", "b", "c", "d"]})
    pose = [0.5 + 0.01 * j for j in range(36)]
    video = {"data": [{"frame_index": t, "skeleton": [{"pose": pose, "score": [0.9] * 18}]}
                      for t in range(6)]}
    (tmp_path / "vid.json").write_text(json.dumps(video))
    assert main(["predict", "--checkpoint", str(tmp_path / "model.pt"), str(tmp_path / "vid.json"),
                 "--top", "4", "--json", str(tmp_path / "p.json")]) == 0
    rows = json.loads((tmp_path / "p.json").read_text())
    from stgcn_pyg.data.toolkit_formats import kinetics_clip

    clip, label = kinetics_clip(tmp_path / "vid.json", 6)
    assert label is None and rows[0]["end"] == 6
    with torch.no_grad():
        expected = model.eval()(torch.from_numpy(clip)[None]).softmax(1)[0]
    assert [t["probability"] for t in rows[0]["top"]] == pytest.approx(
        expected.sort(descending=True).values.tolist(), abs=1e-6)


def test_an_nw_ucla_json_recording(tmp_path, capsys):
    """NW-UCLA JSON {"file_name", "skeletons" [T][20][3], "label" 1..10} with a 20-joint model."""
    from stgcn_pyg.models import STGCN, BlockSpec, save_model

    torch.manual_seed(0)
    save_model(STGCN(3, 10, "kinect-v1", blocks=[BlockSpec(8)]), tmp_path / "model.pt")
    rng = np.random.default_rng(0)
    skeletons = (rng.normal(size=(9, 20, 3)) * 0.1 + [0, 0, 3]).tolist()
    (tmp_path / "a01_s01_e00_v01.json").write_text(json.dumps(
        {"file_name": "a01_s01_e00_v01", "skeletons": skeletons, "label": 1}))
    assert main(["predict", "--checkpoint", str(tmp_path / "model.pt"),
                 str(tmp_path / "a01_s01_e00_v01.json"), "--frames", "12", "--json",
                 str(tmp_path / "p.json")]) == 0
    rows = json.loads((tmp_path / "p.json").read_text())
    assert rows[0]["clip"] == "a01_s01_e00_v01.json" and rows[0]["end"] == 12  # resampled
    assert rows[0]["top"][0]["class"] in [str(i) for i in range(10)]  # no names recorded
