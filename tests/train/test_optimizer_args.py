"""Hostile optimizer arguments are GraphErrors at build time; TF1's names for global_step and slots."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr

OPTIMIZERS = [
    lambda lr: gr.train.GradientDescentOptimizer(lr),
    lambda lr: gr.train.MomentumOptimizer(lr, 0.9),
    lambda lr: gr.train.AdamOptimizer(lr),
    lambda lr: gr.train.RMSPropOptimizer(lr),
    lambda lr: gr.train.AdagradOptimizer(lr),
    lambda lr: gr.train.AdadeltaOptimizer(lr),
    lambda lr: gr.train.ProximalGradientDescentOptimizer(lr),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
@pytest.mark.parametrize("lr", ["0.1", None, True, float("nan"), float("inf"), -math.inf, [0.1], {"lr": 1}])
def test_bad_learning_rates_are_graph_errors(make: object, lr: object) -> None:
    with gr.Graph().as_default():
        with pytest.raises(gr.GraphError, match="learning_rate|lr"):
            make(lr)  # type: ignore[operator]


def test_other_hyperparameters_are_checked_and_adagrad_needs_a_positive_accumulator() -> None:
    with gr.Graph().as_default():
        with pytest.raises(gr.GraphError, match="beta1"):
            gr.train.AdamOptimizer(0.1, beta1="0.9")
        with pytest.raises(gr.GraphError, match="momentum"):
            gr.train.MomentumOptimizer(0.1, None)
        with pytest.raises(gr.GraphError, match="initial_accumulator_value"):
            gr.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
        with pytest.raises(gr.GraphError, match="scalar"):
            gr.train.GradientDescentOptimizer(gr.constant([0.1, 0.2]))
        with pytest.raises(gr.GraphError, match="real number"):
            gr.train.GradientDescentOptimizer(gr.constant(True))


def _problem(dtype: object = gr.float32) -> tuple[gr.Variable, gr.Tensor]:
    w = gr.Variable(np.array([1.0, -2.0]), dtype=dtype, name="w")
    return w, gr.reduce_sum(gr.square(w))


@given(lr=st.floats(-2.0, 2.0, allow_nan=False, width=32))
@settings(max_examples=15, deadline=None)
def test_negative_or_any_finite_learning_rate_is_accepted_like_tf1(lr: float) -> None:
    g = gr.Graph()
    with g.as_default():
        w, loss = _problem(gr.float64)
        op = gr.train.GradientDescentOptimizer(lr).minimize(loss)
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            sess.run(op)
            got = sess.run(w.value())
    start = np.array([1.0, -2.0])
    np.testing.assert_allclose(got, start - 2 * start * float(np.float32(lr)), rtol=1e-12)


def test_tensor_and_callable_learning_rates() -> None:
    g = gr.Graph()
    with g.as_default():
        w, loss = _problem(gr.float64)
        lr = gr.placeholder(gr.float32, [], name="lr")
        op = gr.train.MomentumOptimizer(lr, lambda: 0.5).minimize(loss)
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            sess.run(op, {lr: 0.25})
            np.testing.assert_allclose(sess.run(w.value()), [0.5, -1.0])


def test_malformed_grads_and_vars_and_losses() -> None:
    with gr.Graph().as_default():
        w, loss = _problem()
        opt = gr.train.GradientDescentOptimizer(0.1)
        with pytest.raises(gr.GraphError, match="no variables"):
            opt.apply_gradients([])
        with pytest.raises(gr.GraphError, match="not a variable"):
            opt.apply_gradients([(loss, "w")])
        with pytest.raises(gr.GraphError, match="dtype"):
            opt.apply_gradients([(gr.constant([1.0, 2.0], gr.float64), w)])
        with pytest.raises(gr.GraphError, match="float loss"):
            opt.minimize(gr.constant(1))
        with pytest.raises(gr.GraphError, match="loss tensor"):
            opt.minimize("loss")
        with pytest.raises(gr.GraphError, match="no gradients"):
            opt.apply_gradients([(None, w)])


def test_global_step_takes_the_variable_scope_not_the_name_scope() -> None:
    """TF1's create_global_step uses get_variable under name_scope(None)."""
    with gr.Graph().as_default():
        with gr.variable_scope("Model"):
            step = gr.train.get_or_create_global_step()
        assert step.op.name == "Model/global_step" and step.dtype == gr.int64 and not step.trainable
        assert gr.train.get_global_step() is step
        assert gr.get_collection(gr.GraphKeys.GLOBAL_STEP) == [step]
        with pytest.raises(gr.GraphError, match="already exists"):
            gr.train.create_global_step()
    with gr.Graph().as_default():
        with gr.name_scope("ns"):
            assert gr.train.get_or_create_global_step().op.name == "global_step"


