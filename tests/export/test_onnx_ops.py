"""Every op has a lowering rule or a stated reason why not; rules keep TF1's semantics on the corner
cases ONNX defines differently; export errors name the op, the node and the user's line."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.export.onnx import OnnxExportError, to_onnx
from graphrnn.export.onnx.lower import CONTROL_OPS
from graphrnn.export.onnx.rules import RULES, UNSUPPORTED
from graphrnn.ir.registry import all_opdefs

from .onnx_helpers import run_onnx


def _registered_ops() -> set[str]:
    defs = all_opdefs()
    return {d.name for d in (defs.values() if isinstance(defs, dict) else defs)}


def test_every_op_has_a_rule_or_a_reason() -> None:
    ops = _registered_ops()
    lowered = set(RULES) | set(CONTROL_OPS) | {"Placeholder"}
    assert not lowered & set(UNSUPPORTED)
    without_rule = ops - lowered
    # the ops an exported model cannot hold, each with the reason its error gives
    assert without_rule == set(UNSUPPORTED), sorted(without_rule ^ set(UNSUPPORTED))
    assert all(len(reason) > 20 for reason in UNSUPPORTED.values())
    assert set(RULES) <= ops  # no rule for an op that does not exist


def _check(build: Callable[[], tuple[dict, dict]]) -> None:
    g = gr.Graph()
    with g.as_default():
        fetches, feeds = build()
    with gr.Session(graph=g) as sess:
        want = sess.run(fetches, feeds)
        ex = to_onnx(sess, fetches, list(feeds))
    got = run_onnx(ex, {p.op.name: v for p, v in feeds.items()})
    for key, value in zip(fetches, got):
        assert value.dtype == want[key].dtype, key
        np.testing.assert_allclose(value, want[key], rtol=1e-6, atol=1e-6, err_msg=key)


def test_integer_and_float_division_follow_tf1() -> None:
    def build() -> tuple[dict, dict]:
        a = gr.placeholder(gr.int32, [6], name="a")
        b = gr.placeholder(gr.int32, [6], name="b")
        x = gr.placeholder(gr.float32, [6], name="x")
        return ({"floordiv": gr.floordiv(a, b), "floormod": gr.floormod(a, b), "fmod": gr.floormod(x, 1.5),
                 "fdiv": gr.floordiv(x, 0.7), "trunc": gr.cast(x * 3.0, gr.int32),
                 "imean": gr.reduce_mean(a), "rsqrt": gr.rsqrt(gr.abs(x) + 1.0),
                 "sqdiff": gr.squared_difference(x, 1.0)},
                {a: np.array([7, -7, 7, -7, 0, 5], np.int32), b: np.array([2, 2, -2, -2, 3, -3], np.int32),
                 x: np.array([-2.5, -0.4, 0.0, 0.4, 2.5, 3.9], np.float32)})
    _check(build)


def test_indexing_reductions_and_masks() -> None:
    def build() -> tuple[dict, dict]:
        x = gr.placeholder(gr.float32, [None, 4, 3], name="x")
        ids = gr.placeholder(gr.int32, [None], name="ids")
        lens = gr.placeholder(gr.int32, [None], name="lens")
        return ({"rev_step": x[:, ::-1, 1:], "newaxis": x[-1, None, 2], "neg": x[..., -1],
                 "reverse": gr.reverse(x, [1, 2]), "argmax": gr.argmax(x, 2), "softmax": gr.nn.softmax(x),
                 "onehot": gr.one_hot(ids, 4), "mask": gr.sequence_mask(lens, 5, dtype=gr.float32),
                 "mask_max": gr.sequence_mask(lens),
                 "gather": gr.gather(x, lens - 1 + gr.cast(lens < 1, gr.int32), axis=1),
                 "tile": gr.tile(x, [1, 2, 1]), "pad": gr.pad(x, [[0, 0], [1, 2], [0, 1]]),
                 "expand": gr.expand_dims(x, -1), "squeeze": gr.squeeze(x[:, :1, :], [1]),
                 "all": gr.reduce_all(x > 0.0, axis=1), "max": gr.reduce_max(x, axis=[0, 2], keepdims=True),
                 "range": gr.range(0, gr.shape(x)[0] * 2, 2), "select": gr.where(ids > 1, x[:, 0, :], -x[:, 0, :])},
                {x: np.random.default_rng(0).normal(size=(3, 4, 3)).astype(np.float32),
                 ids: np.array([0, 3, -1], np.int32), lens: np.array([2, 0, 4], np.int32)})
    _check(build)


def test_cond_becomes_if() -> None:
    def build() -> tuple[dict, dict]:
        x = gr.placeholder(gr.float32, [2, 3], name="x")
        p = gr.placeholder(gr.bool, [], name="p")
        w = gr.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
        return ({"cond": gr.cond(p, lambda: gr.matmul(x, w), lambda: gr.zeros([2, 2]) - 1.0)},
                {x: np.ones((2, 3), np.float32), p: np.array(True)})
    _check(build)


def test_unsupported_op_names_the_op_and_the_users_line() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        y = x + gr.random_normal([2])  # the line the error must name
    with gr.Session(graph=g) as sess, pytest.raises(OnnxExportError) as e:
        to_onnx(sess, [y], [x])
    msg = str(e.value)
    assert "RandomNormal" in msg and "random" in msg and "test_onnx_ops.py" in msg


def test_argument_errors_are_export_errors(tmp_path) -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 3], name="x")
        h = gr.placeholder(gr.float32, [2, 3], name="h")
        v = gr.Variable(np.ones((3, 3), np.float32), name="w")
        y = gr.matmul(x + h, v)
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        with pytest.raises(OnnxExportError, match="not in feeds"):
            to_onnx(sess, [y], [x])
        with pytest.raises(OnnxExportError, match="opset"):
            to_onnx(sess, [y], [x, h], opset=9)
        with pytest.raises(OnnxExportError, match="not a placeholder"):
            to_onnx(sess, [y], [y])
        ex = to_onnx(sess, {"y": y}, [x, h], str(tmp_path / "m.onnx"))
    assert [t.name for t in ex.model.graph.initializer] == ["w"]
    with pytest.raises(OnnxExportError, match="Session"):
        to_onnx(g, [y], [x, h])
    assert not list(tmp_path.glob(".*tmp*"))
