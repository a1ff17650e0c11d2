"""A run's settings as a file: every run writes ``RUN/config.toml`` (its resolved settings) and
``stgcn-pyg train --config FILE`` reads one: TOML (the standard library's ``tomllib``), the same
settings as YAML, or a YAML config of the original ST-GCN (:mod:`.original_config`) or of
CTR-GCN (:mod:`.ctrgcn_config`).
"""
from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ..io import atomic_path
from .ctrgcn_config import is_ctrgcn_config, read_ctrgcn_config
from .original_config import is_original_config, read_original_config

CONFIG_FILE = "config.toml"
NOT_STORED = ("out", "progress")  # where a run writes and how it shows progress: per command


def read_config(path: "str | Path", known: set[str]
                ) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """``(settings, expected)``: the settings of a ``.toml`` or ``.yaml``/``.yml`` file, checked
    against the ``known`` field names; an original ST-GCN or CTR-GCN config is mapped onto them
    and ``expected`` holds what it says of the data, for
    :func:`~stgcn_pyg.train.original_config.check_data` (else it is empty)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--config {path}: no such file")
    if path.suffix.lower() in (".yaml", ".yml"):
        values = _read_yaml(path)
        if is_ctrgcn_config(values):
            return read_ctrgcn_config(values, path)
        if is_original_config(values):
            return read_original_config(values, path)
    else:
        values = _read_toml(path)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"--config {path}: unknown settings {unknown} (expected some of "
                         f"{sorted(known)})")
    return values, {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"--config {path}: not valid TOML ({err})") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml  # a dependency; imported when a YAML file is read

    try:
        values = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ValueError(f"--config {path}: not valid YAML ({' '.join(str(err).split())})") \
            from None
    if not isinstance(values, dict):
        raise ValueError(f"--config {path}: expected a mapping of settings, got "
                         f"{type(values).__name__}")
    return values


def write_config(config: Any, path: "str | Path", resolved: dict[str, Any]) -> None:
    """Write a ``TrainConfig`` (dataclass) with ``resolved`` values (the layout and the full
    recipe a run actually used) as TOML, atomically. ``None`` values are left out (TOML has
    none; they mean "the default")."""
    values = {k: v for k, v in {**asdict(config), **resolved}.items()
              if v is not None and k not in NOT_STORED and v != {} and v != []}
    plain = {k: v for k, v in values.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in values.items() if isinstance(v, dict)}
    lines = ["# stgcn-pyg train settings; rerun with: stgcn-pyg train --config THIS_FILE --out RUN"]
    lines += [f"{key} = {_value(value)}" for key, value in plain.items()]
    for name, table in tables.items():
        lines += ["", f"[{name}]"] + [f"{_key(k)} = {_value(v)}" for k, v in table.items()
                                      if v is not None]
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def field_names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
                if math.isinf(value) else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()
                               if v is not None) + "}"
    raise TypeError(f"config: cannot write {type(value).__name__} {value!r} as TOML")
