"""Markdown tables and PNG plots of benchmark rows."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..io import atomic_path  # noqa: E402


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e-2 or abs(value) >= 1e4 else f"{value:.3f}"
    return "" if value is None else str(value)


def markdown_table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """A GitHub markdown table of ``columns`` (missing values left blank)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def equivalence_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Worst errors per (level, path, dtype[, order]) over all graphs and tensors."""
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r["level"], r["path"], r["dtype"], r.get("order", ""))
        g = groups.setdefault(key, {"level": key[0], "path": key[1], "dtype": key[2],
                                    "order": key[3], "cases": 0, "max_abs": 0.0, "max_rel": 0.0})
        g["cases"] += 1
        g["max_abs"] = max(g["max_abs"], r["max_abs"])
        g["max_rel"] = max(g["max_rel"], r["max_rel"])
    return list(groups.values())


def _save(fig: "plt.Figure", path: "str | Path") -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def _variant(row: dict[str, Any]) -> tuple[str, bool, str]:
    return row["backend"], row["compiled"], row.get("precision", "fp32")


def _colors(count: int) -> list:
    """Distinct colours for ``count`` bars (tab10 repeats after ten)."""
    cmap = plt.get_cmap("tab10" if count <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(count)]


def _label(variant: tuple[str, bool, str]) -> str:
    backend, compiled, precision = variant
    return backend + (" compiled" if compiled else "") + (f" {precision}" if precision != "fp32"
                                                           else "")


def plot_ratios(rows: list[dict[str, Any]], title: str, path: "str | Path") -> Path:
    """Bars: time relative to dense per workload, one bar per backend (compile mode,
    precision)."""
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    variants = list(dict.fromkeys(_variant(r) for r in rows))
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(workloads), 3.6))
    width = 0.8 / len(variants)
    for i, variant in enumerate(variants):
        values = [next((r.get("ratio_vs_dense", float("nan")) for r in rows if r["workload"] == w
                        and _variant(r) == variant), float("nan"))
                  for w in workloads]
        ax.bar([j + i * width for j in range(len(workloads))], values, width,
               label=_label(variant), color=_colors(len(variants))[i])
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(workloads))], workloads)
    ax.set_ylabel("median time / dense")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)


def plot_lines(rows: list[dict[str, Any]], x: str, title: str, path: "str | Path",
               log: bool = True) -> Path:
    """Median time vs ``x`` (e.g. ``num_nodes``), one line per backend."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for backend in dict.fromkeys(r["backend"] for r in rows):
        pts = sorted((r[x], r["median_ms"]) for r in rows if r["backend"] == backend)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=backend)
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel("median ms")
    ax.set_title(title)
    ax.legend(fontsize=7)
    return _save(fig, path)


def plot_roofline(rows: list[dict[str, Any]], peak: float, title: str,
                  path: "str | Path") -> Path:
    """Bars of achieved GFLOP/s per workload and backend under a line at the machine's fp32
    matmul ``peak``; each bar labelled with its fraction of the peak."""
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    variants = list(dict.fromkeys(_variant(r) for r in rows))
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(workloads), 3.8))
    width = 0.8 / len(variants)
    for i, variant in enumerate(variants):
        values = [next((r["gflop_per_s"] for r in rows if r["workload"] == w
                        and _variant(r) == variant), 0.0)
                  for w in workloads]
        xs = [k + (i - (len(variants) - 1) / 2) * width for k in range(len(workloads))]
        bars = ax.bar(xs, values, width, label=_label(variant), color=_colors(len(variants))[i])
        for bar, value in zip(bars, values):
            ax.annotate(f"{value / peak:.0%}", (bar.get_x() + bar.get_width() / 2, value),
                        ha="center", va="bottom", fontsize=7)
    ax.axhline(peak, color="black", linestyle="--", linewidth=1)
    ax.text(0.99, peak, f"fp32 matmul peak {peak:.0f} GFLOP/s", ha="right", va="bottom",
            fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_xticks(range(len(workloads)), workloads)
    ax.set_ylabel("achieved GFLOP/s")
    ax.set_ylim(0, max([peak] + [r["gflop_per_s"] for r in rows]) * 1.15)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)
