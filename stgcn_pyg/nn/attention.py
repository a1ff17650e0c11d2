"""AAGCN's attention over joints, frames and channels (Shi et al., TIP 2020), applied after
the spatial unit."""
from __future__ import annotations

import torch
from torch import Tensor, nn


class JointFrameChannelAttention(nn.Module):
    r"""Three gates in turn, each scaling the features by ``1 + sigmoid(...)``:

    - joints: a Conv1d over the joints (kernel V, or V - 1 for even V) of the frame-mean,
      [N, C, V] -> [N, 1, V];
    - frames: a Conv1d over the frames (kernel 9) of the joint-mean, [N, C, T] -> [N, 1, T];
    - channels: squeeze and excite, ``Linear(C, C/2)``, ReLU, ``Linear(C/2, C)`` of the mean
      over frames and joints, [N, C] -> [N, C].

    Args:
        channels: C.
        num_nodes: V (sizes the joint kernel).

    Shapes:
        ``x`` [N, C, T, V] -> [N, C, T, V].
    """

    def __init__(self, channels: int, num_nodes: int) -> None:
        super().__init__()
        joint_kernel = num_nodes if num_nodes % 2 else num_nodes - 1
        self.joint = nn.Conv1d(channels, 1, joint_kernel, padding=(joint_kernel - 1) // 2)
        self.frame = nn.Conv1d(channels, 1, 9, padding=4)
        self.squeeze = nn.Linear(channels, channels // 2)
        self.excite = nn.Linear(channels // 2, channels)

    def forward(self, x: Tensor) -> Tensor:
        x = x * (1 + torch.sigmoid(self.joint(x.mean(dim=2)))).unsqueeze(2)
        x = x * (1 + torch.sigmoid(self.frame(x.mean(dim=3)))).unsqueeze(3)
        gate = torch.sigmoid(self.excite(torch.relu(self.squeeze(x.mean(dim=(2, 3))))))
        return x * (1 + gate)[..., None, None]


__all__ = ["JointFrameChannelAttention"]
