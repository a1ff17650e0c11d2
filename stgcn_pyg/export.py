"""ONNX export of an :class:`~stgcn_pyg.models.STGCN`, verified in onnxruntime.

The graph takes ``x`` ``[batch, C, T, V, M]`` float32 (``batch`` dynamic, ``T`` and ``M``
fixed at export) and returns ``logits`` ``[batch, num_classes]``. The exporter is
``torch.onnx.export(dynamo=True)`` (``torch.export`` + onnxscript, opsets 18-23): it exports
the edge and the fused path of :class:`~stgcn_pyg.nn.SpatialGraphConv` and both variants;
it needs ``onnx`` and ``onnxscript`` (``pip install stgcn-pyg[onnx]``).

Every export is run in onnxruntime and compared with PyTorch before the file is written. The
legacy TorchScript tracer is not offered: it mistranslates this layer's scatter-adds (wrong by
~1e-2 below opset 16, by ~7e-3 at 16-20 on the copy-free contraction), which that check caught.
The original einsum-based model needed opset 12.
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
from .nn import SpatialGraphConv

OPSETS = {"dynamo": (18, 23)}
"""Supported opsets (inclusive) of each exporter; the first is the default."""
EXPORT_PATHS = ("auto", "edge", "fused")
"""Execution paths of :class:`SpatialGraphConv` exported as they are; a layer on any other
path (one built on sorting or torch-scatter kernels) is exported on the fused path."""


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
        exporter: ``"dynamo"`` (the one exporter that translates every path exactly).
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
    for layer in model.modules():
        if isinstance(layer, SpatialGraphConv) and layer.path not in EXPORT_PATHS:
            layer.path = "fused"  # same maths; the exporter translates only these paths
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
    kwargs = dict(dynamo=True, dynamic_shapes=({0: torch.export.Dim("batch")},),
                  external_data=False, verbose=False)
    layers = sorted({type(m).__name__ for block in getattr(model, "blocks", [])
                     for m in (block.gcn, block.tcn.conv)})
    onnx_ir_log = logging.getLogger("onnx_ir")  # logs exporter internals at WARNING
    level = onnx_ir_log.level
    try:
        with warnings.catch_warnings():
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
