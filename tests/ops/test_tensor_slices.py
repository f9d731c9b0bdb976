"""Slices with tensor-valued bounds: ``x[0:n]``, ``x[i * k:(i + 1) * k]``, ``tf.strided_slice(x, begin,
end)`` with tensor ``begin``/``end`` (TF1's word-level PTB reader), against NumPy's slicing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as tf
from graphrnn.ir import serialize
from graphrnn.ir.errors import ExecutionError


@pytest.fixture(autouse=True)
def _fresh_graph() -> None:
    tf.reset_default_graph()


_bound = st.one_of(st.none(), st.integers(-9, 9))


@settings(max_examples=25, deadline=None)
@given(start=_bound, stop=_bound, step=st.sampled_from([None, 1, 2, -1, -3]), rows=st.integers(1, 4))
def test_tensor_bounds_slice_like_numpy(start: int | None, stop: int | None, step: int | None, rows: int) -> None:
    xv = np.arange(rows * 7, dtype=np.float32).reshape(rows, 7)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 7])
        a = tf.placeholder(tf.int32, [])
        b = tf.placeholder(tf.int64, [])
        # None bounds stay Python None; the others are fed scalars (int32 and int64 both work).
        y = x[:, None if start is None else a:None if stop is None else b:step]
        z = x[None if start is None else a:None if stop is None else b]
    feed = {x: xv, a: start if start is not None else 0, b: stop if stop is not None else 0}
    with tf.Session(graph=g) as sess:
        yv, zv = sess.run([y, z], feed)
    np.testing.assert_array_equal(yv, xv[:, start:stop:step])
    np.testing.assert_array_equal(zv, xv[start:stop])


def test_window_of_a_loop_counter_and_its_gradient() -> None:
    k = 3
    x = tf.placeholder(tf.float32, [2, 12])
    i = tf.placeholder(tf.int32, [])
    window = x[:, i * k:(i + 1) * k]  # the PTB reader's slice
    assert window.shape == (2, None)  # as TF1: the sliced dim is unknown until run time
    loss = tf.reduce_sum(tf.square(window)) + tf.reduce_sum(x[i:, -1])
    (g,) = tf.gradients(loss, [x])
    xv = np.random.default_rng(0).normal(size=(2, 12)).astype(np.float32)
    with tf.Session() as sess:
        for step in range(4):
            got_w, got_g = sess.run([window, g], {x: xv, i: step})
            np.testing.assert_array_equal(got_w, xv[:, step * k:(step + 1) * k])
            want = np.zeros_like(xv)
            want[:, step * k:(step + 1) * k] = 2 * xv[:, step * k:(step + 1) * k]
            want[step:, -1] += 1
            np.testing.assert_allclose(got_g, want, rtol=1e-6)


def test_strided_slice_with_tensor_begin_and_end() -> None:
    x = tf.placeholder(tf.int32, [4, 10])
    i = tf.placeholder(tf.int32, [])
    steps = 3
    # TF1's ptb reader: tf.strided_slice(data, [0, i * num_steps], [batch_size, (i + 1) * num_steps])
    a = tf.strided_slice(x, [0, i * steps], [4, (i + 1) * steps])
    begin = tf.placeholder(tf.int32, [2])
    end = tf.placeholder(tf.int32, [2])
    b = tf.strided_slice(x, begin, end, [1, 2], end_mask=1)
    c = tf.strided_slice(x, [i, 0], [i + 1, 10], shrink_axis_mask=1)  # a row, by a tensor index
    xv = np.arange(40, dtype=np.int32).reshape(4, 10)
    with tf.Session() as sess:
        av, bv, cv = sess.run([a, b, c], {x: xv, i: 2, begin: [1, 1], end: [0, 8]})
    np.testing.assert_array_equal(av, xv[:, 6:9])
    np.testing.assert_array_equal(bv, xv[1:, 1:8:2])
    np.testing.assert_array_equal(cv, xv[2])
    assert a.shape == (4, None) and c.shape == (10,)


def test_tensor_bounds_inside_a_while_loop() -> None:
    x = tf.placeholder(tf.float32, [12])

    def body(i: tf.Tensor, acc: tf.Tensor) -> tuple:
        return i + 1, acc + tf.reduce_sum(x[i * 4:(i + 1) * 4] * tf.cast(i + 1, tf.float32))
    _, total = tf.while_loop(lambda i, acc: i < 3, body, [tf.constant(0), tf.constant(0.0)])
    xv = np.arange(12, dtype=np.float32)
    with tf.Session() as sess:
        got = sess.run(total, {x: xv})
    assert got == pytest.approx(sum((j + 1) * xv[j * 4:(j + 1) * 4].sum() for j in range(3)))


def test_what_tensor_bounds_cannot_be() -> None:
    x = tf.placeholder(tf.float32, [5])
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.GraphError, match="step must be a Python int"):
        x[::n]  # noqa: B018
    with pytest.raises(tf.GraphError, match="scalar int tensor"):
        x[:tf.placeholder(tf.float32, [])]  # noqa: B018
    with pytest.raises(tf.GraphError, match="scalar int tensor"):
        x[:tf.placeholder(tf.int32, [1])]  # noqa: B018
    with pytest.raises(tf.GraphError, match="known length"):
        tf.strided_slice(x, tf.placeholder(tf.int32, [None]), [3])
    with tf.Session() as sess, pytest.raises(tf.ExecutionError) as e:
        sess.run(x[n:][n], {x: np.zeros(5), n: 4})  # the gathered index 4 is past the 1 element left
    assert e.value.op == "GatherV2"


def test_dynamic_slices_round_trip_through_json() -> None:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 6], name="x")
        i = tf.placeholder(tf.int32, [], name="i")
        tf.identity(x[1:, i:i + 2], name="y")
    g2 = serialize.from_json(serialize.to_json(g))
    xv = np.arange(18, dtype=np.float32).reshape(3, 6)
    with tf.Session(graph=g2) as sess:
        got = sess.run(g2.get_tensor_by_name("y:0"), {g2.get_tensor_by_name("x:0"): xv,
                                                      g2.get_tensor_by_name("i:0"): 3})
    np.testing.assert_array_equal(got, xv[1:, 3:5])


@settings(max_examples=25, deadline=None)
@given(index=st.integers(-5, 4), known_rows=st.booleans())
def test_negative_tensor_index_counts_from_the_end(index: int, known_rows: bool) -> None:
    """``x[i]`` with a fed ``i < 0`` is ``x[len + i]`` as in TF1's strided slice (gather alone refuses
    negative positions), on a static and a dynamic dim, also as ``strided_slice`` shrink and its gradient."""
    xv = np.arange(15, dtype=np.float32).reshape(5, 3)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [5 if known_rows else None, 3])
        i = tf.placeholder(tf.int32, [])
        row, col = x[i], x[:, i % 3 - 3]
        shrunk = tf.strided_slice(x, [i, 0], [i + 1, 3], shrink_axis_mask=1)
        v = tf.Variable(xv)
        grad = tf.gradients(tf.reduce_sum(v[i] * 2.0), v)[0]
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        r, c, s, gv = sess.run([row, col, shrunk, grad], {x: xv, i: index})
    np.testing.assert_array_equal(r, xv[index])
    np.testing.assert_array_equal(c, xv[:, index % 3 - 3])
    np.testing.assert_array_equal(s, xv[index])
    expect = np.zeros_like(xv)
    expect[index] = 2.0
    np.testing.assert_array_equal(gv, expect)


def test_tensor_index_past_either_end_is_an_execution_error() -> None:
    x = tf.constant(np.arange(4, dtype=np.float32))
    i = tf.placeholder(tf.int32, [])
    with tf.Session() as sess:
        for bad in (4, -5):
            with pytest.raises(ExecutionError, match="out of range"):
                sess.run(x[i], {i: bad})


def test_newaxis_with_a_tensor_index() -> None:
    """``tf.newaxis`` is TF1's alias of None, usable beside tensor indices."""
    assert tf.newaxis is None
    m = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
    i = tf.placeholder(tf.int32, [])
    with tf.Session() as sess:
        got = sess.run(m[tf.newaxis, i, tf.newaxis], {i: -2})
    np.testing.assert_array_equal(got, np.arange(12, dtype=np.float32).reshape(3, 4)[None, -2, None])
