import torch

from stgcn_pyg.models import STGCN


def test_compact_preset_shapes_and_size():
    model = STGCN.from_preset("compact", 10, graph="kinect-v1")
    assert sum(p.numel() for p in model.parameters()) == 274_668
    assert model(torch.randn(2, 3, 32, 20)).shape == (2, 10)
    assert [b.residual is None for b in model.blocks] == [True, False, False, False, False]
