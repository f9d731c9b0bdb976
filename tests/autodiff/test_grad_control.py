"""Gradients through While (the loop tape and the reverse loop), If, TensorArrays, nested loops."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.autodiff import while_grad
from graphrnn.autodiff.check import check_gradients
from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import KERNELS
from graphrnn.ir.verify import verify

T, B, H = 4, 2, 3


def _rnn_loop(x: gr.Tensor, h0: gr.Tensor, w: gr.Tensor, steps: int = T) -> tuple[gr.Tensor, gr.Tensor]:
    """h_{t+1} = tanh(h_t w + x_t): inputs read from a TensorArray, outputs written to one."""
    ta_in = gr.TensorArray(gr.float64, size=steps).unstack(gr.transpose(x, [1, 0, 2]))
    ta_out = gr.TensorArray(gr.float64, size=steps, element_shape=[None, H])

    def body(t: gr.Tensor, h: gr.Tensor, out: gr.TensorArray) -> tuple:
        hn = gr.tanh(gr.matmul(h, w) + ta_in.read(t))
        return t + 1, hn, out.write(t, hn)
    _, h_last, out = gr.while_loop(lambda t, h, o: t < steps, body, [gr.constant(0), h0, ta_out])
    return h_last, out.stack()


@pytest.mark.parametrize("optimize", [False, True])
def test_while_loop_gradients_match_finite_differences(optimize: bool) -> None:
    rs = np.random.RandomState(0)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [None, T, H], name="x")
        h0 = gr.placeholder(gr.float64, [None, H], name="h0")
        w = gr.placeholder(gr.float64, [H, H], name="w")
        h_last, outs = _rnn_loop(x, h0, w)
        loss = gr.reduce_sum(outs * rs.randn(T, B, H)) + gr.reduce_sum(h_last * h_last)
        feed = {x: rs.randn(B, T, H), h0: rs.randn(B, H), w: rs.randn(H, H) * 0.5}
        with gr.Session(graph=g, optimize=optimize) as sess:
            err, _, _ = check_gradients(sess, loss, [x, h0, w], feed)
        verify(g)
    assert err < 1e-7


def test_forward_loop_is_rewritten_in_place_and_keeps_user_outputs() -> None:
    rs = np.random.RandomState(1)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [B, T, H], name="x")
        w = gr.Variable(rs.randn(H, H), dtype=gr.float64, name="w")
        h_last, outs = _rnn_loop(x, gr.zeros([B, H], gr.float64), w)
        loop = h_last.op
        n_out = len(loop.outputs)
        feed = {x: rs.randn(B, T, H)}
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            before = sess.run([h_last, outs], feed)
            version = g.version
            (gw,) = gr.gradients(gr.reduce_sum(h_last), [w])
            assert g.version > version  # sessions must re-plan
            after = sess.run([h_last, outs], feed)
            (gw2,) = gr.gradients(gr.reduce_sum(outs), [w])  # a second gradient reuses the tape
            gv, gv2 = sess.run([gw, gw2], feed)
        verify(g)
    assert loop.outputs[:n_out] == loop.outputs[:n_out] and h_last is loop.outputs[h_last.index]
    assert len(loop.outputs) > n_out and loop.attrs["n_carry"] == len(loop.outputs)
    assert len(loop.outputs) == len(loop.attrs["body"].results)
    assert while_grad._TAPES[loop].n_user == n_out
    n_tape = len(loop.outputs)
    with g.as_default():
        gr.gradients(gr.reduce_sum(h_last * 2.0), [w])
    assert len(loop.outputs) == n_tape  # instrumented once
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert gv.shape == (H, H) and np.all(np.isfinite(gv2))
    # Per step only the state h, the matmul output and the tanh output (each [B, H]) are saved (and
    # the int step counter), never the [T, B, H] output buffer.
    stacks = [v for v in loop.inputs if v.node is not None and v.node.op == "StackNew"]
    assert [tuple(v.type.shape[1:]) for v in stacks if v.dtype.is_floating] == [(B, H)] * 3
    # The loop counts t < T, so the stacks are allocated with exactly T rows (no regrowth).
    outs_of_stacks = [loop.outputs[loop.inputs.index(v)] for v in stacks]
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        assert [a.shape[0] for a in sess.run(outs_of_stacks, feed)] == [T] * len(stacks)


def test_unconnected_and_integer_inputs_get_none() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float64, [3], name="a")
        b = gr.placeholder(gr.float64, [3], name="b")
        n = gr.placeholder(gr.int32, [], name="n")
        y = gr.reduce_sum(a * gr.cast(n, gr.float64)) + gr.reduce_sum(gr.stop_gradient(b) * a)
        ga, gb, gn = gr.gradients(y, [a, b, n])
        assert gb is None and gn is None and ga is not None
        c = gr.placeholder(gr.float64, [3], name="c")
        assert gr.gradients(y, [c]) == [None]
        gs = gr.gradients(y * b, [b], stop_gradients=[b])
        with gr.Session(graph=g) as sess:
            v = sess.run([ga, gs[0]], {a: np.ones(3), b: np.full(3, 2.0), n: 3})
    np.testing.assert_allclose(v[0], [5.0, 5.0, 5.0])
    np.testing.assert_allclose(v[1], np.full(3, 9.0 + 6.0))  # y itself: b is a constant inside y


def test_gradient_names_live_under_gradients_scope() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float64, [2], name="a")
        (ga,) = gr.gradients(gr.reduce_sum(gr.tanh(a)), [a])
    assert ga.op.name.startswith("gradients/")


@pytest.mark.parametrize("optimize", [False, True])
def test_cond_and_nested_loops(optimize: bool) -> None:
    """An If inside a While inside a While, all differentiated (incl. maximum_iterations)."""
    rs = np.random.RandomState(2)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [3], name="x")
        w = gr.placeholder(gr.float64, [3], name="w")

        def inner(v: gr.Tensor) -> gr.Tensor:
            def ib(j: gr.Tensor, u: gr.Tensor) -> tuple:
                u2 = gr.cond(gr.reduce_sum(u) > 0, lambda: gr.tanh(u * w),
                             lambda: u * w + 0.5)
                return j + 1, u2
            return gr.while_loop(lambda j, u: j < 2, ib, [gr.constant(0), v])[1]

        def ob(i: gr.Tensor, v: gr.Tensor) -> tuple:
            return i + 1, inner(v) * 0.9 + x

        _, out = gr.while_loop(lambda i, v: i < 10, ob, [gr.constant(0), x], maximum_iterations=3)
        loss = gr.reduce_sum(out * rs.randn(3))
        feed = {x: rs.randn(3), w: rs.randn(3)}
        with gr.Session(graph=g, optimize=optimize) as sess:
            err, got, _ = check_gradients(sess, loss, [x, w], feed)
        verify(g)
    assert err < 1e-7 and np.any(got[1] != 0)


@pytest.mark.parametrize("pred", [True, False])
def test_top_level_cond(pred: bool) -> None:
    rs = np.random.RandomState(4)
    g = gr.Graph()
    with g.as_default():
        p = gr.placeholder(gr.bool, [], name="p")
        a = gr.placeholder(gr.float64, [2, 3], name="a")
        b = gr.placeholder(gr.float64, [3], name="b")
        y, z = gr.cond(p, lambda: (gr.tanh(a * b), a + 1.0), lambda: (a * a, gr.tile(gr.expand_dims(b, 0), [2, 1])))
        loss = gr.reduce_sum(y * rs.randn(2, 3)) + gr.reduce_sum(z * z)
        with gr.Session(graph=g) as sess:
            feed = {p: pred, a: rs.randn(2, 3), b: rs.randn(3)}
            err, got, _ = check_gradients(sess, loss, [a, b], feed)
        assert gr.gradients(loss, [p]) == [None]  # bools get no gradient
        verify(g)
    assert err < 1e-7


def test_loop_reading_back_its_own_output_buffer() -> None:
    """A TensorArray carry the body reads back (row t-1, written the step before): the gradient stays exact.
    (Overwriting row t-1 as well, as this test once did, is a run-time error now, as in TF1.)"""
    rs = np.random.RandomState(6)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [5, 2], name="x")
        w = gr.placeholder(gr.float64, [2], name="w")
        ta0 = gr.TensorArray(gr.float64, size=5).write(0, x[0])

        def body(t: gr.Tensor, ta: gr.TensorArray) -> tuple:
            prev = ta.read(t - 1)
            return t + 1, ta.write(t, gr.tanh(prev * w + gr.gather(x, t)) + prev * 2.0)
        _, ta = gr.while_loop(lambda t, ta: t < 5, body, [gr.constant(1), ta0])
        loss = gr.reduce_sum(ta.stack() * rs.randn(5, 2))
        with gr.Session(graph=g) as sess:
            err, _, _ = check_gradients(sess, loss, [x, w], {x: rs.randn(5, 2), w: rs.randn(2)})
        verify(g)
    assert err < 1e-7


@pytest.mark.parametrize("pred", [True, False])
def test_loop_inside_cond(pred: bool) -> None:
    g = gr.Graph()
    with g.as_default():
        p = gr.placeholder(gr.bool, [], name="p")
        x = gr.placeholder(gr.float64, [3], name="x")
        w = gr.placeholder(gr.float64, [3], name="w")

        def loop() -> gr.Tensor:
            return gr.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, gr.tanh(v * w + x)),
                                 [gr.constant(0), x])[1]
        y = gr.cond(p, loop, lambda: x * w)
        loss = gr.reduce_sum(y * np.array([1.0, -2.0, 0.5]))
        feed = {p: pred, x: np.array([0.1, -0.3, 0.7]), w: np.array([0.5, 1.5, -1.0])}
        with gr.Session(graph=g) as sess:
            err, _, _ = check_gradients(sess, loss, [x, w], feed)
        verify(g)
    assert err < 1e-7


def test_back_prop_false_stops_gradients() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        _, y = gr.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0), [gr.constant(0), x], back_prop=False)
        assert gr.gradients(gr.reduce_sum(y), [x]) == [None]
        assert y.op not in while_grad._TAPES


def test_zero_trip_loop_passes_gradients_through() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        n = gr.placeholder(gr.int32, [], name="n")
        _, y = gr.while_loop(lambda i, v: i < n, lambda i, v: (i + 1, v * v), [gr.constant(0), x])
        (gx,) = gr.gradients(gr.reduce_sum(y), [x])
        with gr.Session(graph=g) as sess:
            np.testing.assert_allclose(sess.run(gx, {x: [3.0, -1.0], n: 0}), [1.0, 1.0])
            np.testing.assert_allclose(sess.run(gx, {x: [3.0, -1.0], n: 2}), 4 * np.array([3.0, -1.0]) ** 3)


def test_dropout_inside_a_loop_is_saved_not_redrawn() -> None:
    """Stateful body values are stored per step and replayed: the gradient uses the forward mask."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [3, 40], name="x")

        def body(t: gr.Tensor, acc: gr.Tensor) -> tuple:
            return t + 1, acc + gr.nn.dropout(x, keep_prob=0.5, seed=1) * gr.cast(t + 1, gr.float64)
        _, y = gr.while_loop(lambda t, a: t < 3, body, [gr.constant(0), gr.zeros([3, 40], gr.float64)])
        (gx,) = gr.gradients(gr.reduce_sum(y), [x])
        xv = np.random.RandomState(3).rand(3, 40) + 0.5
        with gr.Session(graph=g) as sess:
            yv, gv = sess.run([y, gx], {x: xv})
        verify(g)
    # y = x/kp * sum_t (t+1) m_t, so dy/dx = y / x exactly.
    np.testing.assert_allclose(gv, yv / xv, rtol=1e-12)


