import pytest
import torch
from helpers import default_dtype
from reference import ALL_LAYOUTS, OriginalModel, SeedModel, randomize, reference_adjacency

from stgcn_pyg.convert import from_original_stgcn, from_seed_notebook
from stgcn_pyg.models import STGCN

TOL = {torch.float64: 1e-10, torch.float32: 1e-5}


def _original(layout, strategy, max_hop=1, dilation=1, importance=True, dtype=torch.float64,
              classes=7, seed=0):
    a = reference_adjacency(*ALL_LAYOUTS[layout], strategy, max_hop, dilation)
    with default_dtype(dtype):
        return randomize(OriginalModel(a, classes, importance=importance), seed).eval()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("importance", [True, False], ids=["imp", "noimp"])
@pytest.mark.parametrize("layout,strategy,max_hop,dilation", [
    ("ntu-rgb+d", "spatial", 1, 1), ("openpose", "spatial", 2, 1), ("ntu_edge", "distance", 2, 2),
    ("coco", "uniform", 1, 1), ("ntu-rgb+d", "spatial", 3, 2),
])
def test_original_checkpoint_gives_equal_outputs(layout, strategy, max_hop, dilation, importance, dtype):
    source = _original(layout, strategy, max_hop, dilation, importance, dtype)
    model = from_original_stgcn(source.state_dict(), layout, strategy, max_hop, dilation).eval()
    assert isinstance(model, STGCN) and model.head.weight.dtype == dtype
    assert (model.blocks[0].importance is not None) == importance
    x = torch.randn(3, 3, 16, source.A.shape[1], 2, dtype=dtype)
    with torch.no_grad():
        torch.testing.assert_close(model(x), source(x), atol=TOL[dtype], rtol=0)


def test_original_checkpoint_through_a_file(tmp_path):
    source = _original("ntu-rgb+d", "spatial")
    torch.save(source.state_dict(), tmp_path / "st_gcn.pt")
    state = torch.load(tmp_path / "st_gcn.pt", weights_only=True)
    model = from_original_stgcn(state, "ntu-rgb+d", "spatial").eval()
    x = torch.randn(2, 3, 20, 25, 1, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), source(x), atol=1e-10, rtol=0)
    assert model.num_classes == 7 and len(model.blocks) == 10


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("hop", [1, 2])
def test_seed_checkpoint_gives_equal_outputs(hop, dtype):
    a = reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "distance", hop)
    with default_dtype(dtype):
        source = randomize(SeedModel(a, 14), seed=3).eval()
    model = from_seed_notebook(source.state_dict()).eval()
    assert model.head.weight.dtype == dtype and model.num_classes == 14
    assert [b.tcn.conv.stride[0] for b in model.blocks] == [1, 1, 1, 2, 1, 1]
    x = torch.randn(4, 3, 30, 25, dtype=dtype)
    with torch.no_grad():
        torch.testing.assert_close(model(x), source(x), atol=TOL[dtype], rtol=0)


def test_seed_nine_block_variant():
    a = reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "distance", 1)
    spec = ((64, 1), (64, 1), (64, 1), (128, 2), (128, 1), (128, 1), (256, 2), (256, 1), (256, 1))
    with default_dtype(torch.float64):
        source = randomize(SeedModel(a, 14, spec=spec)).eval()
    model = from_seed_notebook(source.state_dict()).eval()
    x = torch.randn(2, 3, 20, 25, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), source(x), atol=1e-10, rtol=0)


def test_wrong_graph_arguments_are_named():
    state = _original("ntu-rgb+d", "spatial").state_dict()
    with pytest.raises(ValueError, match=r"state_dict\['A'\] does not match layout='ntu-rgb\+d', "
                                         r"strategy='distance'.*shape \[3, 25, 25\], expected \[2, 25, 25\]"):
        from_original_stgcn(state, "ntu-rgb+d", "distance")
    with pytest.raises(ValueError, match=r"strategy='spatial', max_hop=1, dilation=1 \(shape \[3, 25, 25\], expected \[3, 18, 18\]"):
        from_original_stgcn(state, "openpose", "spatial")


def test_missing_misshaped_and_unexpected_keys_are_listed():
    state = dict(_original("ntu-rgb+d", "spatial").state_dict())
    del state["st_gcn_networks.3.tcn.0.running_var"]
    state["fcn.bias"] = torch.zeros(9, dtype=torch.float64)
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(ValueError) as err:
        from_original_stgcn(state, "ntu-rgb+d", "spatial")
    message = str(err.value)
    assert "missing keys ['st_gcn_networks.3.tcn.0.running_var']" in message
    assert "fcn.bias: expected [7], got [9]" in message
    assert "unexpected keys ['extra.weight']" in message


def test_other_models_checkpoint_is_rejected():
    seed_state = SeedModel(reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "distance")).state_dict()
    with pytest.raises(ValueError, match=r"original ST-GCN\): missing keys \['st_gcn_networks.0.gcn.conv.weight'\]"):
        from_original_stgcn(seed_state, "ntu-rgb+d", "distance")
    original_state = _original("ntu-rgb+d", "spatial").state_dict()
    with pytest.raises(ValueError, match=r"seed notebook\): missing keys \['stgc1.sgc.conv.weight'\]"):
        from_seed_notebook(original_state)


def test_data_parallel_prefix_and_missing_a_buffer():
    source = _original("openpose", "spatial")
    state = {f"module.{k}": v for k, v in source.state_dict().items() if k != "A"}
    model = from_original_stgcn(state, "openpose", "spatial").eval()
    x = torch.randn(2, 3, 12, 18, 2, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), source(x), atol=1e-10, rtol=0)
