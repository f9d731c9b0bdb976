"""TF 1.15's ``tf.contrib.rnn`` projection and embedding wrappers (``core_rnn_cell.py``).

Each wrapper is a cell with its own variable scope (its snake-case class name) and calls the wrapped
cell inside it, so the wrapped cell's variables nest under the wrapper's scope, as in TF 1.15:

- ``EmbeddingWrapper(cell, embedding_classes, embedding_size, initializer=None)``: inputs are integer
  symbols ``[batch]`` (or ``[batch, 1]``); ``<scope>/embedding_wrapper/embedding [classes, size]``
  (the given initializer, else the variable scope's, else uniform in ``[-sqrt 3, sqrt 3)``, variance
  1; the state's dtype); the wrapped cell runs on the embedded rows.
- ``OutputProjectionWrapper(cell, output_size, activation=None)``: runs the cell, then
  ``activation(output @ kernel + bias)`` with ``output_projection_wrapper/kernel [cell.output_size,
  output_size]`` (the scope's initializer, glorot uniform by default) and ``/bias`` (zeros),
  created after the wrapped cell's variables.
- ``InputProjectionWrapper(cell, num_proj, activation=None)``: ``activation(inputs @ kernel + bias)``
  (``input_projection_wrapper/kernel [input depth, num_proj]``, ``/bias``), then the cell.

Bad sizes and a non-cell are `GraphError`s with a fix; float ids for an embedding are a `DTypeError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from graphrnn import nest
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import RNNCell, bias, input_depth, linear, weight
from graphrnn.nn.rnn import check_cell
from graphrnn.ops.array import reshape
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.initializers import random_uniform_initializer
from graphrnn.ops.nn import embedding_lookup
from graphrnn.ops.state import get_variable, get_variable_scope

__all__ = ["EmbeddingWrapper", "OutputProjectionWrapper", "InputProjectionWrapper"]


def _positive(value: Any, what: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise GraphError(f"{owner}: {what} must be a positive Python int, got {value!r}",
                         source=builder.format_source(builder.source_location()),
                         fix=f"pass the {what} as an int > 0")
    return value


class _CellWrapper(RNNCell):
    """A cell with its own variable scope around a wrapped cell; state and zero state are the cell's."""

    def __init__(self, cell: RNNCell, name: str | None = None, reuse: Any = None) -> None:
        super().__init__(name=name, reuse=reuse)
        check_cell(cell, f"{type(self).__name__}'s cell")
        self._cell = cell

    @property
    def wrapped_cell(self) -> RNNCell:
        return self._cell

    @property
    def state_size(self) -> Any:
        return self._cell.state_size

    @property
    def output_size(self) -> Any:
        return self._cell.output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with builder.name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class EmbeddingWrapper(_CellWrapper):
    """TF1 ``EmbeddingWrapper``: embeds integer symbols before the wrapped cell (see the module docstring)."""

    def __init__(self, cell: RNNCell, embedding_classes: int, embedding_size: int, initializer: Any = None,
                 reuse: Any = None) -> None:
        super().__init__(cell, reuse=reuse)
        self._classes = _positive(embedding_classes, "embedding_classes", "EmbeddingWrapper")
        self._size = _positive(embedding_size, "embedding_size", "EmbeddingWrapper")
        self._initializer = initializer

    def call(self, inputs: Any, state: Any) -> tuple[Any, Any]:
        ids = convert_to_tensor(inputs)
        if not ids.dtype.is_integer:
            raise DTypeError(f"EmbeddingWrapper: inputs must be integer symbols, got '{ids.name}' of dtype "
                             f"{ids.dtype.name}", source=builder.format_source(builder.source_location()),
                             fix="feed int32 symbol ids of shape [batch] (one per step)")
        initializer = self._initializer or get_variable_scope().initializer
        if initializer is None:
            initializer = random_uniform_initializer(-math.sqrt(3.0), math.sqrt(3.0))  # variance 1
        dtype: dtypes.DType = convert_to_tensor(nest.flatten(state)[0]).dtype
        embedding = get_variable("embedding", [self._classes, self._size], dtype=dtype, initializer=initializer)
        return self._cell(embedding_lookup(embedding.value(), reshape(ids, [-1])), state)


class OutputProjectionWrapper(_CellWrapper):
    """TF1 ``OutputProjectionWrapper``: projects the wrapped cell's output to ``output_size``."""

    def __init__(self, cell: RNNCell, output_size: int, activation: Callable[[Any], Any] | None = None,
                 reuse: Any = None) -> None:
        super().__init__(cell, reuse=reuse)
        self._output_size = _positive(output_size, "output_size", "OutputProjectionWrapper")
        self._activation = activation

    @property
    def output_size(self) -> int:
        return self._output_size

    def call(self, inputs: Any, state: Any) -> tuple[Any, Any]:
        output, new_state = self._cell(inputs, state)
        out: Value = convert_to_tensor(output)
        kernel = weight("kernel", [input_depth(out, self), self._output_size], out.dtype)
        projected = linear([out], kernel, bias("bias", self._output_size, out.dtype))
        return (self._activation(projected) if self._activation is not None else projected), new_state


class InputProjectionWrapper(_CellWrapper):
    """TF1 ``InputProjectionWrapper``: projects the inputs to ``num_proj`` before the wrapped cell."""

    def __init__(self, cell: RNNCell, num_proj: int, activation: Callable[[Any], Any] | None = None,
                 input_size: Any = None, reuse: Any = None) -> None:
        super().__init__(cell, reuse=reuse)
        self._num_proj = _positive(num_proj, "num_proj", "InputProjectionWrapper")
        self._activation = activation

    def call(self, inputs: Any, state: Any) -> tuple[Any, Any]:
        x: Value = convert_to_tensor(inputs)
        kernel = weight("kernel", [input_depth(x, self), self._num_proj], x.dtype)
        projected = linear([x], kernel, bias("bias", self._num_proj, x.dtype))
        if self._activation is not None:
            projected = self._activation(projected)
        return self._cell(projected, state)
