"""The Python blocks of the README tour and of the tutorial run as written."""
import re
import sys
import types
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"


def test_extending_tutorial_runs(monkeypatch):
    text = (DOCS / "extending.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    module = types.ModuleType("docs_extending")  # PyG inspects the layer's module
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile("\n".join(blocks), str(DOCS / "extending.md"), "exec"), module.__dict__)
    assert module.model.config["spatial"] == "mean-partition"


def test_readme_tour_runs():
    text = (DOCS.parent / "README.md").read_text()
    tour = re.search(r"## A tour in Python\n\n```python\n(.*?)```", text, flags=re.S).group(1)
    namespace: dict = {}
    exec(compile(tour, "README.md", "exec"), namespace)
    assert namespace["scores"].shape == (8, 60)


def test_extending_tutorial_layer_trains_from_the_cli(tmp_path):
    # Step 4: the tutorial's layer saved as my_layers.py, trained with --import, re-evaluated.
    import json
    import os
    import subprocess

    text = (DOCS / "extending.md").read_text()
    layer_code = re.findall(r"```python\n(# my_layers.py\n.*?)```", text, flags=re.S)[0]
    (tmp_path / "my_layers.py").write_text(layer_code)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(DOCS.parent)])}
    cli = [sys.executable, "-m", "stgcn_pyg"]

    def run(*args):
        result = subprocess.run(cli + list(args), env=env, cwd=tmp_path, capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stderr
        return result

    run("prepare", "synthetic", "--out", "data", "--samples", "48", "24", "--frames", "16")
    run("train", "--data", "data", "--out", "run", "--preset", "compact", "--import", "my_layers",
        "--spatial", "mean-partition", "--epochs", "2", "--no-progress")
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and 0.0 <= metrics["test_top1"] <= 1.0
    run("evaluate", "--import", "my_layers", "--checkpoint", "run/model.pt", "--data", "data",
        "--out", "eval")


def test_pyg_dataset_example_runs():
    text = (DOCS / "data.md").read_text()
    section = text.split("## As a PyG `Dataset`")[1]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    namespace: dict = {}
    exec(compile(block, str(DOCS / "data.md"), "exec"), namespace)
    assert namespace["batch"].num_graphs == 8 and namespace["loss"].requires_grad
