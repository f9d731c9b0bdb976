"""TF1 contrib's ``NASCell``: the recurrent cell found by Neural Architecture Search (Zoph & Le, 2017).

Follows ``tensorflow/contrib/rnn/python/ops/rnn_cell.py`` of TF 1.x (unchanged from 1.3 to 1.15).

Variables (scope ``nas_cell``, created in this order, default initializer of the scope):
- ``recurrent_kernel [P, 8H]`` multiplies the previous output ``m`` (``P = num_proj or H``);
- ``kernel [I, 8H]`` multiplies the inputs;
- ``bias [8H]`` (zeros, only with ``use_biases=True``) is added to the *recurrent* product only;
- ``projection_weights [H, P]`` when ``num_proj`` is set (no clipping).

Math: the two products are split in 8 column blocks ``x_k``, ``m_k`` and combined as a fixed tree
(sigmoid/relu/tanh of sums, and ``relu(x_3 * m_3)`` - a product, not a sum, in TF1's cell); the old
memory ``c`` enters once, inside ``tanh(tanh(l1_0 * l1_1) + c)``. The new memory is *not* squashed:
``c' = tanh(tanh(l1_0*l1_1) + c) * tanh(l1_2 + l1_3)``, and ``m' = tanh(c' * tanh(...))``.
State is always an ``LSTMStateTuple(c [B, H], m [B, P])``; TF1 has no ``state_is_tuple`` here.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import LSTMStateTuple, RNNCell, bias, input_depth, units_arg, weight
from graphrnn.ops.array import split
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import add, multiply, sigmoid, tanh
from graphrnn.ops.math_reduce import matmul
from graphrnn.ops.nn import bias_add, relu

__all__ = ["NASCell"]


class NASCell(RNNCell):
    """TF1 ``tf.contrib.rnn.NASCell(num_units, num_proj=None, use_biases=False, reuse=None)``.

    ``use_bias`` is accepted as an alias of TF1's ``use_biases`` (the spelling of the issue that
    asked for this cell); passing both is an error.
    """

    def __init__(self, num_units: int, num_proj: int | None = None, use_biases: bool = False,
                 reuse: Any = None, name: str | None = None, dtype: Any = None,
                 use_bias: bool | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        if use_bias is not None:
            if use_biases:
                raise GraphError("NASCell got both use_biases and use_bias",
                                 source=builder.format_source(builder.source_location()),
                                 fix="pass only use_biases=True (TF1's name)")
            use_biases = use_bias
        self._num_units = units_arg(num_units)
        self._num_proj = units_arg(num_proj, "num_proj") if num_proj is not None else None
        self._use_biases = bool(use_biases)

    @property
    def _out(self) -> int:
        return self._num_proj if self._num_proj is not None else self._num_units

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._out)

    @property
    def output_size(self) -> int:
        return self._out

    def call(self, inputs: Any, state: Any) -> tuple[Value, LSTMStateTuple]:
        x = convert_to_tensor(inputs)
        c_prev, m_prev = (convert_to_tensor(s) for s in state)
        n, d = self._num_units, x.dtype
        depth = input_depth(x, self)
        # TF1 creates the recurrent kernel first; the order fixes the default initializers' seeds.
        w_m = weight("recurrent_kernel", [self._out, 8 * n], d)
        w_x = weight("kernel", [depth, 8 * n], d)
        m_mat = matmul(m_prev, w_m)
        x_mat = matmul(x, w_x)
        if self._use_biases:
            m_mat = bias_add(m_mat, bias("bias", 8 * n, d))
        xs = split(x_mat, 8, axis=1)
        ms = split(m_mat, 8, axis=1)
        l1 = [sigmoid(add(xs[0], ms[0])), relu(add(xs[1], ms[1])), sigmoid(add(xs[2], ms[2])),
              relu(multiply(xs[3], ms[3])), tanh(add(xs[4], ms[4])), sigmoid(add(xs[5], ms[5])),
              tanh(add(xs[6], ms[6])), sigmoid(add(xs[7], ms[7]))]
        l2_0 = tanh(add(tanh(multiply(l1[0], l1[1])), c_prev))  # the memory is injected here
        l2_1 = tanh(add(l1[2], l1[3]))
        l2_2 = tanh(multiply(l1[4], l1[5]))
        l2_3 = sigmoid(add(l1[6], l1[7]))
        new_c = multiply(l2_0, l2_1)
        new_m = tanh(multiply(new_c, tanh(add(l2_2, l2_3))))
        if self._num_proj is not None:
            new_m = matmul(new_m, weight("projection_weights", [n, self._num_proj], d))
        return new_m, LSTMStateTuple(new_c, new_m)
