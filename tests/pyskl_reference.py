"""The pyskl backbones of ``../shared/reference/pyskl`` (Apache 2.0), loaded without mmcv.

Tests compare this library's networks against them; nothing here is copied into the library.
The reference's package ``__init__`` files import modules that are absent (msg3d, sgn,
dgstgcn) and mmcv, so the packages are entered by path and mmcv gets the few stand-ins the
backbones use, each doing what mmcv does for the configs used here: ``build_norm_layer`` of
``type="BN"`` is ``("bn", BatchNorm2d(c))``, ``build_activation_layer`` of ``type="ReLU"`` is
``ReLU()``.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

ROOT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pyskl"
AVAILABLE = (ROOT / "pyskl" / "models" / "gcns" / "stgcn.py").is_file()
SKIP_REASON = f"the pyskl reference is absent ({ROOT}): the equivalence tests need it"
needs_pyskl = pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)


def _norm_layer(cfg, num_features):
    kinds = {"BN": nn.BatchNorm2d, "BN2d": nn.BatchNorm2d, "BN1d": nn.BatchNorm1d}
    return "bn", kinds[cfg["type"]](num_features)


def _activation_layer(cfg):
    assert cfg["type"] == "ReLU", cfg
    return nn.ReLU(inplace=cfg.get("inplace", False))


def _package(name: str, path: Path | None = None) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__path__ = [str(path)] if path is not None else []
    sys.modules[name] = module
    return module


def _install_stand_ins() -> None:
    if "pyskl" in sys.modules:
        return
    mmcv = _package("mmcv")
    mmcv.cnn = _package("mmcv.cnn")
    mmcv.cnn.build_norm_layer = _norm_layer
    mmcv.cnn.build_activation_layer = _activation_layer
    mmcv.runner = _package("mmcv.runner")
    mmcv.runner.load_checkpoint = lambda *args, **kwargs: None
    mmcv.utils = _package("mmcv.utils")
    mmcv.utils._BatchNorm = _BatchNorm

    _package("pyskl", ROOT / "pyskl")
    utils = _package("pyskl.utils", ROOT / "pyskl" / "utils")
    graph = importlib.import_module("pyskl.utils.graph")
    utils.Graph = graph.Graph
    utils.cache_checkpoint = lambda path: path
    _package("pyskl.models", ROOT / "pyskl" / "models")
    builder = _package("pyskl.models.builder")
    builder.BACKBONES = types.SimpleNamespace(register_module=lambda: (lambda cls: cls))
    _package("pyskl.models.gcns", ROOT / "pyskl" / "models" / "gcns")


def backbone(name: str):
    """The reference backbone class: ``"STGCN"``, ``"AAGCN"`` or ``"CTRGCN"``."""
    if not AVAILABLE:
        pytest.skip(SKIP_REASON)
    _install_stand_ins()
    module = {"STGCN": "stgcn", "AAGCN": "aagcn", "CTRGCN": "ctrgcn"}[name]
    return getattr(importlib.import_module(f"pyskl.models.gcns.{module}"), name)


def graph_class():
    """pyskl's ``Graph`` (``pyskl/utils/graph.py``)."""
    backbone("STGCN")
    return importlib.import_module("pyskl.utils.graph").Graph


class Recognizer(nn.Module):
    """pyskl's ``RecognizerGCN`` with its ``GCNHead`` (dropout 0): the backbone's features
    [N, M, C, T, V] averaged over frames and joints, then persons, then a linear layer.
    Input ``[N, M, T, V, C]`` as pyskl takes it; state dict keys ``backbone.*``,
    ``cls_head.fc_cls.*`` as pyskl's checkpoints hold them."""

    def __init__(self, backbone_module: nn.Module, channels: int, num_classes: int) -> None:
        super().__init__()
        self.backbone = backbone_module
        self.cls_head = nn.Module()
        self.cls_head.fc_cls = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.backbone(x)
        n, m, c = features.shape[:3]
        pooled = features.reshape(n * m, c, -1).mean(-1).view(n, m, c).mean(1)
        return self.cls_head.fc_cls(pooled)


def with_graph(adjacency: torch.Tensor):
    """A stand-in for pyskl's ``Graph`` that returns ``adjacency`` [K, V, V] (numpy): how a
    layout pyskl lacks (Kinect v1) reaches the reference networks."""
    class FixedGraph:
        def __init__(self, **kwargs):
            self.A = adjacency.numpy()
    return FixedGraph
