"""The tutorial's Python blocks run as written, in order, as one module."""
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