def test_slot_and_beta_power_names_follow_tf1_scopes() -> None:
    """Slots get the variable scope prefix (Model/Model/w/Adam); beta powers the name scope."""
    g = gr.Graph()
    with g.as_default():
        with gr.variable_scope("Model"):
            w = gr.get_variable("w", [2], gr.float64)
            step = gr.train.get_or_create_global_step()
            op = gr.train.AdamOptimizer(0.1).minimize(gr.reduce_sum(w * w), global_step=step)
        names = [(v.op.name, v.dtype.name) for v in gr.global_variables()]
        assert names == [("Model/w", "float64"), ("Model/global_step", "int64"), ("Model/beta1_power", "float32"),
                         ("Model/beta2_power", "float32"), ("Model/Model/w/Adam", "float64"),
                         ("Model/Model/w/Adam_1", "float64")]
        assert (op.name, op.type) == ("Model/Adam", "AssignAdd")
        assert gr.get_collection(gr.GraphKeys.TRAIN_OP) == [op]
    with gr.Graph().as_default():
        with gr.name_scope("ns"):
            w = gr.Variable(np.ones(2), name="w")
            gr.train.AdamOptimizer(0.1).minimize(gr.reduce_sum(w * w))
            gr.train.AdamOptimizer(0.1).minimize(gr.reduce_sum(w * w))
        assert [v.op.name for v in gr.global_variables()] == [
            "ns/w", "ns/beta1_power", "ns/beta2_power", "ns/w/Adam", "ns/w/Adam_1",
            "ns/beta1_power_1", "ns/beta2_power_1", "ns/w/Adam_2", "ns/w/Adam_3"]


@pytest.mark.parametrize("l1", [0.0, 0.3, "tensor"])
def test_proximal_gradient_descent_in_float64_follows_tf1s_kernel(l1: object) -> None:
    """TF1 fails on float64 here (it does not cast the hyperparameters); graphrnn casts them and
    applies TF1's kernel: prox = w - g lr; sign(prox) max(|prox| - lr l1, 0) / (1 + l2 lr)."""
    g = gr.Graph()
    with g.as_default():
        w, loss = _problem(gr.float64)
        l1_value = gr.placeholder(gr.float32, [], name="l1") if l1 == "tensor" else l1
        op = gr.train.ProximalGradientDescentOptimizer(0.25, l1_regularization_strength=l1_value,
                                                       l2_regularization_strength=0.5).minimize(loss)
        feed = {l1_value: 0.3} if l1 == "tensor" else None
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            sess.run(op, feed)
            got = sess.run(w.value())
    lr, l2 = float(np.float32(0.25)), float(np.float32(0.5))
    strength = float(np.float32(0.3)) if l1 != 0.0 else 0.0
    start = np.array([1.0, -2.0])
    prox = start - 2 * start * lr
    want = np.sign(prox) * np.maximum(np.abs(prox) - lr * strength, 0) / (1 + l2 * lr)
    np.testing.assert_allclose(got, want, rtol=1e-12)
