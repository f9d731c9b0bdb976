"""LSTM cells: `BasicLSTMCell`, `LSTMCell`, `LSTMBlockCell` and `CoupledInputForgetGateLSTMCell`.

TF1's layouts (gate blocks along the kernel's columns; kernel rows are ``[x_t, h_prev]``):
- BasicLSTMCell (``basic_lstm_cell``): ``kernel [I+H, 4H]``, ``bias [4H]``, gates ``i, j, f, o``;
  ``c' = c*sigmoid(f + forget_bias) + sigmoid(i)*act(j)``, ``h' = act(c')*sigmoid(o)``.
- LSTMCell (``lstm_cell``): ``kernel [I+P, 4H]`` (``P = num_proj or H``), ``bias [4H]``, gates
  ``i, j, f, o``; peepholes ``w_f_diag, w_i_diag, w_o_diag [H]`` look at the old ``c`` (input and
  forget) and at the new, clipped ``c`` (output); ``projection/kernel [H, P]`` then ``proj_clip``.
- LSTMBlockCell (TF contrib's fused cell, scope ``lstm_cell``): LSTMCell's variables and math with
  ``use_peephole``/``cell_clip``, no projection.
- CoupledInputForgetGateLSTMCell: the input gate is ``1 - f``: ``kernel [I+P, 3H]``, ``bias [3H]``
  with gate blocks ``j, f, o``; peepholes ``w_f_diag, w_o_diag``; optional projection. Variable names
  follow LSTMCell's (see `graphrnn.testing.reference.CIFG_CONTRIB_NAMES` for contrib's spelling).
``forget_bias`` is added at run time and never stored. State is an `LSTMStateTuple(c, h)`, or
``concat([c, h], 1)`` with ``state_is_tuple=False`` (deprecated in TF1, kept for old programs).
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import (
    Activation,
    LSTMStateTuple,
    RNNCell,
    activation_arg,
    bias,
    input_depth,
    linear,
    number_arg,
    units_arg,
    weight,
)
from graphrnn.ops.array import concat, split
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import add, clip_by_value, multiply, sigmoid, subtract, tanh
from graphrnn.ops.math_reduce import matmul


def _unpack_state(state: Any, state_is_tuple: bool, sizes: tuple[int, int]) -> tuple[Value, Value]:
    if state_is_tuple:
        c, h = state
        return convert_to_tensor(c), convert_to_tensor(h)
    s = convert_to_tensor(state)
    c, h = split(s, list(sizes), axis=1)
    return c, h


def _pack_state(c: Value, h: Value, state_is_tuple: bool) -> Any:
    return LSTMStateTuple(c, h) if state_is_tuple else concat([c, h], 1)


class BasicLSTMCell(RNNCell):
    """TF1 ``BasicLSTMCell(num_units, forget_bias=1.0, state_is_tuple=True, activation=tanh,
    reuse=None, name=None, dtype=None)``."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Activation | None = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        self._num_units = units_arg(num_units)
        self._forget_bias = number_arg(forget_bias, "forget_bias")
        self._state_is_tuple = bool(state_is_tuple)
        self._activation = activation_arg(activation) or tanh

    @property
    def state_size(self) -> Any:
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self) -> int:
        return self._num_units

    def call(self, inputs: Any, state: Any) -> tuple[Value, Any]:
        x = convert_to_tensor(inputs)
        n = self._num_units
        c, h = _unpack_state(state, self._state_is_tuple, (n, n))
        depth = input_depth(x, self)
        kernel = weight("kernel", [depth + n, 4 * n], x.dtype)
        b = bias("bias", 4 * n, x.dtype)
        i, j, f, o = split(linear([x, h], kernel, b), 4, axis=1)
        new_c = add(multiply(c, sigmoid(add(f, self._forget_bias))),
                    multiply(sigmoid(i), self._activation(j)))
        new_h = multiply(self._activation(new_c), sigmoid(o))
        return new_h, _pack_state(new_c, new_h, self._state_is_tuple)


