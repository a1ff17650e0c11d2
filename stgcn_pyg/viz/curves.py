"""Training curves: loss and accuracy per epoch from one run's ``history``, or several runs'
side by side."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .draw import save_figure  # noqa: E402

History = Sequence[dict[str, Any]]


def plot_curves(history: History, path: "str | Path") -> Path:
    """Draw loss (left) and top-1 accuracy (right) against epoch as a PNG at ``path``.

    ``history`` holds one dict per epoch with ``epoch``, ``train_loss``, ``train_top1`` and,
    where evaluated, ``test_loss``, ``test_top1`` (``metrics.json["history"]``). Returns the path.
    """
    _check(history, "history")
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for split, style in (("train", "-o"), ("test", "-s")):
        epochs, losses, accuracies = _series(history, split)
        loss_ax.plot(epochs, losses, style, ms=3, label=split)
        acc_ax.plot(epochs, accuracies, style, ms=3, label=split)
    return _finish(fig, loss_ax, acc_ax, "loss", "accuracy", path)


def compare_curves(histories: Mapping[str, History], path: "str | Path") -> Path:
    """Several runs on shared axes: train loss (left) and test top-1 (right) against epoch,
    one line per ``{label: history}`` entry (histories as in :func:`plot_curves`)."""
    if not histories:
        raise ValueError("histories: expected at least one run, got none")
    for label, history in histories.items():
        _check(history, f"histories[{label!r}]")
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for label, history in histories.items():
        line, = loss_ax.plot(*_series(history, "train")[:2], "-", label=label)
        epochs, _, accuracies = _series(history, "test")
        acc_ax.plot(epochs, accuracies, "-o", ms=3, color=line.get_color(), label=label)
    return _finish(fig, loss_ax, acc_ax, "train loss", "test accuracy", path)


def _check(history: History, name: str) -> None:
    if not history:
        raise ValueError(f"{name}: expected at least one epoch, got none")
    missing = [k for k in ("epoch", "train_loss", "train_top1") if k not in history[0]]
    if missing:
        raise ValueError(f"{name}: epoch entries miss keys {missing}")


def _series(history: History, split: str) -> tuple[list, list, list]:
    """Epochs, losses and top-1 of ``split`` over the epochs that recorded it."""
    rows = [h for h in history if f"{split}_loss" in h]
    return ([h["epoch"] for h in rows], [h[f"{split}_loss"] for h in rows],
            [h[f"{split}_top1"] for h in rows])


def _finish(fig, loss_ax, acc_ax, loss_title: str, acc_title: str, path: "str | Path") -> Path:
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title=loss_title)
    acc_ax.set(xlabel="epoch", ylabel="top-1 accuracy", title=acc_title, ylim=(0, 1.02))
    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return Path(path)
