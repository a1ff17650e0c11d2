"""ChannelTopologyConv (CTR-GCN's refinement) against CTR-GCN's formula written densely, on the
edge path and on the dense all-pairs path, outputs and gradients in float64."""
import pytest
import torch
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks

from helpers import assert_same_function
from reference import reference_spatial
from stgcn_pyg.graph import build_graph, dense_adjacency
from stgcn_pyg.nn.variants.channel_topology_conv import ChannelTopologyConv


def _reference(layer, x, graph, weight):
    """``einsum('nkctv,nckvw->nctw')`` with ``A_k + alpha * W4_k tanh(phi_u - psi_v)`` on the
    graph's (partition, source, target) entries, computed from the layer's parameters."""
    n, _, _, v = x.shape
    k, r, c_out = layer.num_partitions, layer.relation_channels, layer.out_channels
    phi = layer.source_embed(x).mean(dim=2).view(n, k * r, v)
    psi = layer.target_embed(x).mean(dim=2).view(n, k * r, v)
    relation = torch.tanh(phi[..., :, None] - psi[..., None, :])           # [N, K·R, u, v]
    refined = layer.expand(relation).view(n, k, c_out, v, v).transpose(1, 2)  # [N, C', K, u, v]
    shared = dense_adjacency(graph.edge_index, graph.edge_type, weight, k, v)
    structure = dense_adjacency(graph.edge_index, graph.edge_type, torch.ones_like(weight), k, v)
    adjacency = (shared + layer.alpha * refined) * structure
    return reference_spatial(x, layer.conv.weight, layer.conv.bias, adjacency)


def _layer(graph=None, c_in=6, c_out=10):
    torch.manual_seed(0)
    layer = ChannelTopologyConv(c_in, c_out, 3, graph=graph).double()
    with torch.no_grad():
        layer.alpha.fill_(0.7)
        layer.conv.bias.normal_()
    return layer


@pytest.mark.parametrize("all_pairs,given", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("channels", [(6, 10), (10, 6)])
def test_outputs_and_gradients_equal_the_dense_formula(all_pairs, given, channels):
    graph = build_graph("kinect-v1", "agcn", all_pairs=all_pairs)
    layer = _layer(graph if given else None, *channels)
    assert layer.dense_pairs == given
    x = torch.randn(3, channels[0], 7, 20, dtype=torch.float64, requires_grad=True)
    weight = (graph.edge_weight * (0.5 + torch.rand(graph.edge_weight.shape,
                                                    dtype=torch.float64))).requires_grad_()
    out = layer(x, graph.edge_index, graph.edge_type, weight)
    assert_same_function(out, _reference(layer, x, graph, weight),
                         [x, weight, *layer.parameters()], atol=1e-10)


def test_the_dense_path_honours_an_explainer_mask_as_the_edge_path_does():
    graph = build_graph("kinect-v1", "agcn", all_pairs=True)
    edges, dense = _layer(), _layer(graph)
    x = torch.randn(2, 6, 5, 20, dtype=torch.float64)
    mask = torch.rand(graph.edge_index.size(1), dtype=torch.float64)
    outputs = []
    for layer in (edges, dense):
        set_masks(layer, mask, graph.edge_index, apply_sigmoid=False)
        outputs.append(layer(x, graph.edge_index, graph.edge_type, graph.edge_weight))
        clear_masks(layer)
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=1e-12)


def test_a_skeleton_graph_keeps_the_edge_path_and_the_dense_path_checks_the_graph():
    assert not _layer(build_graph("kinect-v1", "agcn")).dense_pairs  # not every pair
    dense = _layer(build_graph("kinect-v1", "agcn", all_pairs=True))
    skeleton = build_graph("kinect-v1", "agcn")
    with pytest.raises(ValueError, match=r"built for the all-pairs graph of K·V·V = 1200 edges, "
                                         r"got \d+"):
        dense(torch.randn(1, 6, 4, 20, dtype=torch.float64), skeleton.edge_index,
              skeleton.edge_type, skeleton.edge_weight)
