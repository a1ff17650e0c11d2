import pytest
import torch

from stgcn_pyg.graph import Skeleton, build_graph
from stgcn_pyg.models import STGCN, BlockSpec, load_model, load_model_and_metadata, save_model

BLOCKS = [BlockSpec(8, 1, residual=False), BlockSpec(8, 2)]


@pytest.mark.parametrize("graph", [
    "openpose", build_graph("coco", "distance", 2),
    Skeleton.from_edge_list([(0, 1), (1, 2), (1, 3)], center=1, name="star"),
])
def test_save_load_round_trip(tmp_path, graph):
    model = STGCN(3, 4, graph, blocks=BLOCKS).double().eval()
    with torch.no_grad():
        model.blocks[0].gcn.edge_importance.uniform_()
    save_model(model, tmp_path / "model.pt")
    loaded = load_model(tmp_path / "model.pt").eval()
    x = torch.randn(2, 3, 6, model.num_nodes, dtype=torch.float64)
    assert loaded.head.weight.dtype == torch.float64
    torch.testing.assert_close(loaded(x), model(x), atol=0, rtol=0)
    assert torch.load(tmp_path / "model.pt", weights_only=True)["format"] == "stgcn-pyg/1"


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
    with pytest.raises(ValueError, match=r"checkpoint .*other.pt: expected format 'stgcn-pyg/1'"):
        load_model(tmp_path / "other.pt")
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_model(tmp_path / "absent.pt")


def test_unsaveable_factory_is_named():
    model = STGCN(3, 4, "openpose", blocks=BLOCKS,
                  temporal=lambda c, k, s: torch.nn.Conv2d(c, c, (k, 1), (s, 1), (k // 2, 0)))
    with pytest.raises(TypeError, match="temporal: a model built with the factory"):
        save_model(model, "unused.pt")


def test_checkpoint_without_layer_kwargs_loads(tmp_path):
    # Checkpoints written before the layer registry: spatial/temporal None, no *_kwargs keys.
    model = STGCN(3, 4, "openpose", blocks=BLOCKS).eval()
    save_model(model, tmp_path / "model.pt")
    checkpoint = torch.load(tmp_path / "model.pt", weights_only=True)
    for key in ("spatial_kwargs", "temporal_kwargs"):
        del checkpoint["config"][key]
    assert checkpoint["config"]["spatial"] is None and checkpoint["config"]["temporal"] is None
    torch.save(checkpoint, tmp_path / "old.pt")
    x = torch.randn(1, 3, 6, 18)
    torch.testing.assert_close(load_model(tmp_path / "old.pt").eval()(x), model(x))
