import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import TOLERANCE, default_dtype
from reference import ALL_LAYOUTS, reference_adjacency, reference_spatial
from torch_geometric.data import Batch

from stgcn_pyg.graph import STRATEGIES, build_graph
from stgcn_pyg.nn import DenseSpatialGraphConv, GraphBound, SpatialGraphConv
from stgcn_pyg.nn.spatial_graph_conv import PATHS, segment_csr

GRAPHS = [(layout, strategy, max_hop, dilation) for layout in ALL_LAYOUTS
          for strategy in STRATEGIES for max_hop in (1, 2, 3)
          for dilation in range(1, max_hop + 1)]
LAYERS = {"mp": SpatialGraphConv, "dense": DenseSpatialGraphConv}


# C <= C' aggregates the input first; C > C' convolves first: both orders are proven. The
# convolve-first order (no preset block uses it) runs on two layouts by default, on all with -m slow.
CASES = [pytest.param(*graph, c_in, c_out, id=f"{'-'.join(map(str, graph))}-{order}",
                      marks=[pytest.mark.slow] if order == "conv_first"
                      and graph[0] not in ("ntu-rgb+d", "coco") else [])
         for graph in GRAPHS for order, (c_in, c_out) in
         (("agg_first", (3, 4)), ("conv_first", (5, 2)))]


def _layer(k, dtype, path, c_in=3, c_out=4):
    with default_dtype(dtype):
        return SpatialGraphConv(c_in, c_out, k, path=path)


def _importance_like(num_edges, batch=None, seed=0, channels=None):
    """Factors in [0.5, 1.5] (float64) that stand in for a learned importance: [E], [N, E]
    with ``batch``, [N, C, E] with ``channels`` too."""
    shape = (num_edges,) if batch is None else (batch, num_edges)
    if channels is not None:
        shape = (batch, channels, num_edges)
    return torch.empty(shape, dtype=torch.float64).uniform_(
        0.5, 1.5, generator=torch.Generator().manual_seed(seed))


def _check_against_reference(layer, graph, weight_factors, layout, strategy, max_hop, dilation,
                             dtype, n=2):
    """Outputs and every gradient vs the independent einsum (float64) of the same values."""
    c_in, c_out, v = layer.in_channels, layer.out_channels, graph.num_nodes
    x = torch.randn(n, c_in, 5, v, dtype=dtype, requires_grad=True)
    grad_out = torch.randn(n, c_out, 5, v, dtype=dtype)
    # Independent reference: the original algorithm's A times the densified factors, plain
    # einsum, evaluated in float64 from the same values, so a float32 comparison measures only
    # the layer's own rounding (the bar stays absolute: 1e-5 in float32, 1e-10 in float64).
    a = torch.as_tensor(reference_adjacency(*ALL_LAYOUTS[layout], strategy, max_hop, dilation))
    m = torch.ones(weight_factors.shape[:-1] + a.shape, dtype=torch.float64)
    src, dst = graph.edge_index
    m[..., graph.edge_type, src, dst] = weight_factors
    m.requires_grad_(True)
    weight = layer.conv.weight.detach().double().requires_grad_(True)
    bias = layer.conv.bias.detach().double().requires_grad_(True)
    x_ref = x.detach().double().requires_grad_(True)
    expected = reference_spatial(x_ref, weight, bias, a * m)
    expected.backward(grad_out.double())

    edge_weight = (graph.edge_weight * weight_factors).to(dtype).requires_grad_(True)
    out = layer(x, graph.edge_index, graph.edge_type, edge_weight)
    out.backward(grad_out)
    assert out.dtype == dtype
    def close(actual, reference):
        # absolute bar, scaled by the reference's magnitude above 1 (a float32 sum of many
        # terms, e.g. a weight gradient, is only resolved relative to its size)
        tol = TOLERANCE[dtype] * max(1.0, reference.abs().max().item())
        torch.testing.assert_close(actual.double(), reference, atol=tol, rtol=0)

    close(out, expected)
    close(x.grad, x_ref.grad)
    close(layer.conv.weight.grad, weight.grad)
    close(layer.conv.bias.grad, bias.grad)
    # d/d(edge_weight_e) = d/dM[k, src, dst] / A[k, src, dst]
    a_at_edges = a[graph.edge_type, src, dst]
    close(edge_weight.grad * a_at_edges, m.grad[..., graph.edge_type, src, dst])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("layout,strategy,max_hop,dilation,c_in,c_out", CASES)
def test_equals_dense_einsum_outputs_and_gradients(layout, strategy, max_hop, dilation, path,
                                                   c_in, c_out, dtype):
    torch.manual_seed(0)
    graph = build_graph(layout, strategy, max_hop, dilation)
    layer = _layer(graph.num_partitions, dtype, path, c_in, c_out)
    factors = _importance_like(graph.edge_index.size(1))
    _check_against_reference(layer, graph, factors, layout, strategy, max_hop, dilation, dtype)


