"""The shared-cell checks and scope-clash messages cover every contrib cell: a second cell in the same
scope is a ScopeError naming the variable, ``MultiRNNCell([cell, cell])`` is refused, and the same
cell as cell_fw and cell_bw warns."""

from __future__ import annotations

from typing import Any

import pytest

import graphrnn as gr
from graphrnn.ir.errors import GraphError, ScopeError

c = gr.contrib.rnn
CELLS: dict[str, tuple[Any, int]] = {  # name -> (factory, input depth)
    "nas": (lambda: c.NASCell(3), 2),
    "layer_norm_lstm": (lambda: c.LayerNormBasicLSTMCell(3), 2),
    "attention": (lambda: c.AttentionCellWrapper(gr.nn.rnn_cell.LSTMCell(3), 2), 2),
    "timefreq": (lambda: c.TimeFreqLSTMCell(3, feature_size=2, input_size=3), 3),
    "grid": (lambda: c.GridLSTMCell(3, feature_size=2, frequency_skip=1, num_frequency_blocks=[2]), 3),
    "bidirectional_grid": (lambda: c.BidirectionalGridLSTMCell(3, feature_size=2, frequency_skip=1,
                                                               num_frequency_blocks=[2]), 3),
    "input_projection": (lambda: c.InputProjectionWrapper(gr.nn.rnn_cell.GRUCell(3), 2), 2),
    "output_projection": (lambda: c.OutputProjectionWrapper(gr.nn.rnn_cell.GRUCell(3), 2), 2),
}


@pytest.mark.parametrize("name", list(CELLS))
def test_a_second_cell_in_the_same_scope_is_a_scope_error(name: str) -> None:
    make, depth = CELLS[name]
    with gr.Graph().as_default():
        x = gr.placeholder(gr.float32, [2, 3, depth])
        gr.nn.dynamic_rnn(make(), x, dtype=gr.float32)
        with pytest.raises(ScopeError, match="rnn/"):
            gr.nn.dynamic_rnn(make(), x, dtype=gr.float32)


@pytest.mark.parametrize("name", list(CELLS))
def test_one_cell_twice_in_a_multi_rnn_cell_is_refused(name: str) -> None:
    cell = CELLS[name][0]()
    with pytest.raises(GraphError, match="same"):
        gr.nn.rnn_cell.MultiRNNCell([cell, cell])


@pytest.mark.parametrize("name", list(CELLS))
def test_the_same_cell_both_ways_warns(name: str) -> None:
    make, depth = CELLS[name]
    with gr.Graph().as_default():
        cell = make()
        with pytest.warns(UserWarning, match="share one set of weights"):
            gr.nn.bidirectional_dynamic_rnn(cell, cell, gr.placeholder(gr.float32, [2, 3, depth]), dtype=gr.float32)
