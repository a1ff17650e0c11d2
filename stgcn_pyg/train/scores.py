"""Per-sample class scores of a run, saved for score fusion: ``scores_<split>.npz`` with the
logits, the labels and a fingerprint of every sample (so fused runs provably saw the same
samples in the same order), and the fitting of fusion weights on a validation split."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import Tensor

from ..io import atomic_path
from .evaluation import ensemble_metrics


def sample_fingerprints(data: np.ndarray, chunk: int = 256) -> np.ndarray:
    """``[N, 2]`` float64: the sum and the sum of squares of every raw sample (stream-free, so
    a joint and a bone run of one folder agree)."""
    out = np.empty((len(data), 2))
    for start in range(0, len(data), chunk):
        block = np.asarray(data[start:start + chunk], dtype=np.float64).reshape(
            min(chunk, len(data) - start), -1)
        out[start:start + len(block)] = np.stack([block.sum(1), np.square(block).sum(1)], 1)
    return out


def save_scores(path: "str | Path", logits: Tensor, labels: Tensor, fingerprints: np.ndarray,
                **info: Any) -> None:
    """Write ``logits [N, K]``, ``labels [N]``, ``fingerprints [N, 2]`` and ``info`` (data,
    split, checkpoint, stream: plain values) as ``.npz``, atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, logits=logits.numpy(), labels=labels.numpy(),
                 fingerprints=fingerprints, info=np.array(json.dumps(info)))


def load_scores(path: "str | Path") -> dict[str, Any]:
    """A :func:`save_scores` file: ``{"logits", "labels", "fingerprints", "info", "path"}``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"scores {path}: no such file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {"logits": torch.from_numpy(archive["logits"]),
                    "labels": torch.from_numpy(archive["labels"]),
                    "fingerprints": archive["fingerprints"],
                    "info": json.loads(str(archive["info"])), "path": path}
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(f"scores {path}: not a scores file of stgcn-pyg evaluate/train "
                         f"({err})") from None


def check_same_samples(members: Sequence[dict[str, Any]], what: str) -> None:
    """Raise unless every member scored the same samples in the same order."""
    first = members[0]
    for member in members[1:]:
        same = (member["logits"].shape == first["logits"].shape
                and torch.equal(member["labels"], first["labels"])
                and np.allclose(member["fingerprints"], first["fingerprints"], rtol=1e-9))
        if not same:
            raise ValueError(f"{what}: {member['path']} and {first['path']} do not hold the same "
                             f"samples in the same order (labels, sample fingerprints or shape "
                             f"{list(member['logits'].shape)} vs {list(first['logits'].shape)} "
                             f"differ)")


def fit_weights(members: Sequence[dict[str, Any]], grid: Sequence[float] = (
        0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0), rounds: int = 3) -> list[float]:
    """Fusion weights that maximize top-1 (ties: lower loss) on ``members``' scores, by
    coordinate ascent over ``grid`` from equal weights; normalized to sum to the count."""
    logits = [m["logits"] for m in members]
    labels = members[0]["labels"]

    def score(weights: list[float]) -> tuple[float, float]:
        result = ensemble_metrics(logits, labels, weights)
        return result["top1"], -result["loss"]

    weights = [1.0] * len(members)
    best = score(weights)
    for _ in range(rounds):
        improved = False
        for i in range(len(weights)):
            for value in grid:
                trial = weights[:i] + [value] + weights[i + 1:]
                trial_score = score(trial)
                if trial_score > best:
                    weights, best, improved = trial, trial_score, True
        if not improved:
            break
    total = sum(weights)
    return [w * len(weights) / total for w in weights]
