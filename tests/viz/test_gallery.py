"""docs/gallery.md stays honest: its pictures exist and are small, its commands parse."""
import re
import shlex
from pathlib import Path

from stgcn_pyg.cli import build_parser

DOCS = Path(__file__).parents[2] / "docs"
GALLERY = (DOCS / "gallery.md").read_text()


def test_every_picture_exists_and_is_small():
    pictures = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", GALLERY)
    assert len(pictures) >= 15
    for picture in pictures:
        assert (DOCS / picture).stat().st_size < 1_000_000, picture


def test_every_command_parses_and_writes_a_shown_picture():
    commands = [line for line in GALLERY.splitlines() if line.startswith("stgcn-pyg plot ")]
    assert len(commands) >= 15
    for command in commands:
        args = build_parser().parse_args(shlex.split(command)[1:])
        assert f"]({Path(args.out).relative_to('docs')})" in GALLERY, command
