"""Input checks shared by the layers, with errors that name what was expected."""
from __future__ import annotations

from torch import Tensor


def check_input(x: Tensor, channels: int, num_nodes: int, name: str = "x") -> None:
    """Require ``x`` of shape [N, channels, T, num_nodes]."""
    if x.dim() != 4:
        raise ValueError(f"{name}: expected a 4-D tensor [N, C, T, V], got shape {list(x.shape)}")
    if x.size(1) != channels:
        raise ValueError(f"{name}: expected C={channels} channels (dim 1), got shape {list(x.shape)}")
    if x.size(3) != num_nodes:
        raise ValueError(
            f"{name}: expected V={num_nodes} joints (dim 3) to match the graph, got shape "
            f"{list(x.shape)}"
        )
