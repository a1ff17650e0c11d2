"""Evaluation of one model or a score-fusion ensemble: logits over a dataset, then metrics."""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from .metrics import classification_metrics


def predict(model: nn.Module, dataset: Dataset, batch_size: int, device: torch.device,
            progress: bool = False) -> tuple[Tensor, Tensor]:
    """``model``'s logits ``[N, num_classes]`` (float32, CPU) and the labels ``[N]``."""
    model.eval()
    logits, labels = [], []
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    with torch.no_grad():
        for x, y in tqdm(loader, desc="evaluate", leave=False, disable=not progress):
            logits.append(model(x.to(device)).float().cpu())
            labels.append(y)
    return torch.cat(logits), torch.cat(labels)


def fused_log_probabilities(logits: Sequence[Tensor], weights: Sequence[float] | None = None
                            ) -> Tensor:
    """``log(sum_i w_i softmax(logits_i) / sum_i w_i)`` ``[N, C]``: the log of the weighted
    mean of the members' class probabilities (one member: its ``log_softmax``)."""
    if not logits:
        raise ValueError("logits: expected at least one model's logits, got none")
    weights = [1.0] * len(logits) if weights is None else [float(w) for w in weights]
    if len(weights) != len(logits) or any(w <= 0 for w in weights):
        raise ValueError(f"weights: expected {len(logits)} positive numbers, got {weights}")
    shapes = {tuple(member.shape) for member in logits}
    if len(shapes) != 1:
        raise ValueError(f"logits: expected one shape [N, C] for every model, got {sorted(shapes)}")
    stacked = torch.stack([torch.log_softmax(member.double(), dim=1) + math.log(w)
                           for member, w in zip(logits, weights)])
    return (torch.logsumexp(stacked, dim=0) - math.log(sum(weights))).float()


def ensemble_metrics(logits: Sequence[Tensor], labels: Tensor,
                     weights: Sequence[float] | None = None) -> dict[str, Any]:
    """Loss (negative log-likelihood of the fused probabilities), top-1/top-5, per-class
    accuracy and confusion matrix of the models whose ``logits`` are given (see
    :func:`fused_log_probabilities`)."""
    fused = fused_log_probabilities(logits, weights)
    loss = float(nn.functional.nll_loss(fused, labels))
    return {"loss": loss, **classification_metrics(fused, labels)}


def evaluate(model: nn.Module, dataset: Dataset, batch_size: int, device: torch.device,
             progress: bool = False) -> dict[str, Any]:
    """Loss, top-1/top-5, per-class accuracy and confusion matrix of ``model`` on ``dataset``,
    and the ``logits`` and ``labels`` they come from."""
    logits, labels = predict(model, dataset, batch_size, device, progress)
    return {**ensemble_metrics([logits], labels), "logits": logits, "labels": labels}
