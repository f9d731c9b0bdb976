"""Tensor.set_shape and gr.ensure_shape: TF1's static-shape merge, checked at run time here."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.ir import serialize
from graphrnn.ir.verify import verify


def test_set_shape_on_a_placeholder_refines_it_and_what_was_built_on_it() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, None], name="x")
        y = x * 2.0
        x.set_shape([None, 28])
        assert x.shape.as_list() == [None, 28] and y.shape.as_list() == [None, 28]
        assert x.op.type == "Placeholder"
        x.set_shape([3, None])
        assert x.shape.as_list() == [3, 28]
        verify(g)
    with gr.Session(graph=g) as sess:
        assert sess.run(y, {x: np.ones((3, 28))}).shape == (3, 28)
        with pytest.raises(gr.FeedError):
            sess.run(y, {x: np.ones((3, 27))})


def test_set_shape_gives_a_dynamic_rnn_its_input_depth() -> None:
    """The classic use: a placeholder of unknown rank made usable by the RNN drivers."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, None, name="x")
        x.set_shape([None, None, 3])
        out, _ = gr.nn.dynamic_rnn(gr.nn.rnn_cell.GRUCell(4), x, dtype=gr.float32)
        assert out.shape.as_list() == [None, None, 4]
        init = gr.global_variables_initializer()
    with gr.Session(graph=g) as sess:
        sess.run(init)
        assert sess.run(out, {x: np.ones((2, 5, 3), np.float32)}).shape == (2, 5, 4)


def test_conflicts_are_shape_errors_and_change_nothing() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3], name="x")
        with pytest.raises(gr.ShapeError, match="not compatible"):
            x.set_shape([None, 4])
        with pytest.raises(gr.ShapeError, match="not compatible"):
            x.set_shape([None])
        a = gr.placeholder(gr.float32, [None, None], name="a")
        b = gr.placeholder(gr.float32, [None, 5], name="b")
        s = a + b
        with pytest.raises(gr.ShapeError, match="conflicts with op"):
            a.set_shape([None, 4])
        assert a.shape.as_list() == [None, None] and s.shape.as_list() == [None, 5]
        verify(g)


def test_set_shape_on_a_computed_tensor_is_checked_at_run_time() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, None], name="x")
        t = gr.tanh(x)
        before = t + 1.0
        t.set_shape([None, 2])
        after = t * 3.0
        assert t.op.type == "EnsureShape" and t.shape.as_list() == [None, 2]
        assert before.shape.as_list() == [None, None] and after.shape.as_list() == [None, 2]
        (grad,) = gr.gradients(gr.reduce_sum(after), [x])
        verify(g)
    with gr.Session(graph=g) as sess:
        v = np.zeros((3, 2), np.float32)
        np.testing.assert_allclose(sess.run(grad, {x: v}), np.full((3, 2), 3.0))
        assert sess.run(before, {x: np.zeros((1, 5))}).shape == (1, 5)  # built before: not checked
        with pytest.raises(gr.InvalidArgumentError, match=r"not compatible with expected shape \[\?,2\]"):
            sess.run(after, {x: np.zeros((1, 5))})
    g2 = serialize.from_json(serialize.to_json(g))
    with gr.Session(graph=g2) as sess:
        with pytest.raises(gr.InvalidArgumentError):
            sess.run(g2.get_tensor_by_name(after.name), {g2.get_tensor_by_name("x:0"): np.zeros((1, 5))})


def test_set_shape_on_a_loop_variable_inside_the_body() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, None], name="x")

        def body(i: gr.Tensor, h: gr.Tensor) -> tuple[gr.Tensor, gr.Tensor]:
            h.set_shape([None, 3])
            assert h.shape.as_list() == [None, 3]
            return i + 1, h * 2.0
        _, h = gr.while_loop(lambda i, h: i < 2, body, [gr.constant(0), x])
        verify(g)
    with gr.Session(graph=g) as sess:
        np.testing.assert_allclose(sess.run(h, {x: np.ones((2, 3))}), np.full((2, 3), 4.0))
        with pytest.raises(gr.InvalidArgumentError):
            sess.run(h, {x: np.ones((2, 4))})


def test_ensure_shape_is_a_new_tensor() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None], name="x")
        y = gr.ensure_shape(x, [4])
        assert x.shape.as_list() == [None] and y.shape.as_list() == [4]
    with gr.Session(graph=g) as sess:
        assert sess.run(y, {x: np.ones(4)}).shape == (4,)
        with pytest.raises(gr.InvalidArgumentError):
            sess.run(y, {x: np.ones(3)})


@given(dims=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1, max_size=3),
       extra=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_set_shape_is_tf1_merge(dims: list[int | None], extra: list[int | None]) -> None:
    with gr.Graph().as_default():
        x = gr.placeholder(gr.float32, dims)
        t = gr.identity(x)
        compatible = len(dims) == len(extra) and all(a is None or b is None or a == b for a, b in zip(dims, extra))
        for v in (x, t):
            if compatible:
                v.set_shape(extra)
                assert v.shape.as_list() == [a if a is not None else b for a, b in zip(dims, extra)]
            else:
                with pytest.raises(gr.ShapeError):
                    v.set_shape(extra)
