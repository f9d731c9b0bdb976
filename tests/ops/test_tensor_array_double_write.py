"""TF1 refuses a second write to a TensorArray index also when the index is only known at run time."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr


@pytest.mark.parametrize("optimize", [False, True])
def test_second_write_at_a_run_time_index_is_an_error(optimize):
    g = gr.Graph()
    with g.as_default():
        i = gr.placeholder(gr.int32, [])
        ta = gr.TensorArray(gr.float32, size=3).write(i, 1.0).write(gr.constant(0) + 0 * i, 2.0)
        out = ta.stack()

        def body(k, t):  # writes index k // 2: 0, 0, 1, 1 — the second write to 0 must fail
            return k + 1, t.write(k // 2, gr.cast(k, gr.float32))
        _, looped = gr.while_loop(lambda k, t: k < 4, body, [0, gr.TensorArray(gr.float32, size=4)])
        with gr.Session(optimize=optimize) as sess:
            np.testing.assert_array_equal(sess.run(out, {i: 1}), [2.0, 1.0, 0.0])
            with pytest.raises(gr.ExecutionError, match="index 0 because it has already been written"):
                sess.run(out, {i: 0})
            with pytest.raises(gr.ExecutionError, match="already been written"):
                sess.run(looped.stack())


def test_each_index_once_in_a_loop_and_functional_values_are_fine():
    g = gr.Graph()
    with g.as_default():
        def body(k, t):
            return k + 1, t.write(k, gr.cast(k, gr.float32))
        _, ta = gr.while_loop(lambda k, t: k < 4, body, [0, gr.TensorArray(gr.float32, size=4)])
        base = gr.TensorArray(gr.float32, size=2).write(0, 5.0)
        a, b = base.write(1, 1.0), base.write(1, 2.0)  # two values built from one: each writes index 1 once
        with gr.Session() as sess:
            np.testing.assert_array_equal(sess.run(ta.stack()), [0, 1, 2, 3])
            np.testing.assert_array_equal(sess.run([a.stack(), b.stack()]), [[5, 1], [5, 2]])
            np.testing.assert_array_equal(sess.run(ta.stack()), [0, 1, 2, 3])  # a second run starts afresh
