"""``gr.contrib.rnn.GridLSTMCell`` against the NumPy reference (`graphrnn.testing.reference.grid_lstm_step`)
in every driver, with sequence_length, inside MultiRNNCell, as built and optimized, for one and
several frequency blocks, peepholes, shared time/frequency weights, coupled gates and the
concatenated state; TF1's variable names and shapes and state-tuple field names (TF 1.x's
contrib/rnn/python/ops/rnn_cell.py); gradients; training; errors."""

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
from graphrnn.testing.reference import StepCell, bidirectional_grid_lstm_step, grid_lstm_step

Grid = gr.contrib.rnn.GridLSTMCell
BiGrid = gr.contrib.rnn.BidirectionalGridLSTMCell


def _concatenated_step(x: np.ndarray, state: np.ndarray, w: Any, **options: Any) -> tuple[np.ndarray, np.ndarray]:
    """grid_lstm_step on a concatenated state ``[c_time, m_time]*slices``."""
    n = options["num_units"]
    leaves = tuple(np.split(state, state.shape[1] // n, axis=1))
    out, new = grid_lstm_step(x, leaves, w, **options)
    return out, np.concatenate(new, 1)


def _ref(blocks: list[tuple[int, int]], units: int | None = None, concatenated: bool = False, **options: Any) -> Any:
    total = sum(count for _, count in blocks)

    def ref(cell: Any, w: dict[str, np.ndarray], h: int) -> StepCell:
        n = units or h
        opts = {"num_units": n, "blocks": blocks, **options}
        sizes: Any = 2 * n * total if concatenated else (n,) * (2 * total)
        return StepCell("grid", n, opts, w, step_fn=_concatenated_step if concatenated else grid_lstm_step,
                        state_sizes=sizes, out_size=2 * n * total)
    return ref


TWO_BLOCKS = {"use_peepholes": True, "couple_input_forget_gates": True, "cell_clip": 0.8, "forget_bias": 0.4,
              "feature_size": 2, "frequency_skip": 2}
SHARED = {"use_peepholes": True, "share_time_frequency_weights": True, "feature_size": 3, "frequency_skip": 1}
CASES: dict[str, CellCase] = {
    "one_block": CellCase(lambda h: Grid(h, feature_size=2, frequency_skip=1, num_frequency_blocks=[3]),
                          _ref([(0, 3)], feature_size=2, frequency_skip=1), multi=False, fixed_input=4),
    "two_blocks_peepholes_coupled_sharded": CellCase(
        lambda h: Grid(h, num_unit_shards=2, num_frequency_blocks=[1, 2], start_freqindex_list=[0, 1],
                       end_freqindex_list=[2, 5], **TWO_BLOCKS),
        _ref([(0, 1), (1, 2)], **TWO_BLOCKS), multi=False, fixed_input=5),
    "shared_concatenated": CellCase(lambda h: Grid(h, num_frequency_blocks=[2], state_is_tuple=False, **SHARED),
                                    _ref([(0, 2)], concatenated=True, **SHARED), multi=False, fixed_input=4),
    # One unit, two slices of 3 out of 4 features: the output has 4 columns, so two layers stack.
    "stacked": CellCase(lambda h: Grid(1, feature_size=3, frequency_skip=1, num_frequency_blocks=[2]),
                        _ref([(0, 2)], units=1, feature_size=3, frequency_skip=1), fixed_input=4),
}


def _bi_ref(blocks: list[tuple[int, int]], offset: int, **options: Any) -> Any:
    total = sum(count for _, count in blocks)

    def ref(cell: Any, w: dict[str, np.ndarray], h: int) -> StepCell:
        opts = {"num_units": h, "blocks": blocks, "backward_slice_offset": offset, **options}
        return StepCell("bigrid", h, opts, w, step_fn=bidirectional_grid_lstm_step, state_sizes=(h,) * (4 * total),
                        out_size=4 * h * total)
    return ref


BI = {"feature_size": 2, "frequency_skip": 1}
CASES["bidirectional_offset_1"] = CellCase(
    lambda h: BiGrid(h, num_frequency_blocks=[3], backward_slice_offset=1, use_peepholes=True, **BI),
    _bi_ref([(0, 3)], 1, use_peepholes=True, **BI), multi=False, fixed_input=4)
CASES["bidirectional_two_blocks_offset_-1"] = CellCase(
    lambda h: BiGrid(h, num_frequency_blocks=[1, 2], start_freqindex_list=[0, 1], end_freqindex_list=[2, 4],
                     backward_slice_offset=-1, share_time_frequency_weights=True, **BI),
    _bi_ref([(0, 1), (1, 2)], -1, share_time_frequency_weights=True, **BI), multi=False, fixed_input=4)


@pytest.mark.parametrize("kind", list(CASES))
@settings(max_examples=3, deadline=None)
@given(p=driver_problems(max_time=3, inputs=(1, 1), units=(1, 3)))
def test_every_driver_matches_the_reference(kind: str, p: dict[str, Any]) -> None:
    check_drivers(CASES[kind], p)


def test_variables_and_state_are_tf1s() -> None:
    got = variable_shapes(lambda: Grid(2, use_peepholes=True, feature_size=2, frequency_skip=1,
                                       num_frequency_blocks=[2]), 3)
    p = "rnn/grid_lstm_cell/"
    want = [("W_f_0_0", (6, 8)), ("B_f_0", (8,)), ("W_t_0_0", (6, 8)), ("B_t_0", (8,))]
    want += [(f"W_{g}_diag_{w}{s}_0", (2,)) for w in ("freq", "time") for g in "FIO" for s in "ft"]
    assert list(got.items()) == [(p + k, v) for k, v in want]
    coupled_shared = variable_shapes(lambda: Grid(2, use_peepholes=True, share_time_frequency_weights=True,
                                                  couple_input_forget_gates=True, num_unit_shards=4, feature_size=2,
                                                  frequency_skip=1, num_frequency_blocks=[2]), 3)
    assert list(coupled_shared.items()) == [
        (p + "W_f_0_0", (2, 6)), (p + "W_f_0_1", (2, 6)), (p + "W_f_0_2", (1, 6)), (p + "W_f_0_3", (1, 6)),
        (p + "B_f_0", (6,)), (p + "W_I_diag_freqf_0", (2,)), (p + "W_I_diag_freqt_0", (2,)),
        (p + "W_O_diag_freqf_0", (2,)), (p + "W_O_diag_freqt_0", (2,))]
    cell = Grid(3, feature_size=2, frequency_skip=2, num_frequency_blocks=[1, 2], start_freqindex_list=[0, 2],
                end_freqindex_list=[2, 6])
    assert cell.state_size._fields == ("state_f00_b00_c", "state_f00_b00_m", "state_f00_b01_c", "state_f00_b01_m",
                                       "state_f01_b01_c", "state_f01_b01_m")
    assert tuple(cell.state_size) == (3,) * 6 and cell.output_size == 18
    assert type(cell.state_size) is cell.state_tuple_type
    assert Grid(3, feature_size=2, frequency_skip=2, num_frequency_blocks=[2], state_is_tuple=False).state_size == 12


def test_the_state_comes_back_as_the_named_tuple() -> None:
    g = gr.Graph()
    with g.as_default():
        cell = Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2])
        _, state = gr.nn.dynamic_rnn(cell, gr.zeros([1, 2, 3]), dtype=gr.float32)
    assert type(state).__name__ == "GridLSTMStateTuple" and state.state_f01_b00_m.type.shape[1] == 2


