"""TF1 contrib's ``LayerNormBasicLSTMCell``: a BasicLSTMCell with layer normalization (Ba et al., 2016)
and recurrent dropout without memory loss (Semeniuta et al., 2016).

Follows ``tensorflow/contrib/rnn/python/ops/rnn_cell.py`` of TF 1.x (the same from 1.2 to 1.15).

Variables (scope ``layer_norm_basic_lstm_cell``, created in this order):
- ``kernel [I+H, 4H]`` (rows ``[x, h]``, gate blocks ``i, j, f, o``; the scope's default initializer);
- ``bias [4H]`` only when ``layer_norm=False`` (TF1 then uses the scope's default initializer for it,
  glorot uniform, *not* zeros - kept, so weights and fresh initial values match TF1);
- with ``layer_norm=True``: ``<g>/gamma [H]`` (constant ``norm_gain``) and ``<g>/beta [H]``
  (constant ``norm_shift``) for ``g`` in ``input, transform, forget, output`` then ``state``.

Math: each gate pre-activation is normalized over its H units (population variance, epsilon
``1e-12`` as in contrib's ``layer_norm``) then scaled by gamma and shifted by beta; the candidate
``g = activation(j)`` is dropped out (keep ``dropout_keep_prob``, seed ``dropout_prob_seed``) -
only the candidate, so the memory is never dropped; ``c' = c*sigmoid(f + forget_bias) +
sigmoid(i)*g``, normalized again (``state``) when ``layer_norm``; ``h' = activation(c')*sigmoid(o)``.

TF1 applies dropout unless ``dropout_keep_prob`` is the Python float 1.0; here a constant keep
probability of 1 (int or float) is a no-op either way, and a tensor keep probability (a placeholder,
e.g. 1.0 at evaluation) is checked at run time. Masks come from ``gr.nn.dropout``, the same
seeded, replayable masks `DropoutWrapper` uses (the gradient sees the mask of its forward run).
State is always an ``LSTMStateTuple(c, h)``; TF1 has no ``state_is_tuple`` here.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import (
    Activation,
    LSTMStateTuple,
    RNNCell,
    activation_arg,
    input_depth,
    linear,
    number_arg,
    units_arg,
    weight,
)
from graphrnn.ops.array import split
from graphrnn.ops.convert import convert_to_tensor, int_arg
from graphrnn.ops.initializers import constant_initializer
from graphrnn.ops.math import add, multiply, rsqrt, sigmoid, square, subtract, tanh
from graphrnn.ops.math_reduce import reduce_mean
from graphrnn.ops.nn import dropout
from graphrnn.ops.state import variable_scope

__all__ = ["LayerNormBasicLSTMCell", "LAYER_NORM_EPSILON"]

LAYER_NORM_EPSILON = 1e-12  # contrib.layers.layer_norm's variance_epsilon


def _keep_prob_arg(value: Any) -> Any:
    """A Python number in (0, 1], or a scalar tensor (checked by ``dropout`` at run time)."""
    if isinstance(value, Value) or hasattr(value, "_as_graph_value"):
        return value
    p = number_arg(value, "dropout_keep_prob")
    if not 0.0 < p <= 1.0:
        raise GraphError(f"LayerNormBasicLSTMCell dropout_keep_prob must lie in (0, 1], got {p}",
                         source=builder.format_source(builder.source_location()),
                         fix="keep_prob = 1 - dropout rate; 1.0 disables the recurrent dropout")
    return p


class LayerNormBasicLSTMCell(RNNCell):
    """TF1 ``tf.contrib.rnn.LayerNormBasicLSTMCell(num_units, forget_bias=1.0, input_size=None,
    activation=tanh, layer_norm=True, norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0,
    dropout_prob_seed=None, reuse=None)``; ``input_size`` is deprecated and ignored, as in TF1."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, input_size: Any = None,
                 activation: Activation | None = None, layer_norm: bool = True, norm_gain: float = 1.0,
                 norm_shift: float = 0.0, dropout_keep_prob: Any = 1.0, dropout_prob_seed: int | None = None,
                 reuse: Any = None, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, dtype=dtype, **kwargs)
        self._num_units = units_arg(num_units)
        self._forget_bias = number_arg(forget_bias, "forget_bias")
        self._activation = activation_arg(activation) or tanh
        self._layer_norm = bool(layer_norm)
        self._norm_gain = number_arg(norm_gain, "norm_gain")
        self._norm_shift = number_arg(norm_shift, "norm_shift")
        self._keep_prob = _keep_prob_arg(dropout_keep_prob)
        self._seed = int_arg(dropout_prob_seed, "dropout_prob_seed") if dropout_prob_seed is not None else None

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_units

    def _norm(self, x: Value, scope: str, d: dtypes.DType) -> Value:
        """Layer norm of ``x [B, H]`` over its last axis with ``<scope>/gamma`` and ``<scope>/beta``.

        Written as TF1's ``batch_normalization``: ``x * inv + (beta - mean * inv)`` with
        ``inv = gamma * rsqrt(var + eps)``, so float32 rounding follows TF1's order."""
        n = self._num_units
        with variable_scope(scope):
            gamma = weight("gamma", [n], d, constant_initializer(self._norm_gain))
            beta = weight("beta", [n], d, constant_initializer(self._norm_shift))
        mean = reduce_mean(x, axis=[1], keepdims=True)
        var = reduce_mean(square(subtract(x, mean)), axis=[1], keepdims=True)
        inv = multiply(rsqrt(add(var, LAYER_NORM_EPSILON)), gamma)
        return add(multiply(x, inv), subtract(beta, multiply(mean, inv)))

    def call(self, inputs: Any, state: Any) -> tuple[Value, LSTMStateTuple]:
        x = convert_to_tensor(inputs)
        c, h = (convert_to_tensor(s) for s in state)
        n, d = self._num_units, x.dtype
        kernel = weight("kernel", [input_depth(x, self) + n, 4 * n], d)
        b = None if self._layer_norm else weight("bias", [4 * n], d)  # scope default init, as TF1
        i, j, f, o = split(linear([x, h], kernel, b), 4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input", d)
            j = self._norm(j, "transform", d)
            f = self._norm(f, "forget", d)
            o = self._norm(o, "output", d)
        g = self._activation(j)
        g = dropout(g, self._keep_prob, seed=self._seed)  # a constant keep_prob of 1 returns g itself
        new_c = add(multiply(c, sigmoid(add(f, self._forget_bias))), multiply(sigmoid(i), g))
        if self._layer_norm:
            new_c = self._norm(new_c, "state", d)
        new_h = multiply(self._activation(new_c), sigmoid(o))
        return new_h, LSTMStateTuple(new_c, new_h)
