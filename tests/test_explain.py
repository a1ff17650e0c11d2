"""PyG's explainers on skeleton clips: the edge mask reaches SpatialGraphConv on every path (a
zero entry removes the edge exactly, checked against the dense einsum), the node-major wrapper
is the model, and on a model trained on synthetic actions decided by the right arm, the
attribution methods rank the right arm's joints highest."""
import numpy as np
import pytest
import torch
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks

from helpers import check_image
from reference import reference_spatial
from stgcn_pyg.cli import main
from stgcn_pyg.data.synthetic import ACTIONS, synthesize
from stgcn_pyg.explain import NodeMajorClip, explain_clip
from stgcn_pyg.graph import build_graph, dense_adjacency
from stgcn_pyg.models import STGCN, save_model
from stgcn_pyg.nn import SpatialGraphConv
from stgcn_pyg.viz import bone_mask, plot_explanation

RIGHT_ARM = [8, 9, 10, 11, 23, 24]  # NTU: shoulder, elbow, wrist, hand, hand tip, thumb


def _weights(kind, graph, n, c_out, generator):
    e = graph.edge_index.size(1)
    base = graph.edge_weight.double()
    shape = {"shared": (e,), "per_sample": (n, e), "per_channel": (n, c_out, e)}[kind]
    return base * (0.5 + torch.rand(shape, generator=generator, dtype=torch.float64))


@pytest.mark.parametrize("path", ["edge", "fused", "scatter"])
@pytest.mark.parametrize("kind", ["shared", "per_sample", "per_channel"])
@pytest.mark.parametrize("channels", [(3, 8), (8, 3)])  # both orders of aggregate / convolve
def test_an_edge_mask_scales_every_edge_on_every_path(path, kind, channels):
    generator = torch.Generator().manual_seed(0)
    graph = build_graph("ntu-rgb+d", "spatial")
    layer = SpatialGraphConv(*channels, num_partitions=3, path=path).double()
    x = torch.randn(2, channels[0], 5, 25, generator=generator, dtype=torch.float64)
    weight = _weights(kind, graph, 2, channels[1], generator)
    mask = torch.rand(graph.edge_index.size(1), generator=generator, dtype=torch.float64)
    mask[::3] = 0.0
    set_masks(layer, mask, graph.edge_index, apply_sigmoid=False)
    masked = layer(x, graph.edge_index, graph.edge_type, weight)
    clear_masks(layer)
    adjacency = dense_adjacency(graph.edge_index, graph.edge_type, weight * mask, 3, 25)
    expected = reference_spatial(x, layer.conv.weight, layer.conv.bias, adjacency)
    torch.testing.assert_close(masked, expected, rtol=0, atol=1e-12)

    keep = mask != 0  # a zero entry is the edge removed, a one the edge as it was
    set_masks(layer, keep.double(), graph.edge_index, apply_sigmoid=False)
    masked = layer(x, graph.edge_index, graph.edge_type, weight)
    clear_masks(layer)
    removed = layer(x, graph.edge_index[:, keep], graph.edge_type[keep], weight[..., keep])
    torch.testing.assert_close(masked, removed, rtol=0, atol=1e-12)
    assert not layer.explain  # cleared: the plain layer again
    torch.testing.assert_close(layer(x, graph.edge_index, graph.edge_type, weight),
                               reference_spatial(x, layer.conv.weight, layer.conv.bias,
                                                 dense_adjacency(graph.edge_index,
                                                                 graph.edge_type, weight, 3, 25)),
                               rtol=0, atol=1e-12)


def test_the_sigmoid_of_a_learned_mask_and_a_wrong_sized_mask():
    graph = build_graph("ntu-rgb+d", "spatial")
    layer = SpatialGraphConv(3, 4, num_partitions=3).double()
    x = torch.randn(1, 3, 4, 25, dtype=torch.float64)
    logits = torch.randn(graph.edge_index.size(1), dtype=torch.float64)
    set_masks(layer, logits, graph.edge_index, apply_sigmoid=True)
    out = layer(x, graph.edge_index, graph.edge_type, graph.edge_weight)
    adjacency = dense_adjacency(graph.edge_index, graph.edge_type,
                                graph.edge_weight * logits.sigmoid(), 3, 25)
    torch.testing.assert_close(out, reference_spatial(x, layer.conv.weight, layer.conv.bias,
                                                      adjacency), rtol=0, atol=1e-12)
    set_masks(layer, logits[:10], graph.edge_index[:, :10])
    with pytest.raises(ValueError, match=r"edge mask: expected one entry per edge of the graph "
                                         r"given to the layer \(\[73\]\), got \[10\]"):
        layer(x, graph.edge_index, graph.edge_type, graph.edge_weight)


@pytest.mark.parametrize("preset", ["compact", "aagcn", "ctrgcn"])
def test_the_node_major_wrapper_is_the_model_and_masks_reach_every_block(preset):
    torch.manual_seed(0)
    model = STGCN.from_preset(preset, 5, **({"persons": 2} if preset != "compact" else {}))
    model = model.double().eval()
    clip = torch.randn(3, 6, 25, 2, dtype=torch.float64)
    wrapper = NodeMajorClip(model, frames=6, persons=2)
    x = wrapper.node_features(clip)
    assert x.shape == (25, 6 * 3 * 2)
    assert torch.equal(x[7].view(6, 3, 2), clip[:, :, 7].permute(1, 0, 2))  # joint 7's values
    torch.testing.assert_close(wrapper(x, model.edge_index), model(clip[None]), rtol=0, atol=0)

    zero = torch.zeros(model.edge_index.size(1), dtype=torch.float64)
    set_masks(wrapper, zero, model.edge_index, apply_sigmoid=False)
    masked = wrapper(x, model.edge_index)
    clear_masks(wrapper)
    for block in model.blocks:  # the same as every edge weight 0 in every block
        block.importance = None
    model.edge_weight.zero_()
    torch.testing.assert_close(masked, model(clip[None]), rtol=0, atol=1e-12)


