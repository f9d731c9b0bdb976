"""``gr.layers``: TF1's functional layers (``tf.layers.dense``, ``tf.layers.dropout``).

Variable naming is TF1's: each call without ``name`` opens a fresh scope ``dense``, ``dense_1``, ...
(made unique among the variables of the enclosing scope); ``name=...`` with ``reuse=True`` (or
``AUTO_REUSE``) shares an existing layer's weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.types import format_shape
from graphrnn.nn.cells_base import activation_arg, units_arg
from graphrnn.ops.array import reshape
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import shape
from graphrnn.ops.control_flow import cond
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.initializers import zeros_initializer
from graphrnn.ops.math_reduce import matmul
from graphrnn.ops.nn import bias_add
from graphrnn.ops.nn import dropout as nn_dropout
from graphrnn.ops.state import get_variable, variable_scope


def affine(x: Value, units: int, activation: Callable[[Any], Any] | None, use_bias: bool,
           kernel_name: str, bias_name: str, kernel_initializer: Any, bias_initializer: Any,
           trainable: bool, what: str) -> Value:
    """``activation(x @ kernel + bias)`` over the last axis of ``x`` (rank >= 2, floating point, as
    TF1's Dense layer requires), variables in the current scope."""
    if not x.dtype.is_floating:
        raise DTypeError(f"{what} needs floating-point inputs, got '{x.name}' of dtype {x.dtype.name} "
                         "(TF1: unable to build a Dense layer with a non-floating point dtype)",
                         source=builder.format_source(builder.source_location()),
                         fix="cast the input first: gr.cast(x, gr.float32)")
    units = units_arg(units, "units" if what == "dense" else "num_outputs")
    activation = activation_arg(activation, "activation" if what == "dense" else "activation_fn")
    if x.type.rank is None or x.type.rank < 2:
        raise ShapeError(f"{what} needs inputs of rank >= 2 [batch, ..., depth], got shape "
                         f"{format_shape(x.type.shape)}")
    depth = x.type.shape[-1]
    if depth is None:
        raise ShapeError(f"{what} needs the last dimension of its input to be known, got shape "
                         f"{tuple(x.type.shape)}", fix="give the input a static feature size")
    kernel = get_variable(kernel_name, [depth, units], dtype=x.dtype, initializer=kernel_initializer,
                          trainable=trainable).value()
    if x.type.rank == 2:
        y = matmul(x, kernel)
    else:  # [B, ..., depth] -> [-1, depth] @ kernel -> [B, ..., units]
        lead = [d if d is not None else getitem(shape(x), k) for k, d in enumerate(x.type.shape[:-1])]
        y = reshape(matmul(reshape(x, [-1, depth]), kernel), [*lead, units])
    if use_bias:
        b = get_variable(bias_name, [units], dtype=x.dtype,
                         initializer=bias_initializer if bias_initializer is not None else zeros_initializer(),
                         trainable=trainable).value()
        y = bias_add(y, b)
    return activation(y) if activation is not None else y


def dense(inputs: Any, units: int, activation: Callable[[Any], Any] | None = None, use_bias: bool = True,
          kernel_initializer: Any = None, bias_initializer: Any = None, kernel_regularizer: Any = None,
          bias_regularizer: Any = None, activity_regularizer: Any = None, kernel_constraint: Any = None,
          bias_constraint: Any = None, trainable: bool = True, name: str | None = None,
          reuse: Any = None) -> Value:
    """TF1 ``tf.layers.dense``: variables ``<name or dense[_k]>/kernel [depth, units]`` and ``/bias [units]``.

    Regularizers and constraints are accepted for signature compatibility and not applied."""
    x = convert_to_tensor(inputs)
    with variable_scope(name, default_name="dense", reuse=reuse):
        return affine(x, units, activation, use_bias, "kernel", "bias", kernel_initializer,
                      bias_initializer, trainable, "dense")


def dropout(inputs: Any, rate: Any = 0.5, noise_shape: Any = None, seed: int | None = None,
            training: Any = False, name: str | None = None) -> Value:
    """TF1 ``tf.layers.dropout``: drops with probability ``rate`` only when ``training`` (a Python
    bool or a scalar bool tensor) holds."""
    x = convert_to_tensor(inputs)
    if isinstance(training, bool):
        return nn_dropout(x, rate=rate, noise_shape=noise_shape, seed=seed, name=name) if training else x
    flag = convert_to_tensor(training, dtypes.bool_)
    return cond(flag, lambda: nn_dropout(x, rate=rate, noise_shape=noise_shape, seed=seed, name=name),
                lambda: x)

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
