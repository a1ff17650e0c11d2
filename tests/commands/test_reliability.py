"""Issue 23: a diverging run stops with one line and resumes with a lower --lr; models with
NaN weights and clips with NaN coordinates are refused; foreign files given as checkpoints
get one line, never a traceback."""
import json

import numpy as np
import pytest
import torch

from stgcn_pyg.cli import main
from stgcn_pyg.models import load_model


def _error_line(capsys, argv, code=2):
    assert main(argv) == code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("stgcn-pyg ")]
    assert len(lines) == 1 and "Traceback" not in err, err  # (progress bars aside)
    return lines[0]


def test_a_diverging_run_stops_with_one_line_keeps_its_checkpoint_and_resumes(
        tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    line = _error_line(capsys, ["train", "--data", str(tiny_data), "--out", str(run),
                                "--preset", "tiny", "--epochs", "4", "--lr", "1e12",
                                "--no-progress"], code=1)
    assert line.startswith("stgcn-pyg train: error: training diverged: ")
    assert "at epoch " in line and ", step " in line and "--resume --lr 1e+11" in line
    assert not (run / "model.pt").exists() and not (run / "metrics.json").exists()
    if (run / "checkpoint.pt").exists():  # an epoch finished before the loss blew up
        state = torch.load(run / "checkpoint.pt", weights_only=True)
        assert all(torch.isfinite(t).all() for t in state["model"]["state_dict"].values()
                   if t.is_floating_point())
        assert main(["train", "--out", str(run), "--resume", "--lr", "0.01",
                     "--no-progress"]) == 0
        metrics = json.loads((run / "metrics.json").read_text())
        assert metrics["epochs"] == 4 and metrics["recipe"]["lr"] == 0.01
        assert np.isfinite(metrics["test_loss"])


def test_nan_weights_are_refused_by_every_verb(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset", "tiny",
                 "--epochs", "1", "--no-progress"]) == 0
    model = torch.load(run / "model.pt", weights_only=True)
    name = next(k for k, v in model["state_dict"].items() if v.is_floating_point())
    model["state_dict"][name] = model["state_dict"][name] * float("nan")
    bad = tmp_path / "nan.pt"
    torch.save(model, bad)
    clip = tmp_path / "clip.npy"
    np.save(clip, np.load(tiny_data / "test_data.npy")[0])
    for argv in (["evaluate", "--checkpoint", str(bad), "--data", str(tiny_data)],
                 ["predict", "--checkpoint", str(bad), str(clip)],
                 ["plot", "importance", "--checkpoint", str(bad), "--out",
                  str(tmp_path / "i.png")],
                 ["export", "--checkpoint", str(bad), "--out", str(tmp_path / "m.onnx")]):
        line = _error_line(capsys, argv)
        assert "nan.pt" in line and "hold NaN or inf" in line and name in line
    with pytest.raises(ValueError, match="diverged"):
        load_model(bad)


def test_predict_refuses_nan_coordinates(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset", "tiny",
                 "--epochs", "1", "--no-progress"]) == 0
    capsys.readouterr()
    clip = np.load(tiny_data / "test_data.npy")[0].copy()
    clip[0, 2, 3] = np.nan
    np.save(tmp_path / "nan_clip.npy", clip)
    line = _error_line(capsys, ["predict", "--checkpoint", str(run / "model.pt"),
                                str(tmp_path / "nan_clip.npy")])
    assert "nan_clip.npy" in line and "NaN or inf" in line


@pytest.mark.parametrize("content", [b"hello\nworld\n", "dict", "list"])
def test_foreign_files_as_checkpoints_get_one_line(tmp_path, capsys, content, tiny_data):
    path = tmp_path / "foreign.pt"
    if content == "dict":
        torch.save({"model": {"weights": 1}}, path)
    elif content == "list":
        torch.save([1, 2, 3], path)
    else:
        path.write_bytes(content)
    for argv in (["evaluate", "--checkpoint", str(path), "--data", str(tiny_data)],
                 ["predict", "--checkpoint", str(path), str(path)],
                 ["plot", "importance", "--checkpoint", str(path), "--out",
                  str(tmp_path / "i.png")]):
        assert "foreign.pt" in _error_line(capsys, argv)


