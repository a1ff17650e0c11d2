import torch
from torch_geometric.data import Batch

from stgcn_pyg.graph import build_graph, from_dense_adjacency, to_dense_adjacency


def test_data_fields():
    g = build_graph("ntu-rgb+d", "spatial")
    assert g.edge_index.shape == (2, 73) and g.edge_index.dtype == torch.long
    assert g.edge_type.shape == (73,) and int(g.edge_type.max()) == 2
    assert g.edge_weight.dtype == torch.float64
    assert g.num_nodes == 25 and g.num_partitions == 3 and g.center == 20
    assert g.validate(raise_on_error=True)


def test_order_is_partition_then_target_then_source():
    g = build_graph("openpose", "spatial", 2)
    key = (g.edge_type * 100 + g.edge_index[1]) * 100 + g.edge_index[0]
    assert torch.equal(key, key.sort().values)
    assert torch.equal(build_graph("openpose", "spatial", 2).edge_index, g.edge_index)


def test_dense_round_trip():
    g = build_graph("coco", "spatial", 3)
    a = to_dense_adjacency(g)
    back = from_dense_adjacency(a)
    assert torch.equal(back.edge_index, g.edge_index) and torch.equal(back.edge_type, g.edge_type)
    assert torch.equal(to_dense_adjacency(back), a)


def test_batching_offsets_edges_but_not_partitions():
    g = build_graph("ntu-rgb+d")
    batch = Batch.from_data_list([g, g])
    assert batch.edge_index.shape == (2, 146)
    assert int(batch.edge_index.max()) == 49
    assert int(batch.edge_type.max()) == 2
