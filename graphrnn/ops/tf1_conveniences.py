"""TF1 conveniences that are compositions of existing ops or trivially true in graphrnn.

- ``tf.to_int64``, ``tf.to_double``: casts (TF1's deprecated spellings, common in old programs).
- ``tf.nn.leaky_relu(features, alpha=0.2)``: ``maximum(alpha * x, x)``, TF1's own formula, so its
  gradient follows from the ops'.
- ``tf.local_variables()`` / ``tf.local_variables_initializer()`` / ``tf.tables_initializer()``:
  graphrnn has no local variables (TF1 creates them for metrics and input queues) and no lookup
  tables, so the first is always empty and the initializers are NoOps that programs can run, as
  TF1's are when there is nothing to initialize.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError
from graphrnn.ir.graph import Node, Value
from graphrnn.ops.convert import convert_like, convert_to_tensor
from graphrnn.ops.math import cast, maximum, multiply
from graphrnn.ops.state import no_op


def to_int64(x: Any, name: str = "ToInt64") -> Value:
    """TF1 `tf.to_int64`."""
    return cast(x, dtypes.int64, name)


def to_double(x: Any, name: str = "ToDouble") -> Value:
    """TF1 `tf.to_double`."""
    return cast(x, dtypes.float64, name)


def leaky_relu(features: Any, alpha: Any = 0.2, name: str | None = None) -> Value:
    """TF1 `tf.nn.leaky_relu`: ``max(alpha * x, x)`` (for ``alpha <= 1``, as TF1 computes it)."""
    with builder.name_scope(name or "LeakyRelu"):
        x = convert_to_tensor(features)
        if x.dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
            raise DTypeError(f"leaky_relu needs a floating-point tensor, got {x.dtype.name}",
                             source=builder.format_source(builder.source_location()),
                             fix="cast the features with gr.cast(x, gr.float32)")
        return maximum(multiply(convert_like(alpha, x), x), x)


def local_variables(scope: str | None = None) -> list[Any]:
    """TF1 `tf.local_variables`: graphrnn creates no local variables, so always ``[]``."""
    return []


def local_variables_initializer() -> Node:
    """TF1 `tf.local_variables_initializer`: a NoOp (there are no local variables to initialize)."""
    return no_op(name="init_1")


def tables_initializer(name: str = "init_all_tables") -> Node:
    """TF1 `tf.tables_initializer`: a NoOp (graphrnn has no lookup tables)."""
    return no_op(name=name)


__all__ = ["to_int64", "to_double", "local_variables", "local_variables_initializer", "tables_initializer"]
