import networkx as nx
import pytest

from stgcn_pyg.bench import scaling


@pytest.mark.parametrize("v", [2, 30, 500])
def test_random_tree_is_a_tree_with_limited_branching(v):
    tree = scaling.random_tree(v, max_children=3)
    g = nx.Graph(list(tree.edges))
    assert tree.num_nodes == v and nx.is_tree(g) and g.number_of_nodes() == v
    assert max(sum(1 for a, _ in tree.edges if a == p) for p in range(v)) <= 3


def test_random_tree_rejects_tiny_graphs():
    with pytest.raises(ValueError, match="num_nodes: expected an int >= 2, got 1"):
        scaling.random_tree(1)


def test_crossover_is_where_the_sparse_path_stays_faster():
    times = {25: (1.0, 2.0), 50: (1.0, 0.9), 100: (2.0, 3.0), 200: (4.0, 2.0), 400: (9.0, 3.0)}
    rows = [{"num_nodes": v, "backend": b, "median_ms": t}
            for v, (fused, edge) in times.items() for b, t in (("mp-fused", fused), ("mp-edge", edge))]
    assert scaling.crossover(rows) == 200
    assert scaling.crossover([r for r in rows if r["num_nodes"] <= 100]) is None


def test_graph_size_rows_tiny():
    rows = scaling.graph_size_rows([20, 40], ["mp-fused", "mp-edge", "dense"], batch=1,
                                   frames=2, channels=2, repeats=1)
    assert [r["num_nodes"] for r in rows] == [20] * 3 + [40] * 3
    assert all(0 < r["density"] < 1 and r["num_edges"] > 0 for r in rows)
