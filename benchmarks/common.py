"""Shared helpers of the benchmark scripts: timing, Markdown tables, JSON results, log-log plots.

Benchmarks print figures (medians) and never assert on timings. Results go to
``benchmarks/results/`` (git-ignored); plots of the full grid go to ``docs/`` (committed), plots of
``--quick`` runs next to the results so a quick run never touches committed files.
"""

from __future__ import annotations

import gc
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graphrnn.io.atomic import write_bytes, write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOCS = HERE.parent / "docs"

# TF1's figures on the reference machine (TF 2.21 tf.compat.v1, LSTMCell(128), input 28): build time
# of the forward graph, op count, and GraphDef size. Quoted for comparison; graphrnn does not run TF.
TF1_REFERENCE: list[dict[str, Any]] = [
    {"mode": "static", "T": 28, "build_ms": 73.0, "ops": 512, "bytes": None},
    {"mode": "static", "T": 1000, "build_ms": 3100.0, "ops": 17036, "bytes": 1.6e6},
    {"mode": "dynamic", "T": 28, "build_ms": 25.0, "ops": 131, "bytes": None},
    {"mode": "dynamic", "T": 1000, "build_ms": 25.0, "ops": 131, "bytes": 14.5e3},
]
TF1_NOTE = ("TF1 reference (TF 2.21 tf.compat.v1, LSTMCell 128, from the issue's reference run): static T=28 builds in "
            "~73 ms with 512 ops, T=1000 in ~3.1 s with 17,036 ops; dynamic ~25 ms with 131 ops at any T; "
            "GraphDef 1.6 MB (static T=1000) vs 14.5 KB (dynamic).")


def median_seconds(fn: Callable[[], Any], repeats: int, warmup: int = 0) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls after ``warmup`` untimed calls.

    Like `timeit`, the cyclic garbage collector is off while timing (collected before each call), so
    a collection triggered by an earlier graph does not land in a later measurement.
    """
    for _ in range(warmup):
        fn()
    times = []
    enabled = gc.isenabled()
    try:
        for _ in range(max(1, repeats)):
            gc.collect()
            gc.disable()
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
            gc.enable()
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()
    return statistics.median(times)


def interleaved_medians(fns: Sequence[Callable[[], Any]], repeats: int, warmup: int = 1) -> list[float]:
    """Median seconds of each ``fn``, timed round-robin (a, b, a, b, ...) with the collector off.

    Interleaving makes a comparison (graph vs hand-written loop) fair on a busy machine: both see the
    same background load instead of one of them running during a burst.
    """
    for _ in range(warmup):
        for f in fns:
            f()
    times: list[list[float]] = [[] for _ in fns]
    enabled = gc.isenabled()
    try:
        for _ in range(max(1, repeats)):
            for i, f in enumerate(fns):
                gc.collect()
                gc.disable()
                t0 = time.perf_counter()
                f()
                times[i].append(time.perf_counter() - t0)
                gc.enable()
    finally:
        (gc.enable if enabled else gc.disable)()
    return [statistics.median(t) for t in times]


def fmt(x: Any, digits: int = 1) -> str:
    """A table cell: ``—`` for missing values, thousands separators for ints."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]],
                   digits: int = 1) -> str:
    """A GitHub Markdown table of ``rows`` with ``columns`` = (key, header) pairs."""
    head = "| " + " | ".join(h for _, h in columns) + " |"
    rule = "|" + "|".join("---:" if k not in ("cell", "mode") else "---" for k, _ in columns) + "|"
    body = ["| " + " | ".join(fmt(r.get(k), digits) for k, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def environment() -> dict[str, Any]:
    import numpy as np
    return {"python": sys.version.split()[0], "numpy": np.__version__, "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def write_json(path: Path, payload: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(payload, indent=1, sort_keys=True) + "\n")
    return path


def plot_loglog(rows: Sequence[dict[str, Any]], panels: Sequence[tuple[str, str]], path: Path, title: str,
                extra: Callable[[Any, str], None] | None = None) -> Path | None:
    """One log-log panel per (key, label) in ``panels``: ``key`` against T, a line per (cell, mode).

    Static lines are solid, dynamic dashed; a row's optional ``label`` names its line. ``extra(ax, key)``
    may draw more (reference points).
    Returns the path, or None (with a message) when matplotlib is not installed.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"(no plot: matplotlib is not installed; `pip install graphrnn[bench]` to draw {path.name})")
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False)
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        series.setdefault((r["cell"], r["mode"]), []).append(r)
    colors = {"rnn": "#1b9e77", "gru": "#d95f02", "lstm": "#7570b3", "numpy": "#000000"}
    for ax, (key, label) in zip(axes[0], panels):
        for (cell, mode), rs in sorted(series.items()):
            pts = sorted((r["T"], r[key]) for r in rs if r.get(key) is not None)
            if not pts:
                continue
            line_label = rs[0].get("label") or f"{cell} {mode}"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3,
                    ls="-" if mode == "static" else "--", color=colors.get(cell, "#666666"), label=line_label)
        if extra is not None:
            extra(ax, key)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("time steps T")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
    write_bytes(path, buf.getvalue())
    return path


def tf1_points(key_map: dict[str, str]) -> Callable[[Any, str], None]:
    """An ``extra`` for `plot_loglog` that marks TF1's reference figures (``key_map``: our key -> TF1 key)."""
    def draw(ax: Any, key: str) -> None:
        ref_key = key_map.get(key)
        if ref_key is None:
            return
        for mode, marker in (("static", "x"), ("dynamic", "+")):
            pts = [(r["T"], r[ref_key]) for r in TF1_REFERENCE if r["mode"] == mode and r[ref_key] is not None]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=60, color="#e7298a",
                           label=f"TF1 lstm {mode}", zorder=5)
    return draw
