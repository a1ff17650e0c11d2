"""The benchmark suite behind ``stgcn-pyg bench``: configurations, run, write results."""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
import torch_geometric

from ..io import atomic_path, save_json
from . import compile_check, equivalence, flops, report, scaling, speed, zoo

SECTIONS = ("equivalence", "models", "layers", "scaling", "compile-check", "zoo")
#: What ``stgcn-pyg bench`` runs without ``--only`` (the compile check and the zoo against
#: pyskl, which needs pyskl's source, are asked for by name).
DEFAULT_SECTIONS = SECTIONS[:4]


@dataclass
class BenchConfig:
    """What to run. :data:`QUICK` (the default, about 2 minutes) and :data:`FULL`."""

    layouts: list[str] | None = field(default_factory=lambda: ["ntu-rgb+d"])
    max_hops: list[int] = field(default_factory=lambda: [1])
    presets: list[str] = field(default_factory=lambda: ["seed"])
    equivalence_presets: list[str] = field(default_factory=lambda: ["seed"])
    backends: list[str] = field(default_factory=lambda: ["mp-fused", "dense", "notebook"])
    workloads: list[str] = field(default_factory=lambda: ["inference", "train_step"])
    compile_modes: list[bool] = field(default_factory=lambda: [False])
    precisions: list[str] = field(default_factory=lambda: ["fp32"])
    batch: int = 16
    frames: int = 80
    repeats: int = 5
    layer_shapes: list[tuple[int, int]] = field(default_factory=lambda: [(3, 32), (32, 32)])
    sizes: list[int] = field(default_factory=lambda: [25, 200])
    scale_batch: int = 4
    scale_frames: int = 20
    scale_channels: int = 32
    batches: list[int] = field(default_factory=lambda: [16])
    frame_counts: list[int] = field(default_factory=lambda: [80])
    zoo_networks: list[str] = field(default_factory=lambda: list(zoo.NETWORKS))
    zoo_shapes: dict[str, tuple[int, int, int, int, int]] = field(
        default_factory=lambda: dict(zoo.SHAPES))
    pyskl: str | None = None  # the folder holding pyskl's source, for the zoo section


QUICK = BenchConfig()
FULL = BenchConfig(
    layouts=None, max_hops=[1, 2, 3], presets=["seed", "stgcn"],
    equivalence_presets=["seed", "stgcn"],
    backends=["mp-fused", "mp-edge", "mp-scatter", "dense", "notebook"],
    workloads=["inference", "forward", "forward_backward", "train_step"],
    compile_modes=[False, True], batch=64, repeats=7,
    layer_shapes=[(3, 32), (32, 32), (32, 64), (64, 128), (128, 256)],
    sizes=[25, 50, 100, 200, 400, 800, 1600], scale_batch=4, scale_frames=20,
    scale_channels=32, batches=[8, 16, 32, 64], frame_counts=[20, 40, 80, 160])