class LSTMCell(RNNCell):
    """TF1 ``LSTMCell(num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
    proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0, state_is_tuple=True,
    activation=tanh, reuse=None, name=None, dtype=None)``. Sharding arguments are accepted and
    ignored (they only split variables into pieces in TF1; the math is the same)."""

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer: Any = None, num_proj: int | None = None, proj_clip: float | None = None,
                 num_unit_shards: Any = None, num_proj_shards: Any = None, forget_bias: float = 1.0,
                 state_is_tuple: bool = True, activation: Activation | None = None, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        self._num_units = units_arg(num_units)
        self._use_peepholes = bool(use_peepholes)
        self._cell_clip = number_arg(cell_clip, "cell_clip", optional=True)
        self._initializer = initializer
        self._num_proj = units_arg(num_proj, "num_proj") if num_proj is not None else None
        self._proj_clip = number_arg(proj_clip, "proj_clip", optional=True)
        self._forget_bias = number_arg(forget_bias, "forget_bias")
        self._state_is_tuple = bool(state_is_tuple)
        self._activation = activation_arg(activation) or tanh

    @property
    def _out(self) -> int:
        return self._num_proj if self._num_proj is not None else self._num_units

    @property
    def state_size(self) -> Any:
        n, p = self._num_units, self._out
        return LSTMStateTuple(n, p) if self._state_is_tuple else n + p

    @property
    def output_size(self) -> int:
        return self._out

    def _gate_inputs(self, inputs: Any, state: Any, n_gates: int) -> tuple[Value, Value, list[Value], Any]:
        """``(c_prev, m_prev, gates, dtype)``: the gate blocks of ``concat([x, m_prev]) @ kernel + bias``
        (creates ``kernel [I+P, n_gates*H]`` and ``bias``, in TF1's order)."""
        x = convert_to_tensor(inputs)
        n, p = self._num_units, self._out
        c_prev, m_prev = _unpack_state(state, self._state_is_tuple, (n, p))
        d = x.dtype
        kernel = weight("kernel", [input_depth(x, self) + p, n_gates * n], d, self._initializer)
        b = bias("bias", n_gates * n, d)
        return c_prev, m_prev, split(linear([x, m_prev], kernel, b), n_gates, axis=1), d

    def call(self, inputs: Any, state: Any) -> tuple[Value, Any]:
        n, init = self._num_units, self._initializer
        c_prev, _, (i, j, f, o), d = self._gate_inputs(inputs, state, 4)
        f = add(f, self._forget_bias)
        if self._use_peepholes:
            w_f = weight("w_f_diag", [n], d, init)
            w_i = weight("w_i_diag", [n], d, init)
            w_o = weight("w_o_diag", [n], d, init)
            f = add(f, multiply(w_f, c_prev))
            i = add(i, multiply(w_i, c_prev))
        c = add(multiply(sigmoid(f), c_prev), multiply(sigmoid(i), self._activation(j)))
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            o = add(o, multiply(w_o, c))  # the output peephole sees the new, clipped c
        m = self._project(multiply(sigmoid(o), self._activation(c)), d)
        return m, _pack_state(c, m, self._state_is_tuple)

    def _project(self, m: Value, d: Any) -> Value:
        """``m @ projection/kernel``, clipped to ``±proj_clip``, when ``num_proj`` is set."""
        if self._num_proj is None:
            return m
        m = matmul(m, weight("projection/kernel", [self._num_units, self._num_proj], d, self._initializer))
        if self._proj_clip is not None:
            m = clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m


class LSTMBlockCell(LSTMCell):
    """TF contrib ``LSTMBlockCell(num_units, forget_bias=1.0, cell_clip=None, use_peephole=False,
    reuse=None, dtype=None, name='lstm_cell')``: LSTMCell's variables and math (TF fuses it into
    one kernel; here it is the same subgraph, so weights move freely between the two)."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip: float | None = None,
                 use_peephole: bool = False, reuse: Any = None, dtype: Any = None,
                 name: str | None = "lstm_cell", **kwargs: Any) -> None:
        # contrib treats a negative cell_clip as "no clipping".
        clip = number_arg(cell_clip, "cell_clip", optional=True)
        clip = None if clip is None or clip < 0 else clip
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=clip, forget_bias=forget_bias,
                         reuse=reuse, dtype=dtype, name=name or "lstm_cell", **kwargs)


class CoupledInputForgetGateLSTMCell(LSTMCell):
    """TF contrib ``CoupledInputForgetGateLSTMCell(num_units, use_peepholes=False, initializer=None,
    num_proj=None, proj_clip=None, num_unit_shards=1, num_proj_shards=1, forget_bias=1.0,
    state_is_tuple=True, activation=tanh, reuse=None)``: an LSTM whose input gate is ``1 - f``
    (kernel ``[I+P, 3H]`` with gate blocks j, f, o; peepholes for f and o only; no cell clipping)."""

    def __init__(self, num_units: int, use_peepholes: bool = False, initializer: Any = None,
                 num_proj: int | None = None, proj_clip: float | None = None, num_unit_shards: Any = 1,
                 num_proj_shards: Any = 1, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Activation | None = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(num_units, use_peepholes=use_peepholes, initializer=initializer, num_proj=num_proj,
                         proj_clip=proj_clip, forget_bias=forget_bias, state_is_tuple=state_is_tuple,
                         activation=activation, reuse=reuse, name=name, dtype=dtype, **kwargs)

    def call(self, inputs: Any, state: Any) -> tuple[Value, Any]:
        n, init = self._num_units, self._initializer
        c_prev, _, (j, f, o), d = self._gate_inputs(inputs, state, 3)
        f = add(f, self._forget_bias)
        if self._use_peepholes:
            w_f = weight("w_f_diag", [n], d, init)
            w_o = weight("w_o_diag", [n], d, init)
            f = add(f, multiply(w_f, c_prev))
        f_act = sigmoid(f)
        c = add(multiply(f_act, c_prev), multiply(subtract(1.0, f_act), self._activation(j)))
        if self._use_peepholes:
            o = add(o, multiply(w_o, c))
        m = self._project(multiply(sigmoid(o), self._activation(c)), d)
        return m, _pack_state(c, m, self._state_is_tuple)
