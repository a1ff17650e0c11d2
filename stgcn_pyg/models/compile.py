"""``torch.compile`` as an option, checked against eager before it is trusted, and the way
back to the plain module for saving.

Inductor is not right on every CPU: torch 2.13.0's CPU build computes wrong weight gradients
for strided 1x1 convolutions when its kernels run with AVX2 (see docs/training.md, "Compile").
:func:`check_compiled` compares a compiled module with eager on one probe batch;
:func:`compile_checked` compiles, probes, and falls back to eager with a one-line warning
when the two differ.
"""
from __future__ import annotations

import contextlib
import copy
import math
from dataclasses import dataclass
from typing import Any, Callable, ContextManager

import torch
from torch import nn

#: Both eager and compiled are measured against a float64 eager run. A gradient (or output)
#: is wrong when the compiled error exceeds ``ERROR_FACTOR`` times eager's own error and
#: also ``RTOL`` (by dtype of the computation) of its norm. Inductor's BatchNorm backward
#: loses more to cancellation than eager's: up to 1 % on the gradients of biases before a
#: BatchNorm (whose exact value is a small difference of large terms), while the known
#: inductor fault is off by factors of 10 to 1e36, or NaN.
ERROR_FACTOR = 10.0
RTOL = {"fp32": 5e-2, "bf16": 1e-1, "fp16": 1e-1}
#: Gradients smaller than this fraction of the largest gradient norm are compared against
#: that floor (biases before a BatchNorm have an analytic gradient of zero: their computed
#: one is rounding noise).
NORM_FLOOR = 1e-2
#: The backend :func:`compile_checked` uses (tests inject a wrong one here).
BACKEND: Any = "inductor"


@dataclass(frozen=True)
class CompileCheck:
    """The verdict of one probe. ``worst`` is the parameter (or ``"output"``) whose compiled
    value is furthest from the float64 reference relative to what is allowed; ``error`` and
    ``eager_error`` are the compiled and eager distances to that reference over its norm."""

    ok: bool
    what: str  # "gradients" or "outputs"
    worst: str
    error: float
    eager_error: float
    tolerance: float
    compiled_norm: float
    eager_norm: float

    def line(self) -> str:
        verdict = "agree with" if self.ok else "DIFFER from"
        return (f"torch.compile {self.what} {verdict} eager: {self.worst} off by "
                f"{self.error:.2e} relative to float64 (eager {self.eager_error:.2e}; norm "
                f"{self.compiled_norm:.4g} compiled vs {self.eager_norm:.4g} eager, allowed "
                f"max({ERROR_FACTOR:g} x eager, {self.tolerance:.0e})); {machine_description()}")

    def fallback_line(self) -> str:
        return (f"warning: {self.line()}; running eagerly instead (see docs/training.md, "
                f"Compile)")


def machine_description() -> str:
    """torch version and the CPU capability its kernels run with (``AVX2``, ``AVX512``)."""
    return f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}"


def maybe_compile(model: nn.Module, enabled: bool = True, **options: Any) -> nn.Module:
    """``torch.compile(model, **options)`` when ``enabled``, else ``model`` itself (unchecked;
    :func:`compile_checked` probes the result first).

    The compiled module shares parameters with ``model``; save and convert ``model`` (or
    :func:`unwrap_compiled` of the result), whose state dict has no ``_orig_mod.`` prefix.
    The built-in layers and both variants compile with ``fullgraph=True`` (no graph breaks).
    """
    return torch.compile(model, **options) if enabled else model


def unwrap_compiled(model: nn.Module) -> nn.Module:
    """The eager module behind a compiled one (``model`` itself when it is not compiled)."""
    return getattr(model, "_orig_mod", model)


def check_compiled(model: nn.Module, compiled: Callable[..., torch.Tensor], x: torch.Tensor,
                   train: bool = True, precision: str = "fp32",
                   autocast: Callable[[], ContextManager] = contextlib.nullcontext,
                   seed: int = 0) -> CompileCheck:
    """Compare ``compiled`` (sharing ``model``'s parameters) and eager ``model`` with a
    float64 copy of ``model`` on ``x``.

    ``train``: both run in train mode with the same seed (so dropout draws the same mask) and
    the gradients of ``mean(out * w)`` (``w`` fixed random weights) are compared per parameter; else the eval-mode outputs.
    ``model`` is left as it came: parameters, buffers (BatchNorm statistics), ``.grad``,
    mode and the torch RNG.
    """
    if precision not in RTOL:
        raise ValueError(f"precision: expected one of {sorted(RTOL)}, got {precision!r}")
    state = copy.deepcopy(model.state_dict())
    grads = {name: p.grad for name, p in model.named_parameters()}
    was_training = model.training
    reference = copy.deepcopy(model).double()
    try:
        with torch.random.fork_rng(devices=[]):
            exact = _probe(reference, reference, x.double(), train, contextlib.nullcontext,
                           seed, reference.state_dict())
            eager = _probe(model, model, x, train, autocast, seed, state)
            other = _probe(model, compiled, x, train, autocast, seed, state)
    finally:
        model.load_state_dict(state)
        model.train(was_training)
        for name, p in model.named_parameters():
            p.grad = grads[name]
    return _compare(exact, eager, other, "gradients" if train else "outputs",
                    RTOL[precision])


