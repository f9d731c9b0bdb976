"""Adversarial gradient checks: odd loops, conds, random draws, indexing, optimizers.

The first group are regression tests of bugs found by this review; the rest probe corners that
the per-op and per-driver tests do not (finite differences in float64, NumPy optimizer rules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.autodiff.check import check_gradients
from graphrnn.ir.verify import verify

OPT = pytest.mark.parametrize("optimize", [False, True])


def _fd_check(build: Callable[..., gr.Tensor], shapes: Sequence[Sequence[int | None]], optimize: bool,
              feed_shapes: Sequence[Sequence[int]] | None = None, tol: float = 1e-6, seed: int = 0) -> None:
    """Symbolic vs central differences w.r.t. float64 placeholders of ``shapes`` (None dims fed
    as ``feed_shapes`` or 2)."""
    rs = np.random.RandomState(seed)
    g = gr.Graph()
    with g.as_default():
        phs = [gr.placeholder(gr.float64, list(s), name=f"p{i}") for i, s in enumerate(shapes)]
        loss = build(*phs)
        fs = feed_shapes or [[2 if d is None else d for d in s] for s in shapes]
        feed = {p: rs.randn(*f) for p, f in zip(phs, fs)}
        with gr.Session(graph=g, optimize=optimize) as sess:
            err, sym, num = check_gradients(sess, loss, phs, feed)
        verify(g)
    assert err < tol, (err, sym, num)


def _fresh_session_fd(g: gr.Graph, loss: gr.Tensor, xs: Sequence[gr.Tensor], feed: dict, init: object,
                      delta: float = 1e-6) -> list[np.ndarray]:
    """Central differences where each evaluation runs in a new Session: random streams restart,
    so every evaluation draws the same dropout masks as the first run of a new Session."""
    def ev(f: dict) -> float:
        with gr.Session(graph=g, optimize=False) as s:
            s.run(init)
            return float(s.run(loss, f))
    base = {k: np.array(v, copy=True) for k, v in feed.items()}
    out = []
    for x in xs:
        arr, grad = base[x], np.zeros(np.shape(base[x]))
        for i in np.ndindex(*arr.shape):
            old = arr[i]
            arr[i] = old + delta
            up = ev(base)
            arr[i] = old - delta
            grad[i] = (up - ev(base)) / (2 * delta)
            arr[i] = old
        out.append(grad)
    return out


# --- regressions ---------------------------------------------------------------------------------

def test_stop_gradients_on_one_output_of_a_multi_output_op() -> None:
    """Bug: a stopped output of Split still passed its gradient on when Split was visited for its
    other output."""
    rs = np.random.RandomState(0)
    g = gr.Graph()
    with g.as_default():
        a, w = gr.placeholder(gr.float64, [4]), gr.placeholder(gr.float64, [4])
        p, q = gr.split(a * w, 2)
        (ga,) = gr.gradients(gr.reduce_sum(p * q), [a], stop_gradients=[q])
        (gp, gq) = gr.gradients(p + q, [p, q], stop_gradients=[p, q])  # TF1's partial derivatives
        av, wv = rs.randn(4), rs.randn(4)
        with gr.Session(graph=g) as sess:
            got, gpv, gqv = sess.run([ga, gp, gq], {a: av, w: wv})
    q_val = (av * wv)[2:]
    np.testing.assert_allclose(got, np.concatenate([q_val * wv[:2], np.zeros(2)]))
    np.testing.assert_allclose(gpv, np.ones(2))
    np.testing.assert_allclose(gqv, np.ones(2))


@OPT
def test_tanh_of_a_scalar(optimize: bool) -> None:
    """Bug: the fused TanhGrad kernel failed on 0-d values (a scalar loss squashed by tanh)."""
    _fd_check(lambda a: gr.tanh(gr.reduce_max(a)) + gr.sigmoid(gr.reduce_sum(a)), [[3]], optimize)


@OPT
def test_dropout_in_a_cond_uses_the_forward_mask(optimize: bool) -> None:
    """Bug: the If gradient copied the branch, and the copy of the dropout drew a new mask (the
    TF1 idiom ``cond(is_training, dropout, identity)``)."""
    xv = np.random.RandomState(3).rand(3, 40) + 0.5
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [None, 40])
        train = gr.placeholder(gr.bool, [])
        y = gr.cond(train, lambda: gr.nn.dropout(x, keep_prob=0.5) * 3.0, lambda: x * 2.0)
        z = gr.cond(train, lambda: x, lambda: gr.nn.dropout(x, keep_prob=0.5))  # draws in else
        (gx,) = gr.gradients(gr.reduce_sum(y) + gr.reduce_sum(z), [x])
        with gr.Session(graph=g, optimize=optimize) as sess:
            sess.run(y, {x: xv, train: True})  # advance the forward streams alone first
            for t in (True, False, True):
                yv, zv, gv = sess.run([y, z, gx], {x: xv, train: t})
                np.testing.assert_allclose(gv, yv / xv + zv / xv, rtol=1e-12)
        verify(g)


@OPT
def test_dropout_in_a_cond_inside_a_loop_is_replayed(optimize: bool) -> None:
    """Bug: the backward loop recomputed the If (and its dropout) instead of replaying its draws."""
    xv = np.random.RandomState(3).rand(3, 40) + 0.5
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [3, 40])

        def body(t: gr.Tensor, acc: gr.Tensor) -> tuple:
            d = gr.cond(gr.equal(t % 2, 0), lambda: gr.nn.dropout(x, keep_prob=0.5, seed=1), lambda: x * 0.5)
            return t + 1, acc + d * gr.cast(t + 1, gr.float64)
        _, y = gr.while_loop(lambda t, a: t < 3, body, [gr.constant(0), gr.zeros([3, 40], gr.float64)])
        (gx,) = gr.gradients(gr.reduce_sum(y), [x])
        with gr.Session(graph=g, optimize=optimize) as sess:
            yv, gv = sess.run([y, gx], {x: xv})
        verify(g)
    np.testing.assert_allclose(gv, yv / xv, rtol=1e-12)  # y is linear in x


@OPT
def test_dropout_in_a_loop_or_cond_nested_in_a_cond_is_replayed(optimize: bool) -> None:
    """Bug: the If gradient copied a nested loop (or cond) and the copies redrew the masks."""
    xv = np.random.RandomState(3).rand(3, 40) + 0.5
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [3, 40])
        train = gr.placeholder(gr.bool, [])

        def loop() -> gr.Tensor:
            def body(t: gr.Tensor, acc: gr.Tensor) -> tuple:
                return t + 1, acc + gr.nn.dropout(x, keep_prob=0.5) * gr.cast(t + 1, gr.float64)
            return gr.while_loop(lambda t, a: t < 3, body, [gr.constant(0), gr.zeros([3, 40], gr.float64)])[1]
        y = gr.cond(train, loop, lambda: x * 2.0)
        z = gr.cond(train, lambda: x, lambda: gr.cond(gr.logical_not(train), lambda: gr.nn.dropout(x * 2.0, 0.5),
                                                      lambda: x))
        (gx,) = gr.gradients(gr.reduce_sum(y) + gr.reduce_sum(z), [x])
        with gr.Session(graph=g, optimize=optimize) as sess:
            sess.run([y, z], {x: xv, train: True})
            for t in (True, False, True, False):
                yv, zv, gv = sess.run([y, z, gx], {x: xv, train: t})
                np.testing.assert_allclose(gv, (yv + zv) / xv, rtol=1e-12)  # y and z are linear in x
        verify(g)


@OPT
def test_dropout_in_a_nested_loop_is_replayed(optimize: bool) -> None:
    """Once a bug (the outer backward loop recomputed the inner loop, redrawing its masks), then a
    refusal; now the outer tape stores the inner loop's draws and tape per outer step. Inner trip
    counts vary per outer step (ragged stacks); nested two deep, and through a cond."""
    xv = np.random.RandomState(3).rand(3, 4) + 0.5
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [3, 4])

        def inner(n: gr.Tensor) -> gr.Tensor:
            return gr.while_loop(lambda j, a: j < n, lambda j, a: (j + 1, a + gr.nn.dropout(x, 0.5) * gr.cast(
                j + 1, gr.float64)), [gr.constant(0), gr.zeros([3, 4], gr.float64)])[1]

        def middle(n: gr.Tensor) -> gr.Tensor:
            return gr.while_loop(lambda k, a: k < 2, lambda k, a: (k + 1, a + inner(k + n)),
                                 [gr.constant(0), gr.zeros([3, 4], gr.float64)])[1]

        def outer(body: Any) -> gr.Tensor:
            return gr.while_loop(lambda t, a: t < 3, body, [gr.constant(0), gr.zeros([3, 4], gr.float64)])[1]

        y = outer(lambda t, a: (t + 1, a + inner(t + 1)))
        z = outer(lambda t, a: (t + 1, a + middle(t)))
        w = outer(lambda t, a: (t + 1, a + gr.cond(t < 2, lambda: inner(t + 1), lambda: x)))
        (gx,) = gr.gradients(gr.reduce_sum(y) + gr.reduce_sum(z) + gr.reduce_sum(w), [x])
        with gr.Session(graph=g, optimize=optimize) as sess:
            for _ in range(3):  # the streams advance between runs: each run draws new masks
                yv, zv, wv, gv = sess.run([y, z, w, gx], {x: xv})
                np.testing.assert_allclose(gv, (yv + zv + wv) / xv, rtol=1e-12)  # all linear in x
        verify(g)


# --- loops ---------------------------------------------------------------------------------------

@OPT
def test_loop_carries_that_swap_alias_and_pass_through(optimize: bool) -> None:
    def build(a: gr.Tensor, b: gr.Tensor, w: gr.Tensor) -> gr.Tensor:
        def body(i: gr.Tensor, x: gr.Tensor, y: gr.Tensor, z: gr.Tensor, c: gr.Tensor) -> tuple:
            return i + 1, y * w, x, z, w  # swap x/y, z passes through, c becomes a capture
        _, x, y, z, c = gr.while_loop(lambda i, *_: i < 3, body, [gr.constant(0), a, a, b, a])
        return gr.reduce_sum(x * 2 + y * 3 + z * z + c * c * c)
    _fd_check(build, [[3], [3], [3]], optimize)


@OPT
def test_carry_used_only_in_cond_and_data_dependent_trip_count(optimize: bool) -> None:
    def build(a: gr.Tensor, s: gr.Tensor) -> gr.Tensor:
        x, lim = gr.while_loop(lambda x, lim: gr.reduce_sum(x * x) < lim, lambda x, lim: (x * 1.5, lim),
                               [a, gr.reduce_sum(s * s) * 50.0])
        return gr.reduce_sum(x) + lim
    _fd_check(build, [[2], [2]], optimize)


@OPT
def test_maximum_iterations_with_unknown_shapes(optimize: bool) -> None:
    def build(a: gr.Tensor, w: gr.Tensor) -> gr.Tensor:
        # TF1: a one-element loop_vars list gives back the tensor itself.
        x = gr.while_loop(lambda x: gr.constant(True), lambda x: (gr.tanh(gr.concat([x[1:], x[:1]], 0) * w),),
                          [a], maximum_iterations=3)
        y = gr.while_loop(lambda x: gr.constant(True), lambda x: (x * w,), [a], maximum_iterations=0)
        _, z = gr.while_loop(lambda i, z: i < 10, lambda i, z: (i + 1, gr.tanh(z * w)), [gr.constant(0), a],
                             maximum_iterations=2)
        return gr.reduce_sum(x * x) + gr.reduce_sum(y) + gr.reduce_sum(z)
    _fd_check(build, [[None], [None]], optimize, feed_shapes=[[3], [3]])


@OPT
def test_three_nested_loops_capturing_outer_carries(optimize: bool) -> None:
    def build(a: gr.Tensor, w: gr.Tensor) -> gr.Tensor:
        def outer(i: gr.Tensor, x: gr.Tensor) -> tuple:
            def middle(j: gr.Tensor, y: gr.Tensor) -> tuple:
                _, z = gr.while_loop(lambda k, z: k < 2, lambda k, z: (k + 1, gr.tanh(z * y + w * x)),
                                     [gr.constant(0), y])
                return j + 1, z + x
            _, y = gr.while_loop(lambda j, y: j < i, middle, [gr.constant(0), x])  # inner trips vary
            return i + 1, y
        _, x = gr.while_loop(lambda i, x: i < 3, outer, [gr.constant(0), a])
        return gr.reduce_sum(x * w) + gr.reduce_sum(w * w)  # w also used outside the loops
    _fd_check(build, [[3], [3]], optimize)


@OPT
def test_cond_in_loop_in_cond(optimize: bool) -> None:
    def build(a: gr.Tensor, w: gr.Tensor, p: gr.Tensor) -> gr.Tensor:
        def loop() -> gr.Tensor:
            def body(i: gr.Tensor, x: gr.Tensor) -> tuple:
                return i + 1, gr.cond(gr.reduce_sum(x) > 0, lambda: gr.tanh(x * w), lambda: x * 0.5 + w)
            return gr.while_loop(lambda i, x: i < 3, body, [gr.constant(0), a])[1]
        return gr.reduce_sum(gr.cond(p[0] > -5.0, loop, lambda: a * w) ** 2)
    _fd_check(build, [[3], [3], [1]], optimize)


@OPT
def test_tensor_arrays_read_several_times_and_written_twice(optimize: bool) -> None:
    def build(x: gr.Tensor, w: gr.Tensor) -> gr.Tensor:
        ta = gr.TensorArray(gr.float64, size=4).unstack(x)

        def body(t: gr.Tensor, h: gr.Tensor, acc: gr.TensorArray, own: gr.TensorArray) -> tuple:
            a, b, c = ta.read(t), ta.read(gr.maximum(t - 1, 0)), ta.read(0)
            h2 = gr.tanh(h * w + a * b + c + own.read(t))
            return t + 1, h2, acc.write(t, h2 * a), own.write(t + 1, h2)  # index 0 was written before the loop
        out = gr.TensorArray(gr.float64, size=4, element_shape=[3])
        own = gr.TensorArray(gr.float64, size=5, element_shape=[3]).write(0, w)
        _, h, acc, own = gr.while_loop(lambda t, *_: t < 4, body, [gr.constant(0), w * 0.5, out, own])
        # TF1 refuses a second write to an index (graphrnn too, at build or at run time).
        twice = gr.TensorArray(gr.float64, size=3).write(0, x[0] * w).write(1, w).write(2, x[1] * x[1])
        return (gr.reduce_sum(h) + gr.reduce_sum(acc.stack() ** 2) + gr.reduce_sum(own.stack())
                + gr.reduce_sum(twice.read(2) * 2 + twice.read(2) * w + twice.read(1) + twice.read(0)))
    _fd_check(build, [[4, 3], [3]], optimize)


@OPT
def test_two_losses_on_one_loop_after_the_graph_ran(optimize: bool) -> None:
    """The second gradient reuses the first one's tape; the Session re-plans after each rewrite."""
    rs = np.random.RandomState(0)
    g = gr.Graph()
    with g.as_default():
        a, w = gr.placeholder(gr.float64, [3]), gr.placeholder(gr.float64, [3])
        _, x, y = gr.while_loop(lambda i, x, y: i < 3, lambda i, x, y: (i + 1, gr.tanh(x * w), y + x),
                                [gr.constant(0), a, a])
        l1, l2 = gr.reduce_sum(x * x), gr.reduce_sum(y * 3.0)
        feed = {a: rs.randn(3), w: rs.randn(3)}
        with gr.Session(graph=g, optimize=optimize) as sess:
            before = sess.run([x, y], feed)
            errs = [check_gradients(sess, loss, [a, w], feed)[0] for loss in (l1, l2, l1 + l2)]
            after = sess.run([x, y], feed)
    assert max(errs) < 1e-7
    for u, v in zip(before, after):
        np.testing.assert_array_equal(u, v)


