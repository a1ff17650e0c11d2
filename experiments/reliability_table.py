"""Run every command-line case of tests/test_bad_input.py and print its outcome as Markdown.

Usage: python experiments/reliability_table.py > /tmp/table.md   (docs/reliability.md holds it)
"""
from __future__ import annotations

import contextlib
import io
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_bad_input as table  # noqa: E402

from stgcn_pyg.cli import main  # noqa: E402
from stgcn_pyg.data import write_synthetic  # noqa: E402


def outcome(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code
    lines = err.getvalue().strip().splitlines()
    last = lines[-1] if lines else ""
    return code, last[last.find("stgcn-pyg "):] if "stgcn-pyg " in last else last  # no bar


def rows(good: Path) -> list[tuple[str, str, int, str]]:
    found = []
    for name, change, extra, _ in table.TRAIN_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            found.append(("train", name, *outcome(table._argv(Path(tmp), good, change, extra)),
                          tmp))
    for verb, build in table.VERB_ARGS.items():
        for kind in table.CHECKPOINT_KINDS:
            with tempfile.TemporaryDirectory() as tmp:
                ckpt = table._checkpoint_file(Path(tmp), kind)
                found.append((verb, f"checkpoint {kind}",
                              *outcome(build(ckpt, good / table.GOOD, Path(tmp))), tmp))
    for name, args, _ in table.PREPARE_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            args = args(Path(tmp))
            argv = ["prepare", *args] + ([] if "--out" in args else ["--out", f"{tmp}/run"])
            found.append(("prepare", name, *outcome(argv), tmp))
    for name, argv, _ in table.PLOT_BENCH_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            found.append((name.split("-")[0], name, *outcome(argv(Path(tmp))), tmp))
    return found


def main_() -> None:
    with tempfile.TemporaryDirectory() as root:
        good = Path(root)
        write_synthetic(good / table.GOOD, train=16, test=8, frames=8, seed=0)
        print("| verb | case | exit | message (temporary paths shortened to …) |")
        print("|---|---|---:|---|")
        for verb, name, code, message, tmp in rows(good):
            message = message.replace(str(good), "…").replace(tmp, "…")
            message = re.sub(r"/tmp/[^ :]*/", "…/", message).replace("|", "\\|")
            print(f"| {verb} | {name} | {code} | `{message}` |")


if __name__ == "__main__":
    main_()
