"""Input streams derived from joint coordinates ``x [C, T, V, M]``: joint, bone, motion (of the
joints) and bone_motion."""
from __future__ import annotations

from collections import deque

import torch
from torch import Tensor

from ..graph import Skeleton, get_skeleton

STREAMS = ("joint", "bone", "motion", "bone_motion")


def bone_parents(skeleton: "str | Skeleton") -> list[int]:
    """Parent of every joint in a breadth-first tree from the centre (the centre is its own)."""
    skeleton = get_skeleton(skeleton)
    neighbours: list[list[int]] = [[] for _ in range(skeleton.num_nodes)]
    for i, j in skeleton.edges:
        neighbours[i].append(j)
        neighbours[j].append(i)
    parents = [-1] * skeleton.num_nodes
    parents[skeleton.center] = skeleton.center
    queue = deque([skeleton.center])
    while queue:
        joint = queue.popleft()
        for nxt in sorted(neighbours[joint]):
            if parents[nxt] < 0:
                parents[nxt] = joint
                queue.append(nxt)
    return parents


def bones(x: Tensor, parents: list[int]) -> Tensor:
    """``x[:, :, v] - x[:, :, parent(v)]`` (zero at the centre): the bone vector into v."""
    return x - x[:, :, parents]


def motion(x: Tensor) -> Tensor:
    """``x[:, t + 1] - x[:, t]``, zero in the last frame."""
    out = torch.zeros_like(x)
    out[:, :-1] = x[:, 1:] - x[:, :-1]
    return out


class Streams:
    """Replace joint coordinates by one stream or several concatenated along C
    (``"joint"``, ``"bone"``, ``"motion"`` of the joints, ``"bone_motion"``, e.g.
    ``"joint+bone"``: C -> 2 C)."""

    def __init__(self, streams: str, skeleton: "str | Skeleton") -> None:
        names = streams.split("+")
        unknown = [n for n in names if n not in STREAMS]
        if unknown or not names:
            raise ValueError(f"streams: expected names from {list(STREAMS)} joined by '+', "
                             f"got {streams!r}")
        self.names = names
        self.parents = (bone_parents(skeleton) if {"bone", "bone_motion"} & set(names)
                        else None)

    def __call__(self, x: Tensor) -> Tensor:
        parts = {"joint": lambda: x, "bone": lambda: bones(x, self.parents),
                 "motion": lambda: motion(x),
                 "bone_motion": lambda: motion(bones(x, self.parents))}
        return torch.cat([parts[name]() for name in self.names], dim=0)

    def channels(self, in_channels: int = 3) -> int:
        """Channels of the output for ``in_channels`` input channels."""
        return in_channels * len(self.names)

    def __repr__(self) -> str:
        return f"Streams({'+'.join(self.names)!r})"
