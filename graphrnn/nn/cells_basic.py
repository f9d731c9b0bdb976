"""`BasicRNNCell` and `GRUCell`, with TF1's math, variable names, shapes and initializers.

Layouts (every kernel multiplies ``concat([x_t, h_prev], 1)``, input rows first):
- BasicRNNCell (``basic_rnn_cell``): ``kernel [I+H, H]``, ``bias [H]``; ``h' = act(xh @ kernel + bias)``.
- GRUCell (``gru_cell``): ``gates/kernel [I+H, 2H]``, ``gates/bias [2H]`` (initialized to 1.0 so the
  cell starts by keeping its state), ``candidate/kernel [I+H, H]``, ``candidate/bias [H]``;
  ``r, u = split(sigmoid(xh @ Kg + bg), 2)`` (reset first); ``c = act([x, r*h] @ Kc + bc)`` (the
  reset gate scales h *before* the matmul); ``h' = u*h + (1-u)*c``.
Kernels default to the scope's initializer (glorot_uniform, TF1's `get_variable` default).
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import (
    Activation,
    RNNCell,
    activation_arg,
    bias,
    input_depth,
    linear,
    units_arg,
    weight,
)
from graphrnn.ops.array import split
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.initializers import constant_initializer
from graphrnn.ops.math import add, multiply, sigmoid, subtract, tanh


class BasicRNNCell(RNNCell):
    """TF1 ``BasicRNNCell(num_units, activation=tanh, reuse=None, name=None, dtype=None)``."""

    def __init__(self, num_units: int, activation: Activation | None = None, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        self._num_units = units_arg(num_units)
        self._activation = activation_arg(activation) or tanh

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def call(self, inputs: Any, state: Any) -> tuple[Value, Value]:
        x = convert_to_tensor(inputs)
        h = convert_to_tensor(state)
        depth = input_depth(x, self)
        kernel = weight("kernel", [depth + self._num_units, self._num_units], x.dtype)
        b = bias("bias", self._num_units, x.dtype)
        out = self._activation(linear([x, h], kernel, b))
        return out, out


class GRUCell(RNNCell):
    """TF1 ``GRUCell(num_units, activation=tanh, reuse=None, kernel_initializer=None,
    bias_initializer=None, name=None, dtype=None)``; gate bias defaults to 1.0, candidate bias to 0."""

    def __init__(self, num_units: int, activation: Activation | None = None, reuse: Any = None,
                 kernel_initializer: Any = None, bias_initializer: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        self._num_units = units_arg(num_units)
        self._activation = activation_arg(activation) or tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def call(self, inputs: Any, state: Any) -> tuple[Value, Value]:
        x = convert_to_tensor(inputs)
        h = convert_to_tensor(state)
        n = self._num_units
        depth = input_depth(x, self)
        d = x.dtype
        gate_kernel = weight("gates/kernel", [depth + n, 2 * n], d, self._kernel_initializer)
        gate_bias = bias("gates/bias", 2 * n, d, self._bias_initializer or constant_initializer(1.0))
        cand_kernel = weight("candidate/kernel", [depth + n, n], d, self._kernel_initializer)
        cand_bias = bias("candidate/bias", n, d, self._bias_initializer)
        r, u = split(sigmoid(linear([x, h], gate_kernel, gate_bias)), 2, axis=1)
        c = self._activation(linear([x, multiply(r, h)], cand_kernel, cand_bias))
        new_h = add(multiply(u, h), multiply(subtract(1.0, u), c))
        return new_h, new_h
