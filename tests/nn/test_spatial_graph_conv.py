import pytest
import torch
from helpers import TOLERANCE, default_dtype
from reference import ALL_LAYOUTS, reference_adjacency, reference_spatial

from stgcn_pyg.graph import STRATEGIES, build_graph
from stgcn_pyg.nn import DenseSpatialGraphConv, SpatialGraphConv

GRAPHS = [(layout, strategy, max_hop, dilation) for layout in ALL_LAYOUTS
          for strategy in STRATEGIES for max_hop in (1, 2, 3)
          for dilation in range(1, max_hop + 1)]


def _random_layer(graph, dtype, path, importance, c_in=3, c_out=4):
    with default_dtype(dtype):
        layer = SpatialGraphConv(c_in, c_out, graph, edge_importance=importance, path=path)
    if importance:
        with torch.no_grad():
            layer.edge_importance.uniform_(0.5, 1.5)
    return layer


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("importance", [True, False], ids=["imp", "noimp"])
@pytest.mark.parametrize("path", ["edge", "fused"])
@pytest.mark.parametrize("layout,strategy,max_hop,dilation", GRAPHS)
def test_equals_dense_einsum_outputs_and_gradients(layout, strategy, max_hop, dilation, path,
                                                   importance, dtype):
    torch.manual_seed(0)
    layer = _random_layer(build_graph(layout, strategy, max_hop, dilation), dtype, path, importance)
    v = layer.num_nodes
    x = torch.randn(2, 3, 5, v, dtype=dtype, requires_grad=True)
    grad_out = torch.randn(2, 4, 5, v, dtype=dtype)

    # Independent reference: the original algorithm's A, densified importance, plain einsum.
    a = torch.as_tensor(reference_adjacency(*ALL_LAYOUTS[layout], strategy, max_hop, dilation),
                        dtype=dtype)
    m = torch.ones_like(a)
    if importance:
        src, dst = layer.edge_index
        m[layer.edge_type, src, dst] = layer.edge_importance.detach()
    m.requires_grad_(True)
    weight = layer.conv.weight.detach().clone().requires_grad_(True)
    bias = layer.conv.bias.detach().clone().requires_grad_(True)
    x_ref = x.detach().clone().requires_grad_(True)
    expected = reference_spatial(x_ref, weight, bias, a * m)
    expected.backward(grad_out)

    out = layer(x)
    out.backward(grad_out)
    tol = TOLERANCE[dtype]
    assert out.dtype == dtype
    torch.testing.assert_close(out, expected, atol=tol, rtol=0)
    torch.testing.assert_close(x.grad, x_ref.grad, atol=tol, rtol=0)
    torch.testing.assert_close(layer.conv.weight.grad, weight.grad, atol=tol, rtol=0)
    torch.testing.assert_close(layer.conv.bias.grad, bias.grad, atol=tol, rtol=0)
    if importance:
        src, dst = layer.edge_index
        torch.testing.assert_close(layer.edge_importance.grad,
                                   m.grad[layer.edge_type, src, dst], atol=tol, rtol=0)


@pytest.mark.parametrize("path", ["edge", "fused"])
def test_bias_is_applied_before_aggregation(path):
    # Zero weights: the output is the bias spread by the graph, sum_k b_k colsum(A_k)[w].
    graph = build_graph("ntu-rgb+d", "spatial")
    with default_dtype(torch.float64):
        layer = SpatialGraphConv(3, 2, graph, path=path)
    with torch.no_grad():
        layer.conv.weight.zero_()
        layer.conv.bias.copy_(torch.tensor([1.0, 0.0, 10.0, 0.0, 100.0, 0.0]))
        layer.edge_importance.fill_(2.0)
    out = layer(torch.randn(1, 3, 1, 25, dtype=torch.float64))
    a = torch.as_tensor(reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "spatial"))
    expected = 2.0 * (1.0 * a[0].sum(0) + 10.0 * a[1].sum(0) + 100.0 * a[2].sum(0))
    torch.testing.assert_close(out[0, 0, 0], expected, atol=1e-12, rtol=0)
    assert not torch.allclose(expected, expected.mean().expand(25))  # varies per node


@pytest.mark.parametrize("importance", [True, False])
def test_dense_conversion_round_trip(importance):
    torch.manual_seed(1)
    layer = _random_layer(build_graph("coco", "spatial", 2), torch.float64, "auto", importance)
    dense = layer.to_dense()
    assert isinstance(dense, DenseSpatialGraphConv)
    assert dense.conv.weight.dtype == torch.float64
    x = torch.randn(3, 3, 7, 17, dtype=torch.float64)
    torch.testing.assert_close(dense(x), layer(x), atol=1e-12, rtol=0)
    back = SpatialGraphConv.from_dense(dense)
    torch.testing.assert_close(back(x), layer(x), atol=1e-12, rtol=0)
    assert back.edge_index.shape == layer.edge_index.shape


def test_graph_is_not_copied_per_sample():
    layer = SpatialGraphConv(3, 4, build_graph("ntu-rgb+d"))
    assert layer.edge_index.shape == (2, 73)
    assert sum(b.numel() for b in layer.buffers()) == 73 * 4  # index (2), type, weight


def test_repr_and_reset():
    layer = SpatialGraphConv(3, 16, build_graph("openpose", "spatial"), path="edge")
    assert str(layer) == ("SpatialGraphConv(3, 16, num_partitions=3, num_nodes=18, num_edges=52, "
                          "edge_importance=True, path='edge')")
    with torch.no_grad():
        layer.edge_importance.zero_()
    layer.reset_parameters()
    assert torch.equal(layer.edge_importance, torch.ones(52))
    assert "DenseSpatialGraphConv(3, 16" in str(layer.to_dense())


@pytest.mark.parametrize("shape,match", [
    ((2, 3, 5), r"x: expected a 4-D tensor \[N, C, T, V\], got shape \[2, 3, 5\]"),
    ((2, 4, 5, 25), r"x: expected C=3 channels \(dim 1\), got shape \[2, 4, 5, 25\]"),
    ((2, 3, 5, 18), r"x: expected V=25 joints \(dim 3\) to match the graph, got shape \[2, 3, 5, 18\]"),
])
@pytest.mark.parametrize("cls", ["mp", "dense"])
def test_bad_input_shape(shape, match, cls):
    graph = build_graph("ntu-rgb+d")
    layer = SpatialGraphConv(3, 4, graph) if cls == "mp" else DenseSpatialGraphConv(3, 4, graph)
    with pytest.raises(ValueError, match=match):
        layer(torch.randn(shape))


def test_bad_path():
    with pytest.raises(ValueError, match=r"path: expected one of \['auto', 'edge', 'fused'\], got 'csr'"):
        SpatialGraphConv(3, 4, build_graph("ntu-rgb+d"), path="csr")


@pytest.mark.parametrize("cls", ["mp", "dense"])
def test_graph_weights_keep_float64_precision_after_double(cls):
    # Built in float32, cast with .double(): the graph weights must still be the exact
    # float64 ones (1/3, 1/5, ...), not float32-rounded values.
    graph = build_graph("ntu-rgb+d", "spatial", 2)
    layer = SpatialGraphConv(3, 4, graph) if cls == "mp" else DenseSpatialGraphConv(3, 4, graph)
    layer = layer.double()
    x = torch.randn(2, 3, 5, 25, dtype=torch.float64)
    a = torch.as_tensor(reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "spatial", 2))
    expected = reference_spatial(x, layer.conv.weight, layer.conv.bias, a)
    torch.testing.assert_close(layer(x), expected, atol=1e-12, rtol=0)