PER_SAMPLE = [("ntu-rgb+d", "spatial", 1, 1), ("coco", "distance", 2, 1),
              ("openpose", "uniform", 1, 1), ("kinect-v1", "spatial", 3, 2)]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("c_in,c_out", [(3, 4), (5, 2)], ids=["c_in<c_out", "c_in>c_out"])
@pytest.mark.parametrize("layout,strategy,max_hop,dilation", PER_SAMPLE)
@pytest.mark.parametrize("per_channel", [False, True], ids=["per_sample", "per_channel"])
def test_per_sample_and_per_channel_edge_weight_equal_their_einsum(
        layout, strategy, max_hop, dilation, c_in, c_out, path, dtype, per_channel):
    # edge_weight [N, E]: sample n uses its own graph, einsum('nkctv,nkvw->nctw');
    # [N, C', E] (CTR-GCN's channel-wise topology): output channel c of sample n aggregates
    # over its own graph, einsum('nkctv,nckvw->nctw').
    torch.manual_seed(0)
    graph = build_graph(layout, strategy, max_hop, dilation)
    layer = _layer(graph.num_partitions, dtype, path, c_in, c_out)
    factors = _importance_like(graph.edge_index.size(1), batch=3,
                               channels=c_out if per_channel else None)
    _check_against_reference(layer, graph, factors, layout, strategy, max_hop, dilation, dtype,
                             n=3)


def test_per_channel_edge_weight_needs_the_output_channels():
    graph = build_graph("ntu-rgb+d")
    layer = SpatialGraphConv(3, 4, graph.num_partitions)
    weight = torch.ones(2, 3, graph.edge_index.size(1))
    with pytest.raises(ValueError, match=r"edge_weight: expected \[N, C', E\] with C'=4"):
        layer(torch.randn(2, 3, 5, 25), graph.edge_index, graph.edge_type, weight)


@pytest.mark.parametrize("name", ["mp", "dense"])
def test_dense_layer_is_the_same_function_with_the_same_parameters(name):
    graph = build_graph("coco", "spatial", 2)
    torch.manual_seed(1)
    with default_dtype(torch.float64):
        layer = LAYERS[name](3, 4, graph.num_partitions)
    factors = _importance_like(graph.edge_index.size(1))
    _check_against_reference(layer, graph, factors, "coco", "spatial", 2, 1, torch.float64)


def test_both_layers_draw_the_same_initial_weights():
    torch.manual_seed(3)
    mp = SpatialGraphConv(3, 8, 3)
    torch.manual_seed(3)
    dense = DenseSpatialGraphConv(3, 8, 3)
    assert mp.state_dict().keys() == dense.state_dict().keys()
    for key, value in mp.state_dict().items():
        torch.testing.assert_close(value, dense.state_dict()[key], atol=0, rtol=0)


@pytest.mark.parametrize("path", PATHS)
def test_batch_of_skeletons_in_one_call_equals_per_skeleton_calls(path):
    # A PyG Batch (disjoint union) of three different skeletons, x [N, C, T, sum V].
    graphs = [build_graph("ntu-rgb+d", "spatial"), build_graph("coco", "spatial"),
              build_graph("openpose", "spatial")]
    batch = Batch.from_data_list(graphs)
    torch.manual_seed(0)
    layer = _layer(3, torch.float64, path)
    xs = [torch.randn(2, 3, 4, g.num_nodes, dtype=torch.float64) for g in graphs]
    together = layer(torch.cat(xs, dim=-1), batch.edge_index, batch.edge_type, batch.edge_weight)
    apart = torch.cat([layer(x, g.edge_index, g.edge_type, g.edge_weight)
                       for x, g in zip(xs, graphs)], dim=-1)
    torch.testing.assert_close(together, apart, atol=1e-12, rtol=0)
    assert batch.edge_type.max() == 2  # not shifted by PyG's batching: not an *index* name