def test_prepare_never_overwrites_a_dataset_or_a_run_without_force(tmp_path, capsys):
    data = tmp_path / "data"
    argv = ["prepare", "synthetic", "--out", str(data), "--samples", "12", "6", "--frames", "5"]
    assert main(argv) == 0
    before = (data / "train_data.npy").read_bytes()
    line = _error_line(capsys, argv[:4] + ["--samples", "24", "6", "--frames", "5"])
    assert "exists and is a folder with files in it; pass --force" in line
    assert (data / "train_data.npy").read_bytes() == before
    assert main(argv[:4] + ["--samples", "24", "6", "--frames", "5", "--force"]) == 0
    assert np.load(data / "train_data.npy").shape[0] == 24
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no temporaries left
    assert "expected a folder name" in _error_line(capsys, ["prepare", "synthetic", "--out", ""])


def test_a_failing_prepare_leaves_the_old_dataset_intact(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["prepare", "synthetic", "--out", str(data), "--samples", "12", "6"]) == 0
    before = sorted(p.name for p in data.iterdir())
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a01_s01_e01_skeleton3D.txt").write_text("1 2 3 1\n" * 7)  # every file broken
    _error_line(capsys, ["prepare", "msr-action3d", str(raw), "--out", str(data), "--force"])
    assert sorted(p.name for p in data.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "raw"]


@pytest.mark.parametrize("layout, message", [
    ({"num_nodes": 3, "edges": [[0, 1.5]], "center": 0}, r"edges\[0\]: expected a pair of int"),
    ({"num_nodes": 3, "edges": [[0, 1]], "center": 1.5}, "center: expected an int, got 1.5"),
    ({"num_nodes": 3, "edges": [["a", 1]], "center": 0}, r"edges\[0\]: expected a pair of int"),
    ({"num_nodes": 3, "edges": None, "center": 0}, "edges: expected a list of"),
    ({"num_nodes": True, "edges": [[0, 1]], "center": 0}, "num_nodes: expected an int"),
])
def test_bad_layout_files_name_the_file_and_field(tmp_path, layout, message):
    from stgcn_pyg.graph import get_skeleton

    path = tmp_path / "bad.json"
    path.write_text(json.dumps(layout))
    with pytest.raises(ValueError, match=message) as err:
        get_skeleton(path)
    assert "bad.json" in str(err.value)


@pytest.mark.parametrize("extra, message", [
    (["--milestones", "-5"], "milestones: expected epochs >= 1, got [-5]"),
    (["--eval-every", "0"], "eval_every: expected an int >= 1, got 0"),
    (["--device", "tpu"], "--device tpu: expected cpu, cuda or cuda:N"),
])
def test_bad_train_options_get_one_line(tiny_data, tmp_path, capsys, extra, message):
    line = _error_line(capsys, ["train", "--data", str(tiny_data), "--out", str(tmp_path / "r"),
                                "--preset", "tiny", "--no-progress", *extra])
    assert message in line


def test_bad_config_values_and_empty_out(tiny_data, tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text(f'data = "{tiny_data}"\nepochs = true\n')
    line = _error_line(capsys, ["train", "--config", str(config), "--out", str(tmp_path / "r")])
    assert "epochs: expected an int, got True" in line
    line = _error_line(capsys, ["train", "--data", str(tiny_data), "--out", ""])
    assert "out: expected a folder name" in line


def test_evaluate_refuses_a_class_list_of_another_size(tiny_data, tmp_path, capsys):
    import shutil

    run = tmp_path / "run"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset", "tiny",
                 "--epochs", "1", "--no-progress"]) == 0
    other = tmp_path / "other"
    shutil.copytree(tiny_data, other)
    (other / "classes.txt").write_text("a\nb\n")
    line = _error_line(capsys, ["evaluate", "--checkpoint", str(run / "model.pt"), "--data",
                                str(other)])
    assert "classes.txt names 2 classes" in line and "has 12" in line


def test_bench_out_on_an_existing_file(tmp_path, capsys):
    path = tmp_path / "results"
    path.write_text("")
    assert "expected a folder for the results" in _error_line(
        capsys, ["bench", "--only", "layers", "--out", str(path)])


def test_export_without_the_onnx_extras_prints_only_the_message(tmp_path, capsys, monkeypatch):
    import sys

    from stgcn_pyg.models import STGCN, BlockSpec, save_model

    save_model(STGCN(3, 4, "ntu-rgb+d", blocks=[BlockSpec(4)]), tmp_path / "m.pt")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime fails
    line = _error_line(capsys, ["export", "--checkpoint", str(tmp_path / "m.pt"), "--out",
                                str(tmp_path / "m.onnx")])
    assert "pip install 'stgcn-pyg[onnx]'" in line
