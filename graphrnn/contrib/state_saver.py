"""A minimal state saver for `static_state_saving_rnn`: each named state lives in a variable.

TF1 carried RNN state across the truncated segments of long sequences with a state saver: an object
with ``state(name)`` (the state to start this segment from) and ``save_state(name, value)`` (the op
that stores this segment's final state). TF1's full one (``SequenceQueueingStateSaver``) is a queue
of sequences; `StateSaver` keeps only what carrying state needs: one non-trainable variable per
state name, ``<name>/<state name>`` of shape ``[batch_size, *size]``, zero-initialized.

Invariants:
- ``state(n)`` reads the variable; ``save_state(n, v)`` assigns ``v`` to it and returns the assigned
  value. So one ``Session.run`` of a segment starts from the state the previous run saved;
- the variables are created on first use, in the graph of that call, under the root variable scope
  (the caller's scope does not change their names), and are not trainable;
- ``reset()`` is an op that sets every state created so far back to zeros (a new batch of sequences).
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Node, Value
from graphrnn.nn.cells_base import _dims
from graphrnn.ops.array_shape import zeros
from graphrnn.ops.initializers import zeros_initializer
from graphrnn.ops.state import Variable, VariableScope, get_variable, group, variable_scope

__all__ = ["StateSaver"]


def _where() -> str:
    return builder.format_source(builder.source_location())


class StateSaver:
    """``StateSaver(batch_size, state_size, dtype=gr.float32, name="state_saver")``.

    ``state_size`` is an int (every state is ``[batch_size, state_size]``), a tuple of dims, or a dict
    from state name to one of those. ``batch_size`` must be a static int: the variables need a shape."""

    def __init__(self, batch_size: int, state_size: Any, dtype: Any = dtypes.float32,
                 name: str = "state_saver") -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise GraphError(f"StateSaver: batch_size must be a positive Python int, got {batch_size!r}",
                             source=_where(), fix="a saved state has a fixed batch; pass it, e.g. StateSaver(32, 128)")
        self._batch_size = batch_size
        self._state_size = state_size
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name
        self._variables: dict[str, Variable] = {}

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def state_size(self) -> Any:
        return self._state_size

    @property
    def variables(self) -> dict[str, Variable]:
        """The state variables created so far, by state name."""
        return dict(self._variables)

    def _size(self, name: str) -> tuple[int, ...]:
        size = self._state_size
        if isinstance(size, dict):
            if name not in size:
                raise GraphError(f"StateSaver has no size for state '{name}'; it knows {sorted(size)}",
                                 source=_where(), fix=f"add '{name}' to the state_size dict")
            size = size[name]
        try:
            dims = _dims(size)
        except (TypeError, ValueError):
            dims = ()
        if not dims or any(d <= 0 for d in dims):
            raise GraphError(f"StateSaver: the size of state '{name}' must be a positive int or a tuple of them, "
                             f"got {size!r}", source=_where(),
                             fix="e.g. StateSaver(batch, 128) or StateSaver(batch, {'c': 128, 'h': 128})")
        return dims

    def _variable(self, name: str) -> Variable:
        if not isinstance(name, str):
            raise GraphError(f"StateSaver: state names are strings, got {name!r}", source=_where())
        v = self._variables.get(name)
        g = builder.get_default_graph()
        if v is not None and v.graph is not g:
            raise GraphError(f"StateSaver: state '{name}' belongs to another graph", source=_where(),
                             fix="make one StateSaver per graph")
        if v is None:
            shape = [self._batch_size, *self._size(name)]
            with builder.name_scope(None), variable_scope(VariableScope(self._name)):
                v = get_variable(name, shape, self._dtype, zeros_initializer(), trainable=False)
            self._variables[name] = v
        return v

    def state(self, name: str) -> Value:
        """The saved state ``name`` (zeros before the first save)."""
        return self._variable(name).value()

    def save_state(self, name: str, state: Any) -> Value:
        """Stores ``state`` as ``name``; returns the assigned value (run it, or depend on it, to save)."""
        return self._variable(name).assign(state)

    def reset(self) -> Node:
        """An op that sets every state created so far back to zeros."""
        with builder.name_scope(None):
            return group(*[v.assign(zeros([self._batch_size, *self._size(n)], self._dtype))
                           for n, v in self._variables.items()], name=f"{self._name}_reset")
