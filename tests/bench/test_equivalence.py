from stgcn_pyg.bench import equivalence

TOL = {"float64": 1e-10, "float32": 1e-5}


def test_layer_rows_cover_paths_orders_dtypes_and_are_within_tolerance():
    rows = equivalence.layer_rows(equivalence.graph_grid(["openpose"], [1]), frames=3)
    assert len(rows) == 3 * 2 * 2 * 3  # strategies x dtypes x orders x paths
    assert {r["path"] for r in rows} == {"fused", "edge", "scatter"}
    assert {r["order"] for r in rows} == {"aggregate_first", "convolve_first"}
    for r in rows:
        assert r["max_abs"] <= TOL[r["dtype"]], r
        assert {"output", "grad_x", "grad_layer.conv.weight",
                "grad_layer.conv.bias"} == set(r["tensors"])


def test_model_and_notebook_rows_float64_are_exact():
    grid = equivalence.graph_grid(["kinect-v1"], [1])[:1]
    rows = equivalence.model_rows(grid, presets=(), frames=4) + equivalence.notebook_rows(frames=4)
    assert {r["level"] for r in rows} == {"model", "notebook"}
    for r in rows:
        if r["dtype"] == "float64":
            assert r["max_abs"] < 1e-10, r
        # max_rel skips references that are zero up to rounding (bias before BatchNorm)
        rels = [t["rel"] for t in r["tensors"].values() if t["rel"] is not None]
        assert r["max_rel"] == max(rels)
    assert any(k.endswith("importance.weight") for k in rows[0]["tensors"])
