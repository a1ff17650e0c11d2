"""Per-joint class activation (CAM) of a trained ST-GCN on one sequence."""
from __future__ import annotations

import numpy as np
import torch

from ..models import STGCN


def class_activation(model: STGCN, sequence: np.ndarray,
                     class_index: int | None = None) -> tuple[np.ndarray, int]:
    """Class activation map of ``sequence`` [C, T, V, M] for one class, [T, V, M].

    The head of :class:`STGCN` is linear after global average pooling, so the class score
    splits exactly over (frame, joint, person) of the last block's features ``f``:
    ``cam[t, v, m] = w_c · f[:, t, v, m]`` and ``score_c = mean_m mean_{t,v} cam + b_c``.
    Positive values are evidence for the class, negative against. The last block's frames
    (``T / total stride``) are repeated to the input's ``T``.

    Args:
        model: a trained network (evaluated in ``eval`` mode, no gradients).
        sequence: one sample [C, T, V, M] (see :func:`stgcn_pyg.viz.sequence.load_sequence`).
        class_index: the class to explain; default: the predicted class.

    Returns:
        ``(cam [T, V, M], class_index)``.
    """
    sequence = np.asarray(sequence)
    if sequence.ndim != 4 or sequence.shape[0] != model.in_channels \
            or sequence.shape[2] != model.num_nodes:
        raise ValueError(f"sequence: expected [C={model.in_channels}, T, V={model.num_nodes}, M] "
                         f"to match the model, got shape {list(sequence.shape)}")
    dtype = model.head.weight.dtype
    x = torch.as_tensor(np.ascontiguousarray(sequence), dtype=dtype)[None]
    features = []
    hook = model.blocks[-1].register_forward_hook(lambda _m, _i, out: features.append(out))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            scores = model(x)[0]
    finally:
        hook.remove()
        model.train(was_training)
    if class_index is None:
        class_index = int(scores.argmax())
    elif not 0 <= class_index < model.num_classes:
        raise ValueError(f"class_index: expected 0..{model.num_classes - 1}, got {class_index}")
    cam = torch.einsum("c,mctv->tvm", model.head.weight[class_index].detach(), features[0])
    frames = np.arange(sequence.shape[1]) * cam.shape[0] // sequence.shape[1]
    return cam.numpy()[frames], class_index
