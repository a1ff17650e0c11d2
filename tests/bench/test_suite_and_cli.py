import json

import numpy as np
import pytest
from matplotlib.image import imread

from stgcn_pyg.bench import suite
from stgcn_pyg.cli import main

TINY = suite.BenchConfig(
    layouts=["kinect-v1"], max_hops=[1], presets=["seed"], equivalence_presets=[],
    backends=["mp-fused", "dense", "notebook"],
    workloads=["inference", "train_step"], precisions=["fp32", "bf16"], batch=1, frames=4,
    repeats=1, layer_shapes=[(3, 4)],
    sizes=[20, 40], scale_batch=1, scale_frames=2, scale_channels=2, batches=[1, 2],
    frame_counts=[4, 8])


def _real_png(path):
    assert path.stat().st_size > 2000
    pixels = imread(path)
    assert pixels.ndim == 3 and float(np.var(pixels)) > 1e-4


def test_suite_writes_json_markdown_and_real_pngs(tmp_path):
    results = suite.run(TINY, list(suite.DEFAULT_SECTIONS), log=lambda _: None)
    paths = suite.write(results, tmp_path)
    names = {p.name for p in paths}
    assert {"results.json", "results.md", "models_seed.png", "roofline_seed.png",
            "scaling_nodes.png", "scaling_batch.png"} <= names
    loaded = json.loads((tmp_path / "results.json").read_text())
    assert loaded["environment"]["threads"] >= 1 and loaded["environment"]["torch"]
    assert {"equivalence", "models", "layers", "scaling"} <= set(loaded)
    assert {r["backend"] for r in loaded["models"]} == {"mp-fused", "dense", "notebook"}
    md = (tmp_path / "results.md").read_text()
    for heading in ("## Equivalence", "## Model `seed`", "## Layers", "## Scaling with graph size"):
        assert heading in md
    assert "| workload | backend | compiled | precision |" in md
    assert {r["precision"] for r in loaded["models"]} == {"fp32", "bf16"}
    for name in ("models_seed.png", "roofline_seed.png", "scaling_nodes.png",
                 "scaling_batch.png"):
        _real_png(tmp_path / name)
    assert loaded["peak_gflop_per_s"] > 0 and "fp32 matmul peak" in md
    for row in loaded["models"] + loaded["layers"]:
        assert row["gflop"] > 0 and row["gflop_per_s"] > 0
        assert row["peak_fraction"] == pytest.approx(row["gflop_per_s"]
                                                     / loaded["peak_gflop_per_s"])
    train = {r["backend"]: r["gflop"] for r in loaded["models"] if r["workload"] == "train_step"}
    infer = {r["backend"]: r["gflop"] for r in loaded["models"] if r["workload"] == "inference"}
    assert all(train[b] > 2 * infer[b] for b in train)  # backward costs about twice forward


def test_suite_rejects_unknown_sections():
    with pytest.raises(ValueError, match="sections: expected names from"):
        suite.run(TINY, ["speed"])


def test_cli_bench_layers(tmp_path, capsys):
    rc = main(["bench", "--only", "layers", "--batch", "1", "--repeats", "1", "--precision", "fp32",
               "--backends", "mp-fused", "dense", "--threads", "1", "--out", str(tmp_path)])
    assert rc == 0
    assert "## Layers" in capsys.readouterr().out
    rows = json.loads((tmp_path / "results.json").read_text())["layers"]
    assert {r["backend"] for r in rows} == {"mp-fused", "dense"}


def test_cli_bench_bad_threads(capsys):
    assert main(["bench", "--threads", "0"]) == 2
    assert "--threads: expected an int >= 1, got 0" in capsys.readouterr().err


def test_flop_count_of_known_operations():
    import torch
    from stgcn_pyg.bench.flops import count_flops, matmul_peak_gflops

    a, b = torch.randn(30, 40), torch.randn(40, 50)
    assert count_flops(lambda: a @ b) == 2 * 30 * 40 * 50
    x, w = torch.randn(2, 3, 10, 25), torch.randn(8, 3, 9, 1)
    out = torch.nn.functional.conv2d(x, w, padding=(4, 0))
    assert count_flops(lambda: torch.nn.functional.conv2d(x, w, padding=(4, 0))) == (
        2 * out.numel() * 3 * 9)
    assert matmul_peak_gflops(size=256, repeats=2) > 0


def test_cli_bench_compile_check_prints_the_verdict_per_preset(capsys, monkeypatch):
    from stgcn_pyg.models import compile as compile_module

    monkeypatch.setattr(compile_module, "BACKEND", "eager")  # exact: every probe right
    assert main(["bench", "--only", "compile-check", "--presets", "compact"]) == 0
    out = capsys.readouterr().out
    assert "## torch.compile vs eager (torch " in out and "CPU capability" in out
    assert "| strided 1x1 conv + BN | train | right |" in out
    assert "| preset compact | train | right |" in out and "| preset compact | eval | right |" in out

    def doubled_outputs(graph_module, example_inputs):  # wrong outputs: every probe wrong
        return lambda *args: tuple(t * 2 for t in graph_module(*args))

    monkeypatch.setattr(compile_module, "BACKEND", doubled_outputs)
    assert main(["bench", "--only", "compile-check", "--presets", "compact"]) == 0
    out = capsys.readouterr().out
    assert "| preset compact | eval | WRONG | output |" in out
