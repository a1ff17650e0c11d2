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
