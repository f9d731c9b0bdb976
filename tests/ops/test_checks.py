"""tf.Assert, tf.assert_*, tf.check_numerics: TF1's messages (tests/data/checks), build-time
checks where TF 1.15 has them, run-time InvalidArgumentErrors, and survival through the passes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.ir import serialize

with open(os.path.join(os.path.dirname(__file__), "..", "data", "checks", "checks.json")) as _f:
    TF = json.load(_f)


def _run_error(fetch: object, g: gr.Graph, feed: dict | None = None, optimize: bool = True) -> gr.GraphError:
    with gr.Session(graph=g, optimize=optimize) as sess:
        with pytest.raises(gr.InvalidArgumentError) as info:
            sess.run(fetch, feed)
    return info.value


@pytest.mark.parametrize("case", sorted(TF["assert"]))
def test_assert_prints_what_tf1_prints(case: str) -> None:
    spec = TF["assert"][case]
    g = gr.Graph()
    with g.as_default():
        data = [d if isinstance(d, str) else gr.constant(np.array(d[1], dtype=d[0])) for d in spec["data"]]
        op = gr.Assert(gr.constant(False), data, summarize=spec["summarize"])
    err = _run_error(op, g)
    assert isinstance(err, gr.ExecutionError) and err.message == spec["message"]
    assert "test_checks.py" in str(err)  # the user's line


@pytest.mark.parametrize("case", sorted(TF["check_numerics"]))
def test_check_numerics_prints_what_tf1_prints(case: str) -> None:
    spec = TF["check_numerics"][case]
    g = gr.Graph()
    with g.as_default():
        values = np.array([float(v) for v in spec["values"]], dtype=spec["dtype"])
        t = gr.check_numerics(gr.constant(values), "bad " + case)
        assert t.op.name == "CheckNumerics" and t.dtype.name == spec["dtype"]
    assert _run_error(t, g).message == spec["message"]


def test_assert_positive_in_control_dependencies() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None], name="x")
        with gr.control_dependencies([gr.assert_positive(x)]):
            y = gr.identity(x) * 2.0
    with gr.Session(graph=g) as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [2.0, 4.0])
    err = _run_error(y, g, {x: [-1.0, 2.0]})
    assert err.message == ("assertion failed: [] [Condition x > 0 did not hold element-wise:] [x (x:0) = ] "
                           "[-1 2]")
    assert err.node == "assert_positive/assert_less/Assert/Assert"


@pytest.mark.parametrize("fn,good,bad", [
    (gr.assert_negative, [-1.0], [0.0]), (gr.assert_non_negative, [0.0, 1.0], [-0.5]),
    (gr.assert_non_positive, [0.0, -1.0], [0.5]), (gr.debugging.assert_positive, [3.0], [0.0]),
])
def test_sign_asserts(fn: object, good: list[float], bad: list[float]) -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None], name="x")
        op = fn(x, message="custom: ")  # type: ignore[operator]
    with gr.Session(graph=g) as sess:
        sess.run(op, {x: good})
    assert _run_error(op, g, {x: bad}).message.startswith("assertion failed: [custom: ] [Condition x ")


@pytest.mark.parametrize("fn,np_fn", [
    (gr.assert_less, np.less), (gr.assert_less_equal, np.less_equal), (gr.assert_greater, np.greater),
    (gr.assert_greater_equal, np.greater_equal), (gr.assert_none_equal, np.not_equal), (gr.assert_equal, np.equal),
])
@given(xs=st.lists(st.integers(-3, 3), min_size=1, max_size=4), y=st.integers(-3, 3))
@settings(max_examples=10, deadline=None)
def test_binary_asserts_agree_with_numpy(fn: object, np_fn: object, xs: list[int], y: int) -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.int32, [None], name="x")
        op = fn(x, y)  # type: ignore[operator]
    with gr.Session(graph=g) as sess:
        if np.all(np_fn(np.array(xs), y)):  # type: ignore[operator]
            sess.run(op, {x: xs})
        else:
            with pytest.raises(gr.InvalidArgumentError, match="assertion failed"):
                sess.run(op, {x: xs})


def test_assert_near() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2])
        op = gr.debugging.assert_near(x, [1.0, 2.0], rtol=0.0, atol=1e-3)
    with gr.Session(graph=g) as sess:
        sess.run(op, {x: [1.0005, 2.0]})
        with pytest.raises(gr.InvalidArgumentError, match="not equal to tolerance"):
            sess.run(op, {x: [1.01, 2.0]})


def test_static_checks_raise_while_building_as_in_tf1() -> None:
    with gr.Graph().as_default():
        with pytest.raises(gr.InvalidArgumentError, match="Condition x == y did not hold"):
            gr.assert_equal(gr.constant([1, 2]), [1, 3])
        assert gr.assert_equal(gr.constant([1, 2]), [1, 2]).type == "Assert"  # still checked at run time
        x = gr.placeholder(gr.float32, [None, 3], name="x")
        with pytest.raises(gr.ShapeError, match="must have rank 3.  Received rank 2"):
            gr.assert_rank(x, 3)
        assert gr.assert_rank(x, 2).name == "assert_rank_1/static_checks_determined_all_ok"
        assert gr.assert_rank_at_least(x, 1).type == "NoOp"
        with pytest.raises(gr.ShapeError, match="at least rank 3"):
            gr.assert_rank_at_least(x, 3)
        with pytest.raises(gr.DTypeError, match="must be of type int32"):
            gr.assert_type(x, gr.int32)
        assert gr.assert_type(x, gr.float32).type == "NoOp"
        with pytest.raises(gr.DTypeError, match="integer type"):
            gr.assert_integer(x)
        with pytest.raises(gr.ShapeError, match="Expected scalar shape"):
            gr.assert_scalar(x)
        s = gr.constant(1.0)
        assert gr.assert_scalar(s) is s
        with pytest.raises(gr.GraphError, match="list"):
            gr.Assert(True, "not a list")
        with pytest.raises(gr.DTypeError, match="float"):
            gr.check_numerics(gr.constant([1, 2]), "ints")


def test_assert_rank_of_unknown_rank_checks_at_run_time() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, None, name="x")
        op = gr.assert_rank(x, 2)
    with gr.Session(graph=g) as sess:
        sess.run(op, {x: np.zeros((2, 3))})
    assert "must have rank" in _run_error(op, g, {x: np.zeros(3)}).message


@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("n", [0, 1, 3])
def test_asserts_in_a_loop_fail_exactly_when_an_iteration_runs(optimize: bool, n: int) -> None:
    """A loop-invariant failing assert must not be hoisted (a loop that runs 0 times must not
    raise) nor removed (it guards the body's result through a control edge)."""
    g = gr.Graph()
    with g.as_default():
        bad = gr.placeholder(gr.float32, [], name="bad")
        steps = gr.placeholder(gr.int32, [], name="steps")

        def body(i: gr.Tensor, acc: gr.Tensor) -> tuple[gr.Tensor, gr.Tensor]:
            with gr.control_dependencies([gr.assert_positive(bad)]):
                return i + 1, acc + gr.identity(bad)
        _, total = gr.while_loop(lambda i, acc: i < steps, body, [gr.constant(0), gr.constant(0.0)])
    feed = {bad: -1.0, steps: n}
    with gr.Session(graph=g, optimize=optimize) as sess:
        if n == 0:
            assert sess.run(total, feed) == 0.0
        else:
            with pytest.raises(gr.InvalidArgumentError, match="Condition x > 0"):
                sess.run(total, feed)
        assert sess.run(total, {bad: 2.0, steps: n}) == 2.0 * n


def test_check_numerics_passes_gradients_and_verify_finite_scope() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        y = gr.verify_tensor_all_finite(x * 3.0, "y is bad")
        assert y.op.name == "VerifyFinite/CheckNumerics"
        (grad,) = gr.gradients(gr.reduce_sum(gr.log(y)), [x])
    with gr.Session(graph=g) as sess:
        np.testing.assert_allclose(sess.run(grad, {x: [1.0, 2.0]}), [1.0, 0.5])
    assert _run_error(grad, g, {x: [np.inf, 1.0]}).message == "y is bad : Tensor had Inf values"


def test_checks_survive_serialization() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None], name="x")
        with gr.control_dependencies([gr.assert_less(x, 1.0, summarize=1)]):
            gr.identity(x, name="y")
    g2 = serialize.from_json(serialize.to_json(g))
    y2 = g2.get_tensor_by_name("y:0")
    err = _run_error(y2, g2, {g2.get_tensor_by_name("x:0"): [0.5, 3.0]})
    assert err.message == ("assertion failed: [] [Condition x < y did not hold element-wise:] [x (x:0) = ] [0.5...] "
                           "[y (assert_less/y:0) = ] [1]")
