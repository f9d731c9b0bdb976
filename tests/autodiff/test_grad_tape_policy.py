"""What the loop tape stores and what the backward loop recomputes, after optimization
(`graphrnn.autodiff.while_grad` module docstring), and build-time broadcast decisions."""

from __future__ import annotations

import numpy as np

import graphrnn as gr
from graphrnn.autodiff.registry import broadcast_keeps_shape
from graphrnn.models import build_rnn_model
from graphrnn.passes import optimize


def _loops(g: gr.Graph) -> list:
    return [n for n in g.nodes if n.op == "While"]


def test_optimized_lstm_backward_loop_recomputes_no_activation() -> None:
    B, H = 4, 8
    m = build_rnn_model("lstm", "dynamic", steps=5, units=H, input_size=3, with_loss=True)
    with m.graph.as_default():
        grads = gr.gradients(m.loss, gr.trainable_variables())
    new, _, _ = optimize(m.graph, [m.loss, *grads], feeds=[m.x])
    forward, backward = _loops(new)
    body_ops = [n.op for n in backward.attrs["body"].nodes]
    # No forward work is repeated: no activation, bias add, gate split or gate product.
    assert not {"Sigmoid", "Tanh", "BiasAdd", "Split", "Replay"} & set(body_ops), body_ops
    assert body_ops.count("MatMul") == 2  # dgates @ W_h^T and concat^T @ dgates
    # The forward loop stacks the carries (c, h) and the five [B, H] activations, not the [B, 4H] product.
    stacks = [v for v in forward.inputs if v.node is not None and v.node.op == "StackNew" and v.dtype.is_floating]
    assert len(stacks) == 7 and all(v.type.shape[2] == H for v in stacks)
    xv = np.random.default_rng(0).uniform(-1, 1, (B, 5, 3)).astype(np.float32)
    with gr.Session(graph=m.graph, optimize=False) as s0, gr.Session(graph=m.graph) as s1:
        s0.run(gr.global_variables_initializer())
        s1._ctx.variables.update(s0._ctx.variables)
        for a, b in zip(s0.run(grads, {m.x: xv}), s1.run(grads, {m.x: xv})):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_broadcast_keeps_shape() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 8])
        cases = {(): True, (1,): True, (8,): True, (1, 8): True, (None, 8): False, (3,): False,
                 (2, 1, 8): False, (None,): False}
        for shape, want in cases.items():
            other = gr.placeholder(gr.float32, list(shape))
            assert broadcast_keeps_shape(x, other) is want, shape


def test_gradient_skips_reduce_when_broadcast_cannot_grow() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 8], name="x")
        y = gr.placeholder(gr.float32, [None, 8], name="y")
        (gx,) = gr.gradients(gr.reduce_sum((x + 1.0) * gr.constant(np.ones(8, np.float32))), [x])
        n_fixed = sum(n.op == "ReduceToShapeOf" for n in g.nodes)
        (gy,) = gr.gradients(gr.reduce_sum(x * y), [y])  # y's dim 0 might be 1 at run time: decided then
    assert n_fixed == 0
    assert sum(n.op == "ReduceToShapeOf" for n in g.nodes) == 1
    with gr.Session(graph=g) as sess:
        a, b = np.ones((2, 8), np.float32), np.full((1, 8), 2.0, np.float32)
        got_x, got_y = sess.run([gx, gy], {x: a, y: b})
    np.testing.assert_array_equal(got_x, np.ones((2, 8)))
    np.testing.assert_array_equal(got_y, np.full((1, 8), 2.0))  # summed over the broadcast rows


def _fd(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    e = np.eye(x.size)
    return np.array([(f(x + eps * e[k]) - f(x - eps * e[k])) / (2 * eps) for k in range(x.size)])


def test_tape_of_values_whose_shape_changes_per_iteration() -> None:
    """An activation of a growing prefix, and a carry that grows (shape_invariants): the tape's
    stacks turn ragged instead of failing, and the gradients match finite differences."""
    xv = np.linspace(-1, 1, 6)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [6], name="x")

        def prefix_body(i: gr.Tensor, acc: gr.Tensor) -> tuple:
            piece = gr.gather(x, gr.range(i + 1))  # shape [i + 1]
            return i + 1, acc + gr.reduce_sum(gr.tanh(piece) * gr.sigmoid(piece))

        _, acc = gr.while_loop(lambda i, acc: i < 4, prefix_body, [gr.constant(0), gr.constant(0.0, gr.float64)])

        def grow_body(i: gr.Tensor, seq: gr.Tensor) -> tuple:
            return i + 1, gr.concat([gr.tanh(seq) * 1.5, gr.reshape(gr.gather(x, i), [1])], axis=0)

        _, seq = gr.while_loop(lambda i, s: i < 4, grow_body, [gr.constant(0), x[:1]],
                               shape_invariants=[gr.TensorShape([]), gr.TensorShape([None])])
        grads = gr.gradients(acc, [x]) + gr.gradients(gr.reduce_sum(gr.square(seq)), [x])

    def prefix(v: np.ndarray) -> float:
        return sum(float(np.sum(np.tanh(v[:i + 1]) / (1 + np.exp(-v[:i + 1])))) for i in range(4))

    def grow(v: np.ndarray) -> float:
        s = v[:1]
        for i in range(4):
            s = np.concatenate([np.tanh(s) * 1.5, v[i:i + 1]])
        return float(np.sum(s ** 2))

    for optimize_ in (False, True):
        with gr.Session(graph=g, optimize=optimize_) as sess:
            got = sess.run(grads, {x: xv})
        np.testing.assert_allclose(got[0], _fd(prefix, xv), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(got[1], _fd(grow, xv), rtol=1e-6, atol=1e-8)