def test_stack_push_grows_by_doubling() -> None:
    """The loop tape's push is amortized O(1): few reallocations for many pushes."""
    g = gr.Graph()
    with g.as_default():
        h = gr.placeholder(gr.float64, [2], name="h")
        _, y = gr.while_loop(lambda i, v: i < 1000, lambda i, v: (i + 1, gr.tanh(v)), [gr.constant(0), h])
        (gh,) = gr.gradients(gr.reduce_sum(y), [h])
    push = next(n for n in y.op.attrs["body"].nodes if n.op == "StackPush")
    run = KERNELS["StackPush"](push, RunContext())
    stack = np.zeros((0, 2))
    grows = 0
    for i in range(1000):
        new = run(stack, i, np.ones(2) * i)
        grows += new is not stack
        stack = new
    assert grows <= 12 and stack.shape[0] < 2000
    np.testing.assert_array_equal(stack[:1000, 0], np.arange(1000))
    # A value of another shape turns the stack ragged (per-iteration copies); it keeps growing.
    stack = run(stack, 1000, np.ones(3))
    assert stack.dtype == object and stack[999].shape == (2,) and stack[1000].shape == (3,)
    full = len(stack)
    stack = run(stack, full, np.ones(1))
    assert len(stack) == 2 * full and stack[full].shape == (1,) and stack[5][0] == 5
    with gr.Session(graph=g) as sess:
        v = sess.run(gh, {h: [0.1, -0.2]})
    assert np.all(np.isfinite(v))
