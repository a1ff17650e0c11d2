"""CTR-GCN's YAML configs (``config/nturgbd-cross-subject/default.yaml``, ``config/ucla/
default.yaml`` and alike) read as ``train`` settings, every key mapped or refused by name.

The mapping keeps CTR-GCN's recipe: the ``ctrgcn`` preset, SGD with momentum 0.9 and Nesterov
as the file says, ``base_lr`` multiplied by ``lr_decay_rate`` at each epoch of ``step``, linear
warm-up over ``warm_up_epoch`` epochs, no label smoothing, no view normalisation; the UCLA
feeder's ``repeat`` (the training set seen ``repeat`` times per epoch) multiplies the epochs,
steps and warm-up, which keeps the same SGD steps. :data:`KEYS` lists what becomes of each key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .original_config import ConfigReader, read_data_path, read_processor

GRAPHS = {"graph.ntu_rgb_d.Graph": "ntu-rgb+d", "graph.ucla.Graph": "kinect-v1"}
FEEDERS = ("feeders.feeder_ntu.Feeder", "feeders.feeder_ucla.Feeder")
#: The UCLA feeder's ``data_path`` names the input stream.
UCLA_STREAMS = {"joint": "joint", "bone": "bone", "motion": "motion",
                "joint_motion": "motion", "bone_motion": "bone_motion"}

#: Each key of CTR-GCN's format -> what becomes of it here.
KEYS: dict[str, str] = {
    "work_dir": "--out, when --out is not given",
    "model": "model.ctrgcn.Model -> --preset ctrgcn (other networks refused)",
    "model_args.num_class": "checked against the data's classes",
    "model_args.num_point": "checked against the data's joints V",
    "model_args.num_person": "checked against the data's persons M",
    "model_args.in_channels": "checked against the data's channels",
    "model_args.graph": "graph.ntu_rgb_d.Graph -> --layout ntu-rgb+d, graph.ucla.Graph -> "
                        "kinect-v1",
    "model_args.graph_args.labeling_mode": "spatial only (the agcn partition of the preset)",
    "model_args.drop_out": "0 only",
    "model_args.adaptive": "true only",
    "feeder": "feeders.feeder_ntu.Feeder or feeders.feeder_ucla.Feeder",
    "train_feeder_args.data_path": "NTU: a folder's train_data.npy -> --data (an .npz is "
                                   "refused: convert it with prepare ctrgcn-npz); UCLA: the "
                                   "stream (joint, bone, motion, bone_motion), data from --data",
    "train_feeder_args.label_path": "UCLA: train / val, the split names",
    "train_feeder_args.split": "train (test in test_feeder_args)",
    "train_feeder_args.random_choose / random_shift / random_move / random_rot": "--augment "
        "when any is true (this library's augmentation: crop of 0.6-1 of the frames, rotation, "
        "scale, shift; not CTR-GCN's exact transforms)",
    "train_feeder_args.p_interval": "accepted: the crop interval of the augmentation above "
                                    "(0.6-1 here)",
    "train_feeder_args.window_size": "checked against the data's frames T (prepare --frames)",
    "train_feeder_args.vel / bone": "--stream motion / bone / bone_motion",
    "train_feeder_args.normalization": "false only",
    "train_feeder_args.debug": "false only",
    "train_feeder_args.repeat": "multiplies num_epoch, step and warm_up_epoch (the same SGD "
                                "steps)",
    "test_feeder_args.*": "the same keys for the test split (random_* false)",
    "base_lr": "--lr",
    "lr_decay_rate": "--gamma",
    "step": "--schedule step --milestones",
    "warm_up_epoch": "--warmup",
    "num_epoch": "--epochs",
    "batch_size": "--batch-size",
    "weight_decay": "--weight-decay",
    "nesterov": "--nesterov / --no-nesterov",
    "optimizer": "SGD only",
    "seed": "--seed",
    "use_gpu": "false -> --device cpu",
    "device": "GPU ids -> CUDA when available",
    "num_worker": "--workers",
    "eval_interval": "--eval-every",
    "phase": "train only",
    "start_epoch": "0 only (continue a run with --resume)",
    "model_saved_name, test_batch_size, log_interval, save_interval, save_epoch, print_log, "
    "save_score, show_topk": "accepted: no effect (a checkpoint after every epoch, top-1 and "
                             "top-5 reported, evaluate --scores)",
}
_NO_EFFECT = {"model_saved_name": str, "test_batch_size": int, "log_interval": int,
              "save_interval": int, "save_epoch": int, "print_log": bool, "save_score": bool,
              "show_topk": list}


def is_ctrgcn_config(values: dict[str, Any]) -> bool:
    """Whether a parsed YAML file is in CTR-GCN's format."""
    return values.get("model") == "model.ctrgcn.Model" or values.get("feeder") in FEEDERS


