"""Standard PyG convs as spatial layers (FramewiseConv), against independent references."""
import pytest
import torch
from torch_geometric.nn import GATConv

from stgcn_pyg.graph import build_graph
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.nn import SPATIAL_LAYERS, FramewiseConv

PYG_LAYERS = ["gcn", "gat", "graphconv", "cheb"]


def _weights(graph, batch=None, seed=0):
    shape = (graph.edge_index.size(1),) if batch is None else (batch, graph.edge_index.size(1))
    factors = torch.empty(shape, dtype=torch.float64).uniform_(
        0.5, 1.5, generator=torch.Generator().manual_seed(seed))
    return graph.edge_weight * factors


def _dense_gcn_reference(x, edge_index, edge_weight, weight, bias):
    """GCN (Kipf & Welling) written densely: A + I (self-loops only where missing, weight 1),
    D^-1/2 (A + I) D^-1/2 with in-degrees, then einsum over joints."""
    n, c, t, v = x.shape
    batch = edge_weight.shape[:-1]
    a = torch.zeros(*batch, v, v, dtype=x.dtype)
    a[..., edge_index[0], edge_index[1]] = edge_weight
    has_loop = torch.zeros(v, dtype=torch.bool)
    has_loop[edge_index[0][edge_index[0] == edge_index[1]]] = True
    a = a + torch.diag((~has_loop).to(x.dtype))
    deg = a.sum(-2)  # in-degree of each target
    norm = deg.pow(-0.5)
    a_hat = norm.unsqueeze(-1) * a * norm.unsqueeze(-2)
    xw = torch.einsum("nctv,dc->ndtv", x, weight)
    equation = "ndtv,vw->ndtw" if a_hat.dim() == 2 else "ndtv,nvw->ndtw"
    return torch.einsum(equation, xw, a_hat) + bias.view(1, -1, 1, 1)


@pytest.mark.parametrize("per_sample", [False, True], ids=["shared", "per-sample"])
@pytest.mark.parametrize("layout,strategy", [("ntu-rgb+d", "spatial"), ("coco", "distance"),
                                             ("openpose", "uniform")])
def test_gcn_adapter_equals_dense_normalized_adjacency_einsum(layout, strategy, per_sample):
    graph = build_graph(layout, strategy)
    torch.manual_seed(0)
    layer = SPATIAL_LAYERS.get("gcn")(3, 5, graph.num_partitions).double()
    with torch.no_grad():
        layer.conv.bias.uniform_(-1, 1)
    x = torch.randn(2, 3, 4, graph.num_nodes, dtype=torch.float64, requires_grad=True)
    w = _weights(graph, 2 if per_sample else None)
    out = layer(x, graph.edge_index, graph.edge_type, w)
    x_ref = x.detach().clone().requires_grad_(True)
    expected = _dense_gcn_reference(x_ref, graph.edge_index, w, layer.conv.lin.weight,
                                    layer.conv.bias)
    torch.testing.assert_close(out, expected, atol=1e-10, rtol=0)
    out.square().sum().backward()
    expected.square().sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, atol=1e-10, rtol=0)


@pytest.mark.parametrize("heads", [1, 2])
def test_gat_adapter_equals_a_per_frame_loop_of_the_same_gatconv(heads):
    graph = build_graph("ntu-rgb+d", "spatial")
    torch.manual_seed(0)
    layer = SPATIAL_LAYERS.get("gat")(3, 4, graph.num_partitions, heads=heads).double()
    assert isinstance(layer.conv, GATConv) and layer.weight_argument == "edge_attr"
    x = torch.randn(2, 3, 5, 25, dtype=torch.float64)
    w = _weights(graph, batch=2)
    out = layer(x, graph.edge_index, graph.edge_type, w)
    frames = []
    for n in range(2):
        per_t = [layer.conv(x[n, :, t].t(), graph.edge_index, edge_attr=w[n].unsqueeze(-1))
                 for t in range(5)]
        frames.append(torch.stack(per_t, dim=1).permute(2, 1, 0))  # [C', T, V]
    torch.testing.assert_close(out, torch.stack(frames), atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", PYG_LAYERS)
def test_every_registered_pyg_layer_trains_in_a_model(name):
    torch.manual_seed(0)
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(8), BlockSpec(8, 2)], spatial=name)
    assert isinstance(model.blocks[0].gcn, FramewiseConv)
    x, y = torch.randn(2, 3, 6, 18), torch.tensor([0, 3])
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    # the block's importance reaches the conv through the edge weights (GAT: edge features)
    assert model.blocks[1].importance.weight.grad.abs().sum() > 0
    assert all(p.grad is not None for p in model.blocks[0].gcn.parameters())


def test_weights_are_not_passed_to_a_conv_that_takes_none():
    from torch_geometric.nn import SAGEConv

    layer = FramewiseConv(SAGEConv(3, 4))
    assert layer.weight_argument is None
    graph = build_graph("openpose")
    assert layer(torch.randn(1, 3, 2, 18), graph.edge_index, graph.edge_type,
                 graph.edge_weight).shape == (1, 4, 2, 18)


def test_built_graphs_have_one_entry_per_joint_pair():
    # The adapter passes all partitions' edges together: no pair may appear twice.
    for layout in ("ntu-rgb+d", "coco", "openpose"):
        for strategy in ("uniform", "distance", "spatial"):
            graph = build_graph(layout, strategy, 2)
            pairs = graph.edge_index[0] * graph.num_nodes + graph.edge_index[1]
            assert pairs.unique().numel() == pairs.numel()


def test_gat_heads_must_divide_the_channels():
    with pytest.raises(ValueError, match="heads: expected a divisor of out_channels=5, got 2"):
        SPATIAL_LAYERS.get("gat")(3, 5, 3, heads=2)
