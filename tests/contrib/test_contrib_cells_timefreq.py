"""``gr.contrib.rnn.TimeFreqLSTMCell`` against the NumPy reference
(`graphrnn.testing.reference.time_freq_lstm_step`) in every driver, with sequence_length, inside
MultiRNNCell, as built and optimized; TF1's variable names and shapes (TF 1.x's
contrib/rnn/python/ops/rnn_cell.py, sharded ``W_<k>``); TF1's declared sizes vs ``input_size``;
gradients; training; errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import graphrnn as gr
from graphrnn.ir.errors import GraphError, ShapeError
from graphrnn.testing.contrib_cells import (
    CellCase,
    check_drivers,
    check_gradients_fd,
    driver_problems,
    scoped_weights,
    train_until_halved,
    variable_shapes,
)
from graphrnn.testing.reference import ReferenceCell, StepCell, rnn_reference, time_freq_lstm_step

TF = gr.contrib.rnn.TimeFreqLSTMCell


def _ref(freqs: int, **options: Any) -> Any:
    def ref(cell: Any, w: dict[str, np.ndarray], h: int) -> StepCell:
        return StepCell("timefreq", h, {"num_units": h, **options}, w, step_fn=time_freq_lstm_step,
                        state_sizes=2 * h * freqs, out_size=h * freqs)
    return ref


SHIFTS = {"feature_size": 2, "frequency_skip": 1, "use_peepholes": True, "cell_clip": 0.7, "forget_bias": 0.5}
CASES: dict[str, CellCase] = {
    # TF1's declared sizes: one frequency shift (feature_size 2, skip 4, inputs of depth 2..5).
    "one_shift": CellCase(lambda h: TF(h, feature_size=2, frequency_skip=4), _ref(1, feature_size=2, frequency_skip=4),
                          min_input=2, min_units=2),
    # Three shifts over 4 features, with input_size (graphrnn's extension), peepholes, clipping, 2 shards.
    "three_shifts": CellCase(lambda h: TF(h, num_unit_shards=2, input_size=4, **SHIFTS), _ref(3, **SHIFTS),
                             multi=False, fixed_input=4),
}


@pytest.mark.parametrize("kind", list(CASES))
@settings(max_examples=4, deadline=None)
@given(p=driver_problems(inputs=(1, 5), units=(1, 3)))
def test_every_driver_matches_the_reference(kind: str, p: dict[str, Any]) -> None:
    check_drivers(CASES[kind], p)


def test_several_shifts_stack_in_a_multi_rnn_cell() -> None:
    rng = np.random.default_rng(5)
    xv = rng.normal(size=(3, 4, 5))
    g = gr.Graph()
    with g.as_default():
        first = TF(2, feature_size=3, frequency_skip=1, input_size=5)  # 3 shifts -> output 6
        second = gr.nn.rnn_cell.LSTMCell(3)
        out, state = gr.nn.dynamic_rnn(gr.nn.rnn_cell.MultiRNNCell([first, second]), gr.constant(xv),
                                       sequence_length=[4, 2, 0], dtype=gr.float64)
        variables = gr.global_variables()
    with gr.Session(graph=g) as sess:
        values = {}
        for v in variables:
            values[v.op.name] = rng.normal(0, 0.5, tuple(v.shape))
            v.load(values[v.op.name], sess)
        got_out, got_state = sess.run([out, state])
    ref = [StepCell("timefreq", 2, {"num_units": 2, "feature_size": 3}, scoped_weights(first, values),
                    step_fn=time_freq_lstm_step, state_sizes=12, out_size=6),
           ReferenceCell("lstm", 3, {}, scoped_weights(second, values))]
    want_out, want_state = rnn_reference(ref, xv.transpose(1, 0, 2), None, [4, 2, 0])
    np.testing.assert_allclose(got_out.transpose(1, 0, 2), want_out, atol=1e-12)
    np.testing.assert_allclose(got_state[0], want_state[0], atol=1e-12)
    np.testing.assert_allclose(got_state[1].h, want_state[1].h, atol=1e-12)


def test_variables_are_tf1s() -> None:
    # TF1: W sharded as W_0..W_<k-1> over the rows of [feature_size + 2H, 4H] (first shards one row
    # larger), B [4H], then W_F_diag, W_I_diag, W_O_diag [H].
    got = variable_shapes(lambda: TF(3, use_peepholes=True, num_unit_shards=3, feature_size=2, frequency_skip=1,
                                     input_size=4), 4)
    p = "rnn/time_freq_lstm_cell/"
    assert list(got.items()) == [(p + "W_0", (3, 12)), (p + "W_1", (3, 12)), (p + "W_2", (2, 12)), (p + "B", (12,)),
                                 (p + "W_F_diag", (3,)), (p + "W_I_diag", (3,)), (p + "W_O_diag", (3,))]
    assert variable_shapes(lambda: TF(3, feature_size=4), 4) == {p + "W_0": (10, 12), p + "B": (12,)}
    tf1 = TF(3, feature_size=2, frequency_skip=1)
    assert (tf1.state_size, tf1.output_size) == (6, 3)  # TF1's declared sizes, whatever the input
    known = TF(3, feature_size=2, frequency_skip=1, input_size=4)
    assert (known.state_size, known.output_size) == (18, 9)


def test_several_shifts_without_input_size_fail_as_in_tf1_with_a_fix() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 3, 4])
        with pytest.raises(ShapeError, match="input_size=4"):
            gr.nn.dynamic_rnn(TF(3, feature_size=2, frequency_skip=1), x, dtype=gr.float32)


def test_several_shifts_in_static_rnn_with_a_hand_made_state_work_as_in_tf1() -> None:
    rng = np.random.default_rng(1)
    xv = rng.normal(size=(2, 3, 4))
    g = gr.Graph()
    with g.as_default():
        cell = TF(2, feature_size=2, frequency_skip=2)  # 2 shifts, TF1's declared sizes
        init = gr.constant(rng.normal(size=(2, 8)))
        outs, state = gr.nn.static_rnn(cell, gr.unstack(gr.constant(xv), axis=1), initial_state=init)
        variables = gr.global_variables()
    with gr.Session(graph=g) as sess:
        values = {}
        for v in variables:
            values[v.op.name] = rng.normal(0, 0.5, tuple(v.shape))
            v.load(values[v.op.name], sess)
        got, got_state, init_v = sess.run([outs, state, init])
    ref = StepCell("timefreq", 2, {"num_units": 2, "feature_size": 2, "frequency_skip": 2},
                   scoped_weights(cell, values), step_fn=time_freq_lstm_step, state_sizes=8, out_size=4)
    want, want_state = rnn_reference(ref, xv.transpose(1, 0, 2), init_v)
    np.testing.assert_allclose(np.stack(got), want, atol=1e-12)
    np.testing.assert_allclose(got_state, want_state, atol=1e-12)


@pytest.mark.parametrize("make", [lambda: TF(2, feature_size=2, frequency_skip=1, input_size=3, use_peepholes=True,
                                             cell_clip=5.0)], ids=["peepholes"])
def test_gradients_match_finite_differences(make: Any) -> None:
    check_gradients_fd(make, input_depth=3)


def test_training_halves_the_loss() -> None:
    first, last = train_until_halved(lambda: TF(6, feature_size=1, frequency_skip=1, input_size=2), input_depth=2)
    assert last < first / 2


@pytest.mark.parametrize("bad", [
    lambda: TF(4), lambda: TF(4, feature_size=0), lambda: TF(4, feature_size=2, frequency_skip=0),
    lambda: TF(4, feature_size=5, input_size=3), lambda: TF(4, feature_size=2, cell_clip="1"),
])
def test_bad_constructor_arguments_are_graph_errors(bad: Any) -> None:
    with pytest.raises(GraphError):
        bad()


def test_too_many_shards_is_a_shape_error() -> None:
    with pytest.raises(ShapeError, match="shards"):
        variable_shapes(lambda: TF(1, feature_size=1, num_unit_shards=9), 1)


def test_graphrnn_show_accepts_the_cell(capsys: Any) -> None:
    from graphrnn.cli import main
    assert main(["show", "--cell", "timefreq_lstm", "--mode", "dynamic", "--steps", "2", "--units", "3",
                 "--input-size", "6"]) == 0
    assert "rnn/time_freq_lstm_cell/W_0" in capsys.readouterr().out
