"""The zoo presets through every verb: train, resume, evaluate, predict, plot importance (small
stacks of the presets' own blocks, so that this takes seconds; the full networks are proven
against pyskl in tests/models/test_pyskl_equivalence.py)."""
import json

import numpy as np
import pytest
from helpers import check_image

from stgcn_pyg.cli import main
from stgcn_pyg.models import BlockSpec, presets


@pytest.mark.parametrize("preset", ["stgcn++", "aagcn", "ctrgcn"])
def test_zoo_preset_trains_resumes_predicts(preset, tiny_data, tmp_path, monkeypatch, capsys):
    def small():
        blocks = [BlockSpec(16, 1, residual=False), BlockSpec(24, 2)]
        return dict(presets.PRESETS[preset](), blocks=blocks)

    monkeypatch.setitem(presets.PRESETS, f"small-{preset}", small)
    run = tmp_path / "run"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset",
                 f"small-{preset}", "--epochs", "1", "--batch-size", "8", "--no-progress"]) == 0
    assert main(["train", "--out", str(run), "--resume", "--epochs", "2", "--no-progress"]) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and np.isfinite(metrics["test_top1"])
    assert main(["evaluate", "--checkpoint", str(run / "model.pt"), "--data",
                 str(tiny_data)]) == 0
    clip = tmp_path / "clip.npy"
    np.save(clip, np.load(tiny_data / "test_data.npy")[0])
    capsys.readouterr()
    assert main(["predict", "--checkpoint", str(run / "model.pt"), str(clip)]) == 0
    assert "clip.npy:" in capsys.readouterr().out
    assert main(["plot", "importance", "--checkpoint", str(run / "model.pt"), "--out",
                 str(tmp_path / "importance.png")]) == 0
    check_image(tmp_path / "importance.png")
