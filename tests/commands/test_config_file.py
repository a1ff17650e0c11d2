"""train --config: every run writes its resolved settings; the file reproduces the run."""
import json
import tomllib

import pytest

from stgcn_pyg.cli import main


def _train(*argv):
    return main(["train", "--no-progress", *argv])


def test_a_run_writes_its_resolved_config_and_the_file_reproduces_it(tiny_data, tmp_path):
    assert _train("--data", str(tiny_data), "--out", str(tmp_path / "a"), "--preset", "tiny",
                  "--epochs", "2", "--batch-size", "8", "--lr", "0.05", "--spatial", "gcn",
                  "--spatial-kwargs", '{"improved": true}', "--seed", "4") == 0
    stored = tomllib.loads((tmp_path / "a" / "config.toml").read_text())
    assert stored["layout"] == "ntu-rgb+d" and stored["epochs"] == 2 and stored["seed"] == 4
    assert stored["overrides"]["lr"] == 0.05 and stored["overrides"]["batch_size"] == 8
    assert stored["overrides"]["weight_decay"] == 5e-4  # the full recipe, not only what changed
    assert stored["spatial_kwargs"] == {"improved": True} and "out" not in stored

    assert _train("--config", str(tmp_path / "a" / "config.toml"),
                  "--out", str(tmp_path / "b")) == 0
    first, again = (json.loads((tmp_path / run / "metrics.json").read_text())
                    for run in ("a", "b"))
    timing = ("epoch_seconds", "data_seconds", "step_seconds")
    assert [{k: v for k, v in h.items() if k not in timing} for h in again["history"]] == \
        [{k: v for k, v in h.items() if k not in timing} for h in first["history"]]  # bit for bit
    assert (tmp_path / "b" / "config.toml").read_text() == (tmp_path / "a" / "config.toml"
                                                            ).read_text()


def test_options_on_the_command_line_override_the_file(tiny_data, tmp_path):
    assert _train("--data", str(tiny_data), "--out", str(tmp_path / "a"), "--preset", "tiny",
                  "--epochs", "2", "--batch-size", "8") == 0
    assert _train("--config", str(tmp_path / "a" / "config.toml"), "--out", str(tmp_path / "b"),
                  "--epochs", "1", "--lr", "0.02") == 0
    stored = tomllib.loads((tmp_path / "b" / "config.toml").read_text())
    assert stored["epochs"] == 1 and stored["overrides"]["lr"] == 0.02
    assert stored["overrides"]["batch_size"] == 8  # from the file


@pytest.mark.parametrize("content,match", [
    (None, r"--config .*c.toml: no such file"),
    ("epochs = [", r"--config .*c.toml: not valid TOML"),
    ('speed = 3\n', r"--config .*c.toml: unknown settings \['speed'\]"),
])
def test_bad_config_file(tmp_path, capsys, content, match):
    if content is not None:
        (tmp_path / "c.toml").write_text(content)
    assert _train("--config", str(tmp_path / "c.toml"), "--out", str(tmp_path / "run")) == 2
    assert __import__("re").search(match, capsys.readouterr().err)
    assert not (tmp_path / "run").exists()
