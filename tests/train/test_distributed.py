import json
import os
import subprocess
import sys
from pathlib import Path

from stgcn_pyg.models import load_model

ROOT = Path(__file__).parents[2]


def test_torchrun_two_processes(tiny_data, tmp_path):
    out = tmp_path / "ddp"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node=2", "-m", "stgcn_pyg", "train", "--data", str(tiny_data),
               "--out", str(out), "--preset", "compact", "--epochs", "2", "--batch-size", "8",
               "--device", "cpu", "--sync-bn", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
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
