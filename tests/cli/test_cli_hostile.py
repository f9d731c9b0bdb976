"""The `graphrnn` command with hostile arguments: one clean line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graphrnn", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def assert_clean(p: subprocess.CompletedProcess[str], code: int, needle: str) -> None:
    assert p.returncode == code, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graphrnn") and needle in lines[0], p.stderr


@pytest.mark.parametrize("args,code,needle", [
    (["show", "--steps", "9" * 40], 2, "too large"),
    (["show", "--units", "1e3"], 2, "integer"),
    (["show", "--steps", "100000000"], 1, "--mode dynamic"),
    (["dot", "--steps", "100000000", "-o", "x.svg"], 1, "--mode dynamic"),
    (["train", "--learning-rate", "inf"], 2, "finite"),
    (["train", "--learning-rate", "nan"], 2, "finite"),
    (["train", "--batch-size", "9" * 30], 2, "too large"),
    (["train", "--seed", "-1"], 2, "seed"),
    (["train", "--hidden", "1000000", "--quiet"], 1, "GiB"),
    (["train", "--resume", "/nonexistent/folder", "--quiet"], 1, "no checkpoint"),
])
def test_hostile_arguments(args: list[str], code: int, needle: str) -> None:
    assert_clean(run(*args), code, needle)


def test_closed_pipe_is_one_line() -> None:
    """`graphrnn show ... | head -1`: the reader goes away; no traceback from the final flush either."""
    proc = subprocess.Popen([sys.executable, "-m", "graphrnn", "show", "--steps", "300"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "Exception ignored" not in err
    assert err.strip().splitlines() == ["graphrnn show: error: output closed early (broken pipe)"]


def test_train_save_and_resume_commands(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    p = run("train", "--max-steps", "3", "--hidden", "8", "--quiet", "--save", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "model.ckpt-3" in p.stdout
    p = run("train", "--max-steps", "5", "--hidden", "8", "--quiet", "--resume", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "resumed from" in p.stdout and "model.ckpt-5" in p.stdout
    p = run("train", "--max-steps", "5", "--hidden", "9", "--quiet", "--resume", str(tmp_path))
    assert_clean(p, 1, "shape")


def test_version() -> None:
    p = run("--version")
    assert p.returncode == 0 and p.stdout.startswith("graphrnn ")


def test_pipeline_comma_separated_and_repeated() -> None:
    small = ["--steps", "2", "--units", "3", "--input-size", "2", "--optimize"]
    a = run("show", *small, "--pipeline", "cse,dce")
    b = run("show", *small, "--pipeline", "cse", "--pipeline", "dce")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout.split("# pass report")[0] == b.stdout.split("# pass report")[0]  # (the report has timings)
    assert "# optimized (cse,dce)" in a.stdout
    assert_clean(run("show", *small, "--pipeline", "cse,nope"), 1, "nope")


def test_argparse_errors_name_no_internals() -> None:
    for args in (["dot", "--max-depth", "x", "-o", "a.svg"], ["train", "--learning-rate", "x"],
                 ["show", "--steps", "x"], ["train", "--seed", "x"]):
        p = run(*args)
        assert p.returncode == 2 and "_" not in p.stderr.split("error:")[1].split("(see")[0].replace("--", ""), p.stderr


def test_dot_collapses_a_drawing_too_slow_to_lay_out(tmp_path: Path) -> None:
    """`graphrnn dot --mode static --steps 28` once ran 54 s; now it collapses the steps and says so."""
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz")
    p = run("dot", "--mode", "static", "--steps", "28", "-o", str(tmp_path / "s.svg"))
    assert p.returncode == 0, p.stderr
    assert "collapsed" in p.stderr and "--full" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "× 28" in (tmp_path / "s.svg").read_text(encoding="utf-8")
    p = run("dot", "--mode", "static", "--steps", "28", "-o", str(tmp_path / "s.dot"))  # no layout: no note
    assert p.returncode == 0 and p.stderr == ""
