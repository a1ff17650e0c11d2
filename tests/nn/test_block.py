import math

import pytest
import torch
from torch import nn

from stgcn_pyg.graph import build_graph
from stgcn_pyg.nn import STGCNBlock, TemporalConv


@pytest.mark.parametrize("kernel_size", [1, 3, 9])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("frames", [1, 7, 80])
def test_temporal_conv_length(kernel_size, stride, frames):
    conv = TemporalConv(4, 6, kernel_size, stride)
    assert conv(torch.randn(2, 4, frames, 5)).shape == (2, 6, math.ceil(frames / stride), 5)


def test_temporal_conv_mixes_frames_not_joints():
    conv = TemporalConv(1, 1, 3)
    x = torch.zeros(1, 1, 5, 4)
    x[0, 0, 2, 1] = 1.0
    y = conv(x) - conv.bias
    assert torch.count_nonzero(y[..., [0, 2, 3]]) == 0 and torch.count_nonzero(y[..., 1]) == 3


@pytest.mark.parametrize("kernel_size,stride,match", [(4, 1, "kernel_size: expected an odd int"),
                                                      (9, 0, "stride: expected an int >= 1")])
def test_temporal_conv_bad_arguments(kernel_size, stride, match):
    with pytest.raises(ValueError, match=match):
        TemporalConv(4, 4, kernel_size, stride)


def test_residual_kinds_and_dropout_placement():
    g = build_graph("ntu-rgb+d")
    assert STGCNBlock(3, 8, g, residual=False).residual is None
    assert isinstance(STGCNBlock(8, 8, g).residual, nn.Identity)
    assert isinstance(STGCNBlock(8, 16, g, stride=2).residual.conv, nn.Conv2d)
    seed_style = list(STGCNBlock(8, 8, g, dropout=0.5, dropout_before_conv=True).tcn._modules)
    original = list(STGCNBlock(8, 8, g, dropout=0.5).tcn._modules)
    assert seed_style == ["bn_in", "relu", "dropout", "conv", "bn_out"]
    assert original == ["bn_in", "relu", "conv", "bn_out", "dropout"]
    assert "dropout" not in STGCNBlock(8, 8, g).tcn._modules


def test_block_shapes():
    graph = build_graph("openpose")
    block = STGCNBlock(3, 16, graph, stride=2)
    out = block(torch.randn(2, 3, 9, 18), graph.edge_index, graph.edge_type, graph.edge_weight)
    assert out.shape == (2, 16, 5, 18)
    with pytest.raises(ValueError, match="edge_importance: expected 'edge', 'dense', 'adjacency' or None, "
                                         "got 'sparse'"):
        STGCNBlock(3, 16, graph, edge_importance="sparse")
    with pytest.raises(ValueError, match="dropout: expected a probability"):
        STGCNBlock(3, 16, build_graph("openpose"), dropout=1.5)