def environment(threads: int) -> dict[str, Any]:
    """Machine, versions and thread count of a run."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import torch_scatter
        scatter_version = torch_scatter.__version__
    except ImportError:
        scatter_version = None
    return {"cpu": cpu, "logical_cpus": torch.multiprocessing.cpu_count(), "threads": threads,
            "torch": torch.__version__, "torch_geometric": torch_geometric.__version__,
            "torch_scatter": scatter_version, "python": platform.python_version(),
            "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
            "load_average_1m": os.getloadavg()[0],
            "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def run(config: BenchConfig, sections: list[str], device: str = "cpu",
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the chosen sections; returns ``{environment, config, <section>: rows}``."""
    for s in sections:
        if s not in SECTIONS:
            raise ValueError(f"sections: expected names from {list(SECTIONS)}, got {s!r}")
    dev = torch.device(device)
    results: dict[str, Any] = {"environment": environment(torch.get_num_threads()),
                               "config": asdict(config), "device": str(dev)}
    if "models" in sections or "layers" in sections:  # the roofline's ceiling, same run
        results["peak_gflop_per_s"] = flops.matmul_peak_gflops(device=dev)
        log(f"fp32 matmul peak: {results['peak_gflop_per_s']:.1f} GFLOP/s")
    if "equivalence" in sections:
        grid = equivalence.graph_grid(config.layouts, config.max_hops)
        log(f"equivalence: {len(grid)} graphs x 2 dtypes x {len(equivalence.PATHS)} paths")
        results["equivalence"] = (equivalence.layer_rows(grid)
                                  + equivalence.model_rows(grid, config.equivalence_presets)
                                  + equivalence.notebook_rows())
    if "models" in sections:
        rows = []
        for preset in config.presets:
            log(f"models: {preset}, batch {config.batch} x 3 x {config.frames} x 25")
            models = {k: m.to(dev) for k, m in speed.model_candidates(preset, config.backends).items()}
            x = torch.randn(config.batch, 3, config.frames, 25, device=dev)
            for row in speed.measure(models, x, config.workloads, config.repeats,
                                     config.compile_modes, precisions=config.precisions):
                rows.append({"preset": preset, "batch": config.batch, **row})
        results["models"] = rows
    if "layers" in sections:
        rows = []
        backends = [b for b in config.backends if b != "notebook"]
        for c_in, c_out in config.layer_shapes:
            log(f"layers: {c_in} -> {c_out}")
            layers = {k: m.to(dev) for k, m in speed.layer_candidates(c_in, c_out, backends).items()}
            x = torch.randn(config.batch, c_in, config.frames, 25, device=dev)
            for row in speed.measure(layers, x, ["forward", "forward_backward"], config.repeats,
                                     config.compile_modes):
                rows.append({"layer": f"{c_in}->{c_out}", **row})
        results["layers"] = rows
    if "scaling" in sections:  # the crossover always needs the edge and fused paths
        backends = list(dict.fromkeys(["mp-fused", "mp-edge"] + config.backends))
        backends = [b for b in backends if b != "notebook"]
        log(f"scaling: graph sizes {config.sizes}")
        by_size = scaling.graph_size_rows(config.sizes, backends, config.scale_batch,
                                          config.scale_frames, config.scale_channels,
                                          config.repeats)
        log(f"scaling: batches {config.batches}, frames {config.frame_counts}")
        by_input = scaling.input_size_rows(config.presets[0], config.backends, config.batches,
                                           config.frame_counts, config.repeats, config.frames)
        results["scaling"] = {"graph_size": by_size, "input_size": by_input,
                              "crossover_num_nodes": scaling.crossover(by_size)}
    if "zoo" in sections:
        if config.pyskl is None:
            raise ValueError("--pyskl: the zoo section compares against pyskl's source; pass "
                             "the folder that holds pyskl/models/gcns")
        results["zoo"] = zoo.rows(config.zoo_networks, config.zoo_shapes, config.repeats,
                                  config.pyskl, log)
    if "compile-check" in sections:
        log(f"compile-check: the known fault's reproduction, presets {config.presets}")
        results["compile_check"] = compile_check.rows(config.presets, device=dev)
    results["load_average_1m_end"] = os.getloadavg()[0]
    for section in ("models", "layers"):  # achieved share of the machine's fp32 peak
        for row in results.get(section, []):
            if "gflop_per_s" in row and "peak_gflop_per_s" in results:
                row["peak_fraction"] = row["gflop_per_s"] / results["peak_gflop_per_s"]
    return results


SPEED_COLUMNS = ["workload", "backend", "compiled", "precision", "median_ms", "iqr_ms",
                 "ratio_vs_dense", "gflop", "gflop_per_s", "peak_fraction", "clips_per_s",
                 "peak_mb", "peak_ratio_vs_dense"]


