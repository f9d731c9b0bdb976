"""``gr.contrib.rnn.NASCell`` and ``LayerNormBasicLSTMCell`` against the NumPy reference
(`graphrnn.testing.reference.nas_step` / `layer_norm_basic_lstm_step`) in every driver, with
sequence_length, inside MultiRNNCell, as built and optimized; TF1's variable names and shapes (from
TF 1.x's contrib/rnn/python/ops/rnn_cell.py); gradients by finite differences; training; dropout."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import graphrnn as gr
from graphrnn.ir.errors import GraphError, ScopeError
from graphrnn.testing.contrib_cells import (
    CellCase,
    check_drivers,
    check_gradients_fd,
    driver_problems,
    train_until_halved,
    variable_shapes,
)
from graphrnn.testing.reference import (
    LSTMStateTuple,
    StepCell,
    layer_norm_basic_lstm_step,
    nas_step,
    rnn_reference,
)

NAS = gr.contrib.rnn.NASCell
LN = gr.contrib.rnn.LayerNormBasicLSTMCell


def _nas_ref(num_proj: int | None, use_biases: bool) -> Any:
    def ref(cell: Any, w: dict[str, np.ndarray], h: int) -> StepCell:
        p = num_proj or h
        return StepCell("nas", h, {"num_proj": num_proj, "use_biases": use_biases}, w, step_fn=nas_step,
                        state_sizes=LSTMStateTuple(h, p), out_size=p)
    return ref


def _ln_ref(forget_bias: float, layer_norm: bool) -> Any:
    def ref(cell: Any, w: dict[str, np.ndarray], h: int) -> StepCell:
        return StepCell("ln_lstm", h, {"forget_bias": forget_bias, "layer_norm": layer_norm}, w,
                        step_fn=layer_norm_basic_lstm_step, state_sizes=LSTMStateTuple(h, h), out_size=h)
    return ref


CASES: dict[str, CellCase] = {
    "nas": CellCase(lambda h: NAS(h), _nas_ref(None, False)),
    "nas_proj_bias": CellCase(lambda h: NAS(h, num_proj=2, use_biases=True), _nas_ref(2, True)),
    "ln_lstm": CellCase(lambda h: LN(h, forget_bias=0.7), _ln_ref(0.7, True), min_units=2),
    "ln_lstm_off": CellCase(lambda h: LN(h, layer_norm=False), _ln_ref(1.0, False)),
}


@pytest.mark.parametrize("kind", list(CASES))
@settings(max_examples=4, deadline=None)
@given(p=driver_problems())
def test_every_driver_matches_the_reference(kind: str, p: dict[str, Any]) -> None:
    check_drivers(CASES[kind], p)


def test_nas_variables_are_tf1s() -> None:
    # TF1: recurrent_kernel [P, 8H], kernel [I, 8H], bias [8H] (use_biases), projection_weights [H, P].
    assert variable_shapes(lambda: NAS(5), 3) == {"rnn/nas_cell/recurrent_kernel": (5, 40),
                                                  "rnn/nas_cell/kernel": (3, 40)}
    assert variable_shapes(lambda: NAS(5, num_proj=2, use_biases=True), 3) == {
        "rnn/nas_cell/recurrent_kernel": (2, 40), "rnn/nas_cell/kernel": (3, 40),
        "rnn/nas_cell/bias": (40,), "rnn/nas_cell/projection_weights": (5, 2)}
    cell = NAS(5, num_proj=2)
    assert cell.state_size == (5, 2) and isinstance(cell.state_size, gr.nn.rnn_cell.LSTMStateTuple)
    assert cell.output_size == 2
    assert NAS(3, use_bias=True)._use_biases  # the spelling is accepted as an alias


def test_layer_norm_lstm_variables_are_tf1s() -> None:
    # TF1: kernel [I+H, 4H]; no bias with layer_norm; gamma/beta [H] per gate scope and for the state.
    want = {"rnn/layer_norm_basic_lstm_cell/kernel": (7, 16)}
    for scope in ("input", "transform", "forget", "output", "state"):
        want[f"rnn/layer_norm_basic_lstm_cell/{scope}/gamma"] = (4,)
        want[f"rnn/layer_norm_basic_lstm_cell/{scope}/beta"] = (4,)
    got = variable_shapes(lambda: LN(4), 3)
    assert got == want and list(got) == list(want)  # creation order too
    assert variable_shapes(lambda: LN(4, layer_norm=False), 3) == {
        "rnn/layer_norm_basic_lstm_cell/kernel": (7, 16), "rnn/layer_norm_basic_lstm_cell/bias": (16,)}


def test_layer_norm_gain_and_shift_initialize_gamma_and_beta() -> None:
    g = gr.Graph()
    with g.as_default():
        gr.nn.dynamic_rnn(LN(3, norm_gain=0.5, norm_shift=0.25), gr.zeros([1, 2, 2]), dtype=gr.float32)
        with gr.Session() as sess:
            sess.run(gr.global_variables_initializer())
            vals = {v.op.name: sess.run(v) for v in gr.global_variables()}
    np.testing.assert_array_equal(vals["rnn/layer_norm_basic_lstm_cell/forget/gamma"], [0.5] * 3)
    np.testing.assert_array_equal(vals["rnn/layer_norm_basic_lstm_cell/state/beta"], [0.25] * 3)


@pytest.mark.parametrize("make", [lambda: NAS(3, num_proj=2, use_biases=True), lambda: LN(3),
                                  lambda: LN(3, layer_norm=False)], ids=["nas", "ln", "ln_off"])
def test_gradients_match_finite_differences(make: Any) -> None:
    check_gradients_fd(make, input_depth=2)


@pytest.mark.parametrize("make", [lambda: NAS(8), lambda: LN(8)], ids=["nas", "ln"])
def test_training_halves_the_loss(make: Any) -> None:
    first, last = train_until_halved(make, input_depth=2)
    assert last < first / 2


def test_recurrent_dropout_drops_only_the_candidate() -> None:
    # One step from a zero state without layer norm: c' = sigmoid(i) * tanh(j) * mask, so every unit
    # of c' is either 0 or the undropped value / keep_prob; h' follows c'.
    keep = 0.5
    rng = np.random.default_rng(4)
    xv = rng.normal(size=(64, 1, 3))
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [64, 1, 3])
        cell = LN(6, layer_norm=False, dropout_keep_prob=keep, dropout_prob_seed=7)
        _, state = gr.nn.dynamic_rnn(cell, x, dtype=gr.float64)
        loss = gr.reduce_sum(state.h)
        grad = gr.gradients(loss, [x])[0]
        variables = gr.global_variables()
    with gr.Session(graph=g) as sess:
        w = {}
        for v in variables:
            w[v.op.name.split("/")[-1]] = rng.normal(0, 0.5, tuple(v.shape))
            v.load(w[v.op.name.split("/")[-1]], sess)
        c, h, gx = sess.run([state.c, state.h, grad], {x: xv})
    _, ref = rnn_reference(StepCell("ln", 6, {"layer_norm": False}, w, step_fn=layer_norm_basic_lstm_step,
                                    state_sizes=LSTMStateTuple(6, 6), out_size=6), xv.transpose(1, 0, 2))
    mask = np.where(c == 0.0, 0.0, 1.0 / keep)
    assert 0.3 < (mask == 0).mean() < 0.7
    np.testing.assert_allclose(c, ref.c * mask, atol=1e-12)
    # The same mask, given to the reference, reproduces h'; the gradient run used that mask too.
    _, ref_m = rnn_reference(StepCell("ln", 6, {"layer_norm": False, "candidate_mask": mask}, w,
                                      step_fn=layer_norm_basic_lstm_step, state_sizes=LSTMStateTuple(6, 6),
                                      out_size=6), xv.transpose(1, 0, 2))
    np.testing.assert_allclose(h, ref_m.h, atol=1e-12)
    assert np.all(np.isfinite(gx)) and np.any(gx != 0.0)


def test_dropout_keep_prob_may_be_a_placeholder() -> None:
    g = gr.Graph()
    with g.as_default():
        keep = gr.placeholder(gr.float64, [])
        x = gr.constant(np.ones((2, 3, 2)))
        out, _ = gr.nn.dynamic_rnn(LN(4, dropout_keep_prob=keep), x, dtype=gr.float64)
        out_ref, _ = gr.nn.dynamic_rnn(LN(4), x, dtype=gr.float64, scope="plain")
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        for v in gr.global_variables():
            if v.op.name.startswith("plain/"):
                twin = [u for u in gr.global_variables() if u.op.name == "rnn/" + v.op.name[len("plain/"):]][0]
                v.load(sess.run(twin), sess)
        a, b = sess.run([out, out_ref], {keep: 1.0})
    np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize("bad", [
    lambda: NAS(0), lambda: NAS(4, num_proj=2.5), lambda: NAS(4, use_biases=True, use_bias=True),
    lambda: LN(4, dropout_keep_prob=0.0), lambda: LN(4, dropout_keep_prob=1.5), lambda: LN(4, norm_gain="1"),
    lambda: LN(4, activation=gr.nn.rnn_cell.LSTMCell),
])
def test_bad_constructor_arguments_are_graph_errors(bad: Any) -> None:
    with pytest.raises(GraphError):
        bad()


def test_a_second_cell_in_the_same_scope_names_both_sites() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 3, 4])
        gr.nn.dynamic_rnn(NAS(4), x, dtype=gr.float32)
        with pytest.raises(ScopeError) as e:
            gr.nn.dynamic_rnn(NAS(4), x, dtype=gr.float32)
    assert "rnn/nas_cell/recurrent_kernel" in str(e.value)


@pytest.mark.parametrize("name, scope", [("nas", "nas_cell"), ("layer_norm_lstm", "layer_norm_basic_lstm_cell")])
def test_graphrnn_show_accepts_the_cell(name: str, scope: str, capsys: Any) -> None:
    from graphrnn.cli import main
    assert main(["show", "--cell", name, "--mode", "dynamic", "--steps", "2", "--units", "3",
                 "--input-size", "2"]) == 0
    assert f"rnn/{scope}/kernel" in capsys.readouterr().out
