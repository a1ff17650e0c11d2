import numpy as np
import pytest
import torch
from reference import KINECT_V1, ORIGINAL_LAYOUTS, reference_adjacency

from stgcn_pyg.graph import STRATEGIES, Skeleton, build_graph, get_skeleton, to_dense_adjacency

CASES = [(layout, strategy, max_hop, dilation)
         for layout in ORIGINAL_LAYOUTS for strategy in STRATEGIES
         for max_hop in (1, 2, 3, 4) for dilation in range(1, max_hop + 2)]


@pytest.mark.parametrize("layout,strategy,max_hop,dilation", CASES)
def test_matches_original_algorithm(layout, strategy, max_hop, dilation):
    num_node, bones, center = ORIGINAL_LAYOUTS[layout]
    expected = reference_adjacency(num_node, bones, center, strategy, max_hop, dilation)
    actual = to_dense_adjacency(build_graph(layout, strategy, max_hop, dilation))
    assert actual.dtype == torch.float64
    np.testing.assert_allclose(actual.numpy(), expected, rtol=0, atol=1e-12)


def test_kinect_v1_matches_original_algorithm_on_its_bones():
    for strategy in STRATEGIES:
        expected = reference_adjacency(*KINECT_V1, strategy, 2, 1)
        np.testing.assert_allclose(to_dense_adjacency(build_graph("kinect-v1", strategy, 2)).numpy(),
                                   expected, atol=1e-12)


@pytest.mark.parametrize("layout,strategy,max_hop,counts", [
    ("ntu-rgb+d", "uniform", 1, [73]),
    ("ntu-rgb+d", "distance", 1, [25, 48]),
    ("ntu-rgb+d", "spatial", 1, [25, 40, 8]),
    ("ntu-rgb+d", "spatial", 2, [25, 36, 12, 42, 12]),
    ("openpose", "spatial", 1, [18, 25, 9]),
])
def test_published_non_zero_counts(layout, strategy, max_hop, counts):
    graph = build_graph(layout, strategy, max_hop)
    assert torch.bincount(graph.edge_type).tolist() == counts
    assert graph.num_partitions == len(counts)


@pytest.mark.parametrize("layout,counts", [("ntu-rgb+d", [25, 24, 24]), ("openpose", [18, 17, 17])])
def test_exact_distance_is_opt_in(layout, counts):
    assert torch.bincount(build_graph(layout, "spatial", 1, exact_distance=True).edge_type).tolist() == counts
    assert torch.bincount(build_graph(layout, "spatial", 1).edge_type).tolist() != counts


@pytest.mark.parametrize("layout", ["ntu-rgb+d", "ntu_edge", "openpose", "coco", "kinect-v1"])
@pytest.mark.parametrize("max_hop,dilation", [(1, 1), (2, 1), (3, 2)])
def test_partitions_sum_to_normalized_adjacency(layout, max_hop, dilation):
    uniform = to_dense_adjacency(build_graph(layout, "uniform", max_hop, dilation))[0]
    assert torch.allclose(uniform.sum(0), torch.ones(uniform.shape[0], dtype=torch.float64))
    for strategy in ("distance", "spatial"):
        for exact in (False, True):
            parts = to_dense_adjacency(build_graph(layout, strategy, max_hop, dilation, exact))
            assert torch.allclose(parts.sum(0), uniform, atol=1e-15)


def test_spatial_partition_count():
    # K = 2 * len(valid hops) - 1
    assert build_graph("ntu-rgb+d", "spatial", 3, 1).num_partitions == 7
    assert build_graph("ntu-rgb+d", "spatial", 3, 2).num_partitions == 3
    assert build_graph("ntu-rgb+d", "distance", 3, 2).num_partitions == 2


CHAIN = Skeleton.from_edge_list([(0, 1), (1, 2)], center=1)


def test_chain_uniform_by_hand():
    a = to_dense_adjacency(build_graph(CHAIN, "uniform"))[0]
    expected = torch.tensor([[1 / 2, 1 / 3, 0], [1 / 2, 1 / 3, 1 / 2], [0, 1 / 3, 1 / 2]],
                            dtype=torch.float64)
    assert torch.allclose(a, expected, atol=1e-15)


def test_chain_distance_by_hand():
    a = to_dense_adjacency(build_graph(CHAIN, "distance"))
    assert torch.allclose(a[0], torch.diag(torch.tensor([1 / 2, 1 / 3, 1 / 2], dtype=torch.float64)))
    off = torch.tensor([[0, 1 / 3, 0], [1 / 2, 0, 1 / 2], [0, 1 / 3, 0]], dtype=torch.float64)
    assert torch.allclose(a[1], off)


def test_chain_spatial_by_hand():
    # Centre 1: the ends are one hop out. A message from an end to the centre comes from a
    # farther source (partition 1); from the centre to an end from a closer one (partition 2).
    a = to_dense_adjacency(build_graph(CHAIN, "spatial"))
    assert a.shape == (3, 3, 3)
    inward = torch.zeros(3, 3, dtype=torch.float64)
    inward[0, 1] = inward[2, 1] = 1 / 3
    outward = torch.zeros(3, 3, dtype=torch.float64)
    outward[1, 0] = outward[1, 2] = 1 / 2
    assert torch.allclose(a[1], inward) and torch.allclose(a[2], outward)


def test_partition_names():
    assert build_graph("ntu-rgb+d", "spatial", 2).partition_names == [
        "hop0 self", "hop1 inward", "hop1 outward", "hop2 inward", "hop2 outward"]
    assert build_graph("ntu-rgb+d", "distance").partition_names == ["hop0", "hop1"]


@pytest.mark.parametrize("kwargs,match", [
    (dict(strategy="spectral"), "strategy: expected one of"),
    (dict(max_hop=0), "max_hop: expected an int >= 1, got 0"),
    (dict(dilation=0), "dilation: expected an int >= 1, got 0"),
    (dict(max_hop=1.5), "max_hop"),
])
def test_bad_partition_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_graph("ntu-rgb+d", **kwargs)


def test_unknown_layout():
    with pytest.raises(ValueError, match=r"layout: expected one of \[.*'ntu-rgb\+d'.*got 'ntu'"):
        get_skeleton("ntu")
    with pytest.raises(TypeError, match="layout"):
        get_skeleton(25)