def test_grad_ys_and_integer_inputs() -> None:
    rs = np.random.RandomState(0)
    g = gr.Graph()
    with g.as_default():
        a, i = gr.placeholder(gr.float64, [3]), gr.placeholder(gr.int32, [3])
        gy = rs.randn(3)
        (ga,) = gr.gradients([a * a, gr.tanh(a)], [a], grad_ys=[gy, None])
        _, x = gr.while_loop(lambda k, x: k < 3, lambda k, x: (k + 1, x * gr.cast(k + i[0], gr.float64)),
                             [i[1], a])
        gi, gk = gr.gradients(gr.reduce_sum(x) + gr.reduce_sum(gr.cast(i, gr.float64) * a), [i, i[1]])
        assert gi is None and gk is None
        av = rs.randn(3)
        with gr.Session(graph=g) as sess:
            got = sess.run(ga, {a: av})
    np.testing.assert_allclose(got, 2 * av * gy + 1 - np.tanh(av) ** 2)


# --- ops -----------------------------------------------------------------------------------------

def _loss(y: gr.Tensor) -> gr.Tensor:
    return gr.reduce_sum(y * y) + gr.reduce_sum(gr.tanh(y))


@OPT
def test_indexing_gather_and_strided_slices(optimize: bool) -> None:
    _fd_check(lambda a: _loss(gr.gather(a, [0, 2, 0, 0, 1])) + _loss(gr.gather(a, [[1, 1], [0, 1]], axis=1)),
              [[3, 2]], optimize)
    _fd_check(lambda a: _loss(a[4:0:-2, ::-1]) + _loss(a[-2::-3, -1]) + _loss(a[1:-1:2, None, 0])
              + _loss(a[..., ::-2]), [[None, 3]], optimize, feed_shapes=[[7, 3]])


