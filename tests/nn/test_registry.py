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
    """A spatial layer that keeps what it was given: 1x1 conv, then mean over in-neighbours
    of the graph passed at forward."""

    def __init__(self, in_channels, out_channels, num_partitions, scale=1.0):
        super().__init__()
        self.num_partitions, self.seen = num_partitions, []
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.scale = scale

    def forward(self, x, edge_index, edge_type, edge_weight=None):
        self.seen.append((edge_index, edge_type, edge_weight))
        v = x.size(-1)
        a = torch.zeros(v, v, dtype=x.dtype)
        a[edge_index[0], edge_index[1]] = 1.0
        return self.scale * self.conv(x) @ (a / a.sum(0))


register_spatial("test-mean")(_SeenGraph)


def test_builtin_and_variant_names_are_registered():
    assert {"adaptive", "cheb", "dense", "gat", "gcn", "graphconv", "mp"} <= set(
        SPATIAL_LAYERS.names())
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


def test_layer_receives_the_partitions_kwargs_and_the_graph_at_forward():
    graph = build_graph("openpose", "spatial")
    block = STGCNBlock(3, 8, graph, spatial="test-mean", spatial_kwargs={"scale": 2.0},
                       edge_importance=None)
    assert block.gcn.num_partitions == 3 and block.gcn.scale == 2.0
    block.gcn.seen.clear()
    block(torch.randn(1, 3, 4, 18), graph.edge_index, graph.edge_type, graph.edge_weight)
    edge_index, edge_type, edge_weight = block.gcn.seen[0]
    assert torch.equal(edge_type, graph.edge_type) and torch.equal(edge_weight, graph.edge_weight)


def test_a_factory_that_declares_graph_receives_it():
    received = []

    def factory(in_channels, out_channels, num_partitions, graph):
        received.append(graph)
        return _SeenGraph(in_channels, out_channels, num_partitions)

    graph = build_graph("openpose", "spatial")
    STGCNBlock(3, 8, graph, spatial=factory)
    assert received == [graph]


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
    class WrongChannels(nn.Conv2d):
        def forward(self, x, edge_index, edge_type, edge_weight=None):
            return super().forward(x)

    wrong_channels = lambda c_in, c_out, k: WrongChannels(c_in, 2 * c_out, 1)  # noqa: E731
    with pytest.raises(ValueError, match=r"spatial layer .* \(WrongChannels\): expected output shape "
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


def test_only_built_in_layers_convert_between_backends():
    with pytest.raises(TypeError, match="to_backend: the spatial layer 'adaptive'"):
        STGCN(3, 4, "openpose", blocks=BLOCKS, spatial="adaptive").to_backend("dense")
