import pytest
import torch
from helpers import TOLERANCE, default_dtype

from stgcn_pyg.graph import STRATEGIES
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.nn import DenseSpatialGraphConv, SpatialGraphConv
from stgcn_pyg.nn.spatial_graph_conv import PATHS

SMALL = [BlockSpec(8, 1, residual=False), BlockSpec(8, 1, dropout=0.3), BlockSpec(16, 2, dropout=0.3)]
# Narrowing blocks: their spatial layers convolve first (C > C'), the others aggregate first.
NARROWING = [BlockSpec(8, 1, residual=False), BlockSpec(4, 1, dropout=0.3), BlockSpec(2, 2)]


def _count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_seed_preset_matches_notebook_parameter_count():
    model = STGCN.from_preset("seed", 14)
    assert _count(model.to_backend("dense")) == 173_584
    assert _count(model) == 173_584 - 6 * (2 * 25 * 25) + 6 * 73
    assert model.graph.strategy == "distance" and model.graph.num_partitions == 2
    assert [b.gcn.out_channels for b in model.blocks] == [32, 32, 32, 64, 64, 64]
    assert all(b.residual is None for b in model.blocks)


def test_stgcn_preset_structure():
    model = STGCN.from_preset("stgcn", 60)
    assert len(model.blocks) == 10 and model.graph.strategy == "spatial"
    kinds = [type(b.residual).__name__ for b in model.blocks]
    assert kinds[0] == "NoneType" and kinds[4] == kinds[7] == "Sequential"
    assert all(kinds[i] == "Identity" for i in (1, 2, 3, 5, 6, 8, 9))
    assert [b.tcn.conv.stride[0] for b in model.blocks] == [1, 1, 1, 1, 2, 1, 1, 2, 1, 1]
    assert "dropout" not in model.blocks[0].tcn._modules
    assert all(b.tcn.dropout.p == 0.5 for b in model.blocks[1:])
    assert model.head.out_features == 60


def test_preset_overrides_and_unknown_preset():
    model = STGCN.from_preset("stgcn", 10, graph="openpose", spatial="dense")
    assert model.num_nodes == 18 and isinstance(model.blocks[0].gcn, DenseSpatialGraphConv)
    with pytest.raises(ValueError, match=r"preset: expected one of \[.*'seed', 'stgcn', 'stgcn\+\+'\], got 'big'"):
        STGCN.from_preset("big", 10)


def _pair(layout, strategy, max_hop, dilation, dtype, seed=0, blocks=SMALL, path="auto"):
    torch.manual_seed(seed)
    with default_dtype(dtype):
        mp = STGCN(3, 5, layout, strategy=strategy, max_hop=max_hop, dilation=dilation,
                   blocks=blocks)
    with torch.no_grad():
        for block in mp.blocks:
            block.importance.weight.uniform_(0.5, 1.5)
            block.gcn.path = path
    return mp, mp.to_backend("dense")


def _check_model_pair(mp, dense, dtype, train, persons):
    # The yardstick is the dense model evaluated in float64 (same weights, same dropout masks):
    # a float32 run of the MP model must be within 1e-5 of exact, not of another float32
    # rounding (with one thread, the float32 dense model itself drifts ~1e-4 on BN gradients).
    tol = TOLERANCE[dtype]
    dense = dense.double()
    mp.train(train)
    dense.train(train)
    shape = (3, 3, 12, mp.num_nodes) + ((persons,) if persons else ())
    x = torch.randn(shape, dtype=dtype)
    outs = []
    for model in (mp, dense):
        torch.manual_seed(123)  # same dropout masks (drawn in float32 for every dtype)
        out = model(x.to(next(model.parameters()).dtype))
        out.pow(2).sum().backward()
        outs.append(out)
    torch.testing.assert_close(outs[0].double(), outs[1], atol=tol, rtol=0)
    grads_dense = dict(dense.named_parameters())
    for name, p in mp.named_parameters():
        if name.endswith("importance.weight"):  # per edge [E] vs dense [K, V, V]
            src, dst = mp.edge_index
            g_dense = grads_dense[name].grad
            torch.testing.assert_close(p.grad.double(), g_dense[mp.edge_type, src, dst], atol=tol,
                                       rtol=0)
        else:
            torch.testing.assert_close(p.grad.double(), grads_dense[name].grad, atol=tol, rtol=0,
                                       msg=lambda m: f"{name}: {m}")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("persons", [None, 1, 2])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_mp_model_equals_dense_model(strategy, persons, train, dtype):
    mp, dense = _pair("ntu-rgb+d", strategy, 1, 1, dtype)
    _check_model_pair(mp, dense, dtype, train, persons)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("blocks", [SMALL, NARROWING], ids=["widening", "narrowing"])
