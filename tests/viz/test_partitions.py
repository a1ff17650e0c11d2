import numpy as np
import pytest
from matplotlib.colors import to_rgba

from helpers import check_image
from stgcn_pyg.graph import build_graph, to_dense_adjacency
from stgcn_pyg.viz import neighbour_partitions, plot_partition_matrices, plot_partitions
from stgcn_pyg.viz.partitions import OTHER_COLOR, PARTITION_COLORS

# Left wrist (joint 6) of NTU RGB+D, spatial, max_hop 1, centre 20 (spine shoulder).
# Original distances are capped at max_hop: elbow, wrist and hand are all "inf" from the
# centre, so both neighbours compare equal to the root -> hop1 inward (k=1).
# Exact distances: elbow 2 < wrist 3 -> outward (k=2); hand 4 > 3 -> inward (k=1).
WRIST_ORIGINAL = {6: 0, 5: 1, 7: 1}
WRIST_EXACT = {6: 0, 5: 2, 7: 1}


@pytest.mark.parametrize("exact, expected", [(False, WRIST_ORIGINAL), (True, WRIST_EXACT)])
def test_neighbour_partitions_of_the_left_wrist(exact, expected):
    data = build_graph("ntu-rgb+d", "spatial", exact_distance=exact)
    assert neighbour_partitions(data, 6) == expected
    assert neighbour_partitions(data, "left_wrist") == expected
    adjacency = to_dense_adjacency(data)
    for joint, k in expected.items():
        assert adjacency[k, joint, 6] > 0
        assert (adjacency[:, joint, 6] != 0).sum() == 1


def test_distance_partitions_are_hop_rings():
    data = build_graph("kinect-v1", "distance", max_hop=2)
    # left elbow 5: shoulder 4 and wrist 6 at one hop; shoulder centre 2 and hand 7 at two.
    assert neighbour_partitions(data, 5) == {5: 0, 4: 1, 6: 1, 2: 2, 7: 2}


@pytest.mark.parametrize("exact, expected", [(False, WRIST_ORIGINAL), (True, WRIST_EXACT)])
def test_drawn_joint_colours_follow_the_partitions(tmp_path, exact, expected):
    data = build_graph("ntu-rgb+d", "spatial", exact_distance=exact)
    fig = plot_partitions(data, 6, tmp_path / "wrist.png", labels="names")
    check_image(tmp_path / "wrist.png", (650, 650))
    (joints,) = [c for c in fig.axes[0].collections if len(c.get_offsets()) == 25]
    expected_colors = [to_rgba(PARTITION_COLORS[expected[v]]) if v in expected
                       else to_rgba(OTHER_COLOR) for v in range(25)]
    np.testing.assert_allclose(joints.get_facecolors(), expected_colors)


@pytest.mark.parametrize("strategy, max_hop, size", [
    ("spatial", 1, (1060, 360)), ("distance", 3, (1060, 720)), ("uniform", 1, (420, 360))])
def test_partition_matrices_grid(tmp_path, strategy, max_hop, size):
    fig = plot_partition_matrices(build_graph("openpose", strategy, max_hop), tmp_path / "m.png")
    check_image(tmp_path / "m.png", size)
    assert "normalized weight" in fig.axes[-1].get_ylabel()


def test_bad_root_is_named():
    with pytest.raises(ValueError, match=r"root: expected a joint index in 0..24, got 25"):
        plot_partitions("ntu-rgb+d", 25)
    with pytest.raises(ValueError, match=r"root: expected a joint index in 0..16 or one of"):
        neighbour_partitions("coco", "left_thumb")
    with pytest.raises(ValueError, match=r"root: expected a joint index in 0..19, got -1"):
        neighbour_partitions("kinect-v1", -1)
