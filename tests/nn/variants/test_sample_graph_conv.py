"""SampleGraphConv (AAGCN's per-sample graph) against AAGCN's formula written densely, on the
edge path and on the dense all-pairs path, outputs and gradients in float64."""
import pytest
import torch

from helpers import assert_same_function
from stgcn_pyg.graph import build_graph, dense_adjacency
from stgcn_pyg.nn import SampleGraphConv


def _reference(layer, x, graph, weight):
    """``sum_k conv_k(x @ (A_k + alpha * tanh(theta_k^T phi_k / (C_e T))) ⊙ S_k) + sum_k b_k``
    with ``S`` the graph's (partition, source, target) entries."""
    n, c, t, v = x.shape
    k, e = layer.num_partitions, layer.embed_channels
    theta = layer.source_embed(x).view(n, k, e, t, v)
    phi = layer.target_embed(x).view(n, k, e, t, v)
    sample = torch.tanh(torch.einsum("nkctu,nkctv->nkuv", theta, phi) / (e * t))
    shared = dense_adjacency(graph.edge_index, graph.edge_type, weight, k, v)
    structure = dense_adjacency(graph.edge_index, graph.edge_type, torch.ones_like(weight), k, v)
    adjacency = (shared + layer.alpha * sample) * structure                 # [N, K, V, V]
    weights = layer.conv.weight.view(k, layer.out_channels, c)
    out = torch.einsum("koc,nctu,nkuv->notv", weights, x, adjacency)
    return out + layer.partition_bias.sum(0)[:, None, None]


@pytest.mark.parametrize("all_pairs,given", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("channels", [(6, 10), (10, 6)])
def test_outputs_and_gradients_equal_the_dense_formula(all_pairs, given, channels):
    graph = build_graph("kinect-v1", "agcn", all_pairs=all_pairs)
    torch.manual_seed(0)
    layer = SampleGraphConv(*channels, 3, graph=graph if given else None).double()
    with torch.no_grad():
        layer.alpha.fill_(0.7)
        layer.partition_bias.normal_()
    assert layer.dense_pairs == given
    x = torch.randn(3, channels[0], 7, 20, dtype=torch.float64, requires_grad=True)
    weight = (graph.edge_weight * (0.5 + torch.rand(graph.edge_weight.shape,
                                                    dtype=torch.float64))).requires_grad_()
    out = layer(x, graph.edge_index, graph.edge_type, weight)
    assert_same_function(out, _reference(layer, x, graph, weight),
                         [x, weight, *layer.parameters()], atol=1e-10)
