"""The original ST-GCN's YAML configs (``config/st_gcn/ntu-xsub/train.yaml`` and alike) read as
``train`` settings: every key is either mapped onto this library's options or refused by name.

The mapping reproduces the authors' recipe, not this library's defaults: the ``stgcn`` preset,
SGD with momentum 0.9, ``base_lr`` multiplied by 0.1 at each epoch of ``step``, no warm-up, no
label smoothing, no view normalisation, augmentation only when the feeder asked for it
(``random_choose`` / ``random_move``). Unset keys take the authors' processor defaults
(:data:`PROCESSOR_DEFAULTS`). :data:`KEYS` lists what becomes of each key (docs/training.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data.folder import num_classes_of, split_paths
from ..io import load_npy

#: The authors' processor defaults for the keys a file may leave out.
PROCESSOR_DEFAULTS = {"base_lr": 0.01, "step": [], "nesterov": True, "weight_decay": 1e-4,
                      "batch_size": 256, "num_epoch": 80}

#: Each key of the authors' format -> what becomes of it here.
KEYS: dict[str, str] = {
    "work_dir": "--out, when --out is not given",
    "model": "net.st_gcn.Model -> --preset stgcn (other networks refused)",
    "model_args.in_channels": "checked against the data's channels",
    "model_args.num_class": "checked against the data's classes",
    "model_args.dropout": "0.5, the stgcn preset's (other values refused)",
    "model_args.edge_importance_weighting": "true, the stgcn preset's (false refused)",
    "model_args.graph_args.layout": "--layout",
    "model_args.graph_args.strategy": "--strategy",
    "model_args.graph_args.max_hop": "1 only, the stgcn preset's",
    "model_args.graph_args.dilation": "1 only",
    "feeder": "feeder.feeder.Feeder only",
    "train_feeder_args.data_path": "--data: its folder, holding train_data.npy",
    "train_feeder_args.label_path": "that folder's train_label.npy",
    "train_feeder_args.random_choose": "--augment when this or random_move is true",
    "train_feeder_args.random_move": "--augment when this or random_choose is true",
    "train_feeder_args.window_size": "-1 only (a fixed crop window is not offered: refused)",
    "train_feeder_args.debug": "false only",
    "train_feeder_args.mmap": "accepted: data is always memory-mapped",
    "test_feeder_args.*": "the same keys: that folder's test_data.npy / test_label.npy",
    "base_lr": "--lr",
    "step": "--schedule step --milestones (factor 0.1)",
    "num_epoch": "--epochs",
    "batch_size": "--batch-size",
    "weight_decay": "--weight-decay",
    "nesterov": "--nesterov / --no-nesterov",
    "optimizer": "SGD only",
    "use_gpu": "false -> --device cpu",
    "device": "GPU ids -> CUDA when available (several GPUs: run under torchrun)",
    "num_worker": "--workers",
    "eval_interval": "--eval-every",
    "phase": "train only",
    "start_epoch": "0 only (continue a run with --resume)",
    "debug": "false only",
    "test_batch_size": "accepted: no effect (evaluation uses the training batch size)",
    "log_interval": "accepted: no effect (progress bars and metrics.json instead)",
    "save_interval": "accepted: no effect (a checkpoint after every epoch)",
    "print_log": "accepted: no effect (always printed)",
    "save_log": "accepted: no effect (always saved: metrics.json)",
    "show_topk": "accepted: no effect (top-1 and top-5 are always reported)",
    "pavi_log": "false only",
    "save_result": "accepted: no effect (evaluate --scores writes per-sample scores)",
}
#: Keys that mark a file as the authors' format.
MARKERS = ("model_args", "base_lr", "num_epoch", "train_feeder_args", "feeder", "work_dir")
_NO_EFFECT = {"test_batch_size": int, "log_interval": int, "save_interval": int,
              "print_log": bool, "save_log": bool, "show_topk": list, "save_result": bool}


def is_original_config(values: dict[str, Any]) -> bool:
    """Whether a parsed YAML file is in the original ST-GCN's format."""
    return any(key in values for key in MARKERS)


