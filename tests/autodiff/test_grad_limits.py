"""What the gradient does not support says so clearly (instead of wrong numbers or raw errors)."""

import numpy as np

import graphrnn as gr


def test_gradient_through_a_carry_whose_shape_changes():
    """Once a limit (a clear error); the tape's stacks now turn ragged: v doubles its rows each step,
    sum(v) = 27 * sum(x) after three steps."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [1, 2], name="x")
        _, v = gr.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, gr.concat([v, v * 2.0], 0)),
                             [gr.constant(0), x],
                             shape_invariants=[gr.TensorShape([]), gr.TensorShape([None, 2])])
        gx, = gr.gradients(gr.reduce_sum(gr.square(v)), [x])
    with gr.Session(graph=g) as s:
        got = s.run(gx, {x: np.array([[1.0, -2.0]])})
    np.testing.assert_allclose(got, 2 * 125 * np.array([[1.0, -2.0]]))  # sum(v^2) = (1+4)^3 sum(x^2)


def test_scalar_tanh_and_sigmoid_gradients():
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float64, [3], name="a")
        ga, = gr.gradients(gr.tanh(gr.reduce_max(a)) + gr.sigmoid(gr.reduce_sum(a)), [a])
    with gr.Session(graph=g) as s:
        got = s.run(ga, {a: [0.1, 0.5, 0.2]})
    sig = 1 / (1 + np.exp(-0.8))
    np.testing.assert_allclose(got, [sig * (1 - sig)] * 3 + np.array([0, 1 - np.tanh(0.5) ** 2, 0]))


def test_tensor_array_without_element_shape_as_loop_variable():
    g = gr.Graph()
    with g.as_default():
        ta = gr.TensorArray(gr.float32, size=3)
        # TF1 infers the element shape from the writes (tests/ops/test_unknown_rank.py has more).
        _, out = gr.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t.write(i, 1.0)), [0, ta])
        stacked = out.stack()
    assert stacked.shape == (None,)
    with gr.Session(graph=g) as sess:
        np.testing.assert_array_equal(sess.run(stacked), np.ones(3, np.float32))


def test_dropout_gradient_is_exact_where_the_input_is_zero():
    """The mask is an output of Dropout, so the gradient does not have to guess it from y."""
    g = gr.Graph()
    with g.as_default():
        a = gr.constant(np.arange(1.0, 9.0))
        s = gr.placeholder(gr.float64, [], name="s")
        y = gr.nn.dropout(a * s, keep_prob=0.5, seed=3)
        gs, = gr.gradients(gr.reduce_sum(y), [s])
        mask = y.op.outputs[1]
    with gr.Session(graph=g) as sess:
        got, m = sess.run([gs, mask], {s: 0.0})
    assert set(np.unique(m)) <= {0.0, 2.0}
    np.testing.assert_allclose(got, np.sum(np.arange(1.0, 9.0) * m))