@pytest.mark.parametrize("path", PATHS)
def test_mp_model_equals_dense_model_every_path(path, blocks, dtype):
    mp, dense = _pair("ntu-rgb+d", "spatial", 1, 1, dtype, blocks=blocks, path=path)
    _check_model_pair(mp, dense, dtype, True, 2)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("layout", ["ntu-rgb+d", "ntu_edge", "openpose", "coco", "kinect-v1"])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("max_hop,dilation", [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)])
def test_mp_model_equals_dense_model_full_matrix(layout, strategy, max_hop, dilation, train, dtype):
    mp, dense = _pair(layout, strategy, max_hop, dilation, dtype)
    _check_model_pair(mp, dense, dtype, train, 2)


def test_four_d_input_equals_single_person():
    model = STGCN(3, 4, "openpose", blocks=SMALL).eval()
    x = torch.randn(2, 3, 10, 18)
    torch.testing.assert_close(model(x), model(x.unsqueeze(-1)))


def test_persons_are_averaged_after_pooling():
    model = STGCN(3, 4, "openpose", blocks=SMALL).eval()
    a, b = torch.randn(2, 3, 10, 18), torch.randn(2, 3, 10, 18)
    both = model(torch.stack([a, b], -1))
    expected = (model(a) + model(b)) / 2
    torch.testing.assert_close(both, expected, atol=1e-5, rtol=0)


def test_backend_round_trip_keeps_weights():
    mp, dense = _pair("coco", "spatial", 2, 1, torch.float64)
    back = dense.to_backend("mp")
    assert isinstance(back.blocks[0].gcn, SpatialGraphConv)
    x = torch.randn(2, 3, 8, 17, 2, dtype=torch.float64)
    mp.eval(), back.eval()
    torch.testing.assert_close(back(x), mp(x), atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="backend: expected one of"):
        mp.to_backend("sparse")


@pytest.mark.parametrize("preset", ["seed", "stgcn"])
def test_one_seed_gives_both_backends_the_same_initial_weights(preset):
    # So that an mp and a dense training run with one --seed start from the same network.
    torch.manual_seed(3)
    mp = STGCN.from_preset(preset, 10, spatial="mp")
    torch.manual_seed(3)
    dense = STGCN.from_preset(preset, 10, spatial="dense")
    expected = mp.to_backend("dense").state_dict()
    assert expected.keys() == dense.state_dict().keys()
    for name, tensor in dense.state_dict().items():
        torch.testing.assert_close(tensor, expected[name], atol=0, rtol=0, msg=name)


@pytest.mark.parametrize("shape,match", [
    ((2, 3, 10), r"x: expected \[N, C, T, V\] or \[N, C, T, V, M\], got shape \[2, 3, 10\]"),
    ((2, 3, 10, 17, 1), r"x: expected C=3 channels \(dim 1\) and V=25 joints \(dim 3\), got shape \[2, 3, 10, 17, 1\]"),
    ((2, 2, 10, 25), r"expected C=3 channels"),
])
def test_bad_model_input(shape, match):
    model = STGCN(3, 4, "ntu-rgb+d", blocks=SMALL)
    with pytest.raises(ValueError, match=match):
        model(torch.randn(shape))


