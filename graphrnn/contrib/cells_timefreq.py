"""TF1 contrib's ``TimeFreqLSTMCell`` (Sainath & Li, 2016): an LSTM that also recurs along frequency,
plus the helpers it shares with `graphrnn.contrib.cells_grid` (sharded kernels, frequency slices).

Follows ``tensorflow/contrib/rnn/python/ops/rnn_cell.py`` of TF 1.x.

The input ``[B, I]`` is cut into ``F = (I - feature_size) // frequency_skip + 1`` overlapping
slices of ``feature_size`` columns, shifted by ``frequency_skip``. Slice ``f`` runs one LSTM step
(gates ``i, j, f, o``) on rows ``[slice_f, m_time_f, m_freq]`` where ``m_time_f`` is slice f's
output at the previous time step and ``m_freq`` the output of slice ``f-1`` at this time step (zeros
for f = 0); all slices share one kernel. Output: the slices' ``m`` concatenated ``[B, H*F]``; state
``[c_0, m_0, c_1, m_1, ...]`` concatenated ``[B, 2*H*F]``; peepholes and ``cell_clip`` as in LSTMCell.

Variables (scope ``time_freq_lstm_cell``): ``W_0 ... W_<k-1>`` (the kernel ``[feature_size + 2H, 4H]``
stored as ``num_unit_shards`` row blocks, the first ones one row larger when the rows do not divide,
TF1's ``_get_sharded_variable``), ``B [4H]`` (zeros), with peepholes ``W_F_diag, W_I_diag,
W_O_diag [H]``.

TF1 declares ``state_size = 2H`` and ``output_size = H`` whatever F is, so in TF1 only F = 1 works
in ``dynamic_rnn`` and with a zero state (several shifts need a hand-made initial state of width
``2HF`` in ``static_rnn``). graphrnn does better when told the input depth: ``input_size=I`` (a
graphrnn keyword) makes ``state_size = 2HF`` and ``output_size = HF``, and every driver works;
without it the sizes are TF1's and a call with F > 1 on a state of the wrong width is a
`GraphError` saying so. Also beyond TF1: a batch size unknown while building works (TF1 needs it
static), and ``initializer`` is used for ``W_*`` and the peepholes (TF1 stores it but never uses it).
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import RNNCell, batch_dim, bias, input_depth, number_arg, units_arg, weight
from graphrnn.ops.array import concat, split
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import zeros
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import add, clip_by_value, multiply, sigmoid, tanh
from graphrnn.ops.math_reduce import matmul
from graphrnn.ops.nn import bias_add

__all__ = ["TimeFreqLSTMCell", "sharded_weight", "frequency_count", "frequency_slices"]


def sharded_weight(name: str, shape: list[int], d: dtypes.DType, num_shards: int, initializer: Any = None) -> Value:
    """TF1's ``_get_concat_variable``: ``<name>_0 ... <name>_<k-1>`` split along rows, concatenated.

    Shard ``i`` has ``rows // k`` rows, plus one for the first ``rows % k`` shards."""
    rows = shape[0]
    if num_shards > rows:
        raise ShapeError(f"too many shards: {num_shards} shards for a variable {name} of shape {shape}",
                         source=builder.format_source(builder.source_location()),
                         fix=f"use num_unit_shards <= {rows}")
    base, extra = divmod(rows, num_shards)
    shards = [weight(f"{name}_{i}", [base + (1 if i < extra else 0), *shape[1:]], d, initializer)
              for i in range(num_shards)]
    return shards[0] if num_shards == 1 else concat(shards, 0)


def frequency_count(width: int, feature_size: int, frequency_skip: int) -> int:
    """How many ``feature_size`` slices shifted by ``frequency_skip`` fit in ``width`` columns
    (TF1's ``int((width - feature_size) / frequency_skip) + 1``, with width >= feature_size)."""
    return (width - feature_size) // frequency_skip + 1


def frequency_slices(x: Value, start: int, count: int, feature_size: int, frequency_skip: int) -> list[Value]:
    """``x[:, start + f*skip : start + f*skip + feature_size]`` for ``f < count``."""
    return [getitem(x, (slice(None), slice(start + f * frequency_skip, start + f * frequency_skip + feature_size)))
            for f in range(count)]


def positive_int_arg(value: Any, what: str, owner: str) -> int:
    if value is None:
        raise GraphError(f"{owner} needs {what}", source=builder.format_source(builder.source_location()),
                         fix=f"pass {what}=<int > 0>")
    return units_arg(value, what)


