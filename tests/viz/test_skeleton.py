import numpy as np
import pytest

from helpers import check_image
from stgcn_pyg.graph import Skeleton, build_graph, get_skeleton, layout_names, to_dense_adjacency
from stgcn_pyg.viz import default_pose, plot_skeleton, project, skeleton_networkx
from stgcn_pyg.viz.sequence import load_sequence


@pytest.mark.parametrize("layout", layout_names())
def test_networkx_graph_has_the_layouts_joints_and_bones(layout):
    skeleton = get_skeleton(layout)
    graph = skeleton_networkx(layout)
    assert graph.number_of_nodes() == skeleton.num_nodes
    assert graph.number_of_edges() == len(skeleton.edges)
    assert {frozenset(e) for e in graph.edges} == {frozenset(e) for e in skeleton.edges}


def test_networkx_graph_of_a_two_hop_data_has_every_link():
    data = build_graph("openpose", "distance", max_hop=2)
    linked = to_dense_adjacency(data).sum(0).numpy() != 0
    pairs = {(i, j) for i, j in zip(*np.nonzero(linked)) if i < j}
    assert skeleton_networkx(data).number_of_edges() == len(pairs) > len(get_skeleton("openpose").edges)


@pytest.mark.parametrize("layout", layout_names())
def test_default_pose_separates_every_joint(layout):
    pose = default_pose(layout)
    assert pose.shape == (get_skeleton(layout).num_nodes, 2)
    gaps = np.linalg.norm(pose[:, None] - pose[None], axis=-1) + np.eye(len(pose))
    assert gaps.min() > 0.05


def test_custom_skeleton_gets_a_computed_pose():
    star = Skeleton.from_edge_list([(0, 1), (0, 2), (0, 3)], center=0, name="star")
    pose = default_pose(star)
    assert pose.shape == (4, 2) and np.isfinite(pose).all()
    assert np.linalg.norm(pose[1:] - pose[0], axis=1).min() > 0


def test_project_views():
    points = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(project(points), [[1.0, 2.0]])
    np.testing.assert_allclose(project(points, azimuth=90), [[-3.0, 2.0]], atol=1e-12)
    np.testing.assert_allclose(project(points, elevation=90), [[1.0, 3.0]], atol=1e-12)
    with pytest.raises(ValueError, match=r"points: expected \[..., 3\]"):
        project(np.zeros((4, 2)))


@pytest.mark.parametrize("layout", layout_names())
def test_plot_skeleton_writes_a_picture(tmp_path, layout):
    labels = "names" if get_skeleton(layout).joint_names else "indices"
    fig = plot_skeleton(layout, tmp_path / "graph.png", labels=labels)
    check_image(tmp_path / "graph.png", (500, 600))
    assert len(fig.axes[0].texts) == get_skeleton(layout).num_nodes


@pytest.mark.realdata
def test_plot_skeleton_at_a_real_projected_frame(tmp_path, nw_ucla_file):
    frame = load_sequence(nw_ucla_file)[:, 5, :, 0].T  # [V, 3]
    fig = plot_skeleton("kinect-v1", tmp_path / "frame.png", pose=frame, azimuth=30, elevation=10)
    check_image(tmp_path / "frame.png", (500, 600))
    assert "azimuth 30" in fig.axes[0].get_title()


def test_plot_skeleton_rejects_bad_input():
    with pytest.raises(ValueError, match=r"pose: expected \[V=25, 2 or 3\]"):
        plot_skeleton("ntu-rgb+d", pose=np.zeros((20, 3)))
    with pytest.raises(ValueError, match="labels: this layout has no joint names"):
        plot_skeleton("ntu_edge", labels="names")
    with pytest.raises(ValueError, match="labels: expected one of"):
        plot_skeleton("coco", labels="all")
    with pytest.raises(ValueError, match="layout: expected one of"):
        plot_skeleton("no-such-layout")
