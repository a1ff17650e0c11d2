import json

import numpy as np
import pytest
import torch

from helpers import check_image
from stgcn_pyg.cli import main
from stgcn_pyg.models import STGCN, BlockSpec, save_model


def plot(*args):
    return main(["plot", *map(str, args)])


@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(0)
    model = STGCN(3, 4, "kinect-v1", blocks=[BlockSpec(8, 1, residual=False), BlockSpec(8, 2)])
    save_model(model, tmp_path / "model.pt")
    return tmp_path / "model.pt"


def test_graph_partitions_and_importance(tmp_path, checkpoint):
    assert plot("graph", "--layout", "coco", "--labels", "names", "--out", tmp_path / "g.png") == 0
    check_image(tmp_path / "g.png", (500, 600))
    assert plot("partitions", "--root", "left_wrist", "--exact-distance",
                "--out", tmp_path / "p.png") == 0
    check_image(tmp_path / "p.png", (650, 650))
    assert plot("partitions", "--layout", "openpose", "--strategy", "distance", "--max-hop", 2,
                "--matrices", "--out", tmp_path / "m.png") == 0
    check_image(tmp_path / "m.png", (1060, 360))
    assert plot("importance", "--checkpoint", checkpoint, "--layer", 1,
                "--out", tmp_path / "i.png") == 0
    check_image(tmp_path / "i.png", (650, 650))


def test_graph_at_a_frame_and_sequence_with_activation(tmp_path, checkpoint):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "data.npy", rng.normal(size=(2, 3, 8, 20, 1)).astype(np.float32))
    assert plot("graph", "--layout", "kinect-v1", "--sequence", tmp_path / "data.npy",
                "--index", 1, "--frame", 3, "--azimuth", 45, "--out", tmp_path / "f.png") == 0
    check_image(tmp_path / "f.png", (500, 600))
    assert plot("sequence", "--input", tmp_path / "data.npy", "--index", 0,
                "--checkpoint", checkpoint, "--out", tmp_path / "s.gif") == 0
    check_image(tmp_path / "s.gif", (400, 360), min_frames=8)


def test_bad_arguments_are_named(tmp_path, checkpoint, capsys):
    assert plot("partitions", "--root", 30, "--out", tmp_path / "p.png") == 2
    assert "root: expected a joint index in 0..24, got 30" in capsys.readouterr().err
    np.save(tmp_path / "ntu.npy", np.ones((3, 8, 25), dtype=np.float32))
    assert plot("sequence", "--input", tmp_path / "ntu.npy", "--checkpoint", checkpoint,
                "--out", tmp_path / "s.gif") == 2
    assert "sequence: expected [C=3, T, V=20, M] to match the model" in capsys.readouterr().err
    assert plot("graph", "--sequence", tmp_path / "ntu.npy", "--frame", 8,
                "--out", tmp_path / "g.png") == 2
    assert "frame: expected 0..7, got 8" in capsys.readouterr().err
    assert plot("graph", "--bogus", 1, "--out", tmp_path / "g.png") == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    assert plot("partitions", "--out", tmp_path / "p.png") == 2
    assert "one of the arguments --root --matrices is required" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.gif"))


def test_metrics_are_checked_before_plotting(tmp_path, capsys):
    (tmp_path / "metrics.json").write_text(json.dumps({"test_top1": 0.5, "history": []}))
    assert plot("curves", "--metrics", tmp_path / "metrics.json", "--out", tmp_path / "c.png") == 2
    assert "expected a non-empty 'history' list" in capsys.readouterr().err
    assert plot("confusion", "--metrics", tmp_path / "metrics.json",
                "--out", tmp_path / "c.png") == 2
    assert "no confusion matrix" in capsys.readouterr().err


METRICS = {"test_top1": 0.5, "test_top5": 1.0, "epochs": 2,
           "history": [{"epoch": 1, "train_loss": 1.2, "test_loss": 1.3, "train_top1": 0.4,
                        "test_top1": 0.35, "lr": 0.1},
                       {"epoch": 2, "train_loss": 0.9, "test_loss": 1.1, "train_top1": 0.6,
                        "test_top1": 0.5, "lr": 0.01}],
           "confusion_matrix": [[3, 1, 0], [1, 2, 1], [0, 0, 4]]}


def test_confusion_and_curves(tmp_path, capsys):
    from PIL import Image

    (tmp_path / "metrics.json").write_text(json.dumps(METRICS))
    assert plot("confusion", "--metrics", tmp_path / "metrics.json", "--class-names",
                "walk,sit,wave", "--out", tmp_path / "confusion.png") == 0
    assert plot("curves", "--metrics", tmp_path / "metrics.json",
                "--out", tmp_path / "curves.png") == 0
    for run in ("mp", "dense"):
        (tmp_path / run).mkdir()
        (tmp_path / run / "metrics.json").write_text(json.dumps(METRICS))
    runs = [tmp_path / "mp" / "metrics.json", tmp_path / "dense" / "metrics.json"]
    assert plot("curves", "--metrics", *runs, "--out", tmp_path / "compared.png") == 0
    for name in ("confusion.png", "curves.png", "compared.png"):
        check_image(tmp_path / name, Image.open(tmp_path / name).size)
    capsys.readouterr()
    assert plot("curves", "--metrics", *runs, "--names", "a", "--out", tmp_path / "x.png") == 2
    assert "names: expected 2 (one per metrics file), got 1" in capsys.readouterr().err
    assert plot("curves", "--metrics", runs[0], runs[0], "--out", tmp_path / "x.png") == 2
    assert "names: expected distinct names" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