def markdown(results: dict[str, Any]) -> str:
    """All tables of a run as one markdown document."""
    env = results["environment"]
    parts = [f"# stgcn-pyg bench\n\n{env['cpu']}, {env['logical_cpus']} logical CPUs, "
             f"{env['threads']} threads, device {results['device']}; torch {env['torch']}, "
             f"torch_geometric {env['torch_geometric']}, torch_scatter {env['torch_scatter']}; "
             f"{env['time_utc']}; load average {env['load_average_1m']:.1f} at the start, "
             f"{results['load_average_1m_end']:.1f} at the end.\n"]
    if "equivalence" in results:
        parts.append("## Equivalence (worst over graphs and tensors)\n\n" + report.markdown_table(
            report.equivalence_summary(results["equivalence"]),
            ["level", "path", "order", "dtype", "cases", "max_abs", "max_rel"]))
    if "peak_gflop_per_s" in results:
        parts.append(f"fp32 matmul peak at this thread count (2048^3, best of 5): "
                     f"{results['peak_gflop_per_s']:.1f} GFLOP/s; `peak_fraction` = achieved "
                     f"GFLOP/s (FLOPs by torch's FlopCounterMode: matmuls and convolutions) / "
                     f"this peak.\n")
    if "models" in results:
        for preset in dict.fromkeys(r["preset"] for r in results["models"]):
            rows = [r for r in results["models"] if r["preset"] == preset]
            parts.append(f"## Model `{preset}`, batch {rows[0]['batch']}\n\n"
                         + report.markdown_table(rows, SPEED_COLUMNS))
    if "layers" in results:
        parts.append("## Layers\n\n" + report.markdown_table(
            results["layers"], ["layer"] + [c for c in SPEED_COLUMNS if c != "clips_per_s"]))
    if "scaling" in results:
        sc = results["scaling"]
        parts.append("## Scaling with graph size (random trees)\n\n" + report.markdown_table(
            sc["graph_size"], ["num_nodes", "num_edges", "density", "backend", "median_ms",
                               "ratio_vs_dense"])
            + f"\nEdge-level path faster than fused from V = {sc['crossover_num_nodes']}.\n")
        parts.append("## Scaling with batch and frames\n\n" + report.markdown_table(
            sc["input_size"], ["batch", "frames", "backend", "median_ms", "ratio_vs_dense",
                               "clips_per_s"]))
    if "zoo" in results:
        parts.append("## The zoo against pyskl (same process, interleaved)\n\n"
                     + zoo.markdown(results["zoo"]) + "\n")
    if "compile_check" in results:
        rows = [{**r, "verdict": "right" if r["ok"] else "WRONG"}
                for r in results["compile_check"]]
        parts.append(f"## torch.compile vs eager ({rows[0]['machine']})\n\n"
                     + report.markdown_table(rows, ["probe", "mode", "verdict", "worst", "error",
                                                    "tolerance", "compiled_norm",
                                                    "eager_norm"]))
    return "\n".join(parts)


def write(results: dict[str, Any], out: "str | Path") -> list[Path]:
    """``results.json``, ``results.md`` and PNG plots into ``out``."""
    out = Path(out)
    paths = [out / "results.json", out / "results.md"]
    save_json(results, paths[0])
    with atomic_path(paths[1]) as tmp:
        tmp.write_text(markdown(results))
    for preset in dict.fromkeys(r["preset"] for r in results.get("models", [])):
        rows = [r for r in results["models"] if r["preset"] == preset]
        paths.append(report.plot_ratios(rows, f"{preset} preset vs dense einsum",
                                        out / f"models_{preset}.png"))
        if "peak_gflop_per_s" in results:
            paths.append(report.plot_roofline(rows, results["peak_gflop_per_s"],
                                              f"{preset} preset: achieved vs fp32 matmul peak",
                                              out / f"roofline_{preset}.png"))
    if "zoo" in results:
        paths.append(zoo.plot(results["zoo"], out / "zoo.png"))
    if "scaling" in results:
        sc = results["scaling"]
        paths.append(report.plot_lines(sc["graph_size"], "num_nodes",
                                       "layer fwd+bwd vs graph size", out / "scaling_nodes.png"))
        rows = [r for r in sc["input_size"] if r["frames"] == results["config"]["frames"]]
        paths.append(report.plot_lines(rows, "batch", "inference vs batch",
                                       out / "scaling_batch.png"))
    return paths


def load(path: "str | Path") -> dict[str, Any]:
    """Read a ``results.json``."""
    return json.loads(Path(path).read_text())
