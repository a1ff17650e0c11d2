"""Classification metrics from logits: top-k accuracy, per-class accuracy, confusion matrix."""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def topk_accuracy(logits: Tensor, labels: Tensor, k: int) -> float:
    """Fraction of samples whose label is among the ``k`` highest scores (k capped at C)."""
    if len(labels) == 0:
        return 0.0
    top = logits.topk(min(k, logits.size(1)), dim=1).indices
    return float((top == labels[:, None]).any(dim=1).float().mean())


def confusion_matrix(predictions: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """``[num_classes, num_classes]`` counts, row = true class, column = predicted class."""
    index = labels.long() * num_classes + predictions.long()
    return torch.bincount(index, minlength=num_classes ** 2).view(num_classes, num_classes)


def classification_metrics(logits: Tensor, labels: Tensor) -> dict[str, Any]:
    """``top1``, ``top5``, ``per_class_accuracy`` (None for classes without samples) and
    ``confusion_matrix`` (lists) of ``logits [N, C]`` against ``labels [N]``."""
    num_classes = logits.size(1)
    confusion = confusion_matrix(logits.argmax(dim=1), labels, num_classes)
    support = confusion.sum(dim=1)
    per_class = [float(confusion[c, c] / support[c]) if support[c] else None
                 for c in range(num_classes)]
    return {"top1": topk_accuracy(logits, labels, 1), "top5": topk_accuracy(logits, labels, 5),
            "per_class_accuracy": per_class, "confusion_matrix": confusion.tolist()}