def read_ctrgcn_config(values: dict[str, Any], path: "str | Path"
                       ) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """``(settings, expected)`` as :func:`~stgcn_pyg.train.original_config.
    read_original_config`: ``TrainConfig`` fields and what the data must hold."""
    top = ConfigReader(values, Path(path))
    settings: dict[str, Any] = {"preset": "ctrgcn", "normalize_view": False}
    top.only("model", str, "model.ctrgcn.Model", "CTR-GCN; other networks are presets")
    top.put("work_dir", str, settings, "out")
    expected = _model_args(top.sub("model_args"), settings)
    feeder = top.pop("feeder", str, FEEDERS[0])
    if feeder not in FEEDERS:
        raise top.error("feeder", f"one of {list(FEEDERS)}", feeder)
    ucla = feeder == FEEDERS[1]
    augment, repeat = _feeder_args(top.sub("train_feeder_args"), "train", ucla, settings,
                                   expected)
    _feeder_args(top.sub("test_feeder_args"), "test", ucla, settings, expected)
    settings["epochs"] = repeat * top.pop("num_epoch", int, 65)
    settings["overrides"] = {
        "lr": top.pop("base_lr", float, 0.1),
        "gamma": top.pop("lr_decay_rate", float, 0.1),
        "milestones": [repeat * s for s in top.pop("step", list, [35, 55])],
        "warmup_epochs": float(repeat * top.pop("warm_up_epoch", int, 0)),
        "weight_decay": top.pop("weight_decay", float, 4e-4),
        "nesterov": top.pop("nesterov", bool, True),
        "batch_size": top.pop("batch_size", int, 64),
        "momentum": 0.9, "schedule": "step", "label_smoothing": 0.0, "augment": augment}
    top.put("seed", int, settings, "seed")
    read_processor(top, settings, _NO_EFFECT)
    return settings, expected


def _model_args(args: ConfigReader, settings: dict[str, Any]) -> dict[str, tuple[int, str]]:
    expected: dict[str, tuple[int, str]] = {}
    for key, name in (("num_class", "num_classes"), ("num_point", "num_nodes"),
                      ("num_person", "persons"), ("in_channels", "in_channels")):
        args.expect(key, name, expected)
    graph = args.pop("graph", str, "graph.ntu_rgb_d.Graph")
    if graph not in GRAPHS:
        raise args.error("graph", f"one of {list(GRAPHS)}", graph)
    settings["layout"] = GRAPHS[graph]
    graph_args = args.sub("graph_args")
    graph_args.only("labeling_mode", str, "spatial", "CTR-GCN's identity / inward / outward")
    graph_args.finish()
    args.only("drop_out", float, 0.0, "the preset has no dropout")
    args.only("adaptive", bool, True, "the preset learns A")
    args.finish()
    return expected


def _feeder_args(args: ConfigReader, split: str, ucla: bool, settings: dict[str, Any],
                 expected: dict[str, tuple[int, str]]) -> tuple[bool, int]:
    """Check one split's feeder arguments; returns (augment, repeat)."""
    data_path = args.pop("data_path", str)
    if ucla:
        args.only("label_path", str, "train" if split == "train" else "val",
                  "the UCLA feeder's split name")
        if data_path is not None:
            if data_path not in UCLA_STREAMS:
                raise args.error("data_path", f"a stream name, one of {list(UCLA_STREAMS)}",
                                 data_path)
            settings["stream"] = UCLA_STREAMS[data_path]
    elif data_path is not None:
        read_data_path(args, data_path, split, settings,
                       "convert CTR-GCN's .npz with stgcn-pyg prepare ctrgcn-npz FILE --out D")
    args.only("split", str, split, "the feeder's split")
    randoms = [args.pop(name, bool, False) for name in
               ("random_choose", "random_shift", "random_move", "random_rot")]
    if split == "test" and any(randoms):
        raise args.error("random_*", "false for the test split", randoms)
    interval = args.values.pop("p_interval", None)
    if interval is not None and (not isinstance(interval, list) or not all(
            isinstance(p, (int, float)) and not isinstance(p, bool) for p in interval)):
        raise args.error("p_interval", "a list of numbers", interval)
    window = args.pop("window_size", int)
    if window is not None and window > 0 and "frames" not in expected:  # train's first
        expected["frames"] = (window, f"{split}_feeder_args.window_size")
    velocity, bone = args.pop("vel", bool, False), args.pop("bone", bool, False)
    if velocity or bone:
        settings["stream"] = {(True, False): "motion", (False, True): "bone",
                              (True, True): "bone_motion"}[(velocity, bone)]
    args.only("normalization", bool, False, "no per-dataset normalisation here")
    args.only("debug", bool, False, "no debug subset here")
    repeat = args.pop("repeat", int, 1)
    if repeat < 1:
        raise args.error("repeat", "an int >= 1", repeat)
    args.finish()
    return any(randoms), repeat


__all__ = ["KEYS", "is_ctrgcn_config", "read_ctrgcn_config"]
