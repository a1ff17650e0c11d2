import pytest
import torch
from helpers import default_dtype
from reference import reference_spatial

from stgcn_pyg.graph import build_graph
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.nn import AdaptiveGraphConv, SpatialGraphConv

TOL = 1e-10  # float64


def _pair(path, importance, graph=None):
    graph = graph or build_graph("ntu-rgb+d", "spatial")
    torch.manual_seed(0)
    with default_dtype(torch.float64):
        base = SpatialGraphConv(3, 4, graph, edge_importance=importance, path=path)
        adaptive = AdaptiveGraphConv(3, 4, graph, learn_weights=False, edge_importance=importance,
                                     path=path)
    if importance:
        with torch.no_grad():
            base.edge_importance.uniform_(0.5, 1.5)
    adaptive.load_state_dict(base.state_dict())
    return base, adaptive


def _outputs_and_grads(layer, x, grad_out):
    x = x.clone().requires_grad_(True)
    out = layer(x)
    out.backward(grad_out)
    return out, x.grad, {name: p.grad for name, p in layer.named_parameters()}


@pytest.mark.parametrize("importance", [True, False], ids=["imp", "noimp"])
@pytest.mark.parametrize("path", ["edge", "fused"])
def test_adaptivity_off_is_spatial_graph_conv(path, importance):
    base, adaptive = _pair(path, importance)
    assert dict(base.named_parameters()).keys() == dict(adaptive.named_parameters()).keys()
    x = torch.randn(2, 3, 5, 25, dtype=torch.float64)
    grad_out = torch.randn(2, 4, 5, 25, dtype=torch.float64)
    out_b, gx_b, g_b = _outputs_and_grads(base, x, grad_out)
    out_a, gx_a, g_a = _outputs_and_grads(adaptive, x, grad_out)
    torch.testing.assert_close(out_a, out_b, atol=TOL, rtol=0)
    torch.testing.assert_close(gx_a, gx_b, atol=TOL, rtol=0)
    for name in g_b:
        torch.testing.assert_close(g_a[name], g_b[name], atol=TOL, rtol=0)


@pytest.mark.parametrize("path", ["edge", "fused"])
def test_fresh_adaptive_layer_starts_as_spatial_graph_conv(path):
    graph = build_graph("openpose", "spatial")
    torch.manual_seed(0)
    with default_dtype(torch.float64):
        base = SpatialGraphConv(3, 8, graph, edge_importance=False, path=path)
        adaptive = AdaptiveGraphConv(3, 8, graph, data_dependent=True, path=path)
    adaptive.conv.load_state_dict(base.conv.state_dict())
    x = torch.randn(2, 3, 6, 18, dtype=torch.float64)
    torch.testing.assert_close(adaptive(x), base(x), atol=TOL, rtol=0)


def _dense_reference(layer, x, weights, alpha, theta_w, theta_b, phi_w, phi_b, conv_w, conv_b):
    """Independent dense formulation: A from the learned edge weights, C_k as in 2s-AGCN."""
    k, v, ce = layer.num_partitions, layer.num_nodes, layer.embed_channels
    a = weights.new_zeros(k, v, v)
    for e, (src, dst) in enumerate(layer.edge_index.t().tolist()):
        a = a.index_put((layer.edge_type[e:e + 1], torch.tensor([src]), torch.tensor([dst])),
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


@pytest.mark.parametrize("importance", [False, True], ids=["noimp", "imp"])
@pytest.mark.parametrize("path", ["edge", "fused"])
def test_adaptive_layer_equals_dense_reference(path, importance):
    graph = build_graph("coco", "spatial", 2)
    torch.manual_seed(1)
    with default_dtype(torch.float64):
        layer = AdaptiveGraphConv(3, 8, graph, data_dependent=True, embed_channels=3,
                                  edge_importance=importance, path=path)
    with torch.no_grad():
        layer.adaptive_weight.uniform_(-0.5, 1.0)
        layer.alpha.fill_(0.7)
        if importance:
            layer.edge_importance.uniform_(0.5, 1.5)
    x = torch.randn(2, 3, 5, 17, dtype=torch.float64)
    grad_out = torch.randn(2, 8, 5, 17, dtype=torch.float64)
    out, gx, grads = _outputs_and_grads(layer, x, grad_out)

    leaves = {name: p.detach().clone().requires_grad_(True) for name, p in layer.named_parameters()}
    x_ref = x.clone().requires_grad_(True)
    weights = leaves["adaptive_weight"] * (leaves["edge_importance"] if importance else 1.0)
    expected = _dense_reference(layer, x_ref, weights, leaves["alpha"], leaves["theta.weight"],
                                leaves["theta.bias"], leaves["phi.weight"], leaves["phi.bias"],
                                leaves["conv.weight"], leaves["conv.bias"])
    expected.backward(grad_out)
    torch.testing.assert_close(out, expected, atol=TOL, rtol=0)
    torch.testing.assert_close(gx, x_ref.grad, atol=TOL, rtol=0)
    for name, leaf in leaves.items():
        torch.testing.assert_close(grads[name], leaf.grad, atol=TOL, rtol=0, msg=name)


def test_data_adjacency_is_normalized_over_sources():
    layer = AdaptiveGraphConv(3, 8, build_graph("openpose"), data_dependent=True)
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
    for name in ("adaptive_weight", "alpha", "theta.weight", "phi.weight"):
        assert gcn.get_parameter(name).grad.abs().sum() > 0, name
    assert not torch.equal(gcn.adaptive_weight, gcn.edge_weight)


def test_dense_conversion_and_repr():
    graph = build_graph("openpose", "spatial")
    off = AdaptiveGraphConv(3, 8, graph, learn_weights=False, edge_importance=True)
    x = torch.randn(1, 3, 4, 18)
    torch.testing.assert_close(off.to_dense()(x), off(x), atol=1e-5, rtol=0)
    with pytest.raises(TypeError, match="no DenseSpatialGraphConv equivalent"):
        AdaptiveGraphConv(3, 8, graph).to_dense()
    assert str(AdaptiveGraphConv(3, 8, graph, data_dependent=True)).endswith(
        "edge_importance=False, path='auto', learn_weights=True, embed_channels=2)")
