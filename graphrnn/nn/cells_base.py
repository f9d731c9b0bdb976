"""The RNN cell protocol (TF1's legacy ``rnn_cell.RNNCell``), `LSTMStateTuple` and shared helpers.

Invariants:
- A cell maps ``(inputs [B, I], state)`` to ``(output [B, output_size], new_state)`` where
  ``new_state`` has the structure of ``state_size`` (an int, an `LSTMStateTuple` of ints, or a
  tuple of those); sizes exclude the batch dimension.
- Variable scoping is TF1's: the first call creates the cell's variables under
  ``variable_scope(scope or cell.name)`` relative to the caller's scope (the driver's ``rnn``);
  every later call of the same cell object in the same graph re-enters that exact scope with
  ``reuse=True``, wherever it is called from, so a cell object always owns one set of weights.
  The cell name is not made unique: a second, different cell built in the same scope collides with
  the first one's variables, and `get_variable` raises a `ScopeError` naming both creation sites.
- Users subclass `RNNCell` and implement ``state_size``, ``output_size`` and ``call`` (the scoping
  above is then automatic) or override ``__call__`` themselves; every driver accepts both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from graphrnn import nest
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Graph, Value
from graphrnn.ops import state as _state
from graphrnn.ops.array import concat
from graphrnn.ops.array_shape import zeros
from graphrnn.ops.convert import convert_to_tensor, int_arg
from graphrnn.ops.initializers import Initializer, zeros_initializer
from graphrnn.ops.math_reduce import matmul
from graphrnn.ops.nn import bias_add


class LSTMStateTuple(NamedTuple):
    """TF1's LSTM state: ``c`` the cell state ``[B, H]``, ``h`` the output ("m") state ``[B, P]``."""

    c: Any
    h: Any

    @property
    def dtype(self) -> dtypes.DType:
        c, h = self
        if getattr(c, "dtype", None) is not getattr(h, "dtype", None):
            raise GraphError(f"inconsistent LSTMStateTuple dtypes: {c.dtype} vs {h.dtype}")
        return c.dtype


def default_cell_name(cls: type) -> str:
    """TF1's layer naming: the class name in snake case (``BasicLSTMCell`` -> ``basic_lstm_cell``)."""
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", cls.__name__)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


