"""``gr.contrib.rnn.AttentionCellWrapper`` against the NumPy reference
(`graphrnn.testing.reference.attention_cell_step`) in every driver, with sequence_length, inside
MultiRNNCell, as built and optimized; TF1's variable names and shapes (TF 1.x's
contrib/rnn/python/ops/rnn_cell.py); the concatenated state; gradients; training; errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import graphrnn as gr
from graphrnn.ir.errors import GraphError
from graphrnn.testing.contrib_cells import (
    CellCase,
    check_drivers,
    check_gradients_fd,
    driver_problems,
    train_until_halved,
    variable_shapes,
)
from graphrnn.testing.reference import LSTMStateTuple, ReferenceCell, StepCell, attention_cell_step

ACW = gr.contrib.rnn.AttentionCellWrapper
rnn_cell = gr.nn.rnn_cell


def _inner_weights(w: dict[str, np.ndarray], scope: str) -> dict[str, np.ndarray]:
    return {k[len(scope) + 1:]: v for k, v in w.items() if k.startswith(scope + "/")}


def _ref(kind: str, scope: str, length: int, size: int | None) -> Any:
    def ref(cell: Any, w: dict[str, np.ndarray], h: int) -> StepCell:
        inner = ReferenceCell(kind, h, {}, _inner_weights(w, scope))
        a = size or h
        inner_sizes: Any = LSTMStateTuple(h, h) if inner.is_lstm else h
        return StepCell("attention", h, {"inner": inner, "attn_length": length}, w, step_fn=attention_cell_step,
                        state_sizes=(inner_sizes, a, a * length), out_size=a)
    return ref


CASES: dict[str, CellCase] = {
    "lstm_window3": CellCase(lambda h: ACW(rnn_cell.LSTMCell(h), 3), _ref("lstm", "lstm_cell", 3, None)),
    "gru_sizes": CellCase(lambda h: ACW(rnn_cell.GRUCell(h), 2, attn_size=3, attn_vec_size=2, input_size=4),
                          _ref("gru", "gru_cell", 2, 3)),
}


@pytest.mark.parametrize("kind", list(CASES))
@settings(max_examples=4, deadline=None)
@given(p=driver_problems())
def test_every_driver_matches_the_reference(kind: str, p: dict[str, Any]) -> None:
    check_drivers(CASES[kind], p)


def test_variables_are_tf1s_in_tf1s_order() -> None:
    # TF1: _Linear([inputs, attns]) -> kernel/bias; the cell; attention/attn_w, attn_v, kernel, bias;
    # attn_output_projection/kernel, bias. I=3, H=4, A=5, V=6, input_size=7, L=2.
    got = variable_shapes(lambda: ACW(rnn_cell.LSTMCell(4), 2, attn_size=5, attn_vec_size=6, input_size=7), 3)
    p = "rnn/attention_cell_wrapper/"
    assert list(got.items()) == [
        (p + "kernel", (8, 7)), (p + "bias", (7,)),
        (p + "lstm_cell/kernel", (11, 16)), (p + "lstm_cell/bias", (16,)),
        (p + "attention/attn_w", (1, 1, 5, 6)), (p + "attention/attn_v", (6,)),
        (p + "attention/kernel", (8, 6)), (p + "attention/bias", (6,)),
        (p + "attn_output_projection/kernel", (9, 5)), (p + "attn_output_projection/bias", (5,)),
    ]
    cell = ACW(rnn_cell.LSTMCell(4), 2)
    assert cell.state_size == (LSTMStateTuple(4, 4), 4, 8) and cell.output_size == 4
    assert ACW(rnn_cell.GRUCell(4), 3, state_is_tuple=False).state_size == 4 + 4 + 12


def test_concatenated_state_matches_the_tuple_state() -> None:
    rng = np.random.default_rng(2)
    xv = rng.normal(size=(2, 4, 3))
    g = gr.Graph()
    with g.as_default():
        x = gr.constant(xv)
        tup = ACW(rnn_cell.GRUCell(3), 2)
        cat = ACW(rnn_cell.GRUCell(3), 2, state_is_tuple=False)
        out_t, st_t = gr.nn.dynamic_rnn(tup, x, dtype=gr.float64, scope="t")
        out_c, st_c = gr.nn.dynamic_rnn(cat, x, dtype=gr.float64, scope="c")
        variables = gr.global_variables()
    with gr.Session(graph=g) as sess:
        vals = {}
        for v in variables:
            key = v.op.name[2:]
            vals.setdefault(key, rng.normal(0, 0.5, tuple(v.shape)))
            v.load(vals[key], sess)
        ot, stt, oc, stc = sess.run([out_t, st_t, out_c, st_c])
    np.testing.assert_allclose(oc, ot, atol=1e-12)
    np.testing.assert_allclose(stc, np.concatenate([stt[0], stt[1], stt[2]], 1), atol=1e-12)


@pytest.mark.parametrize("make", [lambda: ACW(rnn_cell.LSTMCell(2), 2),
                                  lambda: ACW(rnn_cell.GRUCell(2), 3, attn_size=2, attn_vec_size=3)],
                         ids=["lstm", "gru"])
def test_gradients_match_finite_differences(make: Any) -> None:
    check_gradients_fd(make, input_depth=2)


def test_training_halves_the_loss() -> None:
    first, last = train_until_halved(lambda: ACW(rnn_cell.LSTMCell(8), 3), input_depth=2)
    assert last < first / 2


@pytest.mark.parametrize("bad", [
    lambda: ACW(rnn_cell.LSTMCell(4), 0),
    lambda: ACW(rnn_cell.LSTMCell(4), 2, state_is_tuple=False),  # TF1: the cell's state is a tuple
    lambda: ACW(rnn_cell.LSTMCell, 2),
    lambda: ACW(rnn_cell.LSTMCell(4), 2, attn_size=1.5),
])
def test_bad_constructor_arguments_are_graph_errors(bad: Any) -> None:
    with pytest.raises(GraphError):
        bad()


def test_graphrnn_show_accepts_the_cell(capsys: Any) -> None:
    from graphrnn.cli import main
    assert main(["show", "--cell", "attention_lstm", "--mode", "dynamic", "--steps", "2", "--units", "3",
                 "--input-size", "2"]) == 0
    assert "rnn/attention_cell_wrapper/attention/attn_w" in capsys.readouterr().out