@OPT
def test_broadcasting_with_unknown_dims(optimize: bool) -> None:
    _fd_check(lambda a, b: _loss(a * b + a / (b * b + 1.0) - b + gr.maximum(a, b)),
              [[None, None], [None]], optimize, feed_shapes=[[3, 1], [4]])
    _fd_check(lambda a, b: _loss(gr.squared_difference(a, b) + gr.pow(a * a + 1.0, b) + gr.minimum(a, b)),
              [[None, 3], [None, 1]], optimize, feed_shapes=[[1, 3], [2, 1]])


@OPT
def test_reductions_with_keep_dims(optimize: bool) -> None:
    def build(a: gr.Tensor) -> gr.Tensor:
        total = gr.constant(0.0, gr.float64)
        for k, f in enumerate([gr.reduce_sum, gr.reduce_mean, gr.reduce_max, gr.reduce_min, gr.reduce_prod]):
            for ax in (None, 0, -1, [0, 1]):
                for kd in (False, True):
                    total = total + _loss(f(a, axis=ax, keepdims=kd) * (1.0 + 0.1 * k))
        return total
    _fd_check(build, [[None, 3]], optimize)


@OPT
def test_concat_split_unstack_with_unknown_dims(optimize: bool) -> None:
    def build(a: gr.Tensor, b: gr.Tensor) -> gr.Tensor:
        x, y, z = gr.split(a, [1, 3, -1], axis=1)
        u, v = gr.split(b, 2, axis=0)
        cols = gr.unstack(b, axis=1)
        return (_loss(gr.concat([a, b, a], axis=1)) + _loss(z * y[:, :1]) + _loss(x) + _loss(u * 3.0)
                + _loss(cols[0] * cols[1]) + _loss(gr.stack([cols[1], cols[1]], axis=1)))
    _fd_check(build, [[None, None], [None, 2]], optimize, feed_shapes=[[2, 6], [2, 2]])


