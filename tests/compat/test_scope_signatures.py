"""TF1's three-argument ``tf.name_scope(name, default_name, values)`` and ``tf.variable_scope(name_or_scope,
default_name, values, ...)`` in TF1's argument order. Names checked against TF 1.15's (graph mode)."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as tf


@pytest.fixture(autouse=True)
def _fresh_graph() -> None:
    tf.reset_default_graph()


def my_op(a: tf.Tensor, b: tf.Tensor, name: str | None = None) -> tuple[tf.Tensor, tf.Tensor]:
    """The TF1 idiom for a composite op: a scope named by the caller or by the op."""
    with tf.name_scope(name, "MyOp", [a, b]) as scope:
        c = tf.multiply(a, 2.0)
        return tf.add(c, b, name=scope), c


def test_three_argument_name_scope_names_like_tf1() -> None:
    x = tf.placeholder(tf.float32, [2])
    y = tf.placeholder(tf.float32, [2])
    (r1, c1), (r2, c2), (r3, c3) = my_op(x, y), my_op(x, y), my_op(x, y, name="sum")
    # TF 1.15 (with tf.multiply): MyOp:0 MyOp/Mul:0 MyOp_1:0 MyOp_1/Mul:0 sum:0 sum/Mul:0
    assert [t.name for t in (r1, c1, r2, c2, r3, c3)] == \
        ["MyOp:0", "MyOp/Mul:0", "MyOp_1:0", "MyOp_1/Mul:0", "sum:0", "sum/Mul:0"]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(r3, {x: [1.0, 2.0], y: [0.5, 0.5]}), [2.5, 4.5])


def test_name_scope_values_choose_the_graph_and_must_agree() -> None:
    g = tf.Graph()
    with g.as_default():
        z = tf.constant(1.0)
    with tf.name_scope("q", values=[z]) as scope:  # TF1 opens the scope in z's graph
        w = tf.add(z, 1.0)
    assert scope == "q/" and w.graph is g and w.name == "q/Add:0"
    with pytest.raises(tf.ScopeError, match="different graphs"):
        with tf.name_scope("mixed", values=[z, tf.constant(2.0)]):
            pass
    with pytest.raises(tf.ScopeError, match="name or a default_name"):  # TF1: ValueError
        with tf.name_scope(None, None, [z]):
            pass
    with pytest.raises(ValueError):  # ScopeError is a ValueError, as TF1's error is
        with tf.name_scope(None, None, [z]):
            pass


def test_variable_scope_default_name_values_and_tf1_argument_order() -> None:
    x = tf.placeholder(tf.float32, [2])
    with tf.variable_scope(None, "layer", [x]):
        v1 = tf.get_variable("w", [2])
    with tf.variable_scope(None, "layer", [x]):
        v2 = tf.get_variable("w", [2])
    assert (v1.name, v2.name) == ("layer/w:0", "layer_1/w:0")  # TF 1.15 gives these
    with tf.variable_scope("s", None, [x], tf.constant_initializer(3.0)):
        v3 = tf.get_variable("w", [2])
    # reuse is TF1's ninth positional argument
    with tf.variable_scope("s", None, None, None, None, None, None, None, True):
        v4 = tf.get_variable("w", [2])
    assert v3 is v4
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v3), [3.0, 3.0])


def test_variable_scope_arguments_that_would_change_the_variables_are_refused() -> None:
    with pytest.raises(tf.ScopeError, match="regularizer") as e:
        with tf.variable_scope("r", regularizer=lambda w: tf.reduce_sum(w)):
            pass
    assert "l2_loss" in str(e.value)
    with pytest.raises(tf.ScopeError, match="custom_getter"):
        with tf.variable_scope("c", custom_getter=lambda getter, *a, **k: getter(*a, **k)):
            pass
    with tf.variable_scope("ok", use_resource=True, caching_device="/cpu:0"):  # no effect here
        assert tf.get_variable("v", [1]).name == "ok/v:0"