def test_bad_model_arguments():
    with pytest.raises(ValueError, match="blocks: expected at least one BlockSpec"):
        STGCN(3, 4)
    with pytest.raises(ValueError, match="spatial: unknown layer 'csr'"):
        STGCN(3, 4, blocks=SMALL, spatial="csr")


def test_backend_is_a_deprecated_alias_of_spatial():
    with pytest.warns(DeprecationWarning, match=r"STGCN\(backend=...\) is deprecated"):
        model = STGCN(3, 4, blocks=SMALL, backend="dense")
    assert model.config["spatial"] == "dense" and "backend" not in model.config
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="backend: a deprecated "
                                                          "alias of spatial; got both"):
        STGCN(3, 4, blocks=SMALL, backend="dense", spatial="mp")


def test_model_holds_the_graph_once_as_buffers_that_follow_to_and_state_dict():
    model = STGCN(3, 4, "ntu-rgb+d", blocks=SMALL)
    buffers = {name for name, _ in model.named_buffers() if "edge" in name}
    assert buffers == {"edge_index", "edge_type", "edge_weight"}  # no copy in any layer
    assert all(not list(block.gcn.buffers()) for block in model.blocks)
    assert {"edge_index", "edge_type", "edge_weight"} <= set(model.state_dict())
    assert model.edge_weight.dtype == torch.float64
    graph = model.graph
    assert graph.edge_index is model.edge_index and graph.layout == "ntu-rgb+d"
    assert graph.num_partitions == 3 and graph.partition_names[0] == "hop0 self"
    meta = model.to("meta")  # .to() moves the graph with the model
    assert meta.edge_index.device.type == "meta" and meta.graph.edge_weight.device.type == "meta"


def test_each_block_owns_its_importance_and_edge_importance_is_honoured():
    with_importance = STGCN(3, 4, "ntu-rgb+d", blocks=SMALL)
    assert [tuple(b.importance.weight.shape) for b in with_importance.blocks] == [(73,)] * 3
    without = STGCN(3, 4, "ntu-rgb+d", blocks=SMALL, edge_importance=False)
    assert all(b.importance is None for b in without.blocks)
    dense = STGCN(3, 4, "ntu-rgb+d", blocks=SMALL, spatial="dense")
    assert tuple(dense.blocks[0].importance.weight.shape) == (3, 25, 25)
    gcn = STGCN(3, 4, "ntu-rgb+d", blocks=SMALL, spatial="gcn", spatial_kwargs={"cached": False})
    assert gcn.blocks[0].importance is not None  # not silently dropped with a named layer
    assert gcn.blocks[0].gcn.conv.cached is False  # spatial_kwargs reach the layer


# Every path compiles on widening and narrowing blocks; one case (the default fused path) is
# always on, the rest behind the slow marker (each case is a full inductor compile).
COMPILE_CASES = [pytest.param(path, blocks, id=f"{path}-{kind}",
                              marks=() if (path, kind) == ("fused", "widening") else pytest.mark.slow)
                 for kind, blocks in (("widening", SMALL[:2]), ("narrowing", NARROWING[:2]))
                 for path in PATHS]


@pytest.mark.parametrize("path, blocks", COMPILE_CASES)
def test_compile_fullgraph_matches_eager(path, blocks, right_inductor):
    torch.manual_seed(0)
    model = STGCN(3, 4, "ntu-rgb+d", blocks=blocks).eval()
    for block in model.blocks:
        block.gcn.path = path
    x = torch.randn(2, 3, 8, 25, 2)
    compiled = torch.compile(model, fullgraph=True)
    torch.testing.assert_close(compiled(x), model(x), atol=1e-5, rtol=0)
