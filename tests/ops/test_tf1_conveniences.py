"""TF1's small conveniences: to_int64/to_double, nn.leaky_relu, local variables and table initializers."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr


def test_leaky_relu_values_and_gradient_follow_tf1():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [4])
        y = gr.nn.leaky_relu(x, alpha=0.1)
        (dy,) = gr.gradients(gr.reduce_sum(y), [x])
        with gr.Session() as sess:
            v, d = sess.run([y, dy], {x: [-2.0, -0.5, 0.5, 3.0]})
    np.testing.assert_allclose(v, [-0.2, -0.05, 0.5, 3.0])
    np.testing.assert_allclose(d, [0.1, 0.1, 1.0, 1.0])
    with g.as_default(), pytest.raises(gr.DTypeError, match="floating-point"):
        gr.nn.leaky_relu(gr.constant([1, 2]))


def test_casts_and_initializers():
    g = gr.Graph()
    with g.as_default():
        x = gr.constant([1.7, -2.2])
        a, b = gr.to_int64(x), gr.to_double(x)
        assert a.dtype == gr.int64 and b.dtype == gr.float64
        assert gr.local_variables() == []
        with gr.Session() as sess:
            sess.run([gr.local_variables_initializer(), gr.tables_initializer()])
            np.testing.assert_array_equal(sess.run(a), [1, -2])