@OPT
def test_softmax_cross_entropies(optimize: bool) -> None:
    w = [1.0, 2.0, 3.0]

    def build(a: gr.Tensor, lg: gr.Tensor) -> gr.Tensor:
        lab = gr.nn.softmax(lg)
        return (gr.reduce_sum(gr.nn.softmax_cross_entropy_with_logits_v2(labels=lab, logits=a) * w)
                + gr.reduce_sum(gr.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 3, 1], logits=a) * w)
                + gr.reduce_sum(gr.nn.sigmoid_cross_entropy_with_logits(labels=gr.sigmoid(lg), logits=a))
                + _loss(gr.nn.log_softmax(a) * gr.nn.softmax(a * 2.0)))
    _fd_check(build, [[3, 4], [3, 4]], optimize)


# --- RNN drivers with dropout --------------------------------------------------------------------

@pytest.mark.parametrize("mode,optimize", [("static", False), ("dynamic", True), ("bidirectional", False),
                                           ("static_bidirectional", True)])
def test_rnn_drivers_with_dropout_multicell_lengths_and_initial_state(mode: str, optimize: bool) -> None:
    """Dropout masks (input, output, state) must be the forward pass's: finite differences with a
    fresh Session per evaluation see the same masks as the first run of the gradient Session."""
    steps, batch, depth, units = 3, 3, 2, 2
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(3)
        x = gr.placeholder(gr.float64, [batch, steps, depth])
        seq = gr.constant(np.array([2, 0, 3], np.int32))

        def cell(k: int) -> gr.nn.rnn_cell.MultiRNNCell:
            lstm = gr.nn.rnn_cell.LSTMCell(units, name=f"lstm{k}")
            drop = gr.nn.rnn_cell.DropoutWrapper(lstm, input_keep_prob=0.7, output_keep_prob=0.6,
                                                 state_keep_prob=0.8, seed=k + 1)
            return gr.nn.rnn_cell.MultiRNNCell([drop, gr.nn.rnn_cell.GRUCell(units, name=f"gru{k}")])
        c0, h0, s1 = (gr.placeholder(gr.float64, [batch, units]) for _ in range(3))
        init = (gr.nn.rnn_cell.LSTMStateTuple(c0, h0), s1)
        if mode == "static":
            outs, state = gr.nn.static_rnn(cell(0), gr.unstack(x, axis=1), initial_state=init,
                                           sequence_length=seq, dtype=gr.float64)
            outs = gr.stack(outs, 1)
        elif mode == "dynamic":
            outs, state = gr.nn.dynamic_rnn(cell(0), x, initial_state=init, sequence_length=seq, dtype=gr.float64)
        elif mode == "bidirectional":
            (fw, bw), state = gr.nn.bidirectional_dynamic_rnn(cell(0), cell(1), x, initial_state_fw=init,
                                                              sequence_length=seq, dtype=gr.float64)
            outs = fw + 2.0 * bw
        else:
            seqs, s_fw, s_bw = gr.nn.static_bidirectional_rnn(cell(0), cell(1), gr.unstack(x, axis=1),
                                                              initial_state_fw=init, sequence_length=seq,
                                                              dtype=gr.float64)
            outs, state = gr.stack(seqs, 1), (s_fw, s_bw)
        rs = np.random.RandomState(1)
        loss = gr.reduce_sum(outs * rs.randn(batch, steps, outs.shape[-1]))
        for leaf in gr.nest.flatten(state):
            loss = loss + gr.reduce_sum(leaf * rs.randn(batch, units))
        xs = [x, c0, h0, s1]
        grads = gr.gradients(loss, xs)
        init_op = gr.global_variables_initializer()
    feed = {v: rs.randn(*v.shape) for v in xs}
    with gr.Session(graph=g, optimize=optimize) as sess:
        sess.run(init_op)
        got = sess.run(grads, feed)
    for a, b in zip(got, _fresh_session_fd(g, loss, xs, feed, init_op)):
        np.testing.assert_allclose(a, b, atol=1e-6)


