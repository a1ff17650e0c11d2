from pathlib import Path

import pytest
import torch

from stgcn_pyg.graph import Skeleton, build_graph
from stgcn_pyg.models import STGCN, BlockSpec, load_model, load_model_and_metadata, save_model

FIXTURES = Path(__file__).parents[1] / "fixtures"
BLOCKS = [BlockSpec(8, 1, residual=False), BlockSpec(8, 2)]


@pytest.mark.parametrize("graph", [
    "openpose", build_graph("coco", "distance", 2),
    Skeleton.from_edge_list([(0, 1), (1, 2), (1, 3)], center=1, name="star"),
])
def test_save_load_round_trip(tmp_path, graph):
    model = STGCN(3, 4, graph, blocks=BLOCKS).double().eval()
    with torch.no_grad():
        model.blocks[0].importance.weight.uniform_()
    save_model(model, tmp_path / "model.pt")
    loaded = load_model(tmp_path / "model.pt").eval()
    x = torch.randn(2, 3, 6, model.num_nodes, dtype=torch.float64)
    assert loaded.head.weight.dtype == torch.float64
    torch.testing.assert_close(loaded(x), model(x), atol=0, rtol=0)
    assert torch.load(tmp_path / "model.pt", weights_only=True)["format"] == "stgcn-pyg/2"


def test_metadata_is_stored_beside_the_model(tmp_path):
    model = STGCN(3, 4, "openpose", blocks=BLOCKS)
    save_model(model, tmp_path / "plain.pt")
    save_model(model, tmp_path / "bone.pt", {"stream": "bone"})
    assert "metadata" not in torch.load(tmp_path / "plain.pt", weights_only=True)
    assert torch.load(tmp_path / "bone.pt", weights_only=True)["metadata"] == {"stream": "bone"}
    assert load_model(tmp_path / "bone.pt").num_classes == 4
    assert load_model_and_metadata(tmp_path / "bone.pt")[1] == {"stream": "bone"}
    assert load_model_and_metadata(tmp_path / "plain.pt")[1] == {}


def test_load_rejects_other_files(tmp_path):
    torch.save({"weights": torch.zeros(1)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match=r"checkpoint .*other.pt: expected format 'stgcn-pyg/2' or 'stgcn-pyg/1'"):
        load_model(tmp_path / "other.pt")
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_model(tmp_path / "absent.pt")


def test_unsaveable_factory_is_named():
    model = STGCN(3, 4, "openpose", blocks=BLOCKS,
                  temporal=lambda c, k, s: torch.nn.Conv2d(c, c, (k, 1), (s, 1), (k // 2, 0)))
    with pytest.raises(TypeError, match="temporal: a model built with the factory"):
        save_model(model, "unused.pt")


def test_checkpoint_without_layer_kwargs_loads(tmp_path):
    # Version-1 checkpoints written before the layer registry: no spatial/temporal keys at all.
    checkpoint = torch.load(FIXTURES / "checkpoint_v1_mp.pt", weights_only=True)
    for key in ("spatial", "spatial_kwargs", "temporal", "temporal_kwargs"):
        del checkpoint["config"][key]
    torch.save(checkpoint, tmp_path / "old.pt")
    recorded = torch.load(FIXTURES / "checkpoint_v1_mp_io.pt", weights_only=True)
    out = load_model(tmp_path / "old.pt").eval()(recorded["input"])
    torch.testing.assert_close(out, recorded["output"], atol=1e-6, rtol=0)



@pytest.mark.parametrize("name", ["mp", "dense", "adaptive"])
def test_version_1_checkpoints_load_with_identical_outputs(name):
    # Written by the release that copied the graph into every layer (stgcn-pyg/1), with
    # non-trivial importance, learned weights and BN statistics; outputs recorded then.
    import stgcn_pyg.nn.variants  # noqa: F401  (registers adaptive / mstcn)

    stored = torch.load(FIXTURES / f"checkpoint_v1_{name}.pt", weights_only=True)
    assert stored["format"] == "stgcn-pyg/1"
    assert {"blocks.0.gcn.edge_index", "blocks.0.gcn.adjacency"} & set(stored["state_dict"])
    model, metadata = load_model_and_metadata(FIXTURES / f"checkpoint_v1_{name}.pt")
    recorded = torch.load(FIXTURES / f"checkpoint_v1_{name}_io.pt", weights_only=True)
    # float32: equal up to the rounding of the thread count and kernel choice of this process
    torch.testing.assert_close(model.eval()(recorded["input"]), recorded["output"], atol=1e-6,
                               rtol=0)
    assert metadata == {"stream": "joint"} and "backend" not in model.config
    assert all(not list(block.gcn.buffers()) for block in model.blocks)


def test_version_1_checkpoint_saves_again_as_version_2(tmp_path):
    model = load_model(FIXTURES / "checkpoint_v1_dense.pt").eval()
    assert model.config["spatial"] == "dense"
    save_model(model, tmp_path / "v2.pt")
    again = load_model(tmp_path / "v2.pt").eval()
    x = torch.load(FIXTURES / "checkpoint_v1_dense_io.pt", weights_only=True)["input"]
    torch.testing.assert_close(again(x), model(x), atol=0, rtol=0)
