"""A multi-branch temporal layer: ST-GCN++'s ``mstcn`` and CTR-GCN's ``MSTCN``."""
from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import torch
from torch import Tensor, nn

from ..registry import register_temporal


def _pointwise(in_channels: int, out_channels: int) -> list[tuple[str, nn.Module]]:
    return [("reduce", nn.Conv2d(in_channels, out_channels, 1)),
            ("bn", nn.BatchNorm2d(out_channels)), ("relu", nn.ReLU())]


@register_temporal("mstcn")
class MultiScaleTemporalConv(nn.Module):
    r"""Parallel temporal branches over the same input, concatenated, then fused.

    .. math::
        \mathbf{x}' = \mathrm{Conv}_{1\times1}\Big(\mathrm{ReLU}\big(\mathrm{BN}\big(
        [\,\mathbf{b}_{d_1}(\mathbf{x}) \,\|\, \dots \,\|\, \mathbf{b}_{d_n}(\mathbf{x})
        \,\|\, \mathbf{b}_{\max}(\mathbf{x}) \,\|\, \mathbf{b}_{1\times1}(\mathbf{x})\,]
        \big)\big)\Big)

    - :math:`\mathbf{b}_d`: 1x1 conv, BN, ReLU, then a (3, 1) conv with dilation :math:`d`
      (it sees frames :math:`t - d, t, t + d`: a receptive field of :math:`2d + 1`);
    - :math:`\mathbf{b}_{\max}`: 1x1 conv, BN, ReLU, then a (3, 1) max-pool;
    - :math:`\mathbf{b}_{1\times1}`: a 1x1 conv.

    Every branch applies the stride :math:`s` to the frames (padding keeps
    ``T' = ceil(T / s)``). The channels are split evenly between the branches, the first
    branch taking the remainder. By default the dilations are ``1 .. (kernel_size - 1) // 2``,
    so the widest branch spans ``kernel_size`` frames like the plain layer (1..4 for 9).

    CTR-GCN's variant (``branch_kernel=5, branch_norm=True, fuse=False,
    remainder_last=True`` with ``kernel_size=5``: dilations 1, 2): (5, 1) dilated convs, a BN
    closing every branch, the last branch taking the remainder, and a ReLU instead of the
    fusing BN-ReLU-conv.

    Args:
        channels: input and output channels C.
        kernel_size: temporal kernel size of the plain layer (odd >= 3), sets the dilations.
        stride: temporal stride s.
        dilations: the dilations of the dilated branches (overrides ``kernel_size``).
        branch_kernel: temporal kernel of the dilated branches (odd).
        branch_norm: close every branch with a BatchNorm.
        fuse: fuse the branches with BN, ReLU, 1x1 conv (else a ReLU).
        remainder_last: the last branch (1x1) takes the channels' remainder, not the first.

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C, ceil(T / s), V]``.
    """

    def __init__(self, channels: int, kernel_size: int = 9, stride: int = 1,
                 dilations: Sequence[int] | None = None, branch_kernel: int = 3,
                 branch_norm: bool = False, fuse: bool = True,
                 remainder_last: bool = False) -> None:
        super().__init__()
        if not isinstance(stride, int) or stride < 1:
            raise ValueError(f"stride: expected an int >= 1, got {stride!r}")
        if dilations is None:
            if not isinstance(kernel_size, int) or kernel_size < 3 or kernel_size % 2 == 0:
                raise ValueError(f"kernel_size: expected an odd int >= 3, got {kernel_size!r}")
            dilations = range(1, (kernel_size - 1) // 2 + 1)
        dilations = [int(d) for d in dilations]
        if not dilations or min(dilations) < 1:
            raise ValueError(f"dilations: expected ints >= 1, got {dilations!r}")
        num_branches = len(dilations) + 2
        if channels < num_branches:
            raise ValueError(f"channels: expected at least {num_branches} (one per branch), "
                             f"got {channels}")
        if not isinstance(branch_kernel, int) or branch_kernel < 1 or branch_kernel % 2 == 0:
            raise ValueError(f"branch_kernel: expected an odd int >= 1, got {branch_kernel!r}")
        width = channels // num_branches
        remainder = channels - width * (num_branches - 1)
        widths = ([width] * (num_branches - 1) + [remainder] if remainder_last
                  else [remainder] + [width] * (num_branches - 1))
        self.channels = channels
        self.dilations = dilations
        self.stride = stride
        *dilated_widths, pool_width, pointwise_width = widths
        pad = (branch_kernel - 1) // 2

        def closed(parts: list, c: int, name: str) -> nn.Sequential:
            norm = [(f"{name}_bn", nn.BatchNorm2d(c))] if branch_norm else []
            return nn.Sequential(OrderedDict(parts + norm))

        branches = [
            closed(_pointwise(channels, c) + [
                ("conv", nn.Conv2d(c, c, (branch_kernel, 1), (stride, 1), (pad * d, 0),
                                   (d, 1)))], c, "conv")
            for c, d in zip(dilated_widths, dilations)
        ]
        branches.append(closed(_pointwise(channels, pool_width) + [
            ("pool", nn.MaxPool2d((3, 1), (stride, 1), (1, 0)))], pool_width, "pool"))
        pointwise = nn.Conv2d(channels, pointwise_width, 1, (stride, 1))
        branches.append(closed([("conv", pointwise)], pointwise_width, "conv")
                        if branch_norm else pointwise)
        self.branches = nn.ModuleList(branches)
        self.fuse = nn.Sequential(OrderedDict([
            ("bn", nn.BatchNorm2d(channels)), ("relu", nn.ReLU()),
            ("conv", nn.Conv2d(channels, channels, 1))])) if fuse else nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.fuse(torch.cat([branch(x) for branch in self.branches], dim=1))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.channels}, dilations={self.dilations}, "
                f"stride={self.stride})")
