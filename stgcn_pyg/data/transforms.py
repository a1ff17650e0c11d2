"""Random augmentations of one sample ``x [C, T, V, M]`` (C = 3: x, y, z).

All draw from torch's global generator, so ``torch.manual_seed`` (and a saved RNG state)
makes them reproducible. Zero entries (padding frames, absent bodies) stay zero.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

Transform = Callable[[Tensor], Tensor]


def _uniform(low: float, high: float) -> float:
    return float(torch.empty(()).uniform_(low, high))


def _present(x: Tensor) -> Tensor:
    """``[1, T, V, M]`` mask of tracked entries (not all-zero coordinates)."""
    return x.abs().sum(dim=0, keepdim=True) > 0


def _check(x: Tensor) -> None:
    if x.dim() != 4 or x.size(0) != 3:
        raise ValueError(f"x: expected one sample [3, T, V, M], got shape {list(x.shape)}")


def rotation_matrix(angles: Sequence[float]) -> Tensor:
    """``R = Rz @ Ry @ Rx`` [3, 3] of angles (radians) about x, y, z."""
    (cx, cy, cz), (sx, sy, sz) = ([math.cos(a) for a in angles], [math.sin(a) for a in angles])
    rx = torch.tensor([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = torch.tensor([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = torch.tensor([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms: Sequence[Transform]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Tensor) -> Tensor:
        for transform in self.transforms:
            x = transform(x)
        return x

    def __repr__(self) -> str:
        return f"Compose({self.transforms})"


DEFAULT_ROTATION = (10.0, 45.0, 10.0)  # ± degrees about x, y (vertical), z


class RandomRotation:
    """Rotate about the origin by angles drawn uniformly in ``±degrees`` about x, y, z
    (default: mostly about the vertical axis y, the camera viewpoint)."""

    def __init__(self, degrees: Sequence[float] = DEFAULT_ROTATION) -> None:
        if len(degrees) != 3 or any(d < 0 for d in degrees):
            raise ValueError(f"degrees: expected 3 non-negative angles, got {degrees!r}")
        self.degrees = tuple(float(d) for d in degrees)

    def __call__(self, x: Tensor) -> Tensor:
        _check(x)
        angles = [math.radians(_uniform(-d, d)) for d in self.degrees]
        return torch.einsum("ij,jtvm->itvm", rotation_matrix(angles).to(x), x)

    def __repr__(self) -> str:
        return f"RandomRotation(degrees={self.degrees})"


class RandomScale:
    """Multiply every axis by its own factor drawn uniformly in ``[1 - amount, 1 + amount]``."""

    def __init__(self, amount: float = 0.1) -> None:
        if not 0 <= amount < 1:
            raise ValueError(f"amount: expected a value in [0, 1), got {amount!r}")
        self.amount = amount

    def __call__(self, x: Tensor) -> Tensor:
        _check(x)
        factor = torch.empty(3, 1, 1, 1).uniform_(1 - self.amount, 1 + self.amount)
        return x * factor.to(x)

    def __repr__(self) -> str:
        return f"RandomScale(amount={self.amount})"


class RandomShift:
    """Translate tracked entries by one offset drawn uniformly in ``±amount`` per axis."""

    def __init__(self, amount: float = 0.1) -> None:
        if amount < 0:
            raise ValueError(f"amount: expected a non-negative value, got {amount!r}")
        self.amount = amount

    def __call__(self, x: Tensor) -> Tensor:
        _check(x)
        offset = torch.empty(3, 1, 1, 1).uniform_(-self.amount, self.amount).to(x)
        return torch.where(_present(x), x + offset, x)

    def __repr__(self) -> str:
        return f"RandomShift(amount={self.amount})"


def resample(x: Tensor, frames: int) -> Tensor:
    """Linear resampling of ``x [C, T, V, M]`` along T to ``frames`` frames."""
    c, t, v, m = x.shape
    if t == frames:
        return x
    flat = x.permute(0, 2, 3, 1).reshape(1, c * v * m, t)
    if t == 1:
        out = flat.expand(1, c * v * m, frames)
    else:
        out = F.interpolate(flat, size=frames, mode="linear", align_corners=True)
    return out.reshape(c, v, m, frames).permute(0, 3, 1, 2).contiguous()


class Resample:
    """Deterministic: the tracked frames (trailing all-zero padding dropped) stretched to
    ``frames``."""

    def __init__(self, frames: int) -> None:
        if frames < 1:
            raise ValueError(f"frames: expected a positive int, got {frames!r}")
        self.frames = frames

    def __call__(self, x: Tensor) -> Tensor:
        _check(x)
        return resample(x[:, :_length(x)], self.frames)

    def __repr__(self) -> str:
        return f"Resample(frames={self.frames})"


class RandomTemporalCrop:
    """Crop a random window of ``ratio`` (uniform in ``[min_ratio, 1]``) of the tracked frames,
    then resample it to ``frames`` (default: the input length)."""

    def __init__(self, min_ratio: float = 0.5, frames: int | None = None) -> None:
        if not 0 < min_ratio <= 1:
            raise ValueError(f"min_ratio: expected a value in (0, 1], got {min_ratio!r}")
        self.min_ratio, self.frames = min_ratio, frames

    def __call__(self, x: Tensor) -> Tensor:
        _check(x)
        length = _length(x)
        size = max(1, round(length * _uniform(self.min_ratio, 1.0)))
        start = int(torch.randint(0, length - size + 1, ()))
        return resample(x[:, start:start + size], self.frames or x.size(1))

    def __repr__(self) -> str:
        return f"RandomTemporalCrop(min_ratio={self.min_ratio}, frames={self.frames})"


class TemporalWindow:
    """Deterministic: the window of ``ratio`` of the tracked frames that starts at ``position``
    (0 = first frame, 1 = as late as it fits), resampled to the input length."""

    def __init__(self, position: float, ratio: float) -> None:
        if not 0 <= position <= 1:
            raise ValueError(f"position: expected a value in [0, 1], got {position!r}")
        if not 0 < ratio <= 1:
            raise ValueError(f"ratio: expected a value in (0, 1], got {ratio!r}")
        self.position, self.ratio = position, ratio

    def __call__(self, x: Tensor) -> Tensor:
        _check(x)
        length = _length(x)
        size = max(1, round(length * self.ratio))
        start = round(self.position * (length - size))
        return resample(x[:, start:start + size], x.size(1))

    def __repr__(self) -> str:
        return f"TemporalWindow(position={self.position}, ratio={self.ratio})"


def clip_windows(clips: int, ratio: float = 0.8) -> "list[Transform]":
    """The views of multi-clip test-time averaging: ``clips`` windows of ``ratio`` of the clip
    at evenly spaced positions (one clip: the clip itself, untouched)."""
    if not isinstance(clips, int) or clips < 1:
        raise ValueError(f"clips: expected a positive int, got {clips!r}")
    if clips == 1:
        return [Compose([])]
    return [TemporalWindow(i / (clips - 1), ratio) for i in range(clips)]


def _length(x: Tensor) -> int:
    """Frames up to the last tracked one (at least 1)."""
    tracked = _present(x).flatten(2).any(dim=2)[0].nonzero()
    return int(tracked[-1]) + 1 if len(tracked) else 1


def default_augmentation(frames: int | None = None,
                         rotation: Sequence[float] = DEFAULT_ROTATION) -> Compose:
    """The default recipe's training augmentation: crop, rotation (``±rotation`` degrees about
    x, y, z; none when all are 0), scale, shift."""
    turn = [RandomRotation(rotation)] if any(rotation) else []
    return Compose([RandomTemporalCrop(0.6, frames), *turn, RandomScale(0.1), RandomShift(0.05)])