@pytest.mark.parametrize("num_nodes,expected", [(25, "fused"), (1600, "fused"), (2000, "edge")])
def test_auto_path_follows_the_density_threshold_and_equals_dense(num_nodes, expected):
    # Skeleton-like trees: sparse enough from V ~ 1900 (density < 0.0008) for the edge path.
    from stgcn_pyg.bench.scaling import random_tree

    torch.manual_seed(0)
    graph = build_graph(random_tree(num_nodes), "distance")
    layer = _layer(graph.num_partitions, torch.float64, "auto", 2, 3)
    assert layer.resolved_path(graph.edge_index.size(1), num_nodes) == expected
    dense = DenseSpatialGraphConv(2, 3, graph.num_partitions).double()
    dense.load_state_dict(layer.state_dict())
    x = torch.randn(1, 2, 2, num_nodes, dtype=torch.float64, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    w = (graph.edge_weight * _importance_like(graph.edge_index.size(1))).requires_grad_(True)
    w_ref = w.detach().clone().requires_grad_(True)
    out = layer(x, graph.edge_index, graph.edge_type, w)
    ref = dense(x_ref, graph.edge_index, graph.edge_type, w_ref)
    torch.testing.assert_close(out, ref, atol=1e-10, rtol=0)
    out.square().sum().backward()
    ref.square().sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, atol=1e-10, rtol=0)
    torch.testing.assert_close(w.grad, w_ref.grad, atol=1e-10, rtol=0)


@pytest.mark.parametrize("c_in", [1, 3])
@pytest.mark.parametrize("path", PATHS)
def test_bias_is_applied_before_aggregation(path, c_in):
    # Zero weights: the output is the bias spread by the graph, sum_k b_k colsum(A_k)[w].
    graph = build_graph("ntu-rgb+d", "spatial")
    layer = _layer(3, torch.float64, path, c_in, 2)
    with torch.no_grad():
        layer.conv.weight.zero_()
        layer.conv.bias.copy_(torch.tensor([1.0, 0.0, 10.0, 0.0, 100.0, 0.0]))
    out = layer(torch.randn(1, c_in, 1, 25, dtype=torch.float64), graph.edge_index,
                graph.edge_type, 2.0 * graph.edge_weight)
    a = torch.as_tensor(reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "spatial"))
    expected = 2.0 * (1.0 * a[0].sum(0) + 10.0 * a[1].sum(0) + 100.0 * a[2].sum(0))
    torch.testing.assert_close(out[0, 0, 0], expected, atol=1e-12, rtol=0)
    assert not torch.allclose(expected, expected.mean().expand(25))  # varies per node


@pytest.mark.parametrize("name", ["mp", "dense"])
def test_missing_edge_weight_means_ones(name):
    graph = build_graph("openpose", "distance")
    layer = LAYERS[name](3, 4, 2).double()
    x = torch.randn(2, 3, 4, 18, dtype=torch.float64)
    ones = torch.ones(graph.edge_index.size(1), dtype=torch.float64)
    torch.testing.assert_close(layer(x, graph.edge_index, graph.edge_type),
                               layer(x, graph.edge_index, graph.edge_type, ones), atol=0, rtol=0)


def test_layer_holds_no_graph():
    layer = SpatialGraphConv(3, 4, 3)
    assert list(layer.buffers()) == []
    assert {name for name, _ in layer.named_parameters()} == {"conv.weight", "conv.bias"}


def test_graph_bound_convenience_holds_the_graph_once_and_follows_double():
    graph = build_graph("ntu-rgb+d", "spatial", 2)
    conv = GraphBound(SpatialGraphConv(3, 4, graph.num_partitions), graph).double()
    assert sorted(conv.state_dict()) == ["edge_index", "edge_type", "edge_weight",
                                         "layer.conv.bias", "layer.conv.weight"]
    x = torch.randn(2, 3, 5, 25, dtype=torch.float64)
    # the graph weights are the exact float64 ones (1/3, 1/5, ...), not float32-rounded
    a = torch.as_tensor(reference_adjacency(*ALL_LAYOUTS["ntu-rgb+d"], "spatial", 2))
    expected = reference_spatial(x, conv.layer.conv.weight, conv.layer.conv.bias, a)
    torch.testing.assert_close(conv(x), expected, atol=1e-12, rtol=0)


def test_repr_and_reset():
    layer = SpatialGraphConv(3, 16, 3, path="edge")
    assert str(layer) == "SpatialGraphConv(3, 16, num_partitions=3, path='edge')"
    assert str(DenseSpatialGraphConv(3, 16, 3)) == "DenseSpatialGraphConv(3, 16, num_partitions=3)"
    before = layer.conv.weight.clone()
    layer.reset_parameters()
    assert not torch.equal(before, layer.conv.weight)


GRAPH = build_graph("ntu-rgb+d")  # K = 3, E = 73, V = 25


