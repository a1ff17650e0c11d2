"""The confusion-matrix figure of an evaluation."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .draw import save_figure  # noqa: E402


def plot_confusion(matrix: "Sequence[Sequence[float]] | np.ndarray", class_names: Sequence[str],
                   path: "str | Path", normalize: bool = True) -> Path:
    """Draw ``matrix [C, C]`` (row = true class, column = predicted) as a PNG at ``path``.

    ``normalize`` divides each row by its count (rows without samples stay 0), as the seed
    notebook draws it. Returns the path.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix: expected a square [C, C] array, got shape {list(matrix.shape)}")
    if len(class_names) != len(matrix):
        raise ValueError(f"class_names: expected {len(matrix)} names, got {len(class_names)}")
    if normalize:
        rows = matrix.sum(axis=1, keepdims=True)
        matrix = np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0)
    size = max(4.0, 0.45 * len(matrix) + 2.5)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                 label="fraction of the true class" if normalize else "clips")
    ticks = np.arange(len(matrix))
    ax.set_xticks(ticks, class_names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(ticks, class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if len(matrix) <= 20:
        for (i, j), value in np.ndenumerate(matrix):
            text = f"{value:.2f}" if normalize else f"{value:g}"
            ax.text(j, i, text, ha="center", va="center", fontsize=6,
                    color="white" if value > 0.6 * matrix.max() else "black")
    ax.set_title("confusion matrix" + (" (row-normalized)" if normalize else ""))
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return Path(path)
