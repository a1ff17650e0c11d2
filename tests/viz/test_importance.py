import numpy as np
import pytest
import torch

from helpers import check_image
from stgcn_pyg.graph import to_dense_adjacency
from stgcn_pyg.models import STGCN, BlockSpec, save_model
from stgcn_pyg.viz import layer_weights, plot_importance

BLOCKS = [BlockSpec(8, 1, residual=False), BlockSpec(8, 2)]


@pytest.fixture
def model():
    torch.manual_seed(0)
    model = STGCN(3, 4, "kinect-v1", blocks=BLOCKS).double()
    with torch.no_grad():
        for block in model.blocks:
            block.importance.weight.uniform_(0.2, 2.0)
    return model


def test_layer_weights_are_importance_times_partition_weight(model):
    weights = layer_weights(model)
    adjacency = to_dense_adjacency(model.graph)
    assert weights.shape == (2,) + tuple(adjacency.shape)
    e = 7  # any edge entry
    k, src, dst = int(model.edge_type[e]), *model.edge_index[:, e].tolist()
    assert weights[1, k, src, dst] == pytest.approx(
        float(adjacency[k, src, dst] * model.blocks[1].importance.weight[e].detach()))
    assert ((weights != 0) == (adjacency != 0)).all()
    torch.testing.assert_close(layer_weights(model.to_backend("dense")), weights)


def test_layer_weights_without_importance_are_the_adjacency():
    model = STGCN(3, 4, "coco", blocks=BLOCKS, edge_importance=False, spatial="dense")
    torch.testing.assert_close(layer_weights(model)[0], to_dense_adjacency(model.graph))


def test_small_multiples_from_a_checkpoint(tmp_path, model):
    save_model(model, tmp_path / "model.pt")
    fig = plot_importance(tmp_path / "model.pt", tmp_path / "all.png")
    check_image(tmp_path / "all.png", (620, 320))
    assert "summed over partitions" in fig.axes[-1].get_ylabel()


@pytest.mark.parametrize("backend", ["mp", "dense"])
def test_one_layer_one_partition(tmp_path, model, backend):
    fig = plot_importance(model.to_backend(backend), tmp_path / "one.png", layer=1, partition=2,
                          labels="names")
    check_image(tmp_path / "one.png", (650, 650))
    assert "partition k=2 (hop1 outward)" in fig.axes[-1].get_ylabel()


def test_negative_weights_get_a_diverging_scale(model):
    with torch.no_grad():
        model.blocks[0].importance.weight[0] = -3.0
    fig = plot_importance(model)
    low, high = fig.axes[-1].get_ylim()
    assert low == pytest.approx(-high) and low < 0


def test_bad_input_is_named(model):
    with pytest.raises(ValueError, match=r"layer: expected a block index in 0..1, got 2"):
        plot_importance(model, layer=2)
    with pytest.raises(ValueError, match=r"partition: expected an index in 0..2, got 3"):
        plot_importance(model, partition=3)
    with pytest.raises(ValueError, match=r"pose: expected \[V=20, 2 or 3\]"):
        plot_importance(model, pose=np.zeros((25, 2)))



def test_layer_weights_of_any_spatial_layer_come_from_the_block_importance():
    # Importance lives on the block, so a PyG conv's model has pictures too.
    model = STGCN(3, 4, "kinect-v1", blocks=BLOCKS, spatial="gcn").double()
    with torch.no_grad():
        model.blocks[0].importance.weight.fill_(2.0)
    torch.testing.assert_close(layer_weights(model)[0], 2.0 * to_dense_adjacency(model.graph))


def test_a_model_on_a_bare_data_graph(tmp_path):
    from stgcn_pyg.graph import build_graph, from_dense_adjacency

    graph = from_dense_adjacency(to_dense_adjacency(build_graph("openpose", "distance")))
    model = STGCN(3, 4, graph, blocks=BLOCKS)
    fig = plot_importance(model, tmp_path / "bare.png", partition=1)
    check_image(tmp_path / "bare.png", (620, 320))
    assert fig.get_suptitle().startswith("custom graph, custom partitions")
