"""TF1 contrib's ``GridLSTMCell`` (Kalchbrenner et al., 2016; peepholes after Sainath & Li, 2016): a
time LSTM and a frequency LSTM per frequency slice of the input, coupled through their cell states.

Follows ``tensorflow/contrib/rnn/python/ops/rnn_cell.py`` of TF 1.x.

Frequency blocks: without ``start_freqindex_list`` there is one block (``num_frequency_blocks=[F]``)
of ``F`` slices of ``feature_size`` columns shifted by ``frequency_skip``; with
``start_freqindex_list``/``end_freqindex_list`` block ``b`` covers columns ``[start_b, end_b)`` and
must hold exactly ``num_frequency_blocks[b]`` slices (TF1 checks both; here a `GraphError`).

Per block ``b`` (variables in the cell scope ``grid_lstm_cell``, in this order): ``W_f_<b>_<k>``
(frequency-LSTM kernel ``[feature_size + 2H, G*H]`` as ``num_unit_shards`` row shards, ``G = 3``
with ``couple_input_forget_gates`` else 4), ``B_f_<b>`` (zeros); unless
``share_time_frequency_weights`` also ``W_t_<b>_<k>``, ``B_t_<b>`` for the time LSTM; with
peepholes ``W_{F,I,O}_diag_freq{f,t}_<b>`` (no ``F`` ones when coupled) then, unshared, the same
``_time{f,t}_<b>``. For each slice of the block, in order, both LSTMs read
``[slice, m_time_prev, m_freq]`` (gates ``i, j, f, o``, or ``i, j, o`` with ``f = 1 - i``); the
frequency LSTM's memory runs along the slices (zeros before the first), the time LSTM's along time
(the state). Peepholes look at both memories: ``gate + w_f * c_freq + w_t * c_time`` (old memories
for i and f, new ones for o). Output per slice ``[m_time, m_freq]``, all concatenated
``[B, 2*H*total]``; state per slice ``(c_time, m_time)``.

State: with ``state_is_tuple`` a namedtuple ``GridLSTMStateTuple`` with fields
``state_f<ff>_b<bb>_c, state_f<ff>_b<bb>_m`` (TF1's names; ``cell.state_tuple_type``), else one
tensor ``[B, 2*H*total]`` in that order.

Beyond TF1: with a concatenated state and several blocks TF1 reads every block's state from block
0's columns (its slice offset ignores the block); graphrnn reads each block's own columns (the same
numbers for one block). ``initializer`` is used for the kernels and peepholes (TF1 stores it but
never passes it on).
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

from graphrnn.contrib.cells_timefreq import frequency_count, frequency_slices, positive_int_arg, sharded_weight
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import RNNCell, batch_dim, bias, input_depth, number_arg, units_arg, weight
from graphrnn.ops.array import concat, split
from graphrnn.ops.array_shape import pad, zeros
from graphrnn.ops.convert import convert_to_tensor, int_arg
from graphrnn.ops.math import add, clip_by_value, multiply, sigmoid, subtract, tanh
from graphrnn.ops.math_reduce import matmul
from graphrnn.ops.nn import bias_add
from graphrnn.ops.state import variable_scope

__all__ = ["GridLSTMCell", "BidirectionalGridLSTMCell"]


def _int_list(value: Any, what: str) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value:
        raise GraphError(f"GridLSTMCell: {what} must be a non-empty list of ints, got {value!r}",
                         source=builder.format_source(builder.source_location()),
                         fix=f"pass e.g. {what}=[4]")
    return [units_arg(v, what) if what == "num_frequency_blocks" else _index(v, what) for v in value]


def _index(v: Any, what: str) -> int:
    return int_arg(v, what, minimum=0)


class GridLSTMCell(RNNCell):
    """TF1 ``tf.contrib.rnn.GridLSTMCell(num_units, use_peepholes=False,
    share_time_frequency_weights=False, cell_clip=None, initializer=None, num_unit_shards=1,
    forget_bias=1.0, feature_size=None, frequency_skip=None, num_frequency_blocks=None,
    start_freqindex_list=None, end_freqindex_list=None, couple_input_forget_gates=False,
    state_is_tuple=True, reuse=None)``; see the module docstring."""

    def __init__(self, num_units: int, use_peepholes: bool = False, share_time_frequency_weights: bool = False,
                 cell_clip: float | None = None, initializer: Any = None, num_unit_shards: int = 1,
                 forget_bias: float = 1.0, feature_size: int | None = None, frequency_skip: int | None = None,
                 num_frequency_blocks: Sequence[int] | None = None, start_freqindex_list: Sequence[int] | None = None,
                 end_freqindex_list: Sequence[int] | None = None, couple_input_forget_gates: bool = False,
                 state_is_tuple: bool = True, reuse: Any = None, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        src = builder.format_source(builder.source_location())
        self._num_units = units_arg(num_units)
        self._use_peepholes = bool(use_peepholes)
        self._share = bool(share_time_frequency_weights)
        self._cell_clip = number_arg(cell_clip, "cell_clip", optional=True)
        self._initializer = initializer
        self._num_unit_shards = units_arg(num_unit_shards, "num_unit_shards")
        self._forget_bias = number_arg(forget_bias, "forget_bias")
        self._feature_size = positive_int_arg(feature_size, "feature_size", "GridLSTMCell")
        self._frequency_skip = positive_int_arg(frequency_skip, "frequency_skip", "GridLSTMCell")
        if num_frequency_blocks is None:
            raise GraphError("GridLSTMCell needs num_frequency_blocks", source=src,
                             fix="pass num_frequency_blocks=[number of frequency slices] (one entry per block)")
        self._blocks = _int_list(num_frequency_blocks, "num_frequency_blocks") or []
        self._starts = _int_list(start_freqindex_list, "start_freqindex_list")
        self._ends = _int_list(end_freqindex_list, "end_freqindex_list")
        self._check_blocks(src)
        self._couple = bool(couple_input_forget_gates)
        self._state_is_tuple = bool(state_is_tuple)
        self._total = sum(self._blocks)
        fields = [f"state_f{f:02d}_b{b:02d}_{part}" for b, count in enumerate(self._blocks)
                  for f in range(count) for part in ("c", "m")]
        self._state_tuple_type = collections.namedtuple("GridLSTMStateTuple", fields) if self._state_is_tuple else None

    def _check_blocks(self, src: str) -> None:
        fs, skip = self._feature_size, self._frequency_skip
        if self._starts is None:
            if len(self._blocks) != 1:
                raise GraphError(f"GridLSTMCell without start_freqindex_list has one frequency block, but "
                                 f"num_frequency_blocks={self._blocks}", source=src,
                                 fix="pass one entry, or start_freqindex_list/end_freqindex_list for each block")
            return
        if self._ends is None or len(self._starts) != len(self._ends) or len(self._blocks) != len(self._starts):
            raise GraphError(f"GridLSTMCell: start_freqindex_list {self._starts}, end_freqindex_list {self._ends} "
                             f"and num_frequency_blocks {self._blocks} must have one entry per block", source=src)
        for b, (start, end, count) in enumerate(zip(self._starts, self._ends, self._blocks)):
            if end - start < fs or frequency_count(end - start, fs, skip) != count:
                need = frequency_count(end - start, fs, skip) if end - start >= fs else 0
                raise GraphError(f"GridLSTMCell: block {b} spans columns [{start}, {end}), which hold {need} "
                                 f"slices of feature_size {fs} shifted by {skip}, not {count}", source=src,
                                 fix=f"set num_frequency_blocks[{b}] = {need} or change the block's range")

    @property
    def state_tuple_type(self) -> Any:
        return self._state_tuple_type

    @property
    def state_size(self) -> Any:
        n = self._num_units
        if self._state_tuple_type is not None:
            return self._state_tuple_type(*([n, n] * self._total))
        return 2 * n * self._total

    @property
    def output_size(self) -> int:
        return 2 * self._num_units * self._total

    def _block_inputs(self, x: Value, offset: int = 0) -> list[list[Value]]:
        """The slices of each block. A non-zero ``offset`` (the bidirectional cell's backward pass)
        zero-pads the inputs by ``|offset|`` columns - at the end for ``offset > 0``, where the slices
        then start ``offset`` columns later; at the front for ``offset < 0`` - as TF1 does."""
        width = input_depth(x, self)
        fs, skip = self._feature_size, self._frequency_skip
        src = x
        if offset > 0:
            src = pad(x, [[0, 0], [0, offset]])
        elif offset < 0:
            src, offset = pad(x, [[0, 0], [-offset, 0]]), 0
        if self._starts is None:
            count = frequency_count(width, fs, skip) if width >= fs else 0
            if count != self._blocks[0]:
                raise GraphError(f"GridLSTMCell: inputs of depth {width} hold {count} slices of feature_size {fs} "
                                 f"shifted by {skip}, but num_frequency_blocks={self._blocks}",
                                 source=builder.format_source(builder.source_location()),
                                 fix=f"set num_frequency_blocks=[{count}] or change feature_size/frequency_skip")
            return [frequency_slices(src, offset, count, fs, skip)]
        assert self._ends is not None
        if max(self._ends) > width:
            raise GraphError(f"GridLSTMCell: end_freqindex_list {self._ends} reaches past the inputs' depth {width}",
                             source=builder.format_source(builder.source_location()),
                             fix="keep every block inside the input features")
        return [frequency_slices(src, start + offset, count, fs, skip)
                for start, count in zip(self._starts, self._blocks)]

    def _state_leaves(self, state: Any) -> list[Value]:
        """The ``2*total`` state tensors ``c_time, m_time`` per slice, blocks in order."""
        if self._state_is_tuple:
            return [convert_to_tensor(s) for s in state]
        return list(split(convert_to_tensor(state), 2 * self._total, axis=1))

    def call(self, inputs: Any, state: Any) -> tuple[Value, Any]:
        x = convert_to_tensor(inputs)
        blocks = self._block_inputs(x)
        prev = self._state_leaves(state)
        outs: list[Value] = []
        new_state: list[Value] = []
        first = 0
        for b, slices in enumerate(blocks):
            o, s = self._block(slices, b, prev[2 * first:2 * (first + len(slices))], x)
            outs += o
            new_state += s
            first += len(slices)
        out = concat(outs, 1)
        if self._state_tuple_type is not None:
            return out, self._state_tuple_type(*new_state)
        return out, concat(new_state, 1)

    def _peepholes(self, b: int, d: dtypes.DType) -> dict[str, tuple[Value, Value]] | None:
        """``{gate+lstm: (weight on c_freq, weight on c_time)}`` for gates f/i/o of the freq and time LSTMs."""
        if not self._use_peepholes:
            return None
        n, init = self._num_units, self._initializer
        gates = ("I", "O") if self._couple else ("F", "I", "O")
        w: dict[str, tuple[Value, Value]] = {}
        for which in ("freq",) if self._share else ("freq", "time"):
            for gate in gates:
                w[gate + which] = (weight(f"W_{gate}_diag_{which}f_{b}", [n], d, init),
                                   weight(f"W_{gate}_diag_{which}t_{b}", [n], d, init))
        if self._share:
            for gate in gates:
                w[gate + "time"] = w[gate + "freq"]
        return w

    def _block(self, slices: list[Value], b: int, prev: list[Value], x: Value) -> tuple[list[Value], list[Value]]:
        n, d, init = self._num_units, x.dtype, self._initializer
        gates = 3 if self._couple else 4
        rows = [self._feature_size + 2 * n, gates * n]
        w_f = sharded_weight(f"W_f_{b}", rows, d, self._num_unit_shards, init)
        b_f = bias(f"B_f_{b}", gates * n, d)
        if not self._share:
            w_t = sharded_weight(f"W_t_{b}", rows, d, self._num_unit_shards, init)
            b_t = bias(f"B_t_{b}", gates * n, d)
        peep = self._peepholes(b, d)
        m_freq = c_freq = zeros([batch_dim(x), n], d)
        outs: list[Value] = []
        states: list[Value] = []
        for f, piece in enumerate(slices):
            c_time, m_time = prev[2 * f], prev[2 * f + 1]
            rows_in = concat([piece, m_time, m_freq], 1)
            freq_gates = split(bias_add(matmul(rows_in, w_f), b_f), gates, axis=1)
            time_gates = freq_gates if self._share else split(bias_add(matmul(rows_in, w_t), b_t), gates, axis=1)
            new_c_freq = self._memory(freq_gates, c_freq, c_freq, c_time, peep, "freq")
            new_c_time = self._memory(time_gates, c_time, c_freq, c_time, peep, "time")
            new_m_freq = self._output(freq_gates[-1], new_c_freq, new_c_freq, new_c_time, peep, "freq")
            new_m_time = self._output(time_gates[-1], new_c_time, new_c_freq, new_c_time, peep, "time")
            m_freq, c_freq = new_m_freq, new_c_freq
            outs += [new_m_time, new_m_freq]
            states += [new_c_time, new_m_time]
        return outs, states

    def _peep(self, z: Value, peep: Any, key: str, c_freq: Value, c_time: Value) -> Value:
        if peep is None:
            return z
        w_freq, w_time = peep[key]
        return add(add(z, multiply(w_freq, c_freq)), multiply(w_time, c_time))

    def _memory(self, g: list[Value], c_own: Value, c_freq: Value, c_time: Value, peep: Any, which: str) -> Value:
        """The new memory of the ``which`` LSTM from its gates and the old memories."""
        i_gate = sigmoid(self._peep(g[0], peep, "I" + which, c_freq, c_time))
        if self._couple:
            f_gate = subtract(1.0, i_gate)
        else:
            f_gate = sigmoid(self._peep(add(g[2], self._forget_bias), peep, "F" + which, c_freq, c_time))
        c = add(multiply(f_gate, c_own), multiply(i_gate, tanh(g[1])))
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        return c

    def _output(self, o: Value, c_own: Value, c_freq: Value, c_time: Value, peep: Any, which: str) -> Value:
        return multiply(sigmoid(self._peep(o, peep, "O" + which, c_freq, c_time)), tanh(c_own))


class BidirectionalGridLSTMCell(GridLSTMCell):
    """TF1 ``tf.contrib.rnn.BidirectionalGridLSTMCell(num_units, use_peepholes=False,
    share_time_frequency_weights=False, cell_clip=None, initializer=None, num_unit_shards=1,
    forget_bias=1.0, feature_size=None, frequency_skip=None, num_frequency_blocks=None,
    start_freqindex_list=None, end_freqindex_list=None, couple_input_forget_gates=False,
    backward_slice_offset=0, reuse=None)``: a GridLSTMCell run over the frequency slices twice, in
    scope ``fwd`` in order and in scope ``bwd`` over each block's slices reversed (its own weights,
    named as GridLSTMCell's under ``fwd/``/``bwd/``); with ``backward_slice_offset`` the backward
    pass slices the zero-padded inputs (see `GridLSTMCell._block_inputs`). Time runs forward in
    both. The state is always a namedtuple ``BidirectionalGridLSTMStateTuple`` with fields
    ``fwd_state_f<ff>_b<bb>_{c,m}`` then ``bwd_state_...`` (the backward slice index counts in
    reversed order); the output concatenates the forward then backward outputs,
    ``[B, 4*H*total]``."""

    def __init__(self, num_units: int, use_peepholes: bool = False, share_time_frequency_weights: bool = False,
                 cell_clip: float | None = None, initializer: Any = None, num_unit_shards: int = 1,
                 forget_bias: float = 1.0, feature_size: int | None = None, frequency_skip: int | None = None,
                 num_frequency_blocks: Sequence[int] | None = None, start_freqindex_list: Sequence[int] | None = None,
                 end_freqindex_list: Sequence[int] | None = None, couple_input_forget_gates: bool = False,
                 backward_slice_offset: int = 0, reuse: Any = None, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(num_units, use_peepholes, share_time_frequency_weights, cell_clip, initializer,
                         num_unit_shards, forget_bias, feature_size, frequency_skip, num_frequency_blocks,
                         start_freqindex_list, end_freqindex_list, couple_input_forget_gates, True, reuse,
                         name=name, dtype=dtype, **kwargs)
        self._offset = int_arg(backward_slice_offset, "backward_slice_offset")
        fields = [f"{direction}_state_f{f:02d}_b{b:02d}_{part}" for direction in ("fwd", "bwd")
                  for b, count in enumerate(self._blocks) for f in range(count) for part in ("c", "m")]
        self._state_tuple_type = collections.namedtuple("BidirectionalGridLSTMStateTuple", fields)

    @property
    def output_size(self) -> int:
        return 4 * self._num_units * self._total

    @property
    def state_size(self) -> Any:
        n = self._num_units
        return self._state_tuple_type(*([n, n] * (2 * self._total)))

    def call(self, inputs: Any, state: Any) -> tuple[Value, Any]:
        x = convert_to_tensor(inputs)
        fwd_blocks = self._block_inputs(x)
        bwd_blocks = self._block_inputs(x, self._offset) if self._offset else fwd_blocks
        prev = self._state_leaves(state)
        outs: dict[str, list[Value]] = {"fwd": [], "bwd": []}
        new_state: dict[str, list[Value]] = {"fwd": [], "bwd": []}
        for direction, blocks, base in (("fwd", fwd_blocks, 0), ("bwd", bwd_blocks, 2 * self._total)):
            with variable_scope(direction):
                first = base
                for b, slices in enumerate(blocks):
                    ordered = slices if direction == "fwd" else slices[::-1]
                    o, s = self._block(ordered, b, prev[first:first + 2 * len(slices)], x)
                    outs[direction] += o
                    new_state[direction] += s
                    first += 2 * len(slices)
        return (concat(outs["fwd"] + outs["bwd"], 1),
                self._state_tuple_type(*(new_state["fwd"] + new_state["bwd"])))