def test_the_wrapper_refuses_layers_that_ignore_edge_masks():
    with pytest.raises(ValueError, match=r"explaining needs spatial layers that apply PyG edge "
                                         r"masks.*\['FramewiseConv'\]|GCNConv"):
        NodeMajorClip(STGCN.from_preset("compact", 3, spatial="gcn"), frames=4)
    with pytest.raises(ValueError, match=r"none of them"):
        NodeMajorClip(STGCN.from_preset("compact", 3, spatial="dense"), frames=4)
    wrapper = NodeMajorClip(STGCN.from_preset("compact", 3), frames=4)
    with pytest.raises(ValueError, match=r"clip: expected \[C, T, V, M\] = \[3, 4, 25, 1\]"):
        wrapper.node_features(torch.zeros(3, 5, 25))
    with pytest.raises(ValueError, match=r"edge_index: expected the model's own graph"):
        wrapper(torch.zeros(25, 12), torch.zeros(2, 5, dtype=torch.long))


@pytest.fixture(scope="module")
def right_arm_model():
    """A model trained to tell "wave right hand" from "punch right": both move only the right
    arm; the rest of the body is the same idle sway in both classes."""
    names = list(ACTIONS)
    wave, punch = names.index("wave right hand"), names.index("punch right")
    x, y = synthesize(1200, 16, "ntu-rgb+d", seed=0)
    keep = (y == wave) | (y == punch)
    x, y = torch.from_numpy(x[keep]).float(), torch.from_numpy((y[keep] == punch).astype(np.int64))
    torch.manual_seed(0)
    model = STGCN.from_preset("compact", 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(14):
        for batch in torch.randperm(len(x)).split(16):
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        right = model(x).argmax(dim=1) == y
    assert right.float().mean() > 0.85
    return model, x[right][:8], y[right][:8]


@pytest.mark.parametrize("method", ["integrated_gradients", "saliency"])
def test_the_joints_that_decide_the_class_rank_highest(right_arm_model, method):
    pytest.importorskip("captum", reason="the explain extra (captum) is not installed")
    model, clips, labels = right_arm_model
    masks = []
    for clip, label in zip(clips, labels):
        explanation = explain_clip(model, clip, method, target=int(label))
        assert explanation.joint_mask.shape == (25,) and explanation.edge_mask.shape == (73,)
        assert float(explanation.joint_mask.sum()) == pytest.approx(1.0)
        masks.append(explanation.joint_mask)
    ranking = torch.stack(masks).mean(dim=0).argsort(descending=True).tolist()
    assert set(ranking[:3]) <= set(RIGHT_ARM), ranking  # over 8 clips: the arm on top


def test_gnnexplainer_gives_masks_in_zero_one(right_arm_model):
    model, clips, labels = right_arm_model
    torch.manual_seed(0)
    explanation = explain_clip(model, clips[0], "gnnexplainer", epochs=20)
    assert explanation.node_mask.shape == (25, 1) and explanation.target == int(labels[0])
    assert ((explanation.edge_mask >= 0) & (explanation.edge_mask <= 1)).all()
    with pytest.raises(ValueError, match=r"method: expected one of"):
        explain_clip(model, clips[0], "lime")
    with pytest.raises(ValueError, match=r"target: expected a class in 0..1, got 7"):
        explain_clip(model, clips[0], target=7)


def test_without_captum_the_attribution_methods_say_what_to_install(right_arm_model,
                                                                    monkeypatch):
    import sys

    model, clips, _ = right_arm_model
    monkeypatch.setitem(sys.modules, "captum", None)  # import captum -> ImportError
    with pytest.raises(ValueError, match=r"method 'saliency': needs captum \(pip install "
                                         r"'stgcn-pyg\[explain\]'\)"):
        explain_clip(model, clips[0], "saliency")


def test_the_explanation_plot_and_the_cli(right_arm_model, tmp_path, capsys):
    pytest.importorskip("captum", reason="the explain extra (captum) is not installed")
    model, clips, labels = right_arm_model
    explanation = explain_clip(model, clips[0], "saliency")
    bones = bone_mask(model.graph, explanation.edge_mask)
    assert len(bones) == 24 and (8, 9) in bones and all(v >= 0 for v in bones.values())
    plot_explanation(explanation, model.graph, tmp_path / "direct.png", labels="indices")
    check_image(tmp_path / "direct.png", size=(720, 620))

    save_model(model, tmp_path / "model.pt", metadata={"class_names": ["wave", "punch"]})
    np.save(tmp_path / "clips.npy", clips[:3].numpy())
    assert main(["plot", "explain", "--checkpoint", str(tmp_path / "model.pt"),
                 str(tmp_path / "clips.npy"), "--index", "1", "--method", "saliency",
                 "--out", str(tmp_path / "cli.png")]) == 0
    check_image(tmp_path / "cli.png", size=(720, 620))
    assert f"saliency for class {int(labels[1])}" in capsys.readouterr().out
    assert main(["plot", "explain", "--checkpoint", str(tmp_path / "model.pt"),
                 str(tmp_path / "clips.npy"), "--index", "3", "--out",
                 str(tmp_path / "bad.png")]) == 2
    assert "--index: expected 0..2" in capsys.readouterr().err
    assert not (tmp_path / "bad.png").exists()
