"""stgcn-pyg ensemble: saved scores of a joint and a bone run fused; weights fitted on a
validation split, never on the test one; sample order checked."""
import json

import numpy as np
import pytest
import torch

from stgcn_pyg.cli import main
from stgcn_pyg.data import write_synthetic
from stgcn_pyg.train.scores import fit_weights, load_scores, save_scores


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from training_fixtures import tiny_preset  # noqa: F401
    from stgcn_pyg.models import BlockSpec, presets

    root = tmp_path_factory.mktemp("ensemble")
    write_synthetic(root / "data", train=24, test=12, frames=8, seed=0)
    write_synthetic(root / "val", train=4, test=12, frames=8, seed=5)  # a validation "test"
    presets.PRESETS["tiny-ens"] = lambda: dict(
        in_channels=3, graph="ntu-rgb+d", strategy="spatial", kernel_size=3,
        blocks=[BlockSpec(8, 1, residual=False), BlockSpec(16, 2)])
    try:
        for stream in ("joint", "bone"):
            assert main(["train", "--data", str(root / "data"), "--out", str(root / stream),
                         "--preset", "tiny-ens", "--epochs", "2", "--stream", stream,
                         "--no-progress"]) == 0
            assert main(["evaluate", "--checkpoint", str(root / stream / "model.pt"), "--data",
                         str(root / "val"), "--out", str(root / f"{stream}-val")]) == 0
    finally:
        del presets.PRESETS["tiny-ens"]
    return root


def test_every_run_saves_its_test_scores(runs):
    scores = load_scores(runs / "joint" / "scores_test.npz")
    metrics = json.loads((runs / "joint" / "metrics.json").read_text())
    top1 = float((scores["logits"].argmax(1) == scores["labels"]).float().mean())
    assert top1 == pytest.approx(metrics["test_top1"])
    assert scores["info"]["split"] == "test" and scores["info"]["stream"] == "joint"
    assert scores["fingerprints"].shape == (12, 2)


def test_fusion_with_given_weights_equals_the_mean_of_probabilities(runs, tmp_path, capsys):
    files = [str(runs / s / "scores_test.npz") for s in ("joint", "bone")]
    assert main(["ensemble", "--scores", *files, "--weights", "3", "1", "--out",
                 str(tmp_path)]) == 0
    result = json.loads((tmp_path / "ensemble.json").read_text())
    a, b = (load_scores(f) for f in files)
    fused = 0.75 * a["logits"].softmax(1) + 0.25 * b["logits"].softmax(1)  # independent
    expected = float((fused.argmax(1) == a["labels"]).float().mean())
    assert result["top1"] == pytest.approx(expected) and result["weights"] == [3.0, 1.0]
    assert "ensemble of 2, weights [3.0, 1.0]" in capsys.readouterr().out


def test_weights_fitted_on_validation_scores(runs, tmp_path):
    files = [str(runs / s / "scores_test.npz") for s in ("joint", "bone")]
    val = [str(runs / f"{s}-val" / "scores_test.npz") for s in ("joint", "bone")]
    assert main(["ensemble", "--scores", *files, "--fit", *val, "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "ensemble.json").read_text())
    assert result["weights"] == pytest.approx(fit_weights([load_scores(v) for v in val]))
    assert result["fitted_on"] == val


def test_fitting_on_the_test_split_is_refused(runs, capsys):
    files = [str(runs / s / "scores_test.npz") for s in ("joint", "bone")]
    assert main(["ensemble", "--scores", *files, "--fit", *files]) == 2
    assert "fit the weights on a validation split, never on the test split" in (
        capsys.readouterr().err)


def test_sample_order_is_checked(runs, tmp_path, capsys):
    other = load_scores(runs / "bone" / "scores_test.npz")
    order = torch.arange(12).flip(0)
    save_scores(tmp_path / "shuffled.npz", other["logits"][order], other["labels"][order],
                other["fingerprints"][order.numpy()], **other["info"])
    assert main(["ensemble", "--scores", str(runs / "joint" / "scores_test.npz"),
                 str(tmp_path / "shuffled.npz")]) == 2
    assert "do not hold the same samples in the same order" in capsys.readouterr().err


def test_fit_weights_finds_the_informative_member():
    # Member 0 is right on every sample, member 1 confidently wrong on half: fitted weights
    # favour member 0 (an independent, hand-made case).
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    good = torch.nn.functional.one_hot(labels, 3).float() * 2.0
    bad = torch.nn.functional.one_hot((labels + torch.tensor([1, 0, 1, 0, 1, 0])) % 3, 3) * 5.0
    members = [{"logits": good, "labels": labels}, {"logits": bad.float(), "labels": labels}]
    weights = fit_weights(members)
    assert weights[0] > weights[1]


@pytest.mark.parametrize("argv,match", [
    (["--scores", "none.npz"], r"scores none.npz: no such file"),
    (["--scores", "WRONG"], r"not a scores file"),
    (["--scores", "A", "A", "--weights", "1"], r"--weights: expected 2 positive numbers"),
    (["--scores", "A", "A", "--fit", "A"], r"--fit: expected 2 validation score files"),
])
def test_ensemble_bad_input(runs, tmp_path, capsys, argv, match):
    (tmp_path / "WRONG").write_text("x")
    argv = [str(runs / "joint" / "scores_test.npz") if a == "A" else
            str(tmp_path / a) if a in ("WRONG",) else a for a in argv]
    assert main(["ensemble", *argv]) == 2
    assert __import__("re").search(match, capsys.readouterr().err)
