"""onnxruntime running the exported model equals the interpreter (and TF1) on every TF1 reference case,
static and dynamic drivers, with static and with unknown (symbolic) batch/time dims."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

import graphrnn as gr
from graphrnn.export.onnx import to_onnx
from graphrnn.testing.tf_cases import build_case, case_ids, load_case

from .onnx_helpers import run_onnx


@pytest.mark.parametrize("static_shapes", [True, False], ids=["static_dims", "symbolic_dims"])
@pytest.mark.parametrize("case_id", case_ids())
def test_onnxruntime_equals_interpreter(case_id: str, static_shapes: bool, tmp_path) -> None:
    case = load_case(case_id)
    cg = build_case(case, static_shapes=static_shapes)
    path = tmp_path / "model.onnx"
    with gr.Session(graph=cg.graph) as sess:
        cg.load_variables(sess)
        want = sess.run(cg.outputs, cg.feed)
        ex = to_onnx(sess, cg.outputs, list(cg.feed), str(path))
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == [p.op.name for p in cg.feed]
    assert list(ex.output_names) == list(cg.outputs)
    # the variables are initializers under their TF1 names, holding the loaded values
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    for name, value in case.section("var").items():
        np.testing.assert_array_equal(inits[name], value)
    got = run_onnx(str(path), {p.op.name: v for p, v in cg.feed.items()})
    tf_out = case.section("out")
    for key, value in zip(cg.outputs, got):
        assert value.dtype == want[key].dtype
        np.testing.assert_allclose(value, want[key], rtol=0, atol=1e-12, err_msg=key)
        np.testing.assert_allclose(value, tf_out[key], rtol=0, atol=case.tolerance.get("atol", 1e-10), err_msg=key)


def test_symbolic_dims_are_named_batch_and_time() -> None:
    cg = build_case(load_case("dynamic_rnn_lstm_seqlen_f64"), static_shapes=False)
    with gr.Session(graph=cg.graph) as sess:
        cg.load_variables(sess)
        ex = to_onnx(sess, cg.outputs, list(cg.feed))
    x = ex.model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in x] == ["batch", "time", 4]
    ops = [n.op_type for n in ex.model.graph.node]
    assert ops.count("Loop") == 1  # dynamic_rnn: one Loop, its size independent of T