@pytest.mark.parametrize("make", [
    lambda: Grid(2, use_peepholes=True, feature_size=2, frequency_skip=1, num_frequency_blocks=[2]),
    lambda: Grid(2, couple_input_forget_gates=True, share_time_frequency_weights=True, feature_size=2,
                 frequency_skip=1, num_frequency_blocks=[2], state_is_tuple=False),
], ids=["peepholes", "coupled_shared_concatenated"])
def test_gradients_match_finite_differences(make: Any) -> None:
    check_gradients_fd(make, input_depth=3)


def test_training_halves_the_loss() -> None:
    first, last = train_until_halved(lambda: Grid(4, feature_size=1, frequency_skip=1, num_frequency_blocks=[2]),
                                     input_depth=2)
    assert last < first / 2


@pytest.mark.parametrize("bad", [
    lambda: Grid(2, feature_size=2, frequency_skip=1),  # TF1: "Must specify num_frequency_blocks"
    lambda: Grid(2, frequency_skip=1, num_frequency_blocks=[2]),
    lambda: Grid(2, feature_size=2, num_frequency_blocks=[2]),
    lambda: Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[1, 1]),
    lambda: Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2], start_freqindex_list=[0],
                 end_freqindex_list=[2]),
    lambda: Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[1], start_freqindex_list=[0, 2],
                 end_freqindex_list=[2]),
    lambda: Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks="2"),
])
def test_bad_constructor_arguments_are_graph_errors(bad: Any) -> None:
    with pytest.raises(GraphError):
        bad()


def test_inputs_that_do_not_match_the_blocks_are_graph_errors() -> None:
    with pytest.raises(GraphError, match="num_frequency_blocks"):
        variable_shapes(lambda: Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[3]), 3)
    with pytest.raises(GraphError, match="reaches past"):
        variable_shapes(lambda: Grid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2],
                                     start_freqindex_list=[1], end_freqindex_list=[4]), 3)


def test_graphrnn_show_accepts_the_cell(capsys: Any) -> None:
    from graphrnn.cli import main
    assert main(["show", "--cell", "grid_lstm", "--mode", "dynamic", "--steps", "2", "--units", "3",
                 "--input-size", "6"]) == 0
    assert "rnn/grid_lstm_cell/W_f_0_0" in capsys.readouterr().out


def test_bidirectional_variables_and_state_are_tf1s() -> None:
    got = variable_shapes(lambda: BiGrid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2]), 3)
    p = "rnn/bidirectional_grid_lstm_cell/"
    assert list(got) == [p + f"{d}/{k}" for d in ("fwd", "bwd") for k in ("W_f_0_0", "B_f_0", "W_t_0_0", "B_t_0")]
    cell = BiGrid(3, feature_size=2, frequency_skip=1, num_frequency_blocks=[2])
    assert cell.state_size._fields == tuple(f"{d}_state_f{f:02d}_b00_{part}" for d in ("fwd", "bwd")
                                            for f in range(2) for part in "cm")
    assert type(cell.state_size).__name__ == "BidirectionalGridLSTMStateTuple" and cell.output_size == 24


def test_bidirectional_gradients_match_finite_differences() -> None:
    check_gradients_fd(lambda: BiGrid(2, feature_size=2, frequency_skip=1, num_frequency_blocks=[2],
                                      backward_slice_offset=1), input_depth=3)


def test_graphrnn_show_accepts_the_bidirectional_cell(capsys: Any) -> None:
    from graphrnn.cli import main
    assert main(["show", "--cell", "bidirectional_grid_lstm", "--mode", "static", "--steps", "2", "--units", "2",
                 "--input-size", "4"]) == 0
    assert "rnn/bidirectional_grid_lstm_cell/bwd/W_f_0_0" in capsys.readouterr().out