class ConfigReader:
    """Typed access to one mapping of the file; errors name the file and the dotted key."""

    def __init__(self, values: Any, path: Path, prefix: str = "") -> None:
        if not isinstance(values, dict):
            raise ValueError(f"--config {path}: {prefix.rstrip('.') or 'the file'}: expected a "
                             f"mapping, got {values!r}")
        self.values, self.path, self.prefix = dict(values), path, prefix

    def error(self, key: str, expected: str, value: Any) -> ValueError:
        return ValueError(f"--config {self.path}: {self.prefix}{key}: expected {expected}, "
                          f"got {value!r}")

    def pop(self, key: str, kind: type, default: Any = None) -> Any:
        if key not in self.values:
            return default
        value = self.values.pop(key)
        if kind is float and not isinstance(value, bool) and isinstance(value, (int, str)):
            value = _number(value)  # YAML 1.1 reads 1e-4 (no dot) as a string
        bad_bool = kind is not bool and isinstance(value, bool)
        if bad_bool or not isinstance(value, kind):
            raise self.error(key, f"{'a' if kind is not int else 'an'} {kind.__name__}", value)
        if kind is list:
            if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
                raise self.error(key, "a list of ints", value)
        return value

    def only(self, key: str, kind: type, allowed: Any, reason: str) -> None:
        value = self.pop(key, kind, allowed)
        if value != allowed:
            raise self.error(key, f"{allowed!r} ({reason})", value)

    def put(self, key: str, kind: type, settings: dict[str, Any], name: str) -> None:
        """``settings[name]`` = the value of ``key``, when the file gives one."""
        value = self.pop(key, kind)
        if value is not None:
            settings[name] = value

    def expect(self, key: str, name: str, expected: dict[str, tuple[int, str]]) -> None:
        """``expected[name]`` = (the int value of ``key``, its dotted key), when the file gives
        one: what :func:`check_data` compares with the data."""
        value = self.pop(key, int)
        if value is not None:
            expected[name] = (value, self.prefix + key)

    def sub(self, key: str) -> "ConfigReader":
        return ConfigReader(self.values.pop(key, {}), self.path, f"{self.prefix}{key}.")

    def finish(self) -> None:
        if self.values:
            raise ValueError(f"--config {self.path}: unknown or unsupported keys "
                             f"{[self.prefix + k for k in sorted(self.values)]} (docs/training.md "
                             f"lists what becomes of each key of the authors' configs)")


def read_original_config(values: dict[str, Any], path: "str | Path"
                         ) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """``(settings, expected)``: ``TrainConfig`` fields (with ``out`` from ``work_dir``) and the
    data the file was written for (``in_channels``, ``num_classes``, each with its key; check
    them with :func:`check_data`)."""
    top = ConfigReader(values, Path(path))
    settings: dict[str, Any] = {"preset": "stgcn", "normalize_view": False}
    top.only("model", str, "net.st_gcn.Model", "ST-GCN; other networks are presets: train "
             "--preset")
    top.put("work_dir", str, settings, "out")
    expected = _model_args(top.sub("model_args"), settings)
    top.only("feeder", str, "feeder.feeder.Feeder", "the authors' feeder of npy folders")
    augment = _feeder_args(top.sub("train_feeder_args"), "train", settings)
    _feeder_args(top.sub("test_feeder_args"), "test", settings)
    steps = top.pop("step", list, PROCESSOR_DEFAULTS["step"])
    settings["overrides"] = {
        "lr": top.pop("base_lr", float, PROCESSOR_DEFAULTS["base_lr"]),
        "weight_decay": top.pop("weight_decay", float, PROCESSOR_DEFAULTS["weight_decay"]),
        "nesterov": top.pop("nesterov", bool, PROCESSOR_DEFAULTS["nesterov"]),
        "batch_size": top.pop("batch_size", int, PROCESSOR_DEFAULTS["batch_size"]),
        "momentum": 0.9, "schedule": "step", "milestones": steps, "gamma": 0.1,
        "warmup_epochs": 0.0, "label_smoothing": 0.0, "augment": augment}
    settings["epochs"] = top.pop("num_epoch", int, PROCESSOR_DEFAULTS["num_epoch"])
    top.only("debug", bool, False, "no debug subset here")
    top.only("pavi_log", bool, False, "no pavi logging here")
    read_processor(top, settings, _NO_EFFECT)
    return settings, expected


def _model_args(args: ConfigReader, settings: dict[str, Any]) -> dict[str, tuple[int, str]]:
    expected: dict[str, tuple[int, str]] = {}
    args.expect("in_channels", "in_channels", expected)
    args.expect("num_class", "num_classes", expected)
    args.only("dropout", float, 0.5, "the stgcn preset's")
    args.only("edge_importance_weighting", bool, True, "the stgcn preset learns edge importance")
    graph = args.sub("graph_args")
    graph.put("layout", str, settings, "layout")
    graph.put("strategy", str, settings, "strategy")
    graph.only("max_hop", int, 1, "the stgcn preset's")
    graph.only("dilation", int, 1, "the only dilation here")
    graph.finish()
    args.finish()
    return expected


