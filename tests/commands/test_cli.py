import json

import numpy as np
import pytest
import torch

from stgcn_pyg.cli import main
from stgcn_pyg.data import write_synthetic

from helpers import check_image


def _train(data, out, *extra):
    return main(["train", "--data", str(data), "--out", str(out), "--preset", "tiny",
                 "--epochs", "2", "--batch-size", "8", "--no-progress", *extra])


def test_train_then_evaluate(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert _train(tiny_data, run, "--recipe", "seed", "--stream", "joint+bone") == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and metrics["recipe"]["lr"] == 0.01
    assert metrics["config"]["stream"] == "joint+bone"
    check_image(run / "confusion.png")
    check_image(run / "curves.png")
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", str(run / "checkpoint.pt"),
                 "--data", str(tiny_data)]) == 0
    assert "test: 16 samples  top-1" in capsys.readouterr().out
    evaluation = json.loads((run / "eval_test.json").read_text())
    assert evaluation["test_top1"] == pytest.approx(metrics["test_top1"])
    check_image(run / "eval_test_confusion.png")


def test_rotation_option_reaches_the_augmentation(tiny_data, tmp_path, monkeypatch):
    from stgcn_pyg.train import loop

    asked, real = [], loop.default_augmentation

    def spy(**kwargs):
        asked.append(kwargs)
        return real(**kwargs)
    monkeypatch.setattr(loop, "default_augmentation", spy)
    run = tmp_path / "run"
    assert _train(tiny_data, run, "--epochs", "1", "--rotation", "0", "30", "0") == 0
    assert asked == [{"rotation": (0.0, 30.0, 0.0)}]
    assert json.loads((run / "metrics.json").read_text())["recipe"]["rotation"] == [0, 30, 0]
    assert main(["train", "--out", str(run), "--resume", "--epochs", "2", "--no-progress"]) == 0
    assert asked[-1] == {"rotation": (0.0, 30.0, 0.0)}  # the stored recipe, resumed


def test_evaluate_averages_clip_windows(tiny_data, tmp_path, capsys):
    from stgcn_pyg.data import NormalizeView, SkeletonFolder
    from stgcn_pyg.data.transforms import resample
    from stgcn_pyg.models import load_model

    run = tmp_path / "run"
    assert _train(tiny_data, run, "--epochs", "1") == 0
    assert main(["evaluate", "--checkpoint", str(run / "model.pt"), "--data", str(tiny_data),
                 "--clips", "3", "--clip-ratio", "0.5", "--out", str(tmp_path / "tta")]) == 0
    evaluation = json.loads((tmp_path / "tta" / "eval_test.json").read_text())
    assert evaluation["clips"] == 3 and evaluation["clip_ratio"] == 0.5
    # Reference: every clip turned to the canonical view (as the run read them), its first,
    # middle and last half stretched back to T, the softmax probabilities averaged.
    model = load_model(run / "model.pt").eval()
    turn = NormalizeView("ntu-rgb+d")
    x = torch.stack([turn(item[0]) for item in SkeletonFolder(tiny_data, "test")])
    t = x.size(2)
    size = round(t * 0.5)
    probabilities = 0
    for start in (0, round(0.5 * (t - size)), t - size):
        window = torch.stack([resample(clip[:, start:start + size], t) for clip in x])
        with torch.no_grad():
            probabilities = probabilities + torch.softmax(model(window).double(), dim=1) / 3
    labels = np.load(tiny_data / "test_label.npy")
    assert evaluation["test_top1"] == pytest.approx(
        np.mean(probabilities.argmax(1).numpy() == labels))
    assert evaluation["test_loss"] == pytest.approx(
        -np.log(probabilities.numpy()[np.arange(len(labels)), labels]).mean(), rel=1e-5)
    for flag, value, match in [("--clips", "0", "--clips: expected an int >= 1, got 0"),
                               ("--clip-ratio", "1.5", "--clip-ratio: expected a finite number "
                                                       "in (0, 1], got 1.5")]:
        err = _error(capsys, ["evaluate", "--checkpoint", str(run / "model.pt"),
                              "--data", str(tiny_data), flag, value])
        assert match in err