class RNNCell:
    """Base class of every cell. Subclasses implement `state_size`, `output_size` and `call`.

    ``name`` is the cell's variable scope name (default: the class name in snake case);
    ``reuse=True`` makes the first call reuse variables that already exist in that scope.
    """

    def __init__(self, name: str | None = None, reuse: Any = None, dtype: Any = None, **unused: Any) -> None:
        self._name = name or default_cell_name(type(self))
        self._reuse = reuse
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._built_in: tuple[Graph, str] | None = None  # (root graph, full variable-scope name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def state_size(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define the state_size property")

    @property
    def output_size(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define the output_size property")

    @property
    def scope_name(self) -> str | None:
        """The full variable scope the cell's variables live in (None before the first call)."""
        return None if self._built_in is None else self._built_in[1]

    def call(self, inputs: Any, state: Any) -> tuple[Any, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement call(inputs, state) or __call__")

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple[Any, Any]:
        g = builder.get_default_graph()
        if self._built_in is not None and self._built_in[0] is g:
            with _state.variable_scope(_state.VariableScope(self._built_in[1]), reuse=True):
                return self.call(inputs, state)
        with _state.variable_scope(scope if scope is not None else self._name, reuse=self._reuse) as vs:
            result = self.call(inputs, state)
        self._built_in = (g, vs.name)  # only after success: a failed build can be retried
        return result

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zeros shaped ``[batch_size, s]`` for every size ``s`` in `state_size` (same structure)."""
        d = dtypes.as_dtype(dtype)
        with builder.name_scope(type(self).__name__ + "ZeroState"):
            return nest.map_structure(lambda s: zeros([batch_size, *_dims(s)], d), self.state_size)

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None, dtype: Any = None) -> Any:
        if inputs is not None:
            x = convert_to_tensor(nest.flatten(inputs)[0])
            batch_size = batch_size if batch_size is not None else batch_dim(x)
            dtype = dtype if dtype is not None else x.dtype
        return self.zero_state(batch_size, dtype)


def _dims(size: Any) -> tuple[int, ...]:
    """A state/output size (int, or a TensorShape/tuple for multi-dim states) as a dims tuple."""
    if isinstance(size, int):
        return (size,)
    return tuple(int(d) for d in size)


def batch_dim(x: Value, axis: int = 0) -> Any:
    """The static size of ``x``'s ``axis`` when known, else the run-time ``shape(x)[axis]``."""
    d = x.type.shape[axis]
    if d is not None:
        return d
    from graphrnn.ops.array_index import getitem
    from graphrnn.ops.array_shape import shape
    return getitem(shape(x), axis)


def input_depth(x: Value, cell: RNNCell) -> int:
    """The static feature size of a cell input ``[B, I]`` (variables need it while building)."""
    if x.type.rank != 2:
        raise ShapeError(f"{type(cell).__name__} expects inputs of rank 2 [batch, depth], got "
                         f"'{x.name}' of shape {tuple(x.type.shape)}",
                         fix="feed [batch, time, depth] to dynamic_rnn, or a list of [batch, depth] to static_rnn")
    d = x.type.shape[1]
    if d is None:
        raise ShapeError(f"{type(cell).__name__} needs the last dimension of its inputs to be known while "
                         f"building (it sizes the kernel), got '{x.name}' of shape {tuple(x.type.shape)}",
                         fix="give the placeholder a static feature size, e.g. gr.placeholder(gr.float32, "
                             "[None, None, 28])")
    return int(d)


def weight(name: str, shape: list[int], dtype: dtypes.DType, initializer: Any = None) -> Value:
    """``get_variable`` in the current (cell) scope, returned as a tensor."""
    v = _state.get_variable(name, shape=shape, dtype=dtype, initializer=initializer)
    return v.value()


def bias(name: str, size: int, dtype: dtypes.DType, initializer: Initializer | None = None) -> Value:
    return weight(name, [size], dtype, initializer if initializer is not None else zeros_initializer())


def linear(args: list[Value], kernel: Value, b: Value | None) -> Value:
    """``concat(args, 1) @ kernel + b`` (TF1's ``_linear``): input rows first, then recurrent rows."""
    x = args[0] if len(args) == 1 else concat(args, 1)
    y = matmul(x, kernel)
    return y if b is None else bias_add(y, b)


Activation = Callable[[Any], Any]


# --- constructor-argument validation (TF1 fails on these later, or not at all) -------------------


def units_arg(value: Any, what: str = "num_units") -> int:
    """A layer width: a positive Python/NumPy int (``LSTMCell(2.5)``, ``(0)`` or ``("8")`` are a
    `GraphError` subclass at construction, not a shape error at the first call)."""
    return int_arg(value, what, minimum=1)


def number_arg(value: Any, what: str, *, optional: bool = False) -> float | None:
    """A Python/NumPy real number as a float (None allowed when ``optional``); bools, strings and
    tensors are a `DTypeError` naming ``what``."""
    if value is None and optional:
        return None
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise DTypeError(f"{what} must be a Python number, got {value!r}", fix=f"pass {what} as a float")
    return float(value)


def activation_arg(value: Any, what: str = "activation") -> Activation | None:
    """None (the cell's default) or a function of one tensor."""
    if value is not None and (not callable(value) or isinstance(value, type)):
        raise GraphError(f"{what} must be a function such as gr.tanh, got {value!r}",
                         fix=f"pass e.g. {what}=gr.nn.relu, or leave it None for the default")
    return value


def require_cell(cell: Any, what: str = "cell") -> None:
    """``cell`` is an RNN cell *instance*: callable, with ``state_size`` and ``output_size``.

    A cell class (``LSTMCell`` instead of ``LSTMCell(128)``) is refused by name: it is callable and
    has those attributes (as properties), so the duck-typed test alone would let it through.
    """
    if isinstance(cell, type):
        raise GraphError(f"{what} must be a cell instance, got the class {cell.__name__}",
                         fix=f"construct it first, e.g. {cell.__name__}(num_units)")
    if not callable(cell) or not hasattr(cell, "state_size") or not hasattr(cell, "output_size"):
        raise GraphError(f"{what} must be an RNNCell (with state_size, output_size and __call__), got {cell!r}",
                         fix="use a gr.nn.rnn_cell cell, or subclass gr.nn.rnn_cell.RNNCell")