def _feeder_args(args: ConfigReader, split: str, settings: dict[str, Any]) -> bool:
    """Check a split's feeder paths against the folder format (both splits in one folder);
    returns whether the feeder augments."""
    data_path = args.pop("data_path", str)
    label_path = args.pop("label_path", str)
    if data_path is not None:
        folder = read_data_path(args, data_path, split, settings,
                                "convert the authors' folders with stgcn-pyg prepare stgcn-npy")
        ours_label = split_paths(folder, split)[1]
        if label_path is not None and Path(label_path) != ours_label:
            raise args.error("label_path", f"{ours_label} (next to data_path)", label_path)
    elif label_path is not None:
        raise args.error("label_path", "to come with data_path", label_path)
    choose, move = args.pop("random_choose", bool, False), args.pop("random_move", bool, False)
    args.only("window_size", int, -1, "a fixed crop window is not offered")
    args.only("debug", bool, False, "no debug subset here")
    args.pop("mmap", bool)
    args.finish()
    return choose or move


def read_data_path(args: ConfigReader, data_path: str, split: str, settings: dict[str, Any],
                   hint: str) -> Path:
    """The folder of a feeder's ``data_path``, which must name the folder format's
    ``{split}_data.npy`` (both splits in one folder); sets ``settings["data"]``."""
    folder = Path(data_path).parent
    expected = split_paths(folder, split)[0].name
    if Path(data_path).name != expected:
        raise args.error("data_path", f"a folder's {expected} (the folder format; {hint})",
                         data_path)
    known = settings.setdefault("data", str(folder))
    if Path(known) != folder:
        raise args.error("data_path", f"a file in {known}, the train split's folder", data_path)
    return folder


def read_processor(top: ConfigReader, settings: dict[str, Any],
                   no_effect: dict[str, type]) -> None:
    """The keys both authors' processors share, then the end of the file: ``optimizer`` (SGD
    only), ``use_gpu``, ``device`` (GPU ids: CUDA is the default where available),
    ``num_worker``, ``eval_interval``, ``phase`` (train only), ``start_epoch`` (0 only), the
    ``no_effect`` keys (typed, no counterpart needed); any key left is refused."""
    top.only("optimizer", str, "SGD", "the only optimizer here")
    if top.pop("use_gpu", bool, True) is False:
        settings["device"] = "cpu"
    gpus = top.values.pop("device", [])  # GPU ids: CUDA is the default where available
    if isinstance(gpus, int) and not isinstance(gpus, bool):
        gpus = [gpus]
    if not isinstance(gpus, list) or any(isinstance(g, bool) or not isinstance(g, int)
                                         for g in gpus):
        raise top.error("device", "GPU ids (an int or a list of ints)", gpus)
    top.put("num_worker", int, settings, "workers")
    top.put("eval_interval", int, settings, "eval_every")
    top.only("phase", str, "train", "the test phase is stgcn-pyg evaluate")
    top.only("start_epoch", int, 0, "continue a run with --resume")
    for key, kind in no_effect.items():
        top.pop(key, kind)
    top.finish()


def _number(value: "int | str") -> "float | str":
    try:
        return float(value)
    except ValueError:
        return value


def check_data(expected: dict[str, tuple[int, str]], data: "str | Path",
               path: "str | Path") -> None:
    """Refuse a data folder whose shape or classes differ from what the config file names:
    ``expected`` maps ``in_channels``, ``num_classes``, ``num_nodes``, ``persons``, ``frames``
    to (value, the key that gave it)."""
    if not expected:
        return
    shape = load_npy(split_paths(data, "train")[0]).shape
    found = {"in_channels": shape[1], "frames": shape[2], "num_nodes": shape[3],
             "persons": shape[4] if len(shape) == 5 else 1}
    if "num_classes" in expected:
        found["num_classes"] = num_classes_of(data)
    for name, (value, key) in expected.items():
        if value != found[name]:
            raise ValueError(f"--config {path}: {key}: the file says {value}, the data in "
                             f"{data} has {found[name]}")


__all__ = ["ConfigReader", "KEYS", "PROCESSOR_DEFAULTS", "check_data", "is_original_config",
           "read_data_path", "read_original_config", "read_processor"]