def test_evaluate_an_ensemble_of_a_joint_and_a_bone_model(tiny_data, tmp_path, capsys):
    from stgcn_pyg.data import Compose, NormalizeView, SkeletonFolder, Streams
    from stgcn_pyg.models import STGCN, load_model, save_model

    runs = {stream: tmp_path / stream for stream in ("joint", "bone")}
    for stream, run in runs.items():
        assert _train(tiny_data, run, "--epochs", "1", "--stream", stream) == 0
    checkpoints = [str(run / "model.pt") for run in runs.values()]
    out = tmp_path / "ensemble"
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", *checkpoints, "--weights", "1", "2",
                 "--data", str(tiny_data), "--out", str(out)]) == 0
    assert "test: 16 samples  ensemble of 2, top-1" in capsys.readouterr().out
    evaluation = json.loads((out / "eval_test.json").read_text())
    check_image(out / "eval_test_confusion.png")
    # Reference: each model on its own stream, probabilities averaged 1:2 in numpy.
    probabilities = []
    for stream, run in runs.items():
        model = load_model(run / "model.pt").eval()
        data = SkeletonFolder(tiny_data, "test", transform=Compose(
            [NormalizeView("ntu-rgb+d"), Streams(stream, "ntu-rgb+d")]))  # as the run read it
        with torch.no_grad():
            logits = model(torch.stack([data[i][0] for i in range(len(data))])).double()
        probabilities.append(torch.softmax(logits, dim=1).numpy())
        member = evaluation["members"][len(probabilities) - 1]
        assert member["stream"] == stream
        assert member["test_top1"] == pytest.approx(
            json.loads((run / "metrics.json").read_text())["test_top1"])
    labels = np.load(tiny_data / "test_label.npy")
    fused = (probabilities[0] + 2 * probabilities[1]) / 3
    assert evaluation["test_top1"] == pytest.approx(np.mean(fused.argmax(1) == labels))
    assert evaluation["test_loss"] == pytest.approx(
        -np.log(fused[np.arange(len(labels)), labels]).mean(), rel=1e-5)
    assert evaluation["weights"] == [1.0, 2.0]

    base = ["evaluate", "--checkpoint", checkpoints[0], "--checkpoint", checkpoints[1],
            "--data", str(tiny_data)]  # a repeated --checkpoint adds members
    assert "--out: required with several checkpoints (got 2)" in _error(capsys, base)
    err = _error(capsys, base + ["--out", str(out), "--stream", "joint"])
    assert "--stream: applies to one checkpoint" in err
    err = _error(capsys, base + ["--out", str(out), "--weights", "1"])
    assert "--weights: expected 2 positive numbers (one per checkpoint), got [1.0]" in err
    save_model(STGCN.from_preset("tiny", 20), tmp_path / "twenty.pt")
    err = _error(capsys, ["evaluate", "--checkpoint", checkpoints[0], str(tmp_path / "twenty.pt"),
                          "--data", str(tiny_data), "--out", str(out)])
    assert "twenty.pt has 20" in err and "names 12 classes" in err  # its classes.txt


def test_bf16_autocast_on_cpu_and_fp16_refused(tiny_data, tmp_path, capsys):
    assert _train(tiny_data, tmp_path / "bf16", "--amp", "bf16", "--epochs", "1") == 0
    assert json.loads((tmp_path / "bf16" / "metrics.json").read_text())["config"]["amp"] == "bf16"
    err = _error(capsys, ["train", "--data", str(tiny_data), "--out", str(tmp_path / "fp16"),
                          "--amp", "fp16", "--device", "cpu"])
    assert "amp: 'fp16' needs a CUDA device" in err


def test_resume_continues_to_more_epochs(tiny_data, tmp_path):
    run = tmp_path / "run"
    assert _train(tiny_data, run, "--recipe", "seed") == 0
    assert main(["train", "--out", str(run), "--resume", "--epochs", "3", "--no-progress"]) == 0
    assert json.loads((run / "metrics.json").read_text())["epochs"] == 3


def test_demo_quick(tmp_path, capsys):
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--epochs", "1", "--train-samples", "24",
            "--test-samples", "12", "--frames", "8", "--preset", "tiny", "--no-progress"]
    assert main(argv) == 0
    assert "demo: test top-1" in capsys.readouterr().out
    assert main(argv) == 2  # a second call never rewrites a finished demo ...
    assert "holds a finished demo or other files; pass --force" in capsys.readouterr().err
    assert main(argv[:3] + ["--epochs", "2"] + argv[5:] + ["--force"]) == 0  # ... unless asked
    assert json.loads((out / "metrics.json").read_text())["epochs"] == 2
    assert not (tmp_path / ".demo.old").exists()
    check_image(out / "confusion.png")
    check_image(out / "curves.png")