class TimeFreqLSTMCell(RNNCell):
    """TF1 ``tf.contrib.rnn.TimeFreqLSTMCell(num_units, use_peepholes=False, cell_clip=None,
    initializer=None, num_unit_shards=1, forget_bias=1.0, feature_size=None, frequency_skip=1,
    reuse=None)``, plus graphrnn's ``input_size`` (see the module docstring)."""

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer: Any = None, num_unit_shards: int = 1, forget_bias: float = 1.0,
                 feature_size: int | None = None, frequency_skip: int = 1, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, input_size: int | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        self._num_units = units_arg(num_units)
        self._use_peepholes = bool(use_peepholes)
        self._cell_clip = number_arg(cell_clip, "cell_clip", optional=True)
        self._initializer = initializer
        self._num_unit_shards = units_arg(num_unit_shards, "num_unit_shards")
        self._forget_bias = number_arg(forget_bias, "forget_bias")
        self._feature_size = positive_int_arg(feature_size, "feature_size", "TimeFreqLSTMCell")
        self._frequency_skip = units_arg(frequency_skip, "frequency_skip")
        self._input_size = units_arg(input_size, "input_size") if input_size is not None else None
        if self._input_size is not None:
            self._check_width(self._input_size)

    def _check_width(self, width: int) -> int:
        if width < self._feature_size:
            raise ShapeError(f"TimeFreqLSTMCell: the input depth {width} is smaller than feature_size "
                             f"{self._feature_size}", source=builder.format_source(builder.source_location()),
                             fix="use a feature_size no larger than the input depth")
        return frequency_count(width, self._feature_size, self._frequency_skip)

    @property
    def _freqs(self) -> int:
        """F when the input depth is known (``input_size``), else 1 (TF1's declared sizes)."""
        return 1 if self._input_size is None else self._check_width(self._input_size)

    @property
    def state_size(self) -> int:
        return 2 * self._num_units * self._freqs

    @property
    def output_size(self) -> int:
        return self._num_units * self._freqs

    def call(self, inputs: Any, state: Any) -> tuple[Value, Value]:
        x = convert_to_tensor(inputs)
        s = convert_to_tensor(state)
        n, d, init = self._num_units, x.dtype, self._initializer
        width = input_depth(x, self)
        if self._input_size is not None and width != self._input_size:
            raise ShapeError(f"TimeFreqLSTMCell(input_size={self._input_size}) got inputs of depth {width}",
                             source=builder.format_source(builder.source_location()),
                             fix="pass input_size equal to the inputs' last dimension")
        freqs = self._check_width(width)
        have = s.type.shape[1] if s.type.rank == 2 else None
        if have is not None and have != 2 * n * freqs:
            raise ShapeError(
                f"TimeFreqLSTMCell with {freqs} frequency shifts needs a state of width {2 * n * freqs}, got "
                f"{have} (TF1 declares state_size = 2*num_units = {2 * n} whatever the input depth)",
                source=builder.format_source(builder.source_location()),
                fix=f"pass input_size={width} to TimeFreqLSTMCell (a graphrnn extension) so it declares its "
                    f"true state size, or feed an initial_state of width {2 * n * freqs}")
        slices = frequency_slices(x, 0, freqs, self._feature_size, self._frequency_skip)
        kernel = sharded_weight("W", [self._feature_size + 2 * n, 4 * n], d, self._num_unit_shards, init)
        b = bias("B", 4 * n, d)
        if self._use_peepholes:
            w_f = weight("W_F_diag", [n], d, init)
            w_i = weight("W_I_diag", [n], d, init)
            w_o = weight("W_O_diag", [n], d, init)
        prev = split(s, 2 * freqs, axis=1)  # c_0, m_0, c_1, m_1, ...
        m_freq: Value = zeros([batch_dim(x), n], d)
        outs: list[Value] = []
        states: list[Value] = []
        for f in range(freqs):
            c_prev, m_prev = prev[2 * f], prev[2 * f + 1]
            i, j, fg, o = split(bias_add(matmul(concat([slices[f], m_prev, m_freq], 1), kernel), b), 4, axis=1)
            fg = add(fg, self._forget_bias)
            if self._use_peepholes:
                fg = add(fg, multiply(w_f, c_prev))
                i = add(i, multiply(w_i, c_prev))
            c = add(multiply(sigmoid(fg), c_prev), multiply(sigmoid(i), tanh(j)))
            if self._cell_clip is not None:
                c = clip_by_value(c, -self._cell_clip, self._cell_clip)
            if self._use_peepholes:
                o = add(o, multiply(w_o, c))
            m = multiply(sigmoid(o), tanh(c))
            m_freq = m
            outs.append(m)
            states += [c, m]
        return concat(outs, 1) if freqs > 1 else outs[0], concat(states, 1)