@pytest.mark.parametrize("x_shape,graph_change,error,match", [
    ((2, 3, 5), {}, ValueError, r"x: expected a 4-D tensor \[N, C, T, V\], got shape \[2, 3, 5\]"),
    ((2, 4, 5, 25), {}, ValueError, r"x: expected C=3 channels \(dim 1\), got shape \[2, 4, 5, 25\]"),
    ((2, 3, 5, 18), {}, ValueError,
     r"edge_index: expected node indices in \[0, 17\] \(V=18 joints in x dim 3\), got values in \[0, 24\]"),
    ((2, 3, 5, 25), {"edge_index": GRAPH.edge_index[:1]}, ValueError,
     r"edge_index: expected shape \[2, E\], got \[1, 73\]"),
    ((2, 3, 5, 25), {"edge_index": GRAPH.edge_index.double()}, TypeError,
     r"edge_index: expected an integer tensor, got torch.float64"),
    ((2, 3, 5, 25), {"edge_type": GRAPH.edge_type[:70]}, ValueError,
     r"edge_type: expected shape \[E\] = \[73\] \(one partition per edge of edge_index\), got \[70\]"),
    ((2, 3, 5, 25), {"edge_type": GRAPH.edge_type + 1}, ValueError,
     r"edge_type: expected partitions in \[0, 2\] \(the layer's num_partitions=3\), got values in \[1, 3\]"),
    ((2, 3, 5, 25), {"edge_weight": torch.ones(72)}, ValueError,
     r"edge_weight: expected shape \[E\] = \[73\], \[N, E\] = \[2, 73\] or \[N, C, E\] = \[2, C, 73\], got \[72\]"),
    ((2, 3, 5, 25), {"edge_weight": torch.ones(3, 73)}, ValueError,
     r"edge_weight: expected shape \[E\] = \[73\], \[N, E\] = \[2, 73\] or \[N, C, E\] = \[2, C, 73\], got \[3, 73\]"),
])
@pytest.mark.parametrize("name", ["mp", "dense"])
def test_bad_input_names_the_argument(x_shape, graph_change, error, match, name):
    layer = LAYERS[name](3, 4, 3)
    graph = {"edge_index": GRAPH.edge_index, "edge_type": GRAPH.edge_type,
             "edge_weight": GRAPH.edge_weight, **graph_change}
    with pytest.raises(error, match=match):
        layer(torch.randn(x_shape), **graph)


@pytest.mark.parametrize("argument,value,match", [
    ("path", "csr", r"path: expected one of \['auto', 'edge', 'fused', 'scatter'\], got 'csr'"),
    ("num_partitions", 0, r"num_partitions: expected an int >= 1, got 0"),
])
def test_bad_constructor_arguments(argument, value, match):
    kwargs = {"num_partitions": 3, argument: value}
    with pytest.raises(ValueError, match=match):
        SpatialGraphConv(3, 4, **kwargs)


def _scatter_layer_and_graph():
    graph = build_graph("coco", "spatial")
    torch.manual_seed(0)
    layer = _layer(graph.num_partitions, torch.float64, "scatter")
    dense = DenseSpatialGraphConv(3, 4, graph.num_partitions).double()
    dense.load_state_dict(layer.state_dict())
    args = (graph.edge_index, graph.edge_type, graph.edge_weight)
    return layer, dense, args


@pytest.mark.skipif(segment_csr is None, reason="torch-scatter is not installed")
def test_scatter_path_uses_segment_csr_when_installed(monkeypatch):
    import stgcn_pyg.nn.spatial_graph_conv as module

    calls = []
    monkeypatch.setattr(module, "segment_csr", lambda *a: calls.append(1) or segment_csr(*a))
    layer, dense, args = _scatter_layer_and_graph()
    x = torch.randn(2, 3, 4, 17, dtype=torch.float64)
    torch.testing.assert_close(layer(x, *args), dense(x, *args), atol=1e-10, rtol=0)
    assert calls


def test_scatter_path_falls_back_to_pyg_scatter_without_torch_scatter(monkeypatch):
    import stgcn_pyg.nn.spatial_graph_conv as module

    monkeypatch.setattr(module, "segment_csr", None)
    layer, dense, args = _scatter_layer_and_graph()
    x = torch.randn(2, 3, 4, 17, dtype=torch.float64)
    torch.testing.assert_close(layer(x, *args), dense(x, *args), atol=1e-10, rtol=0)


def test_layer_imports_and_runs_when_torch_scatter_cannot_be_imported():
    code = ("import sys; sys.modules['torch_scatter'] = None\n"
            "import torch\n"
            "import stgcn_pyg.nn.spatial_graph_conv as m\n"
            "from stgcn_pyg.graph import build_graph\n"
            "from stgcn_pyg.nn import DenseSpatialGraphConv\n"
            "assert m.segment_csr is None\n"
            "g = build_graph('ntu-rgb+d')\n"
            "layer = m.SpatialGraphConv(3, 4, 3, path='scatter')\n"
            "dense = DenseSpatialGraphConv(3, 4, 3)\n"
            "dense.load_state_dict(layer.state_dict())\n"
            "x = torch.randn(1, 3, 2, 25)\n"
            "args = (g.edge_index, g.edge_type, g.edge_weight)\n"
            "torch.testing.assert_close(layer(x, *args), dense(x, *args), atol=1e-5, rtol=0)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
