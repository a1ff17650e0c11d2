"""``stgcn-pyg train``: train a network on a seed-format folder (resumable, torchrun-ready)."""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, fields
from pathlib import Path

from ..models import PRESETS
from .options import add_layer_arguments, layer_overrides
from ..precision import AMP_MODES
from ..train.config_file import field_names, read_config
from ..train.original_config import check_data
from ..train import RECIPES, TrainConfig, load_checkpoint, train
from ..train.distributed import PeerLost
from ..train.loop import CHECKPOINT, Diverged
from ..train.recipes import SCHEDULES

# settings that may change when a run is resumed; every other one must match the checkpoint
RESUMABLE = ("epochs", "workers", "device", "progress", "eval_every", "amp", "compile",
             "tensorboard")
# recipe settings that may change too (a diverged run continues with a lower --lr)
RESUMABLE_RECIPE = ("lr", "grad_clip")
# recipe overrides: option destination -> Recipe field
RECIPE_OPTIONS = {"lr": "lr", "momentum": "momentum", "nesterov": "nesterov",
                  "weight_decay": "weight_decay", "batch_size": "batch_size",
                  "schedule": "schedule", "warmup": "warmup_epochs", "milestones": "milestones",
                  "gamma": "gamma", "grad_clip": "grad_clip",
                  "label_smoothing": "label_smoothing", "augment": "augment",
                  "rotation": "rotation"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("--config", type=Path, help="a TOML or YAML file of settings (e.g. RUN/"
                        "config.toml of an earlier run, or an original ST-GCN train.yaml); "
                        "options given here override it")
    parser.add_argument("--data", help="seed-format folder: {train,test}_{data,label}.npy")
    parser.add_argument("--out", help="run folder (checkpoint, metrics, PNGs); required unless "
                        "--config names one (work_dir of an original ST-GCN config)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out up to --epochs with its stored settings")
    parser.add_argument("--force", action="store_true",
                        help="start a new run in an --out that holds a finished or crashed one")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Model, recipe and runtime options (shared with ``demo``); all default to None so that
    ``--resume`` can tell which were given."""
    model = parser.add_argument_group("model")
    model.add_argument("--preset", choices=sorted(PRESETS), help="network (default: compact)")
    model.add_argument("--layout", help="registered layout name or .json file "
                       "(default: inferred from the preset and the data's joint count)")
    model.add_argument("--strategy", choices=["uniform", "distance", "spatial"],
                       help="partition strategy (default: the preset's)")
    model.add_argument("--backend", choices=["mp", "dense"],
                       help="deprecated: the same as --spatial mp|dense")
    model.add_argument("--stream", help="input stream: joint, bone, motion, bone_motion or e.g. "
                       "joint+bone")
    model.add_argument("--normalize-view", action=argparse.BooleanOptionalAction, default=None,
                       help="turn every sample to the canonical view (hip->spine up, shoulders "
                            "along x) as it is read; stored with the model, so evaluate and "
                            "predict do the same (default: on when the layout has hip, spine "
                            "and shoulder joints)")
    add_layer_arguments(model)
    recipe = parser.add_argument_group("recipe (defaults from --recipe)")
    recipe.add_argument("--recipe", choices=sorted(RECIPES), help="default: default")
    recipe.add_argument("--epochs", type=int,
                        help="epochs to complete (default: enough for about 1500 SGD steps, "
                        "30 to 200, from the training set's size)")
    recipe.add_argument("--seed", type=int, help="random seed (default: 0)")
    recipe.add_argument("--batch-size", type=int, help="global batch size (default: 16 below 512 "
                        "training clips, else 32)")
    recipe.add_argument("--lr", type=float, help="peak learning rate")
    recipe.add_argument("--momentum", type=float)
    recipe.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=None)
    recipe.add_argument("--weight-decay", type=float)
    recipe.add_argument("--schedule", choices=SCHEDULES)
    recipe.add_argument("--warmup", type=float, help="warm-up epochs")
    recipe.add_argument("--milestones", type=_int_list, help="step schedule epochs, e.g. 30,40")
    recipe.add_argument("--gamma", type=float, help="step schedule factor")
    recipe.add_argument("--grad-clip", type=float, help="clip the gradient norm to this value")
    recipe.add_argument("--label-smoothing", type=float)
    recipe.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                        help="random crop, rotation, scale, shift")
    recipe.add_argument("--rotation", type=float, nargs=3, metavar=("X", "Y", "Z"),
                        help="augmentation: rotate by up to ± these degrees about x, y "
                        "(vertical), z (default 10 45 10; 0 0 0: no rotation)")
    runtime = parser.add_argument_group("runtime")
    runtime.add_argument("--workers", type=int, help="data-loader worker processes (default 0)")
    runtime.add_argument("--device", help="cpu, cuda, cuda:1 (default: cuda when available)")
    runtime.add_argument("--amp", choices=AMP_MODES, help="mixed precision: bf16 (CPU, CUDA) "
                         "or fp16 (CUDA, with loss scaling); default off")
    runtime.add_argument("--compile", action="store_true", default=None,
                         help="train and evaluate through torch.compile")
    runtime.add_argument("--sync-bn", action="store_true", default=None,
                         help="SyncBatchNorm under torchrun")
    runtime.add_argument("--eval-every", type=int, help="evaluate every N epochs (default 1)")
    runtime.add_argument("--tensorboard", action="store_true", default=None,
                         help="also write TensorBoard scalars to RUN/tensorboard (needs the "
                              "tensorboard extra)")
    runtime.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                         help="no tqdm progress bars")


def config_from_args(args: argparse.Namespace, **defaults) -> TrainConfig:
    """A :class:`TrainConfig` from the given options over ``defaults`` over the built-ins."""
    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
             if getattr(args, f.name, None) is not None}
    given.update(layer_overrides(args))  # parsed --spatial/--temporal(-kwargs); runs --import
    backend = getattr(args, "backend", None)
    if backend is not None:  # the deprecated spelling of --spatial mp|dense
        if given.get("spatial", backend) != backend:
            raise ValueError(f"--backend: the deprecated spelling of --spatial; got --backend "
                             f"{backend} and --spatial {given['spatial']}")
        given["spatial"] = backend
    overrides = {field: getattr(args, dest) for dest, field in RECIPE_OPTIONS.items()
                 if getattr(args, dest, None) is not None}
    values = {**defaults, **given, "overrides": {**defaults.get("overrides", {}), **overrides}}
    values["data"] = str(Path(values["data"]).resolve())
    return TrainConfig(**values)


def resumed_config(args: argparse.Namespace, checkpoint: Path) -> TrainConfig:
    """The stored config of the run, with the resumable options of ``args`` applied; any
    other option that differs from the stored run is an error."""
    stored = asdict(TrainConfig.from_stored(load_checkpoint(checkpoint)["config"]))
    requested = asdict(config_from_args(args, **{**stored, "out": args.out}))
    changed = sorted(k for k in requested if k not in RESUMABLE + ("out",)
                     and _fixed(requested, k) != _fixed(stored, k))
    if changed:
        detail = ", ".join(f"{k}: run has {stored[k]!r}, asked {requested[k]!r}" for k in changed)
        raise ValueError(f"checkpoint {checkpoint}: was trained with other settings ({detail})")
    return TrainConfig(**requested)


def _fixed(config: dict, key: str):
    """What of ``config[key]`` a resumed run must keep."""
    if key != "overrides":
        return config[key]
    return {k: v for k, v in config[key].items() if k not in RESUMABLE_RECIPE}


def run(args: argparse.Namespace) -> int:
    from_file, expected = (read_config(args.config, field_names(TrainConfig))
                           if args.config and not args.resume else ({}, {}))
    work_dir = from_file.pop("out", None)  # an original ST-GCN config's work_dir
    args.out = work_dir if args.out is None else args.out
    if args.out is None:
        raise ValueError("--out: required (or work_dir in a --config YAML file)")
    if args.resume:
        config = resumed_config(args, Path(args.out) / CHECKPOINT)
    else:
        data = args.data or from_file.get("data")
        if data is None:
            raise ValueError("--data: required unless --resume (or given by --config)")
        config = config_from_args(args, **{**from_file, "data": data, "out": args.out})
        check_data(expected, config.data, args.config)
    try:
        train(config, resume=args.resume, force=args.force)
    except (PeerLost, Diverged) as err:
        print(f"stgcn-pyg train: error: {err}", file=sys.stderr)
        return 1
    return 0


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}")
