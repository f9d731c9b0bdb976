"""TF1 1.15 semantics that graphrnn used to get wrong (issue #10), each checked against TF1's rule.

- ``while_loop(c, b, [x])`` returns the tensor, not ``[tensor]`` (control_flow_ops.while_loop:
  ``return_same_structure=False`` unpacks a one-element loop_vars; with ``maximum_iterations`` the
  one element is returned whatever it holds).
- ``concat(tensor, axis)`` with a bare tensor is ``identity(tensor)`` (array_ops.concat wraps a
  non-list in a list; one input is an Identity).
- ``range`` infers int64 when a Python int does not fit int32, and float32 over int64.
- Python ints beyond int32 are int64 constants; beyond their dtype, an error (never wrapped).
- ``layers.dense`` on integer inputs is an error (TF1's Dense refuses non-floating dtypes).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr


def _run(fetch: object, graph: gr.Graph) -> object:
    with gr.Session(graph=graph) as sess:
        return sess.run(fetch)


def test_while_loop_one_element_list_returns_the_tensor() -> None:
    g = gr.Graph()
    with g.as_default():
        for loop_vars in ([gr.constant(0)], (gr.constant(0),)):
            r = gr.while_loop(lambda i: i < 10, lambda i: i + 1, loop_vars)
            assert isinstance(r, gr.Tensor)
            assert _run(r, g) == 10
        listed = gr.while_loop(lambda i: i < 10, lambda i: [i + 1], [gr.constant(0)])
        assert isinstance(listed, gr.Tensor)
        same = gr.while_loop(lambda i: i < 10, lambda i: i + 1, [gr.constant(0)], return_same_structure=True)
        assert isinstance(same, list) and len(same) == 1
        capped = gr.while_loop(lambda i: i < 100, lambda i: i + 1, [gr.constant(0)], maximum_iterations=7)
        assert isinstance(capped, gr.Tensor) and _run(capped, g) == 7
        # A one-element list holding a pair: TF1 keeps the list without maximum_iterations...
        nested = gr.while_loop(lambda p: p[0] < 3, lambda p: [(p[0] + 1, p[1] * 2.0)],
                               [(gr.constant(0), gr.constant(1.0))])
        assert isinstance(nested, list) and len(nested) == 1 and len(nested[0]) == 2
        # ...and returns the pair itself with it.
        pair = gr.while_loop(lambda p: p[0] < 3, lambda p: (p[0] + 1, p[1] * 2.0),
                             [(gr.constant(0), gr.constant(1.0))], maximum_iterations=2)
        assert isinstance(pair, tuple) and _run(pair[1], g) == 4.0
        two = gr.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x + 1.0), [gr.constant(0), gr.constant(0.0)])
        assert isinstance(two, list) and len(two) == 2


def test_concat_of_a_bare_tensor_is_identity() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
        y = gr.concat(x, 0)
        assert y.op.type == "Identity" and y.shape == (2, 3)
        np.testing.assert_array_equal(_run(y, g), np.arange(6).reshape(2, 3))
        assert gr.concat([x], 1).op.type == "Identity"
        with pytest.raises(gr.GraphError):
            gr.concat(x, 0.5)


@settings(max_examples=25, deadline=None)
@given(st.integers(-2**40, 2**40), st.integers(1, 5))
def test_range_dtype_follows_tf1(start: int, n: int) -> None:
    g = gr.Graph()
    with g.as_default():
        r = gr.range(start, start + n)
        fits = -2**31 <= start and start + n < 2**31
        assert r.dtype == (gr.int32 if fits else gr.int64)
        np.testing.assert_array_equal(_run(r, g), np.arange(start, start + n))
        assert gr.range(3, gr.constant(7, gr.int64)).dtype == gr.int64
        assert gr.range(gr.constant(1, gr.int64), 2.5).dtype == gr.float32


@settings(max_examples=40, deadline=None)
@given(st.integers(-2**70, 2**70))
def test_integer_constants_never_wrap(v: int) -> None:
    g = gr.Graph()
    with g.as_default():
        if -2**31 <= v < 2**31:
            assert gr.constant(v).dtype == gr.int32
        elif -2**63 <= v < 2**63:
            c = gr.constant(v)
            assert c.dtype == gr.int64 and int(_run(c, g)) == v
            with pytest.raises(gr.DTypeError, match="does not fit int32"):
                gr.constant(v, gr.int32)
        else:
            with pytest.raises(gr.DTypeError, match="does not fit int64"):
                gr.constant(v)
        if not -2**31 <= v < 2**31:
            with pytest.raises(gr.DTypeError):
                gr.constant(np.array([v], dtype=np.int64) if -2**63 <= v < 2**63 else [v], gr.int32)


def test_dense_refuses_integer_inputs_and_bad_units() -> None:
    g = gr.Graph()
    with g.as_default():
        with pytest.raises(gr.DTypeError, match="floating-point"):
            gr.layers.dense(gr.zeros([2, 3], dtype=gr.int32), 4)
        for units in (2.5, 0, -1, "4", None, True):
            with pytest.raises(gr.GraphError):
                gr.layers.dense(gr.zeros([2, 3]), units)
        with pytest.raises(gr.DTypeError):
            gr.contrib.layers.fully_connected(gr.zeros([2, 3], dtype=gr.int64), 4)
        assert gr.layers.dense(gr.zeros([2, 3]), np.int64(4)).shape == (2, 4)


def test_cells_refuse_bad_sizes_and_classes() -> None:
    rc = gr.nn.rnn_cell
    for cls in (rc.BasicRNNCell, rc.GRUCell, rc.BasicLSTMCell, rc.LSTMCell):
        for bad in (2.5, 0, -3, "8", None, True, [4]):
            with pytest.raises(gr.GraphError):
                cls(bad)
        assert cls(np.int32(3)).output_size == 3
    with pytest.raises(gr.GraphError):
        rc.LSTMCell(4, num_proj=0)
    with pytest.raises(gr.GraphError):
        rc.LSTMCell(4, forget_bias="1")
    with pytest.raises(gr.GraphError):
        rc.BasicRNNCell(4, activation="tanh")
    g = gr.Graph()
    with g.as_default():
        x = gr.zeros([2, 3, 4])
        with pytest.raises(gr.GraphError, match="the class LSTMCell"):
            gr.nn.dynamic_rnn(rc.LSTMCell, x, dtype=gr.float32)
        with pytest.raises(gr.GraphError, match="class"):
            rc.MultiRNNCell([rc.LSTMCell(2), rc.LSTMCell])
        with pytest.raises(gr.GraphError, match="class"):
            rc.DropoutWrapper(rc.GRUCell)


def test_cond_and_while_loop_refuse_non_functions() -> None:
    g = gr.Graph()
    with g.as_default():
        p = gr.constant(True)
        for t, f in ((1, lambda: 2), (lambda: 1, "x"), (gr.constant(1), lambda: 1), (int, lambda: 1)):
            with pytest.raises(gr.GraphError, match="must be a function"):
                gr.cond(p, t, f)
        with pytest.raises(gr.GraphError, match="cannot be called with 0"):
            gr.cond(p, lambda x: x, lambda: 1)
        with pytest.raises(gr.GraphError, match="must be a function"):
            gr.while_loop(True, lambda i: i + 1, [0])
        with pytest.raises(gr.GraphError, match="cannot be called with 2"):
            gr.while_loop(lambda i: i < 3, lambda i, j: (i, j), [0, 1.0])


def test_tensor_array_write_once_and_unstack_length_follow_tf1() -> None:
    """TF1's TensorArray (tensor_array.h): a second write to an index is an error; an unwritten index
    reads as zeros once the element shape is known; unstack of a longer value into a fixed-size array
    is an error, a shorter one leaves zeros; dynamic_size grows."""
    ta = gr.TensorArray
    g = gr.Graph()
    with g.as_default():
        with pytest.raises(gr.GraphError, match="written twice"):
            ta(gr.float32, 3).write(0, 1.0).write(0, 2.0)
        with pytest.raises(gr.GraphError, match="written twice"):
            ta(gr.float32, 3).unstack([1.0, 2.0, 3.0]).write(1, 5.0)
        with pytest.raises(gr.GraphError, match="already written"):
            ta(gr.float32, 3).write(1, 5.0).unstack([1.0, 2.0, 3.0])
        with pytest.raises(gr.ShapeError, match="not resizeable"):
            ta(gr.float32, 3).unstack([1.0, 2.0, 3.0, 4.0])
        partial = ta(gr.float32, 3).write(0, 1.0).write(2, 3.0)
        shorter = ta(gr.float32, 3).unstack([1.0, 2.0])
        grown = ta(gr.float32, 3, dynamic_size=True).unstack([1.0, 2.0, 3.0, 4.0])
        kept = ta(gr.float32, 3, dynamic_size=True).unstack([1.0, 2.0])
        p = gr.placeholder(gr.float32, [None])
        fed = ta(gr.float32, 3).unstack(p).stack()
        same = ta(gr.float32, gr.shape(p)[0]).unstack(p)
        assert not any(n.op == "TensorArrayUnstackCheck" for n in g.get_operations() if n.name.startswith(
            same.flow.name.split(":")[0]))
        # A loop writes index i once per iteration: nothing is known statically, nothing refused.
        _, looped = gr.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t.write(i, gr.cast(i, gr.float32))),
                                  [0, ta(gr.float32, 3)])
    with gr.Session(graph=g) as sess:
        np.testing.assert_array_equal(sess.run(partial.stack()), [1.0, 0.0, 3.0])
        assert sess.run(partial.read(1)) == 0.0
        np.testing.assert_array_equal(sess.run(shorter.stack()), [1.0, 2.0, 0.0])
        np.testing.assert_array_equal(sess.run(grown.stack()), [1.0, 2.0, 3.0, 4.0])
        np.testing.assert_array_equal(sess.run(kept.stack()), [1.0, 2.0, 0.0])
        np.testing.assert_array_equal(sess.run(fed, {p: [4.0, 5.0, 6.0]}), [4.0, 5.0, 6.0])
        np.testing.assert_array_equal(sess.run(same.stack(), {p: [1.0, 2.0]}), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(looped.stack()), [0.0, 1.0, 2.0])
        with pytest.raises(gr.ExecutionError, match="not resizeable"):
            sess.run(fed, {p: [1.0, 2.0, 3.0, 4.0]})
        with pytest.raises(gr.ExecutionError, match="run-time size"):
            sess.run(fed, {p: [1.0, 2.0]})
