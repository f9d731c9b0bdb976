"""while_loop / cond / TensorArray semantics on the interpreter."""

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.ir.verify import verify


def _run(g, fetches, feeds=None):
    verify(g)
    with gr.Session(graph=g) as s:
        return s.run(fetches, feeds)


def test_zero_trip_loop_returns_initial_values():
    g = gr.Graph()
    with g.as_default():
        n = gr.placeholder(gr.int32, [], name="n")
        i, acc = gr.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * 2.0),
                               [gr.constant(0), gr.constant(3.0)])
    assert _run(g, [i, acc], {n: 0}) == [0, 3.0]
    assert _run(g, [i, acc], {n: 3}) == [3, 24.0]


def test_nested_structures_as_loop_vars():
    g = gr.Graph()
    with g.as_default():
        pair = (gr.constant(1.0), {"b": gr.constant([1, 2])})

        def body(i, p):
            return i + 1, (p[0] * 3.0, {"b": p[1]["b"] + 1})

        i, (a, d) = gr.while_loop(lambda i, p: i < 2, body, [gr.constant(0), pair])
    got = _run(g, [a, d["b"]])
    assert got[0] == 9.0
    np.testing.assert_array_equal(got[1], [3, 4])


def test_maximum_iterations_counter():
    g = gr.Graph()
    with g.as_default():
        i = gr.while_loop(lambda i: i < 100, lambda i: i + 1, gr.constant(0), maximum_iterations=7)
    assert _run(g, i) == 7
    assert i.op.attrs["maximum_iterations"] == 7


def test_parallel_iterations_recorded_and_reported():
    g = gr.Graph()
    with g.as_default():
        i = gr.while_loop(lambda i: i < 4, lambda i: i + 1, gr.constant(0), parallel_iterations=32,
                          swap_memory=True)
    assert i.op.attrs["parallel_iterations"] == 32 and i.op.attrs["swap_memory"] is True
    with gr.Session(graph=g) as s:
        s.run(i)
        rep = s.last_run_report
    assert list(rep.while_iterations.values()) == [4]
    assert any("in order" in n for n in rep.notes)


def test_shape_change_without_invariant_is_an_error_with_a_fix():
    g = gr.Graph()
    with g.as_default():
        x = gr.constant(np.zeros((1, 2), np.float32))
        with pytest.raises(gr.ShapeError) as e:
            gr.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, gr.concat([v, v], 0)), [gr.constant(0), x])
    assert "[1,2]" in str(e.value) and "[2,2]" in str(e.value)
    assert "shape_invariants" in str(e.value)


def test_shape_invariants_allow_growth():
    g = gr.Graph()
    with g.as_default():
        x = gr.constant(np.ones((1, 2), np.float32))
        _, v = gr.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, gr.concat([v, v], 0)),
                             [gr.constant(0), x], shape_invariants=[gr.TensorShape([]), gr.TensorShape([None, 2])])
    assert tuple(v.shape) == (None, 2)
    assert _run(g, v).shape == (8, 2)


def test_non_boolean_condition_is_an_error():
    g = gr.Graph()
    with g.as_default():
        with pytest.raises(gr.DTypeError, match="scalar bool"):
            gr.while_loop(lambda i: i + 1, lambda i: i + 1, gr.constant(0))


def test_body_returning_wrong_dtype():
    g = gr.Graph()
    with g.as_default():
        with pytest.raises(gr.DTypeError, match="enters the loop as int32"):
            gr.while_loop(lambda i: i < 3, lambda i: gr.cast(i, gr.float32), gr.constant(0))


def test_cond_runs_one_branch_with_captures():
    g = gr.Graph()
    with g.as_default():
        p = gr.placeholder(gr.bool, [], name="p")
        x = gr.placeholder(gr.float32, [None], name="x")
        y = gr.cond(p, lambda: x * 2.0, lambda: x - 1.0)
    verify(g)
    np.testing.assert_allclose(_run(g, y, {p: True, x: [1.0, 2.0]}), [2.0, 4.0])
    np.testing.assert_allclose(_run(g, y, {p: False, x: [1.0, 2.0]}), [0.0, 1.0])
    assert y.op.type == "If"


def test_cond_branches_must_agree():
    g = gr.Graph()
    with g.as_default():
        p = gr.placeholder(gr.bool, [], name="p")
        with pytest.raises(gr.DTypeError, match="true_fn gives"):
            gr.cond(p, lambda: gr.constant(1.0), lambda: gr.constant(1))


