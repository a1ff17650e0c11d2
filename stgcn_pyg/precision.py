"""Mixed precision for an ``--amp`` option: validation, the autocast context, the grad scaler.

``"bf16"`` autocasts matmuls and convolutions to bfloat16 (CPU and CUDA; same exponent range as
float32, no loss scaling needed); ``"fp16"`` autocasts to float16 (CUDA only) and needs the
:func:`grad_scaler` against gradient underflow. Parameters and optimizer state stay float32.
"""
from __future__ import annotations

import contextlib
from typing import ContextManager

import torch

AMP_MODES = ("off", "bf16", "fp16")


def amp_dtype(amp: str, device: "str | torch.device") -> torch.dtype | None:
    """The autocast dtype of ``amp`` on ``device`` (``None`` for ``"off"``); a ``ValueError``
    when the mode is unknown or the device cannot run it."""
    if amp not in AMP_MODES:
        raise ValueError(f"amp: expected one of {list(AMP_MODES)}, got {amp!r}")
    device_type = torch.device(device).type
    if amp == "off":
        return None
    if device_type not in ("cpu", "cuda"):
        raise ValueError(f"amp: mixed precision runs on 'cpu' or 'cuda', got device {device_type!r}")
    if amp == "fp16" and device_type == "cpu":
        raise ValueError("amp: 'fp16' needs a CUDA device; use 'bf16' on the CPU")
    if amp == "bf16" and device_type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ValueError("amp: this CUDA device has no bfloat16 support; use 'fp16'")
    return torch.bfloat16 if amp == "bf16" else torch.float16


def autocast(amp: str, device: "str | torch.device") -> ContextManager:
    """``torch.autocast`` for ``amp`` on ``device``; a no-op context for ``"off"``.

    Wrap the forward pass and the loss (not ``backward``), in training and evaluation.
    """
    dtype = amp_dtype(amp, device)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)


def grad_scaler(amp: str, device: "str | torch.device") -> torch.amp.GradScaler:
    """A gradient scaler, enabled only for ``"fp16"`` (a pass-through otherwise)::

        scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()
    """
    amp_dtype(amp, device)
    return torch.amp.GradScaler(torch.device(device).type, enabled=amp == "fp16")
