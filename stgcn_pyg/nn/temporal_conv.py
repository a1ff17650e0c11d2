"""Temporal convolution: a (kt, 1) Conv2d over the frames of every joint."""
from __future__ import annotations

from torch import nn

from .registry import register_temporal


class TemporalConv(nn.Conv2d):
    """``Conv2d(in, out, (kt, 1), stride=(s, 1), padding=((kt - 1) // 2, 0))``.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: temporal kernel size kt (odd).
        stride: temporal stride s.

    Shapes:
        input ``[N, C, T, V]``, output ``[N, C', ceil(T / s), V]``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 9,
                 stride: int = 1) -> None:
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size: expected an odd int >= 1, got {kernel_size!r}")
        if not isinstance(stride, int) or stride < 1:
            raise ValueError(f"stride: expected an int >= 1, got {stride!r}")
        super().__init__(in_channels, out_channels, (kernel_size, 1), (stride, 1),
                         ((kernel_size - 1) // 2, 0))


@register_temporal("conv")
def temporal_conv(channels: int, kernel_size: int, stride: int) -> nn.Module:
    """The built-in temporal layer: :class:`TemporalConv` from ``channels`` to ``channels``."""
    return TemporalConv(channels, channels, kernel_size, stride)
