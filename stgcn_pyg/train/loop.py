"""The training loop: one ``TrainConfig`` in, ``RUN/{checkpoint.pt, model.pt, metrics.json,
confusion.png, curves.png}`` out; resumable bit-exactly on CPU, DDP under torchrun."""
from __future__ import annotations

import contextlib
import gc
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler
from tqdm import tqdm

from ..data import (Compose, SkeletonFolder, Streams, default_augmentation, num_classes_of,
                    read_folder_meta, view_transform)
from ..graph import get_skeleton, resolve_layout
from ..io import save_json
from ..models import (STGCN, compile_checked, model_from_dict, model_from_options, model_to_dict,
                      preset_layout, read_torch_file, save_model, upgrade_checkpoint)
from ..models.checkpoint import FORMAT_V1, config_with_defaults
from ..models.compile import compile_module
from ..models.legacy import upgrade_v1_optimizer
from ..precision import amp_dtype, autocast, grad_scaler
from .distributed import (Dist, PeerLost, all_gather, all_sum, barrier, first_sentence,
                          is_peer_failure, setup, stop_on_sigterm, teardown)
from .evaluation import evaluate
from .recipes import Recipe, dataset_defaults, get_recipe
from .config_file import CONFIG_FILE, write_config
from .run_folder import RunLock, load_latest_checkpoint, save_checkpoint
from .scores import sample_fingerprints, save_scores
from .tensorboard import TensorBoardScalars

CHECKPOINT, MODEL, METRICS, SCORES = ("checkpoint.pt", "model.pt", "metrics.json",
                                      "scores_test.npz")
CONFUSION_PNG, CURVES_PNG = "confusion.png", "curves.png"