# --- optimizers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["adam", "momentum", "nesterov", "sgd"])
def test_optimizers_match_numpy_tf1_rules_over_steps(kind: str) -> None:
    rs = np.random.RandomState(0)
    xv, yv, w0, b0 = rs.randn(5, 3), rs.randn(5, 2), rs.randn(3, 2), rs.randn(2)

    def np_grads(w: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
        r = xv @ w + b - yv
        return [2 * xv.T @ r + 1 - np.tanh(w) ** 2, 2 * r.sum(0)]
    g = gr.Graph()
    with g.as_default():
        w = gr.Variable(w0, dtype=gr.float64, name="w")
        b = gr.Variable(b0, dtype=gr.float64, name="b")
        frozen = gr.Variable(np.ones(2), dtype=gr.float64, name="frozen")
        x = gr.placeholder(gr.float64, [None, 3])
        loss = (gr.reduce_sum(gr.square(gr.matmul(x, w) + b * frozen - yv)) + gr.reduce_sum(gr.tanh(w)))
        step = gr.Variable(0, dtype=gr.int64, trainable=False, name="global_step")
        opt = {"adam": gr.train.AdamOptimizer(0.1, 0.8, 0.95, 1e-3), "momentum": gr.train.MomentumOptimizer(0.05, 0.7),
               "nesterov": gr.train.MomentumOptimizer(0.05, 0.7, use_nesterov=True),
               "sgd": gr.train.GradientDescentOptimizer(0.05)}[kind]
        train = opt.minimize(loss, global_step=step, var_list=[w, b])
        with gr.Session() as sess:
            sess.run(gr.global_variables_initializer())
            params, slots = [w0.copy(), b0.copy()], [{"m": 0.0, "v": 0.0, "a": 0.0} for _ in range(2)]
            # TF1 makes Python-float hyperparameters float32 tensors and casts them to the variable's
            # dtype, and keeps Adam's beta powers in float32 (tests/data/optimizers has TF1's numbers).
            f = {c: float(np.float32(c)) for c in (0.8, 0.95, 0.1, 1e-3, 0.05, 0.7)}
            b1p, b2p = np.float32(0.8), np.float32(0.95)
            for k in range(4):
                sess.run(train, {x: xv})
                for p, gv, s in zip(params, np_grads(*params), slots):
                    if kind == "adam":
                        s["m"] = s["m"] + (gv - s["m"]) * (1 - f[0.8])
                        s["v"] = s["v"] + (gv * gv - s["v"]) * (1 - f[0.95])
                        alpha = f[0.1] * np.sqrt(1 - float(b2p)) / (1 - float(b1p))
                        p -= s["m"] * alpha / (np.sqrt(s["v"]) + f[1e-3])
                    elif kind == "sgd":
                        p -= gv * f[0.05]
                    else:
                        s["a"] = s["a"] * f[0.7] + gv
                        p -= gv * f[0.05] + s["a"] * f[0.7] * f[0.05] if kind == "nesterov" else s["a"] * f[0.05]
                b1p, b2p = b1p * np.float32(0.8), b2p * np.float32(0.95)
                wv, bv, fv, sv = sess.run([w, b, frozen, step])
                np.testing.assert_allclose(wv, params[0], rtol=1e-12, atol=1e-13)
                np.testing.assert_allclose(bv, params[1], rtol=1e-12, atol=1e-13)
                np.testing.assert_array_equal(fv, np.ones(2))
                assert sv == k + 1


def test_a_drawing_inner_loop_without_back_prop_is_stored_not_taped() -> None:
    """back_prop=False: no gradient enters the inner loop, so the outer tape stores its outputs
    (the backward loop needs its values, drawn once) but the inner loop gets no tape of its own."""
    xv = np.random.RandomState(3).rand(3, 4) + 0.5
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [3, 4])
        w = gr.placeholder(gr.float64, [])

        def outer(t: gr.Tensor, acc: gr.Tensor) -> tuple:
            loop = gr.while_loop(lambda j, a: j < 2, lambda j, a: (j + 1, a + gr.nn.dropout(x, 0.5)),
                                 [gr.constant(0), gr.zeros([3, 4], gr.float64)], back_prop=False)
            return t + 1, acc + loop[1] * w
        _, y = gr.while_loop(lambda t, a: t < 3, outer, [gr.constant(0), gr.zeros([3, 4], gr.float64)])
        inner = next(n for n in y.op.attrs["body"].nodes if n.op == "While")
        n_carry = inner.attrs["n_carry"]
        (gw,) = gr.gradients(gr.reduce_sum(y), [w])
        assert inner.attrs["n_carry"] == n_carry  # not instrumented
        with gr.Session(graph=g) as sess:
            for _ in range(2):
                yv, gv = sess.run([y, gw], {x: xv, w: 2.0})
                np.testing.assert_allclose(gv, yv.sum() / 2.0, rtol=1e-12)  # y is linear in w


def test_unknown_rank_shape_invariant_is_a_clear_error() -> None:
    # TensorShape(None) is TF1's unknown rank (tests/ops/test_unknown_rank.py); what still needs a
    # rank says so, naming the op.
    x = gr.placeholder(gr.float32, gr.TensorShape(None))
    with pytest.raises(gr.ShapeError, match="rank") as e:
        gr.transpose(x)
    assert e.value.op == "Transpose"
