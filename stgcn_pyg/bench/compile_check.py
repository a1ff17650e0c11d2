"""Whether ``torch.compile`` gives eager's gradients and outputs on this machine, per preset
(``stgcn-pyg bench --only compile-check``); see docs/training.md, "Compile"."""
from __future__ import annotations

from typing import Any

import torch

from ..models import STGCN, check_compiled
from ..models.compile import compile_module, known_fault_check, machine_description


def rows(presets: list[str], batch: int = 4, frames: int = 32,
         device: "str | torch.device" = "cpu") -> list[dict[str, Any]]:
    """One row per (probe, mode): the known fault's reproduction (gradients), then each
    preset's gradients (train mode) and outputs (eval mode) on a random ``[batch, 3, frames,
    V]`` clip. Keys: ``probe, mode, ok, worst, error, tolerance, compiled_norm, eager_norm,
    machine``."""
    found = [("strided 1x1 conv + BN", "train", known_fault_check())]
    for preset in presets:
        torch.manual_seed(0)
        model = STGCN.from_preset(preset, num_classes=10).to(device)
        x = torch.randn(batch, model.in_channels, frames, model.num_nodes, device=device)
        compiled = compile_module(model)  # one module; inductor recompiles for eval mode
        for train in (True, False):
            found.append((f"preset {preset}", "train" if train else "eval",
                          check_compiled(model, compiled, x, train=train)))
    return [{"probe": probe, "mode": mode, "ok": c.ok, "worst": c.worst, "error": c.error,
             "tolerance": c.tolerance, "compiled_norm": c.compiled_norm,
             "eager_norm": c.eager_norm, "machine": machine_description()}
            for probe, mode, c in found]
