"""`graphrnn onnx`: writes a checked model that onnxruntime runs like the interpreter; errors are one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

import graphrnn as gr
from graphrnn.cli import main
from graphrnn.models import build_rnn_model

from .onnx_helpers import run_onnx


@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_onnx_command_restores_a_checkpoint_and_matches(mode: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--cell", "gru", "--mode", mode, "--steps", "4", "--units", "5", "--input-size", "3"]
    m = build_rnn_model("gru", mode, steps=4, units=5, input_size=3)
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype(np.float32)
    (tmp_path / "ckpt").mkdir()
    with gr.Session(graph=m.graph) as sess:
        sess.run(gr.global_variables_initializer())
        with m.graph.as_default():
            prefix = gr.train.Saver().save(sess, str(tmp_path / "ckpt" / "model.ckpt"))
        want = sess.run(m.last, {m.x: x})
    out = tmp_path / "gru.onnx"
    assert main(["onnx", *args, "-o", str(out), "--checkpoint", prefix]) == 0
    assert "wrote" in capsys.readouterr().out
    model = onnx.load(str(out))
    onnx.checker.check_model(model, full_check=True)
    assert ("Loop" in {n.op_type for n in model.graph.node}) == (mode == "dynamic")
    names = [o.name for o in model.graph.output]
    got = run_onnx(str(out), {"x": x})[names.index("last")]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("extra, needle", [(["--opset", "7"], "opset 7"),
                                           (["--checkpoint", "/no/such/ckpt"], "checkpoint")])
def test_onnx_command_errors_are_one_line(extra: list[str], needle: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["onnx", "--mode", "dynamic", "--units", "3", "-o", str(tmp_path / "m.onnx"), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and err[0].startswith("graphrnn onnx: error:") and needle in err[0]
    assert not (tmp_path / "m.onnx").exists()


def test_onnx_command_fuse_rnn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fused.onnx"
    assert main(["onnx", "--mode", "dynamic", "--units", "4", "--input-size", "3", "--fuse-rnn", "-o", str(out)]) == 0
    assert "fused into one ONNX LSTM" in capsys.readouterr().out
    assert "LSTM" in {n.op_type for n in onnx.load(str(out)).graph.node}
