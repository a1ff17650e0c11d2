"""PyG's explainers (``torch_geometric.explain``) on skeleton clips: which joints and which
edges of the model's graph decided a prediction.

PyG's explainers call a model as ``model(x, edge_index)`` with node-major features ``x``
[num_nodes, F] and learn (or attribute) a node mask over ``x`` and an edge mask over
``edge_index``, which they hand to every ``MessagePassing`` layer. :class:`NodeMajorClip`
gives an :class:`~stgcn_pyg.models.STGCN` that form for one clip: node v's features are its
T·C·M values, and the edges are the model's own graph (one entry per partition, source and
target); :class:`~stgcn_pyg.nn.SpatialGraphConv` scales each edge's weight by the mask on every
execution path. :func:`explain_clip` runs GNNExplainer or Captum's integrated gradients or
saliency (the ``explain`` extra installs captum) and reduces the masks to one value per joint.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.nn import MessagePassing

from .models import STGCN
from .nn import SpatialGraphConv

METHODS = ("integrated_gradients", "saliency", "gnnexplainer")


class NodeMajorClip(nn.Module):
    """An :class:`STGCN` as the ``model(x, edge_index)`` PyG's explainers call, for clips of
    ``frames`` frames and ``persons`` persons.

    Shapes:
        ``x`` [V, T·C·M] (node v's frames x channels x persons, in that order, from
        :meth:`node_features`), ``edge_index`` the model's own ``edge_index`` [2, E];
        output: class scores [1, classes].
    """

    def __init__(self, model: STGCN, frames: int, persons: int = 1) -> None:
        super().__init__()
        layers = [m for m in model.modules() if isinstance(m, MessagePassing)]
        foreign = sorted({type(m).__name__ for m in layers
                          if not isinstance(m, SpatialGraphConv)})
        if foreign or not layers:
            raise ValueError(f"model: explaining needs spatial layers that apply PyG edge masks "
                             f"over the model's graph (SpatialGraphConv and its variants: "
                             f"--spatial mp, adaptive, ctrgc, aagcn); this model has "
                             f"{foreign or 'none of them (the dense layer?)'}")
        self.model, self.frames, self.persons = model, frames, persons

    def node_features(self, clip: Tensor) -> Tensor:
        """``clip`` [C, T, V] or [C, T, V, M] -> ``x`` [V, T·C·M]."""
        if clip.dim() == 3:
            clip = clip.unsqueeze(-1)
        expected = (self.model.in_channels, self.frames, self.model.num_nodes, self.persons)
        if tuple(clip.shape) != expected:
            raise ValueError(f"clip: expected [C, T, V, M] = {list(expected)}, got "
                             f"{list(clip.shape)}")
        return clip.permute(2, 1, 0, 3).reshape(clip.size(2), -1)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        graph = self.model.edge_index
        if edge_index.shape != graph.shape or not torch.equal(edge_index, graph):
            raise ValueError(f"edge_index: expected the model's own graph ([2, {graph.size(1)}]"
                             f" edges, model.edge_index), got {list(edge_index.shape)}")
        v, c, m = self.model.num_nodes, self.model.in_channels, self.persons
        clip = x.view(v, self.frames, c, m).permute(2, 1, 0, 3)  # [C, T, V, M]
        return self.model(clip.unsqueeze(0))


@dataclass
class ClipExplanation:
    """An explanation of one clip.

    ``joint_mask`` [V]: each joint's share of the node mask's magnitude (sums to 1);
    ``edge_mask`` [E]: one value per entry of the model's graph (``model.edge_index``,
    ``model.edge_type``); ``node_mask`` [V, T·C·M] or [V, 1]: PyG's raw node mask;
    ``target``: the explained class; ``method``: the algorithm.
    """

    joint_mask: Tensor
    edge_mask: Tensor
    node_mask: Tensor
    target: int
    method: str


def explain_clip(model: STGCN, clip: Tensor, method: str = "integrated_gradients",
                 target: int | None = None, epochs: int = 200) -> ClipExplanation:
    """Explain ``model``'s score of class ``target`` (default: its prediction) on ``clip``
    [C, T, V] or [C, T, V, M] with ``method``: ``"integrated_gradients"`` or ``"saliency"``
    (``CaptumExplainer``, node attributes and edges), or ``"gnnexplainer"`` (one mask value per
    joint and per edge, ``epochs`` optimisation steps; seed torch for a repeatable result)."""
    from torch_geometric.explain import Explainer, GNNExplainer

    if method not in METHODS:
        raise ValueError(f"method: expected one of {list(METHODS)}, got {method!r}")
    persons = clip.size(-1) if clip.dim() == 4 else 1
    wrapper = NodeMajorClip(model, clip.size(1), persons)
    x = wrapper.node_features(clip.to(model.edge_weight.device, torch.float32))
    if target is None:
        was_training = model.training
        with torch.no_grad():
            target = int(wrapper.eval()(x, model.edge_index).argmax(dim=1))
        model.train(was_training)
    if not 0 <= target < model.num_classes:
        raise ValueError(f"target: expected a class in 0..{model.num_classes - 1}, got {target}")
    if method == "gnnexplainer":
        algorithm, node_mask_type = GNNExplainer(epochs=epochs), "object"
    else:
        algorithm, node_mask_type = _captum(method), "attributes"
    explainer = Explainer(wrapper, algorithm, explanation_type="phenomenon",
                          node_mask_type=node_mask_type, edge_mask_type="object",
                          model_config=dict(mode="multiclass_classification",
                                            task_level="graph", return_type="raw"))
    _forget_mask_parameters(model)
    with warnings.catch_warnings():  # captum notes that it set requires_grad on the input
        warnings.filterwarnings("ignore", "Input Tensor 0 did not already require gradients")
        explanation = explainer(x, model.edge_index, target=torch.tensor([target]))
    _forget_mask_parameters(model)
    node_mask = explanation.node_mask.detach()
    per_joint = node_mask.abs().sum(dim=1)
    return ClipExplanation(joint_mask=per_joint / per_joint.sum().clamp_min(1e-30),
                           edge_mask=explanation.edge_mask.detach(), node_mask=node_mask,
                           target=target, method=method)


def _forget_mask_parameters(model: nn.Module) -> None:
    """Undo GNNExplainer's registration of ``_edge_mask`` as a parameter of every layer: PyG's
    ``set_masks`` would otherwise wrap a later explainer's mask in a new leaf ``Parameter``
    (Captum's then gets no gradient)."""
    for module in model.modules():
        if isinstance(module, MessagePassing) and "_edge_mask" in module._parameters:
            del module._parameters["_edge_mask"]
            module._edge_mask = None


def _captum(method: str):
    try:
        from torch_geometric.explain import CaptumExplainer
        import captum  # noqa: F401
    except ImportError:
        raise ValueError(f"method {method!r}: needs captum (pip install 'stgcn-pyg[explain]'); "
                         f"'gnnexplainer' needs nothing more") from None
    name = {"integrated_gradients": "IntegratedGradients", "saliency": "Saliency"}[method]
    # PyG's Captum model explains one sample at a time: no internal batching of IG's steps.
    return CaptumExplainer(name, **({"internal_batch_size": 1} if name == "IntegratedGradients"
                                    else {}))


__all__ = ["ClipExplanation", "METHODS", "NodeMajorClip", "explain_clip"]
