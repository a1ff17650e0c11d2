"""Training recipes: optimizer, schedule and augmentation settings under one name."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable

from ..data.transforms import DEFAULT_ROTATION

SCHEDULES = ("constant", "step", "cosine")
#: Defaults fitted to the dataset (:func:`dataset_defaults`), measured on MSR Action3D (284
#: training clips), UTKinect (100), NW-UCLA (1020) and the synthetic demo (docs/accuracy.md).
SMALL_DATASET = 512      # fewer training clips than this: batch 16, else 32
STEP_BUDGET = 1500       # SGD steps the default schedule aims at
EPOCH_RANGE = (30, 200)  # ... within these many epochs


@dataclass(frozen=True)
class Recipe:
    """SGD settings, a learning-rate schedule with linear warm-up, and regularization.

    ``schedule``: ``"constant"``, ``"step"`` (multiply by ``gamma`` at each epoch in
    ``milestones``) or ``"cosine"`` (to 0 at the last epoch); the first ``warmup_epochs``
    ramp linearly from ``lr / steps`` to ``lr``. ``batch_size`` is the global batch (split
    over processes under torchrun); None: fitted to the dataset by :func:`dataset_defaults`. ``augment``: random crop, rotation, scale, shift;
    ``rotation``: that rotation's range, ± degrees about x, y (vertical), z (0, 0, 0: none).
    """

    lr: float = 0.1
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 5e-4
    batch_size: int | None = None
    schedule: str = "cosine"
    warmup_epochs: float = 2.0
    milestones: tuple[int, ...] = field(default=())
    gamma: float = 0.1
    grad_clip: float | None = None
    label_smoothing: float = 0.1
    augment: bool = True
    rotation: tuple[float, float, float] = DEFAULT_ROTATION

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: expected one of {list(SCHEDULES)}, got {self.schedule!r}")
        rules = [("lr", self.lr, "a positive finite number", self.lr > 0),
                 ("batch_size", self.batch_size, "a positive int or None",
                  self.batch_size is None or self.batch_size >= 1),
                 ("momentum", self.momentum, "a number in [0, 1)", 0 <= self.momentum < 1),
                 ("weight_decay", self.weight_decay, "a finite number >= 0",
                  self.weight_decay >= 0),
                 ("warmup_epochs", self.warmup_epochs, "a finite number >= 0",
                  self.warmup_epochs >= 0),
                 ("gamma", self.gamma, "a positive finite number", self.gamma > 0),
                 ("label_smoothing", self.label_smoothing, "a number in [0, 1)",
                  0 <= self.label_smoothing < 1),
                 ("grad_clip", self.grad_clip, "a positive finite number or None",
                  self.grad_clip is None or self.grad_clip > 0)]
        for name, value, expected, ok in rules:
            if not ok or (isinstance(value, float) and not math.isfinite(value)):
                raise ValueError(f"{name}: expected {expected}, got {value}")
        rotation = tuple(float(d) for d in self.rotation)
        if len(rotation) != 3 or not all(math.isfinite(d) and d >= 0 for d in rotation):
            raise ValueError(f"rotation: expected 3 finite angles >= 0 (degrees about x, y, z), "
                             f"got {list(self.rotation)}")
        object.__setattr__(self, "rotation", rotation)
        if self.nesterov and self.momentum <= 0:
            raise ValueError("nesterov: Nesterov momentum needs momentum > 0")
        if any(isinstance(m, bool) or not isinstance(m, int) or m < 1 for m in self.milestones):
            raise ValueError(f"milestones: expected epochs >= 1, got {list(self.milestones)}")
        object.__setattr__(self, "milestones", tuple(int(m) for m in self.milestones))

    def updated(self, **overrides: Any) -> "Recipe":
        """A copy with the non-None ``overrides`` applied."""
        names = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ValueError(f"recipe: unknown settings {unknown}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "milestones": list(self.milestones),
                "rotation": list(self.rotation)}

    def lr_factor(self, epochs: int, steps_per_epoch: int) -> Callable[[int], float]:
        """``step -> lr multiplier`` for ``torch.optim.lr_scheduler.LambdaLR`` stepped per batch."""
        warmup_steps = self.warmup_epochs * steps_per_epoch
        total_steps = epochs * steps_per_epoch

        def factor(step: int) -> float:
            if step < warmup_steps:
                return (step + 1) / warmup_steps
            if self.schedule == "step":
                return self.gamma ** sum(step >= m * steps_per_epoch for m in self.milestones)
            if self.schedule == "cosine":
                progress = (step - warmup_steps) / max(1.0, total_steps - warmup_steps)
                return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
            return 1.0

        return factor


RECIPES: dict[str, Recipe] = {
    # The seed notebook's: SGD lr 0.01, momentum 0.9, batch 64, no decay, no schedule.
    "seed": Recipe(lr=0.01, momentum=0.9, nesterov=False, weight_decay=0.0, batch_size=64,
                   schedule="constant", warmup_epochs=0.0, label_smoothing=0.0, augment=False),
    # Stronger: Nesterov, weight decay, warm-up + cosine, label smoothing, augmentation.
    "default": Recipe(),
}


def dataset_defaults(num_samples: int, batch_size: int | None = None,
                     epochs: int | None = None) -> tuple[int, int]:
    """``(batch_size, epochs)`` for a training set of ``num_samples`` clips, the given values
    kept: batch 16 below :data:`SMALL_DATASET` clips (else 32), and enough epochs for
    :data:`STEP_BUDGET` SGD steps within :data:`EPOCH_RANGE`. A small dataset gets many
    epochs instead of a handful of steps (30 epochs of 32 were 270 steps on MSR Action3D
    and 120 on UTKinect, and the model under-fit)."""
    if num_samples < 1:
        raise ValueError(f"num_samples: expected a positive int, got {num_samples}")
    batch = batch_size or (16 if num_samples < SMALL_DATASET else 32)
    steps = math.ceil(num_samples / batch)
    low, high = EPOCH_RANGE
    return batch, epochs or min(high, max(low, math.ceil(STEP_BUDGET / steps)))


def get_recipe(name: str, **overrides: Any) -> Recipe:
    """A named recipe with the non-None ``overrides`` applied."""
    if name not in RECIPES:
        raise ValueError(f"recipe: expected one of {sorted(RECIPES)}, got {name!r}")
    return RECIPES[name].updated(**overrides)
