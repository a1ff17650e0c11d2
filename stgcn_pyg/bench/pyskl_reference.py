"""pyskl's GCN backbones (ST-GCN++, AAGCN, CTR-GCN) loaded from a source folder without mmcv,
for the benchmarks and tests that compare this library against them; nothing of pyskl is
copied here.

pyskl's package ``__init__`` files import modules that may be absent (msg3d, sgn, dgstgcn) and
mmcv, so the packages are entered by path and mmcv gets the few stand-ins the backbones use,
each doing what mmcv does for the configs used here: ``build_norm_layer`` of ``type="BN"`` is
``("bn", BatchNorm2d(c))``, ``build_activation_layer`` of ``type="ReLU"`` is ``ReLU()``.
``root`` is the folder that holds ``pyskl/models/gcns`` (``../shared/reference/pyskl`` here).
"""
from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

BACKBONES = {"STGCN": "stgcn", "AAGCN": "aagcn", "CTRGCN": "ctrgcn"}


def has_pyskl(root: "str | Path") -> bool:
    """Whether ``root`` holds pyskl's GCN backbones."""
    return (Path(root) / "pyskl" / "models" / "gcns" / "stgcn.py").is_file()


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


def _install(root: Path) -> None:
    if not has_pyskl(root):
        raise FileNotFoundError(f"pyskl: no pyskl/models/gcns under {root} (pass the folder "
                                f"that holds pyskl's source)")
    loaded = sys.modules.get("pyskl")
    if loaded is not None:
        if Path(loaded.__path__[0]) != root / "pyskl":
            raise ValueError(f"pyskl: already loaded from {loaded.__path__[0]}, asked for {root}")
        return
    mmcv = _package("mmcv")
    mmcv.cnn = _package("mmcv.cnn")
    mmcv.cnn.build_norm_layer = _norm_layer
    mmcv.cnn.build_activation_layer = _activation_layer
    mmcv.runner = _package("mmcv.runner")
    mmcv.runner.load_checkpoint = lambda *args, **kwargs: None
    mmcv.utils = _package("mmcv.utils")
    mmcv.utils._BatchNorm = _BatchNorm

    _package("pyskl", root / "pyskl")
    utils = _package("pyskl.utils", root / "pyskl" / "utils")
    graph = importlib.import_module("pyskl.utils.graph")
    utils.Graph = graph.Graph
    utils.cache_checkpoint = lambda path: path
    _package("pyskl.models", root / "pyskl" / "models")
    builder = _package("pyskl.models.builder")
    builder.BACKBONES = types.SimpleNamespace(register_module=lambda: (lambda cls: cls))
    _package("pyskl.models.gcns", root / "pyskl" / "models" / "gcns")


def backbone(name: str, root: "str | Path"):
    """The reference backbone class: ``"STGCN"``, ``"AAGCN"`` or ``"CTRGCN"``."""
    _install(Path(root).resolve())
    return getattr(importlib.import_module(f"pyskl.models.gcns.{BACKBONES[name]}"), name)


def graph_class(root: "str | Path"):
    """pyskl's ``Graph`` (``pyskl/utils/graph.py``)."""
    backbone("STGCN", root)
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


__all__ = ["BACKBONES", "Recognizer", "backbone", "graph_class", "has_pyskl", "with_graph"]
