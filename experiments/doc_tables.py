"""What the table scripts of experiments/ share: reading recorded rows and putting a table into
a docs page between its marker and the next ``<!-- end -->``."""
from __future__ import annotations

import json
from pathlib import Path

END_MARKER = "<!-- end -->"


def read_rows(path: Path) -> list[dict]:
    """The JSON rows of a ``.jsonl`` file (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def put_table(page: str, marker: str, table: str) -> str:
    """``page`` with what lies between ``marker`` and the next end marker replaced by
    ``table``."""
    start = page.index(marker) + len(marker)
    return page[:start] + "\n" + table.rstrip("\n") + "\n" + page[page.index(END_MARKER, start):]
