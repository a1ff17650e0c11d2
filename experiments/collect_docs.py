"""Copy the benchmark tables and plots of docs/results/* into docs/benchmarks.md and docs/images.

Every ``<!-- results:NAME -->`` ... ``<!-- /results:NAME -->`` block of docs/benchmarks.md is
replaced by the tables of ``docs/results/NAME/results.json``; the run's PNGs are copied to
``docs/images/NAME_*.png``. Usage: ``python experiments/collect_docs.py [RESULTS_DIR]``.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from stgcn_pyg.bench import suite

ROOT = Path(__file__).resolve().parents[1]


def main(results_dir: Path) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text()
    for name in re.findall(r"<!-- results:([\w-]+) -->", text):
        path = results_dir / name / "results.json"
        if not path.exists():
            print(f"skip {name}: {path} missing")
            continue
        tables = suite.markdown(suite.load(path)).split("\n", 2)[2].replace("\n## ", "\n#### ")
        tables = tables.replace("## ", "#### ", 1) if tables.startswith("## ") else tables
        text = re.sub(rf"<!-- results:{name} -->.*?<!-- /results:{name} -->",
                      lambda _: f"<!-- results:{name} -->\n{tables.strip()}\n"
                                f"<!-- /results:{name} -->", text, flags=re.S)
        for png in sorted((results_dir / name).glob("*.png")):
            shutil.copy(png, ROOT / "docs" / "images" / f"{name}_{png.name}")
    doc.write_text(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "results")
