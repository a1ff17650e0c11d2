import pytest
import torch
from torch import nn

from stgcn_pyg.graph import build_graph
from stgcn_pyg.models import STGCN, BlockSpec, load_model, save_model
from stgcn_pyg.nn import (SPATIAL_LAYERS, TEMPORAL_LAYERS, STGCNBlock, register_spatial,
                          register_temporal)
from stgcn_pyg.nn.registry import Registry

BLOCKS = [BlockSpec(8, 1, residual=False), BlockSpec(12, 2)]


class _SeenGraph(nn.Module):
    """A spatial layer that keeps what it was given: mean over neighbours, then 1x1 conv."""

    def __init__(self, in_channels, out_channels, graph, scale=1.0):
        super().__init__()
        self.num_nodes, self.edge_type = graph.num_nodes, graph.edge_type
        a = torch.zeros(graph.num_nodes, graph.num_nodes)
        a[graph.edge_index[0], graph.edge_index[1]] = 1.0
        self.register_buffer("a", a / a.sum(0))
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.scale = scale

    def forward(self, x):
        return self.scale * self.conv(x) @ self.a


register_spatial("test-mean")(_SeenGraph)


def test_builtin_and_variant_names_are_registered():
    assert {"adaptive", "dense", "mp"} <= set(SPATIAL_LAYERS.names())
    assert {"conv", "mstcn"} <= set(TEMPORAL_LAYERS.names())


def test_unknown_name_lists_registered_names():
    with pytest.raises(ValueError, match=r"spatial: unknown layer 'agcn'; registered: \[.*'adaptive'.*'mp'"):
        STGCN(3, 4, "openpose", blocks=BLOCKS, spatial="agcn")
    with pytest.raises(ValueError, match=r"temporal: unknown layer 'tcn'; registered: \[.*'conv'.*'mstcn'"):
        STGCNBlock(3, 8, build_graph("openpose"), temporal="tcn")


def test_name_is_taken_once():
    registry = Registry("spatial")
    registry.register("a")(_SeenGraph)
    registry.register("a")(_SeenGraph)  # the same factory again: harmless

    class _SeenGraph2(_SeenGraph):
        pass

    _SeenGraph2.__qualname__ = _SeenGraph.__qualname__
    registry.register("a")(_SeenGraph2)  # a module or notebook cell re-run replaces it
    assert registry.get("a") is _SeenGraph2
    with pytest.raises(ValueError, match=r"spatial layer 'a' is already registered \(.*_SeenGraph\)"):
        registry.register("a")(nn.Identity)
    with pytest.raises(ValueError, match="expected a non-empty str"):
        registry.register("")


def test_layer_receives_the_graph_data_and_kwargs():
    graph = build_graph("openpose", "spatial")
    block = STGCNBlock(3, 8, graph, spatial="test-mean", spatial_kwargs={"scale": 2.0})
    assert block.gcn.num_nodes == 18 and block.gcn.scale == 2.0
    assert torch.equal(block.gcn.edge_type, graph.edge_type)


def test_registered_layers_round_trip_through_a_checkpoint(tmp_path):
    model = STGCN(3, 4, "openpose", blocks=BLOCKS, spatial="test-mean",
                  spatial_kwargs={"scale": 0.5}, temporal="mstcn",
                  temporal_kwargs={"dilations": [1, 2]}).eval()
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt").eval()
    assert loaded.config["spatial_kwargs"] == {"scale": 0.5}
    assert loaded.blocks[1].tcn.conv.dilations == [1, 2]
    x = torch.randn(2, 3, 8, 18)
    torch.testing.assert_close(loaded(x), model(x), atol=0, rtol=0)


def test_wrong_output_shape_names_layer_and_shapes():
    graph = build_graph("ntu-rgb+d")
    wrong_channels = lambda c_in, c_out, g: nn.Conv2d(c_in, 2 * c_out, 1)  # noqa: E731
    with pytest.raises(ValueError, match=r"spatial layer .* \(Conv2d\): expected output shape "
                                         r"\[1, 8, 8, 25\] for input \[1, 3, 8, 25\], got \[1, 16, 8, 25\]"):
        STGCNBlock(3, 8, graph, stride=2, spatial=wrong_channels)
    no_stride = lambda c, k, s: nn.Conv2d(c, c, (k, 1), padding=(k // 2, 0))  # noqa: E731
    with pytest.raises(ValueError, match=r"temporal layer .* expected output shape \[1, 8, 4, 25\] "
                                         r"for input \[1, 8, 8, 25\], got \[1, 8, 8, 25\]"):
        STGCNBlock(3, 8, graph, stride=2, temporal=no_stride)
    with pytest.raises(TypeError, match="expected the factory to return an nn.Module, got int"):
        STGCNBlock(3, 8, graph, temporal=lambda c, k, s: 3)


@register_temporal("test-bad-frames")
def _drops_a_frame(channels, kernel_size, stride):
    return nn.Conv2d(channels, channels, (2, 1), (stride, 1))


def test_wrong_shape_of_a_registered_layer_names_it():
    with pytest.raises(ValueError, match=r"temporal layer 'test-bad-frames' \(Conv2d\): expected"):
        STGCN(3, 4, "openpose", blocks=BLOCKS, temporal="test-bad-frames")


def test_dry_run_leaves_statistics_and_modes():
    block = STGCNBlock(3, 12, build_graph("openpose"), temporal="mstcn", temporal_kwargs={
        "dilations": [1, 2]})
    bn = block.tcn.conv.fuse.bn
    assert int(bn.num_batches_tracked) == 0 and torch.all(bn.running_mean == 0)
    assert all(m.training for m in block.modules())


def test_backend_conflicts_with_a_named_layer():
    with pytest.raises(ValueError, match="backend: selects the built-in spatial layer"):
        STGCN(3, 4, "openpose", blocks=BLOCKS, spatial="adaptive", backend="dense")
    with pytest.raises(TypeError, match="to_backend: the spatial layer 'adaptive'"):
        STGCN(3, 4, "openpose", blocks=BLOCKS, spatial="adaptive").to_backend("dense")
