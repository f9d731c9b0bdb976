"""Unknown rank (TF1's ``placeholder(dtype)`` without a shape, ``TensorShape(None)``).

The common TF1 uses run with NumPy's numbers (elementwise and broadcasting ops, reductions, cast,
reshape to a known shape, embedding lookups, gradients, TensorArrays written in a loop); ops that
need a rank say so at build time, naming the op; what only the run can check is checked there.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphrnn as tf
from graphrnn.ir import serialize
from graphrnn.ir.types import UNKNOWN_RANK, TensorShape, TensorType, broadcast_shapes, merge_shapes, most_general


@pytest.fixture(autouse=True)
def _fresh_graph() -> None:
    tf.reset_default_graph()


# --- the static type ---------------------------------------------------------------------------


def test_tensor_shape_none_has_tf1s_surface() -> None:
    s = TensorShape(None)
    assert s is UNKNOWN_RANK and isinstance(s, tf.TensorShape)
    assert s.ndims is None and s.rank is None and s.dims is None and not s.is_fully_defined()
    assert s.num_elements() is None and repr(s) == "TensorShape(None)"
    with pytest.raises(ValueError, match="rank"):  # TF1 raises ValueError; ShapeError is one
        s.as_list()
    with pytest.raises(tf.ShapeError):
        len(s)
    assert s.is_compatible_with([2, 3]) and s.merge_with([2, None]) == (2, None)
    assert TensorShape([1, None]).merge_with([None, 2]) == (1, 2)
    assert TensorShape([1, None]).merge_with(None) == (1, None)
    assert TensorShape([1, None]).is_compatible_with(TensorShape(None))
    assert not TensorShape([1, None]).is_compatible_with([2, 3])
    with pytest.raises(tf.ShapeError):
        TensorShape([1, 2]).merge_with([1, 2, 3])


def test_shape_algebra_degrades_to_unknown_rank() -> None:
    assert broadcast_shapes([UNKNOWN_RANK, (3, 4)]) is UNKNOWN_RANK
    assert most_general((2, 3), (2,)) is UNKNOWN_RANK and most_general((2, 3), (2, 4)) == (2, None)
    assert merge_shapes(UNKNOWN_RANK, (2, 3)) == (2, 3)
    assert (1, 2) + UNKNOWN_RANK is UNKNOWN_RANK  # shape[:k] + other.shape stays unknown
    assert None in UNKNOWN_RANK
    t = TensorType(tf.float32, None)
    assert t.rank is None and not t.has_rank and repr(t) == "f32<unknown>"
    assert TensorType(tf.float32, (2, 3)).refines(t) and not t.refines(TensorType(tf.float32, (2, 3)))


# --- running -----------------------------------------------------------------------------------

_arrays = hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=4, max_side=4),
                     elements=st.integers(-50, 50))


@settings(max_examples=15, deadline=None)
@given(a=_arrays)
def test_placeholder_without_shape_takes_any_rank(a: np.ndarray) -> None:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.int64)  # TF1's tests write this all the time
        y = x * 3 - 1
        total = tf.reduce_sum(y)
        biggest = tf.reduce_max(tf.abs(x)) if a.size else tf.constant(np.int64(0))
        as_float = tf.cast(y, tf.float32) / 2.0
        r, n = tf.rank(x), tf.size(x)
        shp = tf.shape(x)
    assert x.shape.ndims is None and total.shape == () and r.shape == () and shp.shape == (None,)
    with tf.Session(graph=g) as sess:
        out = sess.run([y, total, biggest, as_float, r, n, shp, tf_identity(g, x)], {x: a})
    np.testing.assert_array_equal(out[0], a * 3 - 1)
    assert out[1] == (a * 3 - 1).sum() and out[2] == (np.abs(a).max() if a.size else 0)
    np.testing.assert_allclose(out[3], (a * 3 - 1).astype(np.float32) / 2)
    assert (out[4], out[5]) == (a.ndim, a.size)
    np.testing.assert_array_equal(out[6], a.shape)
    np.testing.assert_array_equal(out[7], a)


def tf_identity(g: tf.Graph, x: tf.Tensor) -> tf.Tensor:
    with g.as_default():
        return tf.identity(x)


def test_broadcasting_against_known_shapes_and_gradients() -> None:
    x = tf.placeholder(tf.float32)
    k = tf.placeholder(tf.float32, [3, 4])
    y = tf.tanh(x * k + 1.0)
    loss = tf.reduce_sum(y * y)
    gx, gk = tf.gradients(loss, [x, k])
    assert y.shape.ndims is None and gk.shape == (3, 4)
    rng = np.random.default_rng(0)
    kv = rng.normal(size=(3, 4)).astype(np.float32)
    for xv in (rng.normal(size=(4,)), rng.normal(size=(2, 3, 4)), np.float32(0.5)):
        xv = np.asarray(xv, np.float32)
        with tf.Session() as sess:
            got_y, got_gx, got_gk = sess.run([y, gx, gk], {x: xv, k: kv})
        want_y = np.tanh(xv * kv + 1)
        dy = 2 * want_y * (1 - want_y ** 2)
        np.testing.assert_allclose(got_y, want_y, rtol=1e-5)
        want_gx = (dy * kv).sum(axis=tuple(range(dy.ndim - xv.ndim))) if xv.ndim < dy.ndim else dy * kv
        if xv.ndim == 1:  # [4] was broadcast along axis 0 of [3, 4]
            want_gx = (dy * kv).sum(axis=0)
        np.testing.assert_allclose(got_gx, want_gx.reshape(xv.shape), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got_gk, (dy * xv).sum(axis=tuple(range(dy.ndim - 2))), rtol=1e-4, atol=1e-5)


def test_reshape_to_a_known_shape_is_checked_at_run_time() -> None:
    x = tf.placeholder(tf.float32)
    m = tf.reshape(x, [-1, 4])
    assert m.shape == (None, 4)
    h = tf.matmul(m, tf.ones([4, 2]))  # an op that needs rank 2 is fine after the reshape
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(h, {x: np.ones((2, 2, 4))}), np.full((4, 2), 4.0))
        with pytest.raises(tf.ExecutionError, match="reshape") as e:
            sess.run(m, {x: np.ones(7)})
    assert e.value.op == "Reshape"


def test_embedding_lookup_with_ids_of_unknown_rank_trains() -> None:
    ids = tf.placeholder(tf.int64)
    emb = tf.Variable(np.arange(12, dtype=np.float32).reshape(6, 2))
    vecs = tf.nn.embedding_lookup(emb, ids)
    loss = tf.reduce_sum(vecs * vecs)
    (g,) = tf.gradients(loss, [emb])
    idv = np.array([[0, 5, 5], [2, 2, 0]])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, grad = sess.run([vecs, g], {ids: idv})
    table = np.arange(12, dtype=np.float32).reshape(6, 2)
    np.testing.assert_array_equal(got, table[idv])
    want = np.zeros_like(table)
    np.add.at(want, idv.reshape(-1), 2 * table[idv.reshape(-1)])
    np.testing.assert_allclose(np.asarray(grad), want)


def test_where_and_add_n_check_shapes_at_run_time() -> None:
    x = tf.placeholder(tf.float32)
    picked = tf.where(x > 0, x, -x)
    total = tf.add_n([x, x, picked])
    with tf.Session() as sess:
        v = np.array([[-1.0, 2.0], [3.0, -4.0]], np.float32)
        np.testing.assert_allclose(sess.run(total, {x: v}), 2 * v + np.abs(v))
    y = tf.placeholder(tf.float32)
    with tf.Session() as sess, pytest.raises(tf.ExecutionError, match="same shape") as e:
        sess.run(tf.add_n([x, y]), {x: np.ones((2, 3)), y: np.ones(3)})  # NumPy alone would broadcast
    assert e.value.op == "AddN"


def test_softmax_over_the_last_axis_of_unknown_rank() -> None:
    x = tf.placeholder(tf.float32)
    p = tf.nn.softmax(x)
    v = np.random.default_rng(1).normal(size=(2, 3, 5)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run(p, {x: v})
    e = np.exp(v - v.max(-1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), rtol=1e-5)


def test_zeros_of_a_runtime_shape() -> None:
    x = tf.placeholder(tf.float32)
    z = tf.zeros(tf.shape(x)) + 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(z, {x: np.ones((2, 1, 3))}), np.full((2, 1, 3), 2.0))


# --- what needs a rank -------------------------------------------------------------------------

@pytest.mark.parametrize("build, op", [
    (lambda x: tf.transpose(x), "Transpose"),
    (lambda x: tf.nn.bias_add(x, tf.ones([2])), "BiasAdd"),
    (lambda x: tf.concat([x, x], -1), "ConcatV2"),
    (lambda x: tf.unstack(x), "Unpack"),
    (lambda x: tf.reduce_sum(x, axis=1), "Sum"),
    (lambda x: tf.reduce_mean(x, keepdims=True), "Mean"),
    (lambda x: tf.expand_dims(x, 0), "ExpandDims"),
    (lambda x: tf.argmax(x, 1), "ArgMax"),
])
def test_ops_that_need_a_rank_say_so_naming_the_op(build, op: str) -> None:
    x = tf.placeholder(tf.float32)
    with pytest.raises(tf.ShapeError, match="rank") as e:
        build(x)
    assert e.value.op == op
    assert "test_unknown_rank.py" in (e.value.source or "")


def test_feed_of_a_wrong_dtype_is_still_refused() -> None:
    x = tf.placeholder(tf.int64)
    with tf.Session() as sess, pytest.raises(tf.FeedError, match="dtype"):
        sess.run(x + 1, {x: np.array([0.5, 1.5])})


# --- loops and serialization ---------------------------------------------------------------------


def test_tensor_array_without_element_shape_written_in_a_loop() -> None:
    x = tf.placeholder(tf.float32, [5, 2, 3])
    ta = tf.TensorArray(tf.float32, size=5)  # no element_shape: TF1 infers it from the writes

    def body(i: tf.Tensor, acc: tf.TensorArray) -> tuple:
        return i + 1, acc.write(i, tf.tanh(x[i]))
    _, out = tf.while_loop(lambda i, acc: i < 5, body, [tf.constant(0), ta])
    stacked = out.stack()
    assert stacked.shape == (None, 2, 3) and out.read(0).shape == (2, 3)
    loss = tf.reduce_sum(tf.transpose(stacked, [1, 0, 2]) ** 2)
    (g,) = tf.gradients(loss, [x])
    xv = np.random.default_rng(2).normal(size=(5, 2, 3)).astype(np.float32)
    with tf.Session() as sess:
        s, gv = sess.run([stacked, g], {x: xv})
    np.testing.assert_allclose(s, np.tanh(xv), rtol=1e-6)
    np.testing.assert_allclose(gv, 2 * np.tanh(xv) * (1 - np.tanh(xv) ** 2), rtol=1e-5, atol=1e-6)


def test_loop_variable_with_an_unknown_rank_invariant() -> None:
    x0 = tf.placeholder(tf.float32, [2, 3])
    _, y = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0), [tf.constant(0), x0],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape(None)])
    assert y.shape.ndims is None
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x0: np.ones((2, 3))}), np.full((2, 3), 8.0))


def test_unknown_rank_round_trips_through_json() -> None:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.int64, name="ids")
        tf.reduce_sum(x * 2, name="total")
    text = serialize.to_json(g)
    g2 = serialize.from_json(text)
    ids = g2.get_tensor_by_name("ids:0")
    assert ids.shape is UNKNOWN_RANK
    with tf.Session(graph=g2) as sess:
        assert sess.run(g2.get_tensor_by_name("total:0"), {ids: np.arange(6).reshape(2, 3)}) == 30
    assert serialize.to_json(g2) == text


def test_rnn_drivers_and_dense_need_a_rank_and_say_so() -> None:
    x = tf.placeholder(tf.float32)
    cell = tf.nn.rnn_cell.BasicLSTMCell(4)
    with pytest.raises(tf.ShapeError, match="<unknown>"):
        tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    with pytest.raises(tf.ShapeError, match="<unknown>"):
        tf.nn.static_rnn(cell, [x], dtype=tf.float32)
    with pytest.raises(tf.ShapeError, match="<unknown>"):
        tf.layers.dense(x, 3)
    # the TF1 fix: give the input its rank
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.reshape(x, [2, -1, 3]), dtype=tf.float32)
    assert outputs.shape == (2, None, 4)


def test_cond_branches_of_different_ranks_give_an_unknown_rank() -> None:
    x = tf.placeholder(tf.float32, [2])
    pred = tf.placeholder(tf.bool, [])
    y = tf.cond(pred, lambda: x, lambda: tf.reshape(x, [1, 2]) * 3.0)  # TF1 allows this too
    (g,) = tf.gradients(tf.reduce_sum(y * y), [x])
    assert y.shape.ndims is None
    with tf.Session() as sess:
        yt, gt = sess.run([y, g], {x: [1.0, 2.0], pred: True})
        yf, gf = sess.run([y, g], {x: [1.0, 2.0], pred: False})
    np.testing.assert_allclose(yt, [1.0, 2.0])
    np.testing.assert_allclose(gt, [2.0, 4.0])
    np.testing.assert_allclose(yf, [[3.0, 6.0]])
    np.testing.assert_allclose(gf, [18.0, 36.0])


def test_slicing_and_gathering_a_tensor_of_unknown_rank() -> None:
    r = tf.placeholder(tf.int32)
    n = tf.placeholder(tf.int32, [])
    head, second, nth = r[0:n], r[1], r[n]
    assert head.shape.ndims is None and nth.shape.ndims is None
    with tf.Session() as sess:
        got = sess.run([head, second, nth], {r: np.arange(10) * 2, n: 3})
        np.testing.assert_array_equal(got[0], [0, 2, 4])
        assert (got[1], got[2]) == (2, 6)
        with pytest.raises(tf.ExecutionError, match="too many indices"):
            sess.run(r[1, 2], {r: np.arange(10)})  # the key is checked against the array at run time


def test_matmul_with_an_operand_of_unknown_rank() -> None:
    x = tf.placeholder(tf.float32)  # TF1 picks BatchMatMulV2 here, with an unknown result rank
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
    y = tf.matmul(x, w)
    gx, gw = tf.gradients(tf.reduce_sum(y * y), [x, w])
    assert y.shape.ndims is None and gw.shape == (3, 2)
    xv = np.random.default_rng(3).normal(size=(2, 4, 3)).astype(np.float32)
    wv = np.arange(6, dtype=np.float32).reshape(3, 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_y, got_gx, got_gw = sess.run([y, gx, gw], {x: xv})
        np.testing.assert_allclose(got_y, xv @ wv, rtol=1e-5)
        np.testing.assert_allclose(got_gx, 2 * (xv @ wv) @ wv.T, rtol=1e-4)
        np.testing.assert_allclose(got_gw, np.einsum("bti,btj->ij", xv, 2 * (xv @ wv)), rtol=1e-4)
        with pytest.raises(tf.ExecutionError, match="rank >= 2") as e:
            sess.run(y, {x: np.ones(3)})
    assert e.value.op == "BatchMatMulV2"


def test_tensor_array_with_an_unknown_element_shape_given_explicitly() -> None:
    ta = tf.TensorArray(tf.float32, size=2, element_shape=tf.TensorShape(None))
    _, out = tf.while_loop(lambda i, acc: i < 2, lambda i, acc: (i + 1, acc.write(i, tf.fill([3], 2.0))),
                           [tf.constant(0), ta])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out.stack()), np.full((2, 3), 2.0))


def test_sparse_cross_entropy_with_labels_of_unknown_rank() -> None:
    labels = tf.placeholder(tf.int64)  # as TF1's tests write it
    logits = tf.placeholder(tf.float32, [None, 4])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    (g,) = tf.gradients(tf.reduce_mean(loss), [logits])
    assert loss.shape == (None,) and g.shape == (None, 4)
    lv = np.random.default_rng(4).normal(size=(3, 4)).astype(np.float32)
    yv = np.array([0, 3, 1])
    with tf.Session() as sess:
        got, got_g = sess.run([loss, g], {labels: yv, logits: lv})
        with pytest.raises(tf.ExecutionError, match="must have the shape of logits"):
            sess.run(loss, {labels: [[0, 3, 1]], logits: lv})  # NumPy alone would reshape silently
    p = np.exp(lv - lv.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(got, -np.log(p[np.arange(3), yv]), rtol=1e-5)
    np.testing.assert_allclose(got_g, (p - np.eye(4)[yv]) / 3, rtol=1e-4, atol=1e-6)


def test_exporters_and_the_text_form_show_an_unknown_rank() -> None:
    from graphrnn.export import dot
    from graphrnn.export.nx import to_networkx
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, name="x")
        tf.reduce_sum(x * 2.0, name="total")
    assert "f32<unknown>" in str(g)
    assert to_networkx(g).nodes["x"]["shape"] is None  # None: the rank is unknown
    assert "f32<unknown>" in str(dot.to_dot(g))


def test_concat_and_one_hot_with_unknown_ranks() -> None:
    x = tf.placeholder(tf.float32)
    k = tf.placeholder(tf.float32, [None, 3])
    rows = tf.concat([x, k], 0)  # TF1: the known input gives the rank
    cols = tf.concat([x, x], 1)
    labels = tf.placeholder(tf.int64)
    hot = tf.one_hot(labels, 4)
    (gx,) = tf.gradients(tf.reduce_sum(rows * rows) + tf.reduce_sum(cols), [x])
    assert rows.shape == (None, 3) and cols.shape.ndims is None and hot.shape.ndims is None
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        r, c, h, g = sess.run([rows, cols, hot, gx], {x: xv, k: np.ones((1, 3)), labels: [[1, 3]]})
        np.testing.assert_array_equal(r, np.concatenate([xv, np.ones((1, 3))]))
        np.testing.assert_array_equal(c, np.concatenate([xv, xv], 1))
        np.testing.assert_array_equal(h, np.eye(4)[[[1, 3]]])
        np.testing.assert_allclose(g, 2 * xv + 2)
        with pytest.raises(tf.ExecutionError) as e:
            sess.run(rows, {x: np.ones((2, 2)), k: np.ones((1, 3))})
    assert e.value.op == "ConcatV2"
    with pytest.raises(tf.ShapeError, match="axis -1"):
        tf.concat([x, x], -1)
