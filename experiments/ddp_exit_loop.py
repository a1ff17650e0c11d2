"""Run the two-process training N times in a row and count the runs that exit 0, fail, or
hang (no exit within --timeout; the launcher and its workers are then killed).

    python experiments/ddp_exit_loop.py --runs 20 [--finish-delay 5]

Prints one line per run and a summary; ``--json`` appends the summary to a JSON-lines file.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers import alive, run_process_tree  # noqa: E402

import torch  # noqa: E402

from stgcn_pyg.bench.suite import environment  # noqa: E402
from stgcn_pyg.data import write_synthetic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--finish-delay", type=float, default=0.0,
                        help="process 0 sleeps this long before writing the run's files")
    parser.add_argument("--json", help="append the summary here")
    args = parser.parse_args()
    counts = {"ok": 0, "failed": 0, "hung": 0}
    seconds, leftovers = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_synthetic(data, train=32, test=16, frames=8, seed=0)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
               "DDP_TEST_FINISH_DELAY": str(args.finish_delay)}
        for i in range(args.runs):
            command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                       "--nproc_per_node=2", str(ROOT / "tests" / "train" / "ddp_worker.py"),
                       "train", "--data", str(data), "--out", str(Path(tmp) / f"run{i}"),
                       "--preset", "compact", "--epochs", "2", "--batch-size", "8",
                       "--device", "cpu", "--no-progress"]
            start = time.perf_counter()
            done, pids = run_process_tree(command, args.timeout, signal.SIGUSR1, env=env)
            seconds.append(time.perf_counter() - start)
            leftovers += sum(alive(pid) for pid in pids)
            kind = ("hung" if done.returncode is None else "ok" if done.returncode == 0
                    else "failed")
            if kind != "ok":
                print(done.stdout[-3000:], done.stderr[-12000:], sep="\n", flush=True)
            counts[kind] += 1
            print(f"run {i + 1}/{args.runs}: {kind} in {seconds[-1]:.1f} s", flush=True)
    code = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    summary = {"code": code, **counts, "runs": args.runs, "timeout": args.timeout,
               "finish_delay": args.finish_delay,
               "max_seconds": round(max(seconds), 1), "processes_left": leftovers,
               "torch": torch.__version__, "cpu": environment(1)["cpu"],
               "capability": torch.backends.cpu.get_cpu_capability()}
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