def test_prepare_synthetic(tmp_path):
    assert main(["prepare", "synthetic", "--out", str(tmp_path), "--samples", "12", "6",
                 "--frames", "5", "--layout", "kinect-v1"]) == 0
    assert np.load(tmp_path / "train_data.npy").shape == (12, 3, 5, 20)


@pytest.mark.realdata
def test_prepare_real_ntu_and_train_on_it(shared_datasets, tmp_path):
    data = tmp_path / "ntu"
    assert main(["prepare", "ntu", str(shared_datasets / "ntu-samples"), "--out", str(data),
                 "--frames", "16"]) == 0
    assert np.load(data / "train_data.npy").shape == (3, 3, 16, 25, 2)
    assert _train(data, tmp_path / "run", "--epochs", "1") == 0


def _error(capsys, argv):
    assert main(argv) == 2
    return capsys.readouterr().err


def test_bad_input_errors(tiny_data, tmp_path, capsys):
    err = _error(capsys, ["train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "r")])
    assert err.startswith("stgcn-pyg train: error: --data") and "no such directory" in err
    err = _error(capsys, ["train", "--data", str(tiny_data), "--out", str(tmp_path / "r"),
                          "--layout", "kinect-v1"])
    assert "train_data.npy: V = 25 joints (dim 3) does not match layout 'kinect-v1'" in err
    if not torch.cuda.is_available():
        err = _error(capsys, ["train", "--data", str(tiny_data), "--out", str(tmp_path / "r"),
                              "--device", "cuda"])
        assert "--device cuda: CUDA is not available" in err
    err = _error(capsys, ["train", "--out", str(tmp_path / "r"), "--resume"])
    assert "checkpoint.pt: no such file" in err
    err = _error(capsys, ["prepare", "ucla", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert "NW-UCLA folder" in err and "no such directory" in err


def test_checkpoint_of_another_model(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    assert _train(tiny_data, run, "--recipe", "seed") == 0
    err = _error(capsys, ["train", "--out", str(run), "--resume", "--preset", "compact"])
    assert "was trained with other settings (preset: run has 'tiny', asked 'compact')" in err
    other = tmp_path / "ucla-like"
    write_synthetic(other, train=8, test=4, frames=8, layout="kinect-v1")
    err = _error(capsys, ["evaluate", "--checkpoint", str(run / "model.pt"), "--data", str(other)])
    assert "test_data.npy: V = 20 joints (dim 3) does not match the layout's 25" in err
    (tmp_path / "junk.pt").write_bytes(b"")
    err = _error(capsys, ["evaluate", "--checkpoint", str(tmp_path / "junk.pt"),
                          "--data", str(tiny_data)])
    assert "junk.pt" in err


def test_variants_train_from_the_cli_with_compile(tiny_data, tmp_path):
    # Both worked variants of the extension API, through --spatial/--temporal, compiled.
    run = tmp_path / "variants"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset", "tiny",
                 "--epochs", "1", "--no-progress", "--compile",
                 "--spatial", "adaptive", "--spatial-kwargs", '{"data_dependent": true}',
                 "--temporal", "mstcn"]) == 0
    from stgcn_pyg.models import load_model

    model = load_model(run / "checkpoint.pt")
    assert type(model.blocks[0].gcn).__name__ == "AdaptiveGraphConv"
    assert type(model.blocks[0].tcn.conv).__name__ == "MultiScaleTemporalConv"
    assert main(["evaluate", "--checkpoint", str(run / "checkpoint.pt"),
                 "--data", str(tiny_data)]) == 0


@pytest.mark.parametrize("name", ["gat", "gcn"])
def test_a_pyg_conv_trains_from_the_cli(tiny_data, tmp_path, name):
    run = tmp_path / name
    assert _train(tiny_data, run, "--spatial", name) == 0
    from stgcn_pyg.models import load_model

    model = load_model(run / "model.pt")
    assert model.config["spatial"] == name
    assert type(model.blocks[0].gcn).__name__ == "FramewiseConv"


def test_backend_option_is_the_deprecated_spelling_of_spatial(tiny_data, tmp_path, capsys):
    run = tmp_path / "dense"
    assert _train(tiny_data, run, "--backend", "dense") == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["config"]["spatial"] == "dense" and "backend" not in metrics["config"]
    code = _error(capsys, ["train", "--data", str(tiny_data), "--out", str(tmp_path / "x"),
                           "--backend", "dense", "--spatial", "mp"])
    assert "--backend: the deprecated spelling of --spatial" in code
