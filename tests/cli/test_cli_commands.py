"""The `graphrnn` command, run as a subprocess: every command with good and bad arguments."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--steps", "2", "--units", "3", "--input-size", "2"]
HAVE_DOT = shutil.which("dot") is not None
HAVE_TRAIN = importlib.util.find_spec("graphrnn.apps") is not None and \
    importlib.util.find_spec("graphrnn.apps.train") is not None


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graphrnn.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def assert_clean_error(p: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    """A user error: the expected status, one line on stderr, no traceback."""
    assert p.returncode == code, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("graphrnn"), lines[0]
    for n in needles:
        assert n in lines[0], lines[0]


def test_show_static_and_dynamic() -> None:
    p = run("show", "--cell", "gru", *SMALL)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("graph() {") and "rnn/gru_cell_1/" in p.stdout and "While" not in p.stdout
    p = run("show", "--mode", "dynamic", "--time-major", *SMALL)
    assert p.returncode == 0, p.stderr
    assert "While[" in p.stdout and "body(" in p.stdout and "x: f32[2,?,2]" in p.stdout


def test_show_optimize() -> None:
    p = run("show", "--optimize", *SMALL)
    if p.returncode != 0:  # the pass manager is optional: then a clean one-line error
        assert_clean_error(p, 1, "optimization is not available")
        return
    assert "# optimized (default)" in p.stdout and "# pass report" in p.stdout and "pipeline" in p.stdout
    p = run("show", "--optimize", "--pipeline", "no-such-pipeline", *SMALL)
    assert_clean_error(p, 1)


@pytest.mark.parametrize("args,needle", [
    (["show", "--steps", "0"], "--steps"),
    (["show", "--cell", "lstmx"], "invalid choice"),
    (["show", "--mode"], "--mode"),
    (["show", "--bogus"], "unrecognized"),
    ([], "COMMAND"),
    (["nope"], "invalid choice"),
])
def test_bad_arguments(args: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (fast); the subprocess cases below check the same contract end to end."""
    from graphrnn.cli import main
    with pytest.raises(SystemExit) as exc:
        main(args)
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2 and len(err) == 1 and needle in err[0] and err[0].startswith("graphrnn")


def test_bad_arguments_subprocess() -> None:
    assert_clean_error(run("show", "--steps", "0"), 2, "--steps")
    assert_clean_error(run(), 2, "COMMAND")


def test_dot_file(tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    p = run("dot", "--cell", "rnn", "--mode", "dynamic", *SMALL, "-o", str(out))
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert text.startswith('digraph "graph" {') and "cluster_" in text and "While" in text
    p = run("dot", "--cell", "lstm", "--steps", "6", "--units", "2", "--collapse", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert "rnn/lstm_cell × 6" in out.read_text()


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz `dot` is not installed (CI installs it)")
@pytest.mark.parametrize("ext", ["svg", "png"])
def test_dot_image(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"g.{ext}"
    p = run("dot", "--cell", "gru", "--mode", "static", "--optimize", *SMALL, "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert out.stat().st_size > 1000 and f"wrote {out}" in p.stdout


def test_dot_errors(tmp_path: Path) -> None:
    assert_clean_error(run("dot", *SMALL, "-o", str(tmp_path / "g.txt")), 1, "output format")
    assert_clean_error(run("dot", *SMALL), 2, "-o/--output")
    assert_clean_error(run("dot", "--cell", "cnn", "-o", "x.dot"), 2, "--cell")
    assert_clean_error(run("dot", *SMALL, "-o", str(tmp_path / "missing" / "g.dot")), 1, "No such file")
    # Without Graphviz on PATH an image cannot be rendered: say how to install it.
    env = {**os.environ, "PATH": str(tmp_path)}
    assert_clean_error(run("dot", *SMALL, "-o", str(tmp_path / "g.svg"), env=env), 1,
                       "apt-get install graphviz", "brew install graphviz")


def test_bench_quick(tmp_path: Path) -> None:
    p = run("bench", "--quick", "--only", "build", "--no-plot", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "| cell | mode | T |" in p.stdout and "build_time_quick.json" in p.stdout
    assert (tmp_path / "build_time_quick.json").is_file()  # results go to --out, not the source tree
    assert_clean_error(run("bench", "--only", "everything"), 2, "--only")


@pytest.mark.parametrize("command,args", [("train", ["--epochs", "1", "--max-steps", "1", "--hidden", "4"]),
                                          ("demo", ["--max-steps", "1"])])
def test_train_and_demo(command: str, args: list[str]) -> None:
    if not HAVE_TRAIN:
        assert_clean_error(run(command), 1, "not available yet")
        return
    p = run(command, *args, "--quiet")
    assert p.returncode == 0 and "test accuracy" in p.stdout, p.stderr
    p = run(command, "--help")
    assert p.returncode == 0 and "usage: graphrnn " + command in p.stdout, p.stderr
    assert_clean_error(run(command, "--no-such-flag"), 2, "unrecognized")


def test_console_script() -> None:
    exe = shutil.which("graphrnn")
    if exe is None:
        pytest.skip("the graphrnn console script is not on PATH (package not installed)")
    p = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and all(c in p.stdout for c in ("show", "dot", "bench", "train", "demo"))


def test_python_dash_m_graphrnn_runs_the_command() -> None:
    """The README's first command uses `python3 -m graphrnn demo` (no dependence on PATH)."""
    p = subprocess.run([sys.executable, "-m", "graphrnn", "show", "--steps", "2", "--units", "2", "--input-size", "2"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("graph(")
