import pytest
import torch
from helpers import default_dtype
from reference import reference_spatial

from stgcn_pyg.graph import build_graph
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.nn import AdaptiveGraphConv, SpatialGraphConv

TOL = 1e-10  # float64


def _graph_args(graph, batch=None):
    """The graph with importance-like weights, [E] or per sample [N, E]."""
    shape = (graph.edge_index.size(1),) if batch is None else (batch, graph.edge_index.size(1))
    factors = torch.empty(shape, dtype=torch.float64).uniform_(
        0.5, 1.5, generator=torch.Generator().manual_seed(0))
    return graph.edge_index, graph.edge_type, graph.edge_weight * factors


def _outputs_and_grads(layer, x, grad_out, args):
    x = x.clone().requires_grad_(True)
    out = layer(x, *args)
    out.backward(grad_out)
    return out, x.grad, {name: p.grad for name, p in layer.named_parameters()}


@pytest.mark.parametrize("per_sample", [False, True], ids=["shared", "per-sample"])
@pytest.mark.parametrize("path", ["edge", "fused"])
def test_adaptivity_off_is_spatial_graph_conv(path, per_sample):
    graph = build_graph("ntu-rgb+d", "spatial")
    torch.manual_seed(0)
    with default_dtype(torch.float64):
        base = SpatialGraphConv(3, 4, 3, path=path)
        adaptive = AdaptiveGraphConv(3, 4, 3, learn_weights=False, path=path)
    adaptive.load_state_dict(base.state_dict())
    assert dict(base.named_parameters()).keys() == dict(adaptive.named_parameters()).keys()
    args = _graph_args(graph, 2 if per_sample else None)
    x = torch.randn(2, 3, 5, 25, dtype=torch.float64)
    grad_out = torch.randn(2, 4, 5, 25, dtype=torch.float64)
    out_b, gx_b, g_b = _outputs_and_grads(base, x, grad_out, args)
    out_a, gx_a, g_a = _outputs_and_grads(adaptive, x, grad_out, args)
    torch.testing.assert_close(out_a, out_b, atol=TOL, rtol=0)
    torch.testing.assert_close(gx_a, gx_b, atol=TOL, rtol=0)
    for name in g_b:
        torch.testing.assert_close(g_a[name], g_b[name], atol=TOL, rtol=0)


@pytest.mark.parametrize("path", ["edge", "fused"])
def test_fresh_adaptive_layer_starts_as_spatial_graph_conv(path):
    graph = build_graph("openpose", "spatial")
    torch.manual_seed(0)
    with default_dtype(torch.float64):
        base = SpatialGraphConv(3, 8, 3, path=path)
        adaptive = AdaptiveGraphConv(3, 8, 3, graph, data_dependent=True, path=path)
    adaptive.conv.load_state_dict(base.conv.state_dict())
    x = torch.randn(2, 3, 6, 18, dtype=torch.float64)
    args = _graph_args(graph)
    torch.testing.assert_close(adaptive(x, *args), base(x, *args), atol=TOL, rtol=0)


def _dense_reference(graph, k, ce, x, weights, alpha, theta_w, theta_b, phi_w, phi_b, conv_w,
                     conv_b):
    """Independent dense formulation: A from the effective edge weights, C_k as in 2s-AGCN."""
    v = graph.num_nodes
    a = weights.new_zeros(k, v, v)
    for e, (src, dst) in enumerate(graph.edge_index.t().tolist()):
        a = a.index_put((graph.edge_type[e:e + 1], torch.tensor([src]), torch.tensor([dst])),
                        weights[e:e + 1], accumulate=True)
    out = reference_spatial(x, conv_w, conv_b, a)
    n, _, t, _ = x.shape
    y = torch.nn.functional.conv2d(x, conv_w, conv_b).view(n, k, -1, t, v)
    for kk in range(k):
        th = torch.nn.functional.conv2d(x, theta_w, theta_b)[:, kk * ce:(kk + 1) * ce]
        ph = torch.nn.functional.conv2d(x, phi_w, phi_b)[:, kk * ce:(kk + 1) * ce]
        left = th.permute(0, 3, 1, 2).reshape(n, v, ce * t)     # [N, V, Ce*T]
        right = ph.reshape(n, ce * t, v)                         # [N, Ce*T, V]
        c = torch.softmax(left @ right / (ce * t), dim=-2)       # normalized over sources
        out = out + alpha * (y[:, kk].reshape(n, -1, v) @ c).view(n, -1, t, v)
    return out


@pytest.mark.parametrize("path", ["edge", "fused"])
def test_adaptive_layer_equals_dense_reference(path):
    graph = build_graph("coco", "spatial", 2)
    torch.manual_seed(1)
    with default_dtype(torch.float64):
        layer = AdaptiveGraphConv(3, 8, graph.num_partitions, graph, data_dependent=True,
                                  embed_channels=3, path=path)
    with torch.no_grad():
        layer.edge_offset.uniform_(-0.5, 1.0)
        layer.alpha.fill_(0.7)
    x = torch.randn(2, 3, 5, 17, dtype=torch.float64)
    grad_out = torch.randn(2, 8, 5, 17, dtype=torch.float64)
    args = _graph_args(graph)
    out, gx, grads = _outputs_and_grads(layer, x, grad_out, args)

    leaves = {name: p.detach().clone().requires_grad_(True) for name, p in layer.named_parameters()}
    x_ref = x.clone().requires_grad_(True)
    weights = args[2] + leaves["edge_offset"]  # 2s-AGCN's A + B, on the graph's edges
    expected = _dense_reference(graph, graph.num_partitions, 3, x_ref, weights, leaves["alpha"],
                                leaves["theta.weight"], leaves["theta.bias"], leaves["phi.weight"],
                                leaves["phi.bias"], leaves["conv.weight"], leaves["conv.bias"])
    expected.backward(grad_out)
    torch.testing.assert_close(out, expected, atol=TOL, rtol=0)
    torch.testing.assert_close(gx, x_ref.grad, atol=TOL, rtol=0)
    for name, leaf in leaves.items():
        torch.testing.assert_close(grads[name], leaf.grad, atol=TOL, rtol=0, msg=name)


def test_data_adjacency_is_normalized_over_sources():
    layer = AdaptiveGraphConv(3, 8, 3, build_graph("openpose"), data_dependent=True)
    c = layer.data_adjacency(torch.randn(2, 3, 7, 18))
    assert c.shape == (2, 3, 18, 18)  # spatial strategy: K = 3
    torch.testing.assert_close(c.sum(dim=2), torch.ones(2, 3, 18))


def test_all_adaptive_parameters_learn():
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(8), BlockSpec(8)], spatial="adaptive",
                  spatial_kwargs={"data_dependent": True})
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(4, 3, 8, 18), torch.tensor([0, 1, 2, 3])
    for _ in range(2):  # alpha starts at 0: the embeddings get gradients from the 2nd step
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    gcn = model.blocks[1].gcn
    for name in ("edge_offset", "alpha", "theta.weight", "phi.weight"):
        assert gcn.get_parameter(name).grad.abs().sum() > 0, name
    assert gcn.edge_offset.abs().sum() > 0


def test_bad_arguments_and_repr():
    with pytest.raises(ValueError, match="graph: learn_weights=True needs the graph"):
        AdaptiveGraphConv(3, 8, 3)
    graph = build_graph("openpose", "spatial")
    assert str(AdaptiveGraphConv(3, 8, 3, graph, data_dependent=True)) == (
        "AdaptiveGraphConv(3, 8, num_partitions=3, path='auto', learn_weights=True, "
        "embed_channels=2)")
