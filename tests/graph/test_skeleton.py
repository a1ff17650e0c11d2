import json

import networkx as nx
import pytest
import torch

from stgcn_pyg.graph import Skeleton, build_graph, get_skeleton, layout_names, to_dense_adjacency


def test_registered_layouts():
    sizes = {"ntu-rgb+d": (25, 24, 20), "ntu_edge": (24, 23, 2), "openpose": (18, 17, 1),
             "coco": (17, 19, 0), "kinect-v1": (20, 19, 1)}
    assert set(sizes) <= set(layout_names())
    for name, (v, bones, center) in sizes.items():
        s = get_skeleton(name)
        assert (s.num_nodes, len(s.edges), s.center) == (v, bones, center)


def test_edge_list_networkx_and_json_agree(tmp_path):
    edges = [(0, 1), (1, 2), (1, 3)]
    a = Skeleton.from_edge_list(edges, center=1)
    g = nx.Graph(edges)
    b = Skeleton.from_networkx(nx.relabel_nodes(g, {i: f"j{i}" for i in range(4)}), center="j1")
    path = tmp_path / "star.json"
    path.write_text(json.dumps({"num_nodes": 4, "edges": edges, "center": 1,
                                "joint_names": ["a", "b", "c", "d"]}))
    c = get_skeleton(str(path))
    assert c.joint_names == ("a", "b", "c", "d")
    dense = [to_dense_adjacency(build_graph(s)) for s in (a, b, c)]
    assert torch.equal(dense[0], dense[2])
    order = [int(n[1:]) for n in b.joint_names]  # networkx node order
    assert torch.equal(dense[1], dense[0][:, order][:, :, order])


def test_json_round_trip(tmp_path):
    s = get_skeleton("kinect-v1")
    s.to_json(tmp_path / "k.json")
    assert Skeleton.from_json(tmp_path / "k.json").edges == s.edges


@pytest.mark.parametrize("edges,center,num_nodes,match", [
    ([(0, 1), (1, 5)], 0, 3, r"edges: joint 5 in edge \(1, 5\) is out of range 0..2"),
    ([(0, 1), (1, 0)], 0, 2, r"edges: duplicate bone \(1, 0\)"),
    ([(0, 1), (2, 3)], 0, 4, "disconnected .2 of 4 joints"),
    ([(0, 0)], 0, 1, "self-loop"),
    ([(0, 1)], 7, 2, "center: expected a joint index in 0..1, got 7"),
])
def test_bad_custom_skeleton(edges, center, num_nodes, match):
    with pytest.raises(ValueError, match=match):
        Skeleton.from_edge_list(edges, center=center, num_nodes=num_nodes)


def test_bad_joint_names():
    with pytest.raises(ValueError, match="joint_names: expected 2 names, got 1"):
        Skeleton.from_edge_list([(0, 1)], 0, joint_names=["a"])
    with pytest.raises(ValueError, match=r"joint_names: duplicate joint names \['a'\]"):
        Skeleton.from_edge_list([(0, 1)], 0, joint_names=["a", "a"])


def test_bad_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"edges": [[0, 1]]}))
    with pytest.raises(ValueError, match=r"missing keys \['num_nodes', 'center'\]"):
        get_skeleton(str(path))
    with pytest.raises(ValueError, match="no such file"):
        get_skeleton(str(tmp_path / "absent.json"))
