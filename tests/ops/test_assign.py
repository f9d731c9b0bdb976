"""tf.assign / assign_add / assign_sub and the Variable methods: TF1's ref-op semantics."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr


def _session(g: gr.Graph) -> gr.Session:
    sess = gr.Session(graph=g)
    sess.run(gr.global_variables_initializer())
    return sess


def test_assign_family_values_and_names() -> None:
    g = gr.Graph()
    with g.as_default():
        v = gr.Variable(np.array([1.0, 2.0]), name="v")
        a = gr.assign(v, [5.0, 6.0])
        add = gr.assign_add(v, [1.0, 1.0])
        sub = v.assign_sub(np.array([0.5, 0.5], np.float32), name="down")
        assert (a.op.type, add.op.type, sub.op.type) == ("Assign", "AssignAdd", "AssignSub")
        assert (a.op.name, add.op.name, sub.op.name) == ("Assign", "AssignAdd", "down")
        with _session(g) as sess:
            np.testing.assert_array_equal(sess.run(a), [5.0, 6.0])
            np.testing.assert_array_equal(sess.run(add), [6.0, 7.0])
            np.testing.assert_array_equal(sess.run(sub), [5.5, 6.5])
            np.testing.assert_array_equal(sess.run(v.value()), [5.5, 6.5])


def test_two_assign_adds_in_one_run_compose_like_tf1_ref_ops() -> None:
    g = gr.Graph()
    with g.as_default():
        step = gr.Variable(0, dtype=gr.int64, name="step")
        first = step.assign_add(1)
        with gr.control_dependencies([first]):
            second = step.assign_add(1)
        with _session(g) as sess:
            assert sess.run(second) == 2
            sess.run([first, second])
            assert sess.run(step.value()) == 4


def test_assign_errors() -> None:
    with gr.Graph().as_default():
        v = gr.Variable(np.zeros(2), name="v")
        with pytest.raises(gr.GraphError, match="needs a variable"):
            gr.assign(v.value() + 1, [1.0, 2.0])
        with pytest.raises(gr.GraphError, match="needs a variable"):
            gr.assign_add(3, 1)
        with pytest.raises(gr.ShapeError, match="shape"):
            gr.assign_add(v, [1.0, 2.0, 3.0])
        with pytest.raises(gr.DTypeError):
            gr.assign_sub(v, gr.constant([1, 2]))
        with pytest.raises(gr.ShapeError, match="keep their shape"):
            gr.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
        assert gr.assign(v.value(), [1.0, 2.0]).op.type == "Assign"  # the variable's own read names it


def test_a_failing_run_undoes_assign_add() -> None:
    g = gr.Graph()
    with g.as_default():
        v = gr.Variable(np.zeros(2), name="v")
        x = gr.placeholder(gr.float64, [None])
        bump = v.assign_add(x)
        with _session(g) as sess:
            sess.run(bump, {x: [1.0, 1.0]})
            with pytest.raises(gr.GraphError):
                sess.run(bump, {x: [1.0, 1.0, 1.0]})
            np.testing.assert_array_equal(sess.run(v.value()), [1.0, 1.0])
