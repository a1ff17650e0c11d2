"""ONNX export of an :class:`~stgcn_pyg.models.STGCN`, verified in onnxruntime.

The graph takes ``x`` ``[batch, C, T, V, M]`` float32 (``batch`` dynamic, ``T`` and ``M``
fixed at export) and returns ``logits`` ``[batch, num_classes]``. Two exporters of
``torch.onnx.export`` are offered:

- ``"dynamo"`` (default): ``torch.export`` + onnxscript, opsets 18-23. Exports both execution
  paths of :class:`~stgcn_pyg.nn.SpatialGraphConv` and both variants; needs ``onnx`` and
  ``onnxscript`` (``pip install stgcn-pyg[onnx]``).
- ``"torchscript"``: the legacy tracer, opsets 16-20, for runtimes that need opsets 16-17.

Below opset 16 the scatter-add of the message-passing path cannot be expressed (the
``reduction`` attribute of ``ScatterElements``/``ScatterND`` arrived in opset 16) and the
legacy tracer silently writes an overwrite instead, giving wrong results; the original
einsum-based model needed opset 12. Both are refused here.
"""
from __future__ import annotations

import copy
import logging
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .io import atomic_path
from .models.compile import unwrap_compiled

OPSETS = {"dynamo": (18, 23), "torchscript": (16, 20)}
"""Supported opsets (inclusive) of each exporter; the first is the default."""


def export_onnx(model: nn.Module, path: "str | Path", *, frames: int = 64, persons: int = 1,
                opset: int | None = None, exporter: str = "dynamo", check: bool = True,
                atol: float = 1e-4) -> dict[str, Any]:
    """Write ``model`` (an ``STGCN``, eval mode, float32) as ONNX to ``path`` atomically.

    Args:
        model: the network (a compiled one is unwrapped; the caller's model is not changed).
        path: output ``.onnx`` file.
        frames: T of the exported input.
        persons: M of the exported input.
        opset: ONNX opset (default: the first of :data:`OPSETS` for the exporter).
        exporter: ``"dynamo"`` or ``"torchscript"``.
        check: run the file in onnxruntime for two batch sizes (2 and 3) and require
            ``max |onnx - torch| <= atol``; nothing is written when it fails.
        atol: tolerance of the check.

    Returns:
        ``{"path", "exporter", "opset", "frames", "persons", "max_abs_error"}`` with the error
        per checked batch size (empty without ``check``).
    """
    if exporter not in OPSETS:
        raise ValueError(f"exporter: expected one of {list(OPSETS)}, got {exporter!r}")
    low, high = OPSETS[exporter]
    opset = low if opset is None else opset
    if not isinstance(opset, int) or not low <= opset <= high:
        raise ValueError(
            f"opset: the {exporter} exporter writes opsets {low}..{high}, got {opset!r}"
            + (" (the message-passing scatter-add needs opset >= 16)" if isinstance(opset, int)
               and opset < 16 else ""))
    for name, value in (("frames", frames), ("persons", persons)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
    model = copy.deepcopy(unwrap_compiled(model)).float().eval()
    for name in ("in_channels", "num_nodes"):
        if not hasattr(model, name):
            raise TypeError(f"model: expected an STGCN (with {name}), got {type(model).__name__}")
    generator = torch.Generator().manual_seed(0)
    shape = (model.in_channels, frames, model.num_nodes, persons)
    example = torch.randn((2, *shape), generator=generator)
    with atomic_path(path) as tmp:
        _export(model, example, tmp, opset, exporter)
        errors = {}
        if check:
            for batch in (2, 3):
                x = torch.randn((batch, *shape), generator=generator)
                errors[batch] = _max_error(model, x, tmp)
            if max(errors.values()) > atol:
                raise ValueError(f"export: the {exporter} ONNX graph (opset {opset}) differs from "
                                 f"PyTorch by {max(errors.values()):.3g} > atol {atol}; "
                                 f"nothing written")
    return {"path": str(path), "exporter": exporter, "opset": opset, "frames": frames,
            "persons": persons, "max_abs_error": errors}


def _export(model: nn.Module, example: torch.Tensor, path: Path, opset: int,
            exporter: str) -> None:
    names = dict(input_names=["x"], output_names=["logits"])
    if exporter == "dynamo":
        kwargs = dict(dynamo=True, dynamic_shapes=({0: torch.export.Dim("batch")},),
                      external_data=False, verbose=False)
    else:
        kwargs = dict(dynamo=False, dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    layers = sorted({type(m).__name__ for block in getattr(model, "blocks", [])
                     for m in (block.gcn, block.tcn.conv)})
    onnx_ir_log = logging.getLogger("onnx_ir")  # logs exporter internals at WARNING
    level = onnx_ir_log.level
    try:
        with warnings.catch_warnings():
            # The tracer warns about every shape check; the onnxruntime check runs the graph
            # on other batch sizes instead.
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            onnx_ir_log.setLevel(logging.ERROR)
            torch.onnx.export(model, (example,), str(path), opset_version=opset, **names,
                              **kwargs)
    except ImportError as err:
        raise ImportError(f"export: the {exporter} exporter needs the optional ONNX packages "
                          f"(pip install 'stgcn-pyg[onnx]'): {err}") from err
    except Exception as err:  # the exporters raise many types; say which model and why
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"export: the {exporter} exporter cannot export this model (layers "
                         f"{layers}) at opset {opset}: {type(err).__name__}: {reason}") from err
    finally:
        onnx_ir_log.setLevel(level)


def _max_error(model: nn.Module, x: torch.Tensor, path: Path) -> float:
    try:
        import onnxruntime
    except ImportError as err:
        raise ImportError("export: checking the graph needs onnxruntime (pip install "
                          "'stgcn-pyg[onnx]'), or pass check=False") from err
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (onnx_out,) = session.run(None, {"x": x.numpy()})
    with torch.no_grad():
        expected = model(x)
    return float((torch.from_numpy(onnx_out) - expected).abs().max())
