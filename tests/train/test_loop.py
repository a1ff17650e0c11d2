import json

import pytest
import torch

from stgcn_pyg.models import load_model
from stgcn_pyg.train import TrainConfig, load_checkpoint, train
from stgcn_pyg.train import loop


def _config(data, out, **changes):
    values = dict(data=str(data), out=str(out), preset="tiny", epochs=3, seed=1,
                  recipe="default", overrides={"batch_size": 8, "warmup_epochs": 1},
                  progress=False)
    return TrainConfig(**{**values, **changes})


def _without_time(metrics):
    timing = ("epoch_seconds", "data_seconds", "step_seconds")
    history = [{k: v for k, v in h.items() if k not in timing} for h in metrics["history"]]
    return {**{k: v for k, v in metrics.items() if k not in ("wall_seconds", "config")},
            "history": history}


def _kill_after(monkeypatch, epochs):
    """Make the run die right after the checkpoint of epoch ``epochs`` is written."""
    save = loop._Run._save_checkpoint

    def save_then_die(self):
        save(self)
        if self.epoch == epochs:
            raise KeyboardInterrupt("killed")

    monkeypatch.setattr(loop._Run, "_save_checkpoint", save_then_die)


def test_resume_is_bit_exact(tiny_data, tmp_path, monkeypatch):
    full = train(_config(tiny_data, tmp_path / "full"), log=lambda _: None)
    with monkeypatch.context() as patch:
        _kill_after(patch, 2)
        with pytest.raises(KeyboardInterrupt):
            train(_config(tiny_data, tmp_path / "cut"), log=lambda _: None)
    assert load_checkpoint(tmp_path / "cut" / "checkpoint.pt")["epoch"] == 2
    resumed = train(_config(tiny_data, tmp_path / "cut"), resume=True, log=lambda _: None)
    assert _without_time(resumed) == _without_time(full)
    assert resumed["epochs"] == 3 and len(resumed["history"]) == 3
    a = load_checkpoint(tmp_path / "full" / "checkpoint.pt")
    b = load_checkpoint(tmp_path / "cut" / "checkpoint.pt")
    for key, tensor in a["model"]["state_dict"].items():
        assert torch.equal(tensor, b["model"]["state_dict"][key]), key
    for key, value in a["optimizer"]["state"].items():
        assert torch.equal(value["momentum_buffer"], b["optimizer"]["state"][key]["momentum_buffer"])


def test_outputs_and_metrics_json(tiny_data, tmp_path):
    out = tmp_path / "run"
    train(_config(tiny_data, out, epochs=2), log=lambda _: None)
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0 <= metrics["test_top1"] <= metrics["test_top5"] <= 1 and metrics["epochs"] == 2
    assert [h["epoch"] for h in metrics["history"]] == [1, 2]
    assert {"train_loss", "train_top1", "test_loss", "test_top1", "test_top5", "lr"} <= \
        set(metrics["history"][0])
    for h in metrics["history"]:  # an epoch's wall time = waiting for data + the steps
        assert 0 <= h["data_seconds"] < h["epoch_seconds"]
        assert h["data_seconds"] + h["step_seconds"] == pytest.approx(h["epoch_seconds"])
    assert len(metrics["confusion_matrix"]) == 12 and len(metrics["per_class_accuracy"]) == 12
    assert sum(map(sum, metrics["confusion_matrix"])) == 16
    for name in ("model.pt", "checkpoint.pt"):
        assert load_model(out / name).num_classes == 12
    assert (out / "confusion.png").stat().st_size > 0 and (out / "curves.png").stat().st_size > 0


def test_killed_checkpoint_write_keeps_previous(tiny_data, tmp_path, monkeypatch):
    out = tmp_path / "run"
    real_save = torch.save
    calls = []

    def dying_save(obj, f, *args, **kwargs):
        calls.append(f)
        if len(calls) == 2:  # the checkpoint of epoch 2: die half-way through the write
            with open(f, "wb") as handle:
                handle.write(b"half")
            raise KeyboardInterrupt("killed")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        train(_config(tiny_data, out), log=lambda _: None)
    assert load_checkpoint(out / "checkpoint.pt")["epoch"] == 1
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "config.toml"]


def test_fresh_run_refuses_existing_and_resume_checks_model(tiny_data, tmp_path):
    out = tmp_path / "run"
    train(_config(tiny_data, out, epochs=1), log=lambda _: None)
    with pytest.raises(ValueError, match="holds a run already"):
        train(_config(tiny_data, out, epochs=1), log=lambda _: None)
    with pytest.raises(ValueError, match=r"holds another model \(differs in \['spatial'\]\)"):
        train(_config(tiny_data, out, epochs=2, spatial="dense"), resume=True, log=lambda _: None)
    with pytest.raises(FileNotFoundError, match="no such file"):
        train(_config(tiny_data, tmp_path / "none"), resume=True, log=lambda _: None)


def test_tensorboard_scalars_beside_metrics(tiny_data, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "tb"
    metrics = train(_config(tiny_data, out, epochs=2, tensorboard=True), log=lambda _: None)
    events = EventAccumulator(str(out / "tensorboard"))
    events.Reload()
    assert {"train_loss", "train_top1", "test_top1", "test_top5", "lr"} <= set(
        events.Tags()["scalars"])
    losses = [e.value for e in events.Scalars("train_loss")]
    assert [e.step for e in events.Scalars("train_loss")] == [1, 2]
    assert losses == pytest.approx([h["train_loss"] for h in metrics["history"]])


def test_tensorboard_without_the_package_is_a_clear_error(tiny_data, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ValueError, match=r"--tensorboard: needs the optional tensorboard "
                                         r"package \(pip install 'stgcn-pyg\[tensorboard\]'\)"):
        train(_config(tiny_data, tmp_path / "tb", tensorboard=True), log=lambda _: None)
    assert not (tmp_path / "tb").exists()
