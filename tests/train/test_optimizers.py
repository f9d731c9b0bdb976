"""Optimizers against NumPy references of TF1's update rules; minimize/compute/apply; training."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr


def _quadratic(opt_fn: object, steps: int = 3, global_step: bool = False) -> tuple[list[np.ndarray], object]:
    """Runs ``steps`` updates of loss = sum((w * x - y)^2) and returns w after each step."""
    g = gr.Graph()
    with g.as_default():
        w = gr.Variable(np.array([1.0, -2.0, 0.5]), dtype=gr.float64, name="w")
        x = gr.constant(np.array([0.5, 1.5, -1.0]))
        y = gr.constant(np.array([1.0, 0.0, 2.0]))
        loss = gr.reduce_sum(gr.square(w * x - y))
        opt = opt_fn()  # type: ignore[operator]
        gs = gr.train.get_or_create_global_step() if global_step else None
        train_op = opt.minimize(loss, global_step=gs)
        # TF1: with a global step the training op is the AssignAdd that increments it
        assert isinstance(train_op, gr.Operation) and train_op.type == ("AssignAdd" if global_step else "NoOp")
        out = []
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            for _ in range(steps):
                sess.run(train_op)
                out.append(sess.run(w.value()))
            extra = sess.run(gs.value()) if gs is not None else None
    return out, (opt, g, extra)


def _f32(x: float) -> float:
    """TF1 turns Python-float hyperparameters into float32 tensors, then casts them to the
    variable's dtype: a float64 model trains with float64(float32(0.1))."""
    return float(np.float32(x))


def _grad(w: np.ndarray) -> np.ndarray:
    x, y = np.array([0.5, 1.5, -1.0]), np.array([1.0, 0.0, 2.0])
    return 2 * (w * x - y) * x


def test_gradient_descent() -> None:
    got, (_, _, step) = _quadratic(lambda: gr.train.GradientDescentOptimizer(0.1), global_step=True)
    w = np.array([1.0, -2.0, 0.5])
    for g in got:
        w = w - _grad(w) * _f32(0.1)
        np.testing.assert_allclose(g, w, rtol=1e-12)
    assert step == 3


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov: bool) -> None:
    got, (opt, g, _) = _quadratic(lambda: gr.train.MomentumOptimizer(0.1, 0.9, use_nesterov=nesterov))
    w, acc = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    for gw in got:
        grad = _grad(w)
        lr, mu = _f32(0.1), _f32(0.9)
        acc = acc * mu + grad
        w = w - (grad * lr + acc * mu * lr if nesterov else acc * lr)
        np.testing.assert_allclose(gw, w, rtol=1e-12)
    assert [v.op.name for v in opt.variables()] == ["w/Momentum"]  # type: ignore[attr-defined]
    assert "w/Momentum" in [v.op.name for v in gr.global_variables(g)]
    assert "w/Momentum" not in [v.op.name for v in gr.trainable_variables(g)]


def test_adam_matches_tf1_update_and_names() -> None:
    got, (opt, g, _) = _quadratic(lambda: gr.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.99, epsilon=1e-3))
    w, m, v = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
    # TF1 keeps the beta powers in float32 (made from Python floats) and casts them per update.
    b1p, b2p = np.float32(0.8), np.float32(0.99)
    b1, b2, eps = _f32(0.8), _f32(0.99), _f32(1e-3)
    for gw in got:
        grad = _grad(w)
        lr = _f32(0.1) * np.sqrt(1 - float(b2p)) / (1 - float(b1p))
        m = m + (grad - m) * (1 - b1)
        v = v + (grad * grad - v) * (1 - b2)
        w = w - m * lr / (np.sqrt(v) + eps)
        b1p, b2p = b1p * np.float32(0.8), b2p * np.float32(0.99)
        np.testing.assert_allclose(gw, w, rtol=1e-12)
    names = sorted(v.op.name for v in gr.global_variables(g))
    assert names == ["beta1_power", "beta2_power", "w", "w/Adam", "w/Adam_1"]


def test_compute_and_apply_gradients_with_clipping() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.Variable(np.array([3.0, 4.0]), dtype=gr.float64, name="a")
        b = gr.Variable(np.array([1.0]), dtype=gr.float64, name="b")
        gr.Variable(np.array([1.0]), dtype=gr.float64, name="unused")
        loss = gr.reduce_sum(a * a) + gr.reduce_sum(b)
        opt = gr.train.GradientDescentOptimizer(1.0)
        gv = opt.compute_gradients(loss)
        assert [v.op.name for _, v in gv] == ["a", "b", "unused"] and gv[2][0] is None
        clipped, norm = gr.clip_by_global_norm([g_ for g_, _ in gv], 1.0)
        train_op = opt.apply_gradients([(c, v) for c, (_, v) in zip(clipped, gv)])
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            n, _ = sess.run([norm, train_op])
            a_new, b_new = sess.run([a.value(), b.value()])
    np.testing.assert_allclose(n, np.sqrt(6.0**2 + 8.0**2 + 1.0))
    np.testing.assert_allclose(a_new, [3.0, 4.0] - np.array([6.0, 8.0]) / n)
    np.testing.assert_allclose(b_new, [1.0 - 1.0 / n])


def test_no_gradients_is_an_error() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.Variable(np.ones(2), name="a")
        loss = gr.reduce_sum(gr.constant(np.ones(2), gr.float32))
        with pytest.raises(gr.GraphError, match="no gradients"):
            gr.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[a])


@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_loss_falls_on_a_learnable_sequence_problem(mode: str) -> None:
    """Classify whether a sequence's running sum ends positive: an LSTM learns it in a few steps."""
    rs = np.random.RandomState(0)
    T, B = 5, 32
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(1)
        x = gr.placeholder(gr.float32, [None, T, 1], name="x")
        y = gr.placeholder(gr.int32, [None], name="y")
        lengths = gr.placeholder(gr.int32, [None], name="lengths")
        cell = gr.nn.rnn_cell.LSTMCell(8)
        if mode == "static":
            _, state = gr.nn.static_rnn(cell, gr.unstack(x, num=T, axis=1), dtype=gr.float32, sequence_length=lengths)
        else:
            _, state = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32, sequence_length=lengths)
        logits = gr.layers.dense(state.h, 2)
        loss = gr.reduce_mean(gr.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train_op = gr.train.AdamOptimizer(0.05).minimize(loss)
        xv = rs.randn(B, T, 1).astype(np.float32)
        lv = rs.randint(1, T + 1, B).astype(np.int32)
        mask = np.arange(T)[None, :] < lv[:, None]
        yv = ((xv[..., 0] * mask).sum(1) > 0).astype(np.int32)
        feed = {x: xv, y: yv, lengths: lv}
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            first = sess.run(loss, feed)
            for _ in range(40):
                sess.run(train_op, feed)
            last = sess.run(loss, feed)
    assert last < 0.5 * first