@dataclass
class TrainConfig:
    """Everything a run depends on; stored in its checkpoint so ``--resume`` rebuilds it.

    ``recipe`` names a :data:`~stgcn_pyg.train.recipes.RECIPES` entry, ``overrides`` changes
    its fields (lr, batch_size, ...). ``epochs`` None (and a recipe's ``batch_size`` None):
    fitted to the training set's size (:func:`~stgcn_pyg.train.recipes.dataset_defaults`),
    the resolved values stored with the run. ``layout`` None: the preset's layout when its joint count
    matches the data, else the one registered layout with that joint count. ``spatial`` None:
    the preset's spatial layer (``"mp"``). ``normalize_view`` None: every sample is turned to
    the canonical view as it is read (:class:`~stgcn_pyg.data.NormalizeView`) when the layout
    has hip, spine and shoulder joints; True: always (an error without them); False: never.
    """

    data: str
    out: str
    preset: str = "compact"
    layout: str | None = None
    strategy: str | None = None
    epochs: int | None = None
    seed: int = 0
    recipe: str = "default"
    overrides: dict[str, Any] = field(default_factory=dict)
    stream: str = "joint"
    normalize_view: bool | None = None
    workers: int = 0
    amp: str = "off"
    compile: bool = False
    spatial: str | None = None
    spatial_kwargs: dict[str, Any] | None = None
    temporal: str | None = None
    temporal_kwargs: dict[str, Any] | None = None
    imports: list[str] = field(default_factory=list)
    sync_bn: bool = False
    device: str | None = None
    eval_every: int = 1
    progress: bool = True
    tensorboard: bool = False

    def __post_init__(self) -> None:
        """Types a TOML file or a caller can get wrong (``epochs = true`` is not 1 epoch)."""
        for name in ("epochs", "seed", "workers", "eval_every"):
            value = getattr(self, name)
            if not (value is None and name == "epochs") and (
                    isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{name}: expected an int, got {value!r}")
        for name in ("compile", "sync_bn", "progress", "tensorboard"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: expected true or false, got {getattr(self, name)!r}")
        if self.eval_every < 1:
            raise ValueError(f"eval_every: expected an int >= 1, got {self.eval_every}")
        if self.workers < 0:
            raise ValueError(f"workers: expected an int >= 0, got {self.workers}")
        if not str(self.out).strip():
            raise ValueError(f"out: expected a folder name, got {self.out!r}")

    def resolved_recipe(self) -> Recipe:
        return get_recipe(self.recipe, **self.overrides)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> "TrainConfig":
        """The config stored in a training checkpoint (one of version 1 had ``backend``,
        now ``spatial``)."""
        stored = dict(stored)
        stored.setdefault("normalize_view", False)  # runs from before the setting: never
        backend = stored.pop("backend", None)
        if backend is not None and stored.get("spatial") is None and backend != "mp":
            stored["spatial"] = backend
        return cls(**stored)


def train(config: TrainConfig, resume: bool = False, log: Callable[[str], None] = print,
          force: bool = False) -> dict[str, Any]:
    """Train (or with ``resume`` continue the run in ``config.out``) and return the metrics.

    The run holds ``out/.lock`` while it writes (a second run into the same folder is refused);
    ``force`` starts a new run in a folder that holds a finished or crashed one.
    """
    if config.epochs is not None and config.epochs < 1:
        raise ValueError(f"epochs: expected a positive int, got {config.epochs}")
    if force and resume:
        raise ValueError("--force: starts a new run; it cannot be combined with --resume")
    info = setup(config.device)
    try:
        with stop_on_sigterm(info), (RunLock(config.out) if info.main
                                     else contextlib.nullcontext()):
            metrics = _Run(config, info, resume, log if info.main else (lambda _: None),
                           force).fit()
    except RuntimeError as err:  # no collective teardown: a dead peer would never answer it
        if info.enabled and is_peer_failure(err):
            raise PeerLost(f"process {info.rank} of {info.world_size}: lost the other "
                           f"processes ({first_sentence(err)}); the "
                           f"checkpoint of the last finished epoch in {config.out} is kept: "
                           f"rerun with --resume to continue") from err
        raise
    # The run (its DDP reducer, which holds the process group) is gone before the group is
    # destroyed: freed after destroy_process_group, the reducer now and then never returned
    # from its destructor (a worker asleep in a futex after its run was complete).
    gc.collect()
    teardown(info)
    return metrics


def load_checkpoint(path: "str | Path") -> dict[str, Any]:
    """A training checkpoint written by :func:`train` (``weights_only`` loading)."""
    path = Path(path)
    state = read_torch_file(path)
    missing = [k for k in ("model", "optimizer", "scheduler", "epoch", "history", "rng", "config")
               if not isinstance(state, dict) or k not in state]
    if missing:
        raise ValueError(f"checkpoint {path}: not a training checkpoint (missing {missing})")
    return state


def build_model(config: TrainConfig, num_classes: int, layout: str, persons: int = 1) -> STGCN:
    """The network of a run (see :func:`stgcn_pyg.models.model_from_options`) for clips of
    ``persons`` persons."""
    return model_from_options(config.preset, num_classes, layout,
                              Streams(config.stream, layout).channels(),
                              strategy=config.strategy, spatial=config.spatial,
                              spatial_kwargs=config.spatial_kwargs, temporal=config.temporal,
                              temporal_kwargs=config.temporal_kwargs, imports=config.imports,
                              persons=persons)


class _Run:
    """One process's share of a training run."""

    def __init__(self, config: TrainConfig, info: Dist, resume: bool,
                 log: Callable[[str], None], force: bool = False) -> None:
        self.config, self.info, self.log = config, info, log
        self.out = Path(config.out)
        self.recipe = config.resolved_recipe()
        amp_dtype(config.amp, info.device)  # a clear error before any work
        self.scalars = TensorBoardScalars(self.out if config.tensorboard and info.main else None)
        state = (load_latest_checkpoint(self.out / CHECKPOINT, load_checkpoint, log)
                 if resume else None)
        if state is None and info.main and (self.out / CHECKPOINT).exists() and not force:
            raise ValueError(f"--out {self.out}: holds a run already (checkpoint.pt); pass "
                             f"--resume to continue it, --force to start over, or choose "
                             f"another folder")
        _seed_everything(config.seed)
        self.train_set, self.test_set, self.layout = self._datasets()
        batch, config.epochs = dataset_defaults(len(self.train_set), self.recipe.batch_size,
                                                config.epochs)
        if self.recipe.batch_size is None:
            log(f"defaults for {len(self.train_set)} training clips: batch {batch}, "
                f"{config.epochs} epochs")
        self.recipe = self.recipe.updated(batch_size=batch)
        if batch % info.world_size:
            raise ValueError(f"batch_size: {batch} is not divisible by the "
                             f"{info.world_size} processes")
        data = self.train_set.data
        self.model = build_model(config, self.train_set.num_classes, self.layout,
                                 data.shape[-1] if data.ndim == 5 else 1)
        if state is not None:
            if state["model"].get("format") == FORMAT_V1:  # a run of the previous release
                names = [name for name, _ in self.model.named_parameters()]
                state["optimizer"] = upgrade_v1_optimizer(
                    state["optimizer"], state["model"]["state_dict"], names)
                state["config"] = asdict(TrainConfig.from_stored(state["config"]))
            state["model"] = upgrade_checkpoint(state["model"])
            self._check_same_model(state)
            self.model.load_state_dict(state["model"]["state_dict"])
        if info.main:  # the settings this run resolved to, rerunnable with --config
            write_config(config, self.out / CONFIG_FILE,
                         {"layout": self.layout, "overrides": self.recipe.to_dict()})
        self.model.to(info.device)
        self.net: nn.Module = self.model
        if info.enabled:
            if config.sync_bn and info.device.type == "cuda":
                self.net = nn.SyncBatchNorm.convert_sync_batchnorm(self.net)
            elif config.sync_bn:
                log("note: --sync-bn needs CUDA (PyTorch's SyncBatchNorm); using BatchNorm")
            self.net = DistributedDataParallel(self.net)
        self.compiled = config.compile and self._compile()  # checkpoints keep self.model
        r = self.recipe
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=r.lr, momentum=r.momentum,
                                         nesterov=r.nesterov, weight_decay=r.weight_decay)
        self.sampler = DistributedSampler(self.train_set, info.world_size, info.rank,
                                          shuffle=True, seed=config.seed)
        self.loader = DataLoader(self.train_set, batch_size=r.batch_size // info.world_size,
                                 sampler=self.sampler, num_workers=config.workers)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, r.lr_factor(config.epochs, len(self.loader)))
        self.scaler = grad_scaler(config.amp, info.device)
        self.epoch, self.history = 0, []
        if state is not None:
            self._restore(state)
        # each process augments differently; process 0 keeps the single-process stream
        if state is None and info.rank:
            torch.manual_seed(config.seed + info.rank)

    def _compile(self) -> bool:
        """Compile the training step if, on a probe batch of the run's own data, compiled
        gradients equal eager ones (else warn and stay eager); True when compiled."""
        rng = _get_rng()  # the probe leaves the run's random streams as they were
        count = min(len(self.train_set), self.recipe.batch_size // self.info.world_size)
        x = torch.stack([self.train_set[i][0] for i in range(count)]).to(self.info.device)
        _set_rng(rng)
        compiled, check = compile_checked(self.model, x, log=lambda _: None,
                                          **self._probe_options())
        if not all(all_gather(self.info, check.ok)):  # every process runs the same way
            self.log(check.fallback_line())
            return False
        # under DDP the plain model was probed; the wrapper only adds gradient hooks
        self.net = compile_module(self.net) if self.info.enabled else compiled
        return True

    def _probe_options(self) -> dict[str, Any]:
        amp, device = self.config.amp, self.info.device
        return {"precision": "fp32" if amp == "off" else amp,
                "autocast": lambda: autocast(amp, device)}

    def _datasets(self) -> tuple[SkeletonFolder, SkeletonFolder, str]:
        data = Path(self.config.data)
        if not data.is_dir():
            raise FileNotFoundError(f"--data {data}: no such directory")
        num_classes = num_classes_of(data)
        probe = SkeletonFolder(data, "train", num_classes, check_finite=False)
        layout = resolve_layout(probe.sample_shape[2],
                                self.config.layout or read_folder_meta(data).get("layout"),
                                preset_layout(self.config.preset), str(data / "train_data.npy"))
        streams = Streams(self.config.stream, layout)
        view = view_transform(self.config.normalize_view, layout)
        self.normalize_view = view is not None
        first = [view] if view is not None else []
        augment = ([default_augmentation(rotation=self.recipe.rotation)]
                   if self.recipe.augment else [])
        v = get_skeleton(layout).num_nodes
        return (SkeletonFolder(data, "train", num_classes, v, 3,
                               Compose(first + augment + [streams])),
                SkeletonFolder(data, "test", num_classes, v, 3, Compose(first + [streams])),
                layout)

    def _check_same_model(self, state: dict[str, Any]) -> None:
        stored = config_with_defaults(state["model"]["config"])
        built = config_with_defaults(model_to_dict(self.model)["config"])
        if stored != built:
            diff = sorted(k for k in built if stored.get(k) != built[k])
            raise ValueError(f"checkpoint {self.out / CHECKPOINT}: holds another model "
                             f"(differs in {diff})")

    def _restore(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.scheduler.base_lrs != [self.recipe.lr] * len(self.scheduler.base_lrs):
            # resumed with another --lr: the schedule continues from there at the new peak
            factor = self.scheduler.lr_lambdas[0](self.scheduler.last_epoch)
            self.scheduler.base_lrs = [self.recipe.lr] * len(self.scheduler.base_lrs)
            for group in self.optimizer.param_groups:
                group["initial_lr"], group["lr"] = self.recipe.lr, self.recipe.lr * factor
        self.scaler.load_state_dict(state["scaler"])
        self.epoch, self.history = int(state["epoch"]), list(state["history"])
        rngs = state["rng"]
        _set_rng(rngs[self.info.rank] if len(rngs) == self.info.world_size else rngs[0])

    def fit(self) -> dict[str, Any]:
        start = time.perf_counter()
        cfg = self.config
        if self.info.enabled:
            self.log(f"distributed: {self.info.world_size} processes "
                     f"({torch.distributed.get_backend()}), batch "
                     f"{self.recipe.batch_size // self.info.world_size} per process")
        if self.epoch:
            self.log(f"resuming {self.out} after epoch {self.epoch} of {cfg.epochs}")
        for epoch in range(self.epoch, cfg.epochs):
            record = {"epoch": epoch + 1, "lr": self.optimizer.param_groups[0]["lr"],
                      **self._train_epoch(epoch)}
            if (epoch + 1) % cfg.eval_every == 0 or epoch + 1 == cfg.epochs:
                test = self._evaluate()
                if test is not None:
                    record.update(test_loss=test["loss"], test_top1=test["top1"],
                                  test_top5=test["top5"])
            self.history.append(record)
            self.epoch = epoch + 1
            self._save_checkpoint()
            self.scalars.add(record)
            self.log(_format(record, cfg.epochs))
        self.scalars.close()
        final = self._evaluate()
        if final is not None:
            return self._finish(final, time.perf_counter() - start)
        return {}

    def _train_epoch(self, epoch: int) -> dict[str, float]:
        self.net.train()
        self.sampler.set_epoch(epoch)
        criterion = nn.CrossEntropyLoss(label_smoothing=self.recipe.label_smoothing)
        totals = [0.0, 0.0, 0.0]  # loss sum, correct, samples
        bar = tqdm(self.loader, desc=f"epoch {epoch + 1}/{self.config.epochs}", leave=False,
                   disable=not (self.config.progress and self.info.main), file=sys.stderr)
        start = waited_since = time.perf_counter()
        data_seconds = 0.0  # the main process waiting for batches: what the steps did not hide
        for step, (x, y) in enumerate(bar, start=1):
            data_seconds += time.perf_counter() - waited_since
            x, y = x.to(self.info.device), y.to(self.info.device)
            with autocast(self.config.amp, self.info.device):
                logits = self.net(x)
                loss = criterion(logits.float(), y)
            self.optimizer.zero_grad(set_to_none=True)
            self._stop_unless_finite("loss", loss, epoch, step)
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.optimizer)
            if self.recipe.grad_clip:
                norm = nn.utils.clip_grad_norm_(self.model.parameters(), self.recipe.grad_clip)
            else:  # the norm alone: clipping at inf would rescale every gradient by 1.0
                norm = nn.utils.get_total_norm(
                    [p.grad for p in self.model.parameters() if p.grad is not None])
            self._stop_unless_finite("gradient norm", norm, epoch, step)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.scheduler.step()
            totals[0] += loss.item() * len(y)
            totals[1] += float((logits.argmax(dim=1) == y).sum())
            totals[2] += len(y)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            waited_since = time.perf_counter()
        epoch_seconds = time.perf_counter() - start
        loss_sum, correct, count = all_sum(self.info, totals)
        return {"train_loss": loss_sum / count, "train_top1": correct / count,
                "epoch_seconds": epoch_seconds, "data_seconds": data_seconds,
                "step_seconds": epoch_seconds - data_seconds}

    def _stop_unless_finite(self, what: str, value: torch.Tensor, epoch: int, step: int) -> None:
        """Raise :class:`Diverged` when ``value`` is NaN or infinite (fp16's gradient scaler
        skips such steps itself: there only the loss counts)."""
        if self.scaler.is_enabled() and what != "loss":
            return
        if not bool(torch.isfinite(value)):
            kept = (f"the checkpoint of epoch {self.epoch} in {self.out} is kept"
                    if self.epoch else "no epoch finished, nothing was saved")
            raise Diverged(f"training diverged: {what} {float(value)} at epoch {epoch + 1}, "
                           f"step {step} (lr {self.optimizer.param_groups[0]['lr']:.4g}); "
                           f"{kept}: lower the learning rate, e.g. --resume --lr "
                           f"{self.recipe.lr / 10:g}")

    def _evaluate(self) -> dict[str, Any] | None:
        """Test metrics on process 0 (None on the others, which wait)."""
        result = None
        if self.info.main:
            result = evaluate(self.model, self.test_set, self.recipe.batch_size,
                              self.info.device, self.config.progress)
        barrier(self.info)
        return result

    def _save_checkpoint(self) -> None:
        rngs = all_gather(self.info, _get_rng())
        if self.info.main:
            save_checkpoint({"model": model_to_dict(_plain(self.model)),
                        "optimizer": self.optimizer.state_dict(),
                        "scheduler": self.scheduler.state_dict(),
                        "scaler": self.scaler.state_dict(), "epoch": self.epoch,
                        "history": self.history, "rng": rngs, "config": asdict(self.config),
                        "layout": self.layout}, self.out / CHECKPOINT)
        barrier(self.info)

    def _finish(self, final: dict[str, Any], seconds: float) -> dict[str, Any]:
        from ..viz.confusion import plot_confusion
        from ..viz.curves import plot_curves

        names = self.train_set.label_names()
        metrics = {"test_top1": final["top1"], "test_top5": final["top5"],
                   "test_loss": final["loss"], "epochs": self.epoch,
                   "num_classes": self.train_set.num_classes, "class_names": names,
                   "per_class_accuracy": final["per_class_accuracy"],
                   "confusion_matrix": final["confusion_matrix"], "history": self.history,
                   "recipe": self.recipe.to_dict(), "layout": self.layout,
                   "config": asdict(self.config), "compiled": self.compiled,
                   "normalize_view": self.normalize_view,
                   "wall_seconds": round(seconds, 2)}
        save_model(_plain(self.model), self.out / MODEL,
                   {"stream": self.config.stream, "class_names": names,
                    "normalize_view": self.normalize_view})
        save_scores(self.out / SCORES, final["logits"], final["labels"],
                    sample_fingerprints(self.test_set.data), data=self.config.data,
                    split="test", checkpoint=str(self.out / MODEL), stream=self.config.stream)
        save_json(metrics, self.out / METRICS)
        plot_confusion(final["confusion_matrix"], names, self.out / CONFUSION_PNG)
        plot_curves(self.history, self.out / CURVES_PNG)
        self.log(f"test top-1 {final['top1']:.4f}  top-5 {final['top5']:.4f}  -> "
                 f"{self.out / METRICS}")
        return metrics


class Diverged(RuntimeError):
    """The loss or the gradients became NaN or infinite."""


def _plain(model: nn.Module) -> STGCN:
    """A CPU copy without SyncBatchNorm, as a checkpoint should hold."""
    return model_from_dict(model_to_dict(model)) if _has_sync_bn(model) else model


def _has_sync_bn(model: nn.Module) -> bool:
    return any(isinstance(m, nn.SyncBatchNorm) for m in model.modules())


def _format(record: dict[str, Any], epochs: int) -> str:
    text = (f"epoch {record['epoch']}/{epochs}  lr {record['lr']:.4g}  train loss "
            f"{record['train_loss']:.4f} top-1 {record['train_top1']:.4f}")
    if "test_top1" in record:
        text += f"  test top-1 {record['test_top1']:.4f} top-5 {record['test_top5']:.4f}"
    return text + (f"  {record['epoch_seconds']:.1f} s ({record['data_seconds']:.1f} s "
                   f"waiting for data)")


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _get_rng() -> dict[str, Any]:
    """RNG states as plain types and tensors (``weights_only``-loadable)."""
    np_state = np.random.get_state()
    return {"torch": torch.get_rng_state(), "python": random.getstate(),
            "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)),
                      *map(int, np_state[2:4]), float(np_state[4])],
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _set_rng(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    name, key, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, key.numpy().astype(np.uint32), pos, has_gauss, cached))
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