def compile_checked(model: nn.Module, x: torch.Tensor, train: bool = True,
                    log: Callable[[str], None] = print, **options: Any
                    ) -> tuple[nn.Module, CompileCheck]:
    """``torch.compile(model)`` when :func:`check_compiled` finds it equal to eager on the
    probe batch ``x``, else ``model`` itself, after ``log`` got the one-line finding.

    ``options`` go to :func:`check_compiled` (``precision``, ``autocast``, ``seed``) and the
    rest to ``torch.compile``. Costs a float64, an eager and a compiled forward (+ backward) on ``x``;
    the compiled graph is the one the caller then reuses for inputs of ``x``'s shape.
    """
    probe_options = {k: options.pop(k) for k in ("precision", "autocast", "seed") if k in options}
    compiled = compile_module(model, **options)
    check = check_compiled(model, compiled, x, train, **probe_options)
    if check.ok:
        return compiled, check
    log(check.fallback_line())
    return model, check


def compile_module(model: nn.Module, **options: Any) -> nn.Module:
    """``torch.compile`` with :data:`BACKEND` (read at call time)."""
    return torch.compile(model, backend=BACKEND, **options)


def _probe(model: nn.Module, run: Callable[..., torch.Tensor], x: torch.Tensor, train: bool,
           autocast: Callable[[], ContextManager], seed: int,
           state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    model.load_state_dict(state)  # the same BatchNorm statistics for every run
    model.train(train)
    model.zero_grad(set_to_none=True)
    torch.manual_seed(seed)
    if not train:
        with torch.no_grad(), autocast():
            return {"output": run(x).double()}
    with autocast():
        out = run(x)
    weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed),
                          dtype=torch.float64)
    (out.double() * weights.to(out.device)).mean().backward()
    return {name: p.grad.detach().double() for name, p in model.named_parameters()
            if p.grad is not None}


def _compare(exact: dict[str, torch.Tensor], eager: dict[str, torch.Tensor],
             other: dict[str, torch.Tensor], what: str, tolerance: float) -> CompileCheck:
    norms = {name: float(t.norm()) for name, t in exact.items()}
    floor = NORM_FLOOR * max(norms.values(), default=0.0)
    worst, worst_excess = None, -1.0
    for name in sorted(set(exact) | set(other)):
        c_norm = float(other[name].norm()) if name in other else 0.0
        e_norm = float(eager[name].norm()) if name in eager else 0.0
        if name not in exact or name not in other or name not in eager:
            error, eager_error = math.inf, 0.0  # a gradient only some of them computed
        else:
            scale = max(norms[name], floor)
            error = _relative(float((other[name] - exact[name]).norm()), scale)
            eager_error = _relative(float((eager[name] - exact[name]).norm()), scale)
        allowed = max(ERROR_FACTOR * eager_error, tolerance)
        excess = error / allowed if math.isfinite(error) else math.inf
        if excess > worst_excess:
            worst_excess = excess
            worst = (name, error, eager_error, c_norm, e_norm)
    name, error, eager_error, c_norm, e_norm = worst
    return CompileCheck(worst_excess <= 1.0, what, name, error, eager_error, tolerance,
                        c_norm, e_norm)


def _relative(diff: float, scale: float) -> float:
    if not math.isfinite(diff):
        return math.inf
    if diff == 0.0:
        return 0.0
    return diff / scale if scale > 0 else math.inf


def known_fault_check() -> CompileCheck:
    """:func:`check_compiled` (gradients) on the smallest network that shows the inductor fault
    of docs/training.md: a strided 1x1 convolution, and a 1x1 convolution before BatchNorm.
    ``ok`` False: compiled training is wrong on this machine's torch and CPU."""
    generator = torch.Generator().manual_seed(0)
    probe = nn.Sequential(nn.Conv2d(3, 12, 1, stride=(2, 1)), nn.Conv2d(12, 12, 1),
                          nn.BatchNorm2d(12))
    x = torch.randn(4, 3, 8, 18, generator=generator)
    return check_compiled(probe, compile_module(probe, fullgraph=True), x)
