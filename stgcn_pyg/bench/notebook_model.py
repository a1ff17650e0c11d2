"""The seed notebook's dense ST-GCN, re-typed from its maths as an outside yardstick.

Nothing here imports :mod:`stgcn_pyg`: the adjacency is rebuilt with numpy (NTU RGB+D bones,
self-loops, hop distance <= 1, column normalisation, one partition per hop), every block keeps a
dense learnable importance ``M`` and contracts ``einsum('nkctv,kvw->nctw', conv(x), A * M)``.
Its state-dict keys are the notebook's (``bn``, ``stgc1..6.{sgc.conv, M, tgc}``, ``fc``, ``A``),
so :func:`stgcn_pyg.convert.from_seed_notebook` turns it into the library's MP seed preset.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

NTU_BONES = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21),
             (10, 9), (11, 10), (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1),
             (18, 17), (19, 18), (20, 19), (22, 23), (23, 8), (24, 25), (25, 12)]


def notebook_adjacency(num_nodes: int = 25, max_hop: int = 1) -> np.ndarray:
    """[max_hop + 1, V, V]: the notebook's hop-partitioned, column-normalised adjacency."""
    link = np.eye(num_nodes)
    for i, j in NTU_BONES:
        link[i - 1, j - 1] = link[j - 1, i - 1] = 1
    hop = np.full((num_nodes, num_nodes), np.inf)
    for d in range(max_hop, -1, -1):
        hop[np.linalg.matrix_power(link, d) > 0] = d
    adjacency = (hop <= max_hop).astype(float)
    adjacency = adjacency / adjacency.sum(0, keepdims=True)
    return np.stack([np.where(hop == d, adjacency, 0.0) for d in range(max_hop + 1)])


class NotebookBlock(nn.Module):
    """sgc (1x1 conv to K·C', einsum with A * M), then BN-ReLU-Dropout-Conv(9x1)-BN-ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int, shape: torch.Size, kt: int = 9) -> None:
        super().__init__()
        self.sgc = nn.Module()
        self.sgc.conv = nn.Conv2d(c_in, c_out * shape[0], 1)
        self.M = nn.Parameter(torch.ones(shape))
        self.tgc = nn.Sequential(nn.BatchNorm2d(c_out), nn.ReLU(), nn.Dropout(0.5),
                                 nn.Conv2d(c_out, c_out, (kt, 1), (stride, 1), ((kt - 1) // 2, 0)),
                                 nn.BatchNorm2d(c_out), nn.ReLU())

    def forward(self, x: Tensor, a: Tensor) -> Tensor:
        y = self.sgc.conv(x)
        n, kc, t, v = y.shape
        y = y.view(n, a.size(0), kc // a.size(0), t, v)
        y = torch.einsum("nkctv,kvw->nctw", y, a * self.M).contiguous()
        return self.tgc(y)


class NotebookSTGCN(nn.Module):
    """The notebook's 6-block network: [N, 3, T, 25] -> [N, num_classes]."""

    def __init__(self, num_classes: int = 14, in_channels: int = 3) -> None:
        super().__init__()
        self.register_buffer("A", torch.tensor(notebook_adjacency(), dtype=torch.float32))
        self.bn = nn.BatchNorm1d(in_channels * self.A.size(1))
        widths = [(in_channels, 32, 1), (32, 32, 1), (32, 32, 1), (32, 64, 2), (64, 64, 1),
                  (64, 64, 1)]
        for i, (c_in, c_out, stride) in enumerate(widths, 1):
            self.add_module(f"stgc{i}", NotebookBlock(c_in, c_out, stride, self.A.shape))
        self.fc = nn.Conv2d(64, num_classes, 1)

    def forward(self, x: Tensor) -> Tensor:
        n, c, t, v = x.shape
        x = self.bn(x.permute(0, 3, 1, 2).contiguous().view(n, v * c, t))
        x = x.view(n, v, c, t).permute(0, 2, 3, 1).contiguous()
        for i in range(1, 7):
            x = getattr(self, f"stgc{i}")(x, self.A)
        x = F.avg_pool2d(x, x.shape[2:])
        return self.fc(x).view(n, -1)
