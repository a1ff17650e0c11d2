import math

import pytest
import torch

from stgcn_pyg.graph import build_graph
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.nn import MultiScaleTemporalConv, STGCNBlock


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("frames", [1, 7, 80])
def test_length_and_channels(stride, frames):
    layer = MultiScaleTemporalConv(16, 9, stride)
    assert layer.dilations == [1, 2, 3, 4] and len(layer.branches) == 6
    widths = [b.out_channels if isinstance(b, torch.nn.Conv2d) else b.reduce.out_channels
              for b in layer.branches]
    assert widths == [6, 2, 2, 2, 2, 2]  # 16 // 6 = 2, the first branch takes the remainder
    assert layer(torch.randn(2, 16, frames, 5)).shape == (2, 16, math.ceil(frames / stride), 5)


@pytest.mark.parametrize("branch,support", [(0, {8, 9, 10}), (1, {7, 9, 11}), (2, {6, 9, 12}),
                                            (3, {5, 9, 13}), (4, {8, 9, 10}), (5, {9})])
def test_branch_receptive_fields(branch, support):
    # Impulse at frame 9 of joint 2: branch d sees frames t-d, t, t+d; the max-pool t-1..t+1.
    torch.manual_seed(0)
    layer = MultiScaleTemporalConv(48, 9).double().eval()  # 8 channels per branch
    x = torch.zeros(1, 48, 19, 4, dtype=torch.float64)
    x[0, :, 9, 2] = torch.randn(48, dtype=torch.float64)
    with torch.no_grad():
        delta = layer.branches[branch](x) - layer.branches[branch](torch.zeros_like(x))
    changed = delta.abs().amax(dim=1)[0]  # [T, V]
    assert set(changed[:, 2].nonzero().flatten().tolist()) == support
    assert changed[:, [0, 1, 3]].abs().max() == 0  # joints are not mixed


@pytest.mark.parametrize("stride", [2, 3])
def test_stride_subsamples_the_unstrided_output(stride):
    torch.manual_seed(0)
    strided = MultiScaleTemporalConv(12, 9, stride).double().eval()
    plain = MultiScaleTemporalConv(12, 9, 1).double().eval()
    plain.load_state_dict(strided.state_dict())
    x = torch.randn(2, 12, 17, 3, dtype=torch.float64)
    torch.testing.assert_close(strided(x), plain(x)[:, :, ::stride], atol=1e-12, rtol=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="channels: expected at least 6 \\(one per branch\\), got 4"):
        MultiScaleTemporalConv(4)
    with pytest.raises(ValueError, match="kernel_size: expected an odd int >= 3, got 1"):
        MultiScaleTemporalConv(16, kernel_size=1)
    with pytest.raises(ValueError, match="dilations: expected ints >= 1"):
        MultiScaleTemporalConv(16, dilations=[])
    with pytest.raises(ValueError, match="stride: expected an int >= 1"):
        MultiScaleTemporalConv(16, stride=0)


def test_in_a_block_and_a_model():
    graph = build_graph("openpose")
    block = STGCNBlock(3, 12, graph, stride=2, temporal="mstcn",
                       temporal_kwargs={"dilations": [1, 3]})
    out = block(torch.randn(2, 3, 9, 18), graph.edge_index, graph.edge_type, graph.edge_weight)
    assert out.shape == (2, 12, 5, 18)
    assert str(block.tcn.conv) == "MultiScaleTemporalConv(12, dilations=[1, 3], stride=2)"
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(12), BlockSpec(12, 2)], temporal="mstcn")
    torch.nn.functional.cross_entropy(model(torch.randn(2, 3, 8, 18)), torch.tensor([0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters())
