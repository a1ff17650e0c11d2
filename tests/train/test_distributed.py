"""Two processes under torchrun (gloo, CPU): a run, its exit every time, a slow process 0 at
the end, a dead peer. Every command runs in its own session through ``run_process_tree``: on
a timeout the launcher and its workers are killed, and no test leaves a process behind."""
import json
import os
import signal
import sys
from pathlib import Path

from helpers import alive, run_process_tree

from stgcn_pyg.cli import main
from stgcn_pyg.models import load_model

ROOT = Path(__file__).parents[2]
WORKER = Path(__file__).parent / "ddp_worker.py"  # the CLI, with faults injected by env
RUN_TIMEOUT = 90  # a run takes about 12 s on 2 cores


def _torchrun(data, out, timeout=RUN_TIMEOUT, epochs=2, env=None, *extra):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node=2", str(WORKER), "train", "--data", str(data), "--out",
               str(out), "--preset", "compact", "--epochs", str(epochs), "--batch-size", "8",
               "--device", "cpu", "--no-progress", *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **(env or {})}
    done, pids = run_process_tree(command, timeout, signal.SIGUSR1, env=env)
    left = [pid for pid in pids if alive(pid)]
    assert not left, f"processes left behind: {left}"
    assert done.returncode is not None, (f"no exit within {timeout} s (killed); the stacks: "
                                         f"{done.stderr[-6000:]}")
    return done


def test_torchrun_two_processes(tiny_data, tmp_path):
    out = tmp_path / "ddp"
    done = _torchrun(tiny_data, out, RUN_TIMEOUT, 2, None, "--sync-bn")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "distributed: 2 processes (gloo), batch 4 per process" in done.stdout
    assert "--sync-bn needs CUDA" in done.stdout
    assert done.stdout.count("epoch 2/2") == 1  # logging from rank 0 only
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and 0 <= metrics["test_top1"] <= 1
    assert load_model(out / "checkpoint.pt").num_classes == 12
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint.prev.pt", "checkpoint.pt", "config.toml", "confusion.png", "curves.png",
        "metrics.json", "model.pt", "scores_test.npz"]


def test_two_process_runs_exit_every_time(tiny_data, tmp_path):
    # The exit race hung 2 runs in 18 here (2 in 4 elsewhere) before the run was freed ahead
    # of the teardown: 10 runs miss an 11 % hang with probability 31 %, a 50 % one with 0.1 %;
    # a hung run fails with the workers' stacks (faulthandler) in the message.
    for i in range(10):
        done = _torchrun(tiny_data, tmp_path / f"run{i}")
        assert done.returncode == 0, f"run {i}: {done.stderr[-2000:]}"
        assert (tmp_path / f"run{i}" / "metrics.json").is_file()


def test_a_slow_process_0_at_the_end_does_not_hang_the_other(tiny_data, tmp_path):
    out = tmp_path / "slow"
    done = _torchrun(tiny_data, out, env={"DDP_TEST_FINISH_DELAY": "8"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "metrics.json").is_file() and (out / "curves.png").is_file()


def test_a_dead_peer_ends_the_run_with_one_line_and_resume_continues(tiny_data, tmp_path):
    out = tmp_path / "dead"
    done = _torchrun(tiny_data, out, epochs=3, env={"DDP_TEST_DIE_AT_EPOCH": "2"})
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.startswith("stgcn-pyg train:")]
    assert len(lines) == 1, done.stderr[-3000:]
    assert "process 0 of 2" in lines[0] and "rerun with --resume" in lines[0]
    assert "Traceback" not in done.stdout
    assert not (out / "metrics.json").exists()  # epoch 1's checkpoint is kept, nothing more
    assert main(["train", "--out", str(out), "--resume", "--no-progress"]) == 0
    assert json.loads((out / "metrics.json").read_text())["epochs"] == 3


def test_a_timed_out_command_leaves_no_process():
    # The helper itself: a command whose children outlive it in their own sessions.
    script = ("import subprocess, sys, time\n"
              "for _ in range(2):\n"
              "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
              " start_new_session=True)\n"
              "time.sleep(60)\n")
    done, pids = run_process_tree([sys.executable, "-c", script], 2.0)
    assert done.returncode is None and len(pids) == 2
    assert not [pid for pid in pids if alive(pid)]
