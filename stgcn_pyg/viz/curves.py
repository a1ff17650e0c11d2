"""Training curves: loss and accuracy per epoch from a run's ``history``."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .draw import save_figure  # noqa: E402


def plot_curves(history: Sequence[dict[str, Any]], path: "str | Path") -> Path:
    """Draw loss (left) and top-1 accuracy (right) against epoch as a PNG at ``path``.

    ``history`` holds one dict per epoch with ``epoch``, ``train_loss``, ``train_top1`` and,
    where evaluated, ``test_loss``, ``test_top1`` (``metrics.json["history"]``). Returns the path.
    """
    if not history:
        raise ValueError("history: expected at least one epoch, got none")
    missing = [k for k in ("epoch", "train_loss", "train_top1") if k not in history[0]]
    if missing:
        raise ValueError(f"history: epoch entries miss keys {missing}")
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for split, style in (("train", "-o"), ("test", "-s")):
        rows = [h for h in history if f"{split}_loss" in h]
        epochs = [h["epoch"] for h in rows]
        loss_ax.plot(epochs, [h[f"{split}_loss"] for h in rows], style, ms=3, label=split)
        acc_ax.plot(epochs, [h[f"{split}_top1"] for h in rows], style, ms=3, label=split)
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    acc_ax.set(xlabel="epoch", ylabel="top-1 accuracy", title="accuracy", ylim=(0, 1.02))
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return Path(path)