def test_tensor_array_through_a_loop_is_one_node_and_stacks():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3], name="x")
        n = gr.placeholder(gr.int32, [], name="n")
        ta = gr.TensorArray(gr.float32, size=n, element_shape=[None, 3])

        def body(i, ta, acc):
            return i + 1, ta.write(i, acc), acc * 2.0

        _, ta2, _ = gr.while_loop(lambda i, ta, acc: i < n, body, [gr.constant(0), ta, x])
        out = ta2.stack()
        size = ta2.size()
        first = ta2.read(1)
    assert [n.type for n in g.get_operations()].count("While") == 1
    got, sz, f = _run(g, [out, size, first], {x: np.ones((2, 3)), n: 4})
    np.testing.assert_allclose(got[:, 0, 0], [1, 2, 4, 8])
    assert sz == 4
    np.testing.assert_allclose(f, np.full((2, 3), 2.0))


def test_tensor_array_unstack_read_and_dynamic_size():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 2], name="x")
        ta_in = gr.TensorArray(gr.float32, size=gr.shape(x)[0], element_shape=[2]).unstack(x)
        out = gr.TensorArray(gr.float32, size=0, dynamic_size=True, element_shape=[2])

        def body(i, o):
            return i + 1, o.write(i, ta_in.read(i) * 10.0)

        _, o = gr.while_loop(lambda i, o: i < gr.shape(x)[0], body, [gr.constant(0), out])
        res = o.stack()
    data = np.arange(8, dtype=np.float32).reshape(4, 2)
    np.testing.assert_allclose(_run(g, res, {x: data}), data * 10)


def test_tensor_array_out_of_range_read_is_a_clear_error():
    g = gr.Graph()
    with g.as_default():
        ta = gr.TensorArray(gr.float32, size=2, element_shape=[3])
        r = ta.read(5)
    with gr.Session(graph=g) as s, pytest.raises(gr.ExecutionError, match="index 5 is out of range"):
        s.run(r)


def test_in_place_buffer_update_does_not_leak_into_inputs():
    """The loop's output buffer is updated in place, but an input fed by the user is never mutated."""
    g = gr.Graph()
    with g.as_default():
        buf = gr.placeholder(gr.float32, [4, 2], name="buf")
        ta = gr.TensorArray(gr.float32, flow=buf)

        def body(i, t):
            return i + 1, t.write(i, gr.ones([2]) * gr.cast(i, gr.float32))

        _, t = gr.while_loop(lambda i, t: i < 4, body, [gr.constant(0), ta])
        res = t.stack()
    fed = np.full((4, 2), -1.0, np.float32)
    got = _run(g, res, {buf: fed})
    np.testing.assert_allclose(got[:, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(fed, -1.0)


def test_views_of_a_carried_buffer_are_not_clobbered_by_in_place_writes():
    """A view of the new buffer carried to the next iteration must keep the value it had.

    (Each index is written once, as TF1 requires; the view is the whole stacked buffer, which the next
    iteration's write would change if it updated the buffer in place.)"""
    g = gr.Graph()
    with g.as_default():
        ta = gr.TensorArray(gr.float32, size=3, element_shape=[2])

        def body(i, t, last, older):
            t2 = t.write(i, gr.ones([2]) * gr.cast(i + 1, gr.float32))
            return i + 1, t2, t2.stack(), last

        zeros = gr.zeros([3, 2])
        _, t, last, older = gr.while_loop(lambda i, *_: i < 3, body, [gr.constant(0), ta, zeros, zeros])
    got_last, got_older = _run(g, [last, older])
    np.testing.assert_allclose(got_last, [[1, 1], [2, 2], [3, 3]])
    np.testing.assert_allclose(got_older, [[1, 1], [2, 2], [0, 0]])


def test_cond_with_a_python_bool_is_an_error_that_explains_identity_equality():
    g = gr.Graph()
    with g.as_default():
        t = gr.placeholder(gr.int32, [], name="t")
        with pytest.warns(gr.IdentityComparisonWarning, match="gr.equal"):
            pred = t % 2 == 0
        with pytest.raises(gr.DTypeError, match="Python bool False") as e:
            gr.cond(pred, lambda: gr.constant(1), lambda: gr.constant(2))
    assert "gr.equal" in str(e.value)
