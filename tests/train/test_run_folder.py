"""A run folder survives kill -9, corrupted checkpoints and a second writer."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from stgcn_pyg.cli import main
from stgcn_pyg.train import TrainConfig, load_checkpoint, train
from stgcn_pyg.train.run_folder import RunLock, previous

ROOT = Path(__file__).parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def _cli(data, out, *extra):
    return [sys.executable, "-m", "stgcn_pyg", "train", "--data", str(data), "--out", str(out),
            "--preset", "compact", "--epochs", "20", "--batch-size", "8", "--seed", "3",
            "--no-progress", *extra]


def _state(run):
    return torch.load(run / "model.pt", weights_only=True)["state_dict"]


def test_kill_9_at_random_moments_then_resume_gives_the_uninterrupted_result(tiny_data, tmp_path):
    full = tmp_path / "full"
    subprocess.run(_cli(tiny_data, full), env=ENV, check=True, capture_output=True, timeout=300)
    cut = tmp_path / "cut"
    rng = random.Random(0)
    kills, done_epochs = 0, 0
    for _ in range(8):  # at most 8 starts; stops when a start runs to the end
        resume = (cut / "checkpoint.pt").exists()
        command = [sys.executable, "-m", "stgcn_pyg", "train", "--out", str(cut), "--resume"] \
            if resume else _cli(tiny_data, cut)
        process = subprocess.Popen(command, env={**ENV, "PYTHONUNBUFFERED": "1"},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if kills < 3:
            # kill -9 a random moment after 1-5 more epochs: inside an epoch, an evaluation
            # or a checkpoint write
            target = done_epochs + rng.randint(1, 5)
            for line in process.stdout:
                if line.startswith(f"epoch {target}/"):
                    break
            time.sleep(rng.uniform(0.0, 0.4))
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            done_epochs = target
            continue
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        break
    assert kills == 3
    assert (cut / "metrics.json").is_file() and not (cut / ".lock").exists()
    assert not list(cut.glob(".*.tmp*"))  # no half-written file left behind
    expected, actual = _state(full), _state(cut)
    for key, value in expected.items():
        torch.testing.assert_close(actual[key], value, atol=0, rtol=0, msg=key)


def _config(data, out, epochs):
    return TrainConfig(data=str(data), out=str(out), preset="tiny", epochs=epochs, seed=1,
                       overrides={"batch_size": 8}, progress=False)


def test_corrupted_latest_checkpoint_falls_back_to_the_previous_one(tiny_data, tmp_path):
    full = train(_config(tiny_data, tmp_path / "full", 3), log=lambda _: None)
    out = tmp_path / "run"
    train(_config(tiny_data, out, 2), log=lambda _: None)
    assert load_checkpoint(previous(out / "checkpoint.pt"))["epoch"] == 1
    (out / "checkpoint.pt").write_bytes(b"\x00garbage")
    logged = []
    resumed = train(_config(tiny_data, out, 3), resume=True, log=logged.append)
    assert any("resuming from the previous checkpoint" in line and "(epoch 1)" in line
               for line in logged)
    assert resumed["test_top1"] == full["test_top1"]
    assert [h["train_loss"] for h in resumed["history"]] == [h["train_loss"]
                                                            for h in full["history"]]


def test_a_second_run_into_the_same_folder_is_refused_and_changes_nothing(tiny_data, tmp_path,
                                                                           capsys):
    out = tmp_path / "busy"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from stgcn_pyg.train.run_folder import RunLock;"
         f"RunLock({str(out)!r}).__enter__(); print('locked', flush=True); time.sleep(60)"],
        env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = sorted(p.name for p in out.iterdir())
        for extra in ([], ["--force"]):
            assert main(["train", "--data", str(tiny_data), "--out", str(out), "--preset", "tiny",
                         "--epochs", "1", "--no-progress", *extra]) == 2
            err = capsys.readouterr().err
            assert f"another run (process {holder.pid}@" in err
        assert main(["train", "--out", str(out), "--resume"]) == 2
        assert sorted(p.name for p in out.iterdir()) == before == [".lock"]
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_is_taken_over_and_force_starts_over(tiny_data, tmp_path):
    out = tmp_path / "stale"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    import socket

    (out / ".lock").write_text(f"{dead} {socket.gethostname()}")
    with pytest.warns(RuntimeWarning, match="taking over the lock of a run that stopped"):
        train(_config(tiny_data, out, 1), log=lambda _: None)
    assert not (out / ".lock").exists()
    with pytest.raises(ValueError, match="holds a run already .* --force to start over"):
        train(_config(tiny_data, out, 1), log=lambda _: None)
    again = train(_config(tiny_data, out, 2), log=lambda _: None, force=True)
    assert again["epochs"] == 2
    with pytest.raises(ValueError, match="--force: starts a new run; it cannot be combined"):
        train(_config(tiny_data, out, 3), resume=True, force=True, log=lambda _: None)


def test_the_temporaries_of_a_writer_killed_mid_write_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / ".hidden").write_text("mine too")
    writer = subprocess.Popen(
        [sys.executable, "-c", "import time; from stgcn_pyg.io import atomic_path\n"
         f"with atomic_path({str(out / 'checkpoint.pt')!r}) as tmp:\n"
         "    tmp.write_bytes(b'half'); print('writing', flush=True); time.sleep(60)"],
        env=ENV, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    leftovers = list(out.glob(".checkpoint.pt.*"))
    assert len(leftovers) == 1  # kill -9 skipped atomic_path's cleanup
    with RunLock(out):
        assert sorted(p.name for p in out.iterdir()) == [".hidden", ".lock", "keep.txt"]


def test_out_that_is_a_file_or_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="--out .*file: expected a folder, got an existing file"):
        RunLock(tmp_path / "file").__enter__()
    with pytest.raises(ValueError, match="--out .*file/sub: cannot create the folder"):
        RunLock(tmp_path / "file" / "sub").__enter__()


def test_a_training_checkpoint_of_format_1_resumes(tmp_path):
    # Written by the release before the graph-at-forward change ("tiny" preset, 1 epoch, seed 2,
    # on write_synthetic(train=24, test=12, frames=8, seed=0)); resumed here to 2 epochs.
    from stgcn_pyg.data import write_synthetic

    data = tmp_path / "data"
    write_synthetic(data, train=24, test=12, frames=8, seed=0)
    state = torch.load(ROOT / "tests" / "fixtures" / "training_checkpoint_v1.pt",
                       weights_only=True)
    assert state["model"]["format"] == "stgcn-pyg/1" and state["config"]["backend"] == "mp"
    state["config"]["data"], state["config"]["out"] = str(data), str(tmp_path / "run")
    (tmp_path / "run").mkdir()
    torch.save(state, tmp_path / "run" / "checkpoint.pt")
    logged = []
    assert main(["train", "--out", str(tmp_path / "run"), "--resume", "--epochs", "2",
                 "--no-progress"]) == 0
    resumed = load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert resumed["epoch"] == 2 and resumed["model"]["format"] == "stgcn-pyg/2"
    assert resumed["history"][0] == state["history"][0]
