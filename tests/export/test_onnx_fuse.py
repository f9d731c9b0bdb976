"""fuse_rnn: a dynamic_rnn LSTM loop becomes one ONNX LSTM node (weights re-laid out in ONNX's gate order)
and runs like the interpreter; loops it cannot fuse stay Loops, with the reason in the report."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.export.onnx import to_onnx
from graphrnn.testing.tf_cases import Case, build_case, case_ids, load_case

from .onnx_helpers import run_onnx


def _float32(case: Case) -> Case:
    data = {k: (v.astype(np.float32) if v.dtype == np.float64 else v) for k, v in case.data.items()}
    return Case(dict(case.spec, dtype="float32"), data)


@pytest.mark.parametrize("static_shapes", [True, False], ids=["static_dims", "symbolic_dims"])
@pytest.mark.parametrize("case_id", case_ids())
def test_fused_export_equals_interpreter_on_reference_cases(case_id: str, static_shapes: bool) -> None:
    cg = build_case(_float32(load_case(case_id)), static_shapes=static_shapes)
    with gr.Session(graph=cg.graph) as sess:
        cg.load_variables(sess)
        want = sess.run(cg.outputs, cg.feed)
        ex = to_onnx(sess, cg.outputs, list(cg.feed), fuse_rnn=True)
    got = run_onnx(ex, {p.op.name: v for p, v in cg.feed.items()})
    for key, value in zip(cg.outputs, got):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, atol=1e-5, err_msg=key)
    ops = [n.op_type for n in ex.model.graph.node]
    spec = load_case(case_id).spec
    plain_lstm = (spec["driver"] == "dynamic_rnn" and spec["cell"]["class"] in ("LSTMCell", "BasicLSTMCell")
                  and not set(spec["cell"]["args"]) - {"num_units", "forget_bias"} and "sequence_length" not in
                  spec.get("inputs", {}) and "in/sequence_length" not in load_case(case_id).data)
    assert ("LSTM" in ops) == plain_lstm, ex.report
    if "Loop" in ops:
        assert any("kept as Loop" in line for line in ex.report)


@pytest.mark.parametrize("time_major", [False, True])
def test_fused_lstm_node_and_weights(time_major: bool) -> None:
    g = gr.Graph()
    with g.as_default():
        shape = [None, None, 3]
        x = gr.placeholder(gr.float32, shape, name="x")
        cell = gr.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.5)
        outputs, state = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32, time_major=time_major)
    xv = np.random.default_rng(3).normal(size=(6, 2, 3)).astype(np.float32)
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        fetches = {"outputs": outputs, "c": state.c, "h": state.h}
        want = sess.run(fetches, {x: xv})
        ex = to_onnx(sess, fetches, [x], fuse_rnn=True)
    ops = [n.op_type for n in ex.model.graph.node]
    assert ops.count("LSTM") == 1 and "Loop" not in ops
    assert ex.report == ["rnn/while: fused into one ONNX LSTM (4 units)"]
    assert not ex.model.graph.initializer  # the kernel is stored once, re-laid out as W, R, B
    for key, value in zip(fetches, run_onnx(ex, {"x": xv})):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_float64_and_peepholes_stay_loops_with_reasons() -> None:
    g = gr.Graph()
    with g.as_default():
        x64 = gr.placeholder(gr.float64, [2, 5, 3], name="x64")
        x32 = gr.placeholder(gr.float32, [2, 5, 3], name="x32")
        with gr.variable_scope("a"):
            o64, _ = gr.nn.dynamic_rnn(gr.nn.rnn_cell.LSTMCell(4), x64, dtype=gr.float64)
        with gr.variable_scope("b"):
            o32, _ = gr.nn.dynamic_rnn(gr.nn.rnn_cell.LSTMCell(4, use_peepholes=True), x32, dtype=gr.float32)
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        ex = to_onnx(sess, [o64, o32], [x64, x32], fuse_rnn=True)
    assert [n.op_type for n in ex.model.graph.node].count("Loop") == 2
    assert any("float64" in line for line in ex.report) and len(ex.report) == 2
