"""The benchmark scripts' --quick mode runs and produces its Markdown table, JSON and plot."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAVE_MPL = importlib.util.find_spec("matplotlib") is not None


def run_script(name: str, tmp_path: Path) -> tuple[str, dict, Path]:
    js, png = tmp_path / f"{name}.json", tmp_path / f"{name}.png"
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--quick", "--json", str(js),
                        "--plot", str(png)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout, json.loads(js.read_text()), png


def table_rows(out: str) -> list[list[str]]:
    lines = [ln for ln in out.splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[2:] if not ln.startswith("|---")]


def test_build_time_quick(tmp_path: Path) -> None:
    out, data, png = run_script("build_time", tmp_path)
    assert "| cell | mode | T | build ms | nodes |" in out and "## Beside TF1" in out
    rows = data["rows"]
    assert {(r["cell"], r["mode"], r["T"]) for r in rows} == {
        (c, m, t) for c in ("lstm",) for m in ("static", "dynamic") for t in (5, 10)}
    assert len(table_rows(out.split("## Beside TF1")[0])) == len(rows)
    by = {(r["cell"], r["mode"], r["T"]): r for r in rows}
    for c in ("lstm",):
        # Unrolling grows the graph with T; the While graph does not.
        assert by[(c, "static", 10)]["nodes"] > by[(c, "static", 5)]["nodes"]
        assert by[(c, "dynamic", 10)]["nodes"] == by[(c, "dynamic", 5)]["nodes"]
        assert by[(c, "static", 10)]["json_bytes"] > by[(c, "dynamic", 10)]["json_bytes"]
    for r in rows:
        assert r["build_ms"] > 0 and r["critical_path"] >= 1
        if r.get("opt_nodes") is not None:
            assert r["opt_nodes"] <= r["nodes"]
    assert data["environment"]["python"] and data["tf1_reference"]
    if HAVE_MPL:
        assert png.read_bytes().startswith(b"\x89PNG")
    else:
        assert "no plot" in out


def test_run_time_quick(tmp_path: Path) -> None:
    out, data, png = run_script("run_time", tmp_path)
    assert "| cell | mode | T | first run ms | forward ms |" in out
    rows = data["rows"]
    assert len(rows) == 4 and len(table_rows(out)) == 4
    for r in rows:
        assert r["fwd_ms"] > 0 and r["numpy_ms"] > 0  # lstm rows carry the NumPy floor
    if HAVE_MPL:
        assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["build_time", "run_time"])
def test_bad_arguments(name: str) -> None:
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--cells", "cnn"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "invalid choice" in p.stderr


@pytest.mark.parametrize("name, expect", [
    ("passes_bench", ["| mode | pipeline | nodes | forward ms | x numpy loop |", "| dynamic | default |"]),
    ("grad_bench", ["forward+backward vs forward", "Adam step", "with GRAPHRNN_MALLOC=system", "kB per time step",
                    "gradient-graph build time"]),
    ("interp_overhead", ["interpreter overhead per node", "graph build speed"]),
])
def test_other_benchmarks_quick(name: str, expect: list[str]) -> None:
    """The other benchmark scripts run in --quick mode and print their figures (no timing asserts)."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--quick"], capture_output=True,
                       text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    for text in expect:
        assert text in p.stdout, f"{name} --quick did not print {text!r}"
