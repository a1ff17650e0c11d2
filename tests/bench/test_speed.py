import pytest
import torch

from stgcn_pyg.bench import speed
from stgcn_pyg.nn import SpatialGraphConv


def test_model_candidates_share_weights_and_match_the_notebook_model():
    models = speed.model_candidates("seed", ["mp-fused", "mp-edge", "dense", "notebook"])
    assert set(models) == {"mp-fused", "mp-edge", "dense", "notebook"}
    assert all(isinstance(b.gcn, SpatialGraphConv) and b.gcn.path == "edge"
               for b in models["mp-edge"].blocks)
    x = torch.randn(2, 3, 8, 25)
    outs = {k: m.eval()(x) for k, m in models.items()}
    for k in ("mp-fused", "mp-edge", "dense"):
        torch.testing.assert_close(outs[k], outs["notebook"], atol=1e-5, rtol=0)


def test_stgcn_preset_has_no_notebook_candidate():
    assert set(speed.model_candidates("stgcn", ["dense", "notebook"])) == {"dense"}


def test_measure_rows_are_well_formed():
    layers = speed.layer_candidates(3, 4, ["mp-fused", "mp-scatter", "dense"])
    x = torch.randn(1, 3, 4, 25)
    rows = speed.measure(layers, x, ["inference", "train_step"], repeats=2)
    assert len(rows) == 6
    for r in rows:
        assert r["runs"] == 2 and r["median_ms"] > 0 and r["peak_mb"] >= 0
        assert r["ratio_vs_dense"] > 0
    dense = [r for r in rows if r["backend"] == "dense"]
    assert all(r["ratio_vs_dense"] == 1.0 for r in dense)
    assert all("clips_per_s" in r for r in rows if r["workload"] == "inference")


def test_train_step_updates_the_weights():
    layer = speed.layer_candidates(3, 4, ["mp-fused"])["mp-fused"]
    before = layer.layer.conv.weight.detach().clone()
    speed.workload(layer, "train_step", torch.randn(2, 3, 4, 25))()
    assert not torch.equal(before, layer.layer.conv.weight)


@pytest.mark.parametrize("call,match", [
    (lambda: speed.model_candidates("big", ["dense"]), "preset: expected one of"),
    (lambda: speed.model_candidates("seed", ["sparse"]), "backends: expected names from"),
    (lambda: speed.workload(torch.nn.Identity(), "jog", torch.zeros(1)), "workload: expected"),
    (lambda: speed.workload(torch.nn.Identity(), "inference", torch.zeros(1), precision="fp8"),
     "precision: expected one of"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_compiled_workload_runs():
    layer = speed.layer_candidates(3, 4, ["mp-fused"])["mp-fused"]
    rows = speed.measure({"mp-fused": layer}, torch.randn(1, 3, 4, 25), ["train_step"],
                         repeats=1, compile_modes=[True], memory=False)
    assert rows[0]["compiled"] is True and rows[0]["median_ms"] > 0


def test_bf16_rows_run_under_autocast_and_compare_with_dense_in_bf16():
    layers = speed.layer_candidates(3, 4, ["mp-fused", "dense"])
    seen = []
    layers["mp-fused"].register_forward_hook(lambda m, i, out: seen.append(out.dtype))
    rows = speed.measure(layers, torch.randn(1, 3, 4, 25), ["inference"], repeats=1,
                         memory=False, precisions=["fp32", "bf16"])
    assert {(r["backend"], r["precision"]) for r in rows} == {
        ("mp-fused", "fp32"), ("mp-fused", "bf16"), ("dense", "fp32"), ("dense", "bf16")}
    assert torch.bfloat16 in seen and torch.float32 in seen
    assert all(r["ratio_vs_dense"] == 1.0 for r in rows if r["backend"] == "dense")
    bf16 = next(r for r in rows if r["precision"] == "bf16" and r["backend"] == "mp-fused")
    fp32 = next(r for r in rows if r["precision"] == "fp32" and r["backend"] == "mp-fused")
    assert bf16["gflop"] == fp32["gflop"] > 0
