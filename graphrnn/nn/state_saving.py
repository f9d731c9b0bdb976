"""TF1's ``static_state_saving_rnn``: a `static_rnn` whose initial state comes from a state saver and
whose final state is handed back to it, for truncated backpropagation through long sequences.

A state saver is any object with ``state(name) -> tensor`` and ``save_state(name, value) -> op or
tensor`` (TF1's ``NextQueuedSequenceBatch``, its tests' ``TestStateSaver``, or graphrnn's variable
backed `graphrnn.contrib.state_saver.StateSaver`).

Invariants (TF 1.15's ``rnn.py``):
- ``state_name`` has the structure of ``cell.state_size``: a string for a single-tensor state, a
  tuple of strings, one per flattened state leaf, for a tuple state (an LSTM's ``("c", "h")``);
- the initial state is ``state_saver.state(name)`` per leaf, packed like ``cell.state_size``; the
  RNN is `static_rnn` with that state, ``sequence_length`` and ``scope`` (default ``rnn``);
- the last output and the final state are returned through ``Identity`` nodes that have every
  ``save_state`` as a control input, so fetching either saves the state first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphrnn import nest
from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Node, Value
from graphrnn.nn.cells_base import RNNCell
from graphrnn.nn.rnn import check_cell, static_rnn
from graphrnn.ops.array import identity

__all__ = ["static_state_saving_rnn"]


def _where() -> str:
    return builder.format_source(builder.source_location())


def _control_node(x: Any) -> Node:
    if isinstance(x, Node):
        return x
    if isinstance(x, Value):
        return x.node
    op = getattr(x, "op", None)
    if isinstance(op, Node):
        return op
    raise GraphError(f"static_state_saving_rnn: state_saver.save_state returned {x!r}, not a tensor or an op",
                     op="static_state_saving_rnn", source=_where(),
                     fix="make save_state return the assign op (or a tensor that depends on it)")


def _state_names(cell: RNNCell, state_name: Any) -> list[str]:
    state_size = cell.state_size
    is_tuple = nest.is_sequence(state_size)
    if is_tuple != nest.is_sequence(state_name):
        raise GraphError(f"static_state_saving_rnn: state_name {state_name!r} must have the structure of "
                         f"{type(cell).__name__}'s state_size {state_size!r}", op="static_state_saving_rnn",
                         source=_where(),
                         fix=("pass a tuple of names, one per state tensor, e.g. ('c', 'h') for an LSTM"
                              if is_tuple else "pass one string: the cell's state is a single tensor"))
    names = nest.flatten(state_name)
    if is_tuple and len(names) != len(nest.flatten(state_size)):
        raise GraphError(f"static_state_saving_rnn: state_name has {len(names)} names but "
                         f"{type(cell).__name__}'s state_size {state_size!r} has {len(nest.flatten(state_size))} "
                         "tensors", op="static_state_saving_rnn", source=_where(),
                         fix="give one name per state tensor")
    if not all(isinstance(n, str) for n in names):
        raise GraphError(f"static_state_saving_rnn: state names must be strings, got {state_name!r}",
                         op="static_state_saving_rnn", source=_where())
    return names


def static_state_saving_rnn(cell: RNNCell, inputs: Sequence[Any], state_saver: Any, state_name: Any,
                            sequence_length: Any = None, scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``tf.nn.static_state_saving_rnn``: ``(outputs list of T [B, O], final state)``; see the
    module docstring for how the state is read and saved."""
    check_cell(cell)
    for method in ("state", "save_state"):
        if not callable(getattr(state_saver, method, None)):
            raise GraphError(f"static_state_saving_rnn: state_saver {state_saver!r} has no {method}() method",
                             op="static_state_saving_rnn", source=_where(),
                             fix="pass an object with state(name) and save_state(name, value), e.g. "
                                 "gr.contrib.rnn.StateSaver(batch_size, state_size)")
    names = _state_names(cell, state_name)
    initial_state = nest.pack_sequence_as(cell.state_size, [state_saver.state(n) for n in names])
    outputs, state = static_rnn(cell, inputs, initial_state=initial_state, sequence_length=sequence_length,
                                scope=scope)
    saves = [state_saver.save_state(n, s) for n, s in zip(names, nest.flatten(state))]
    with builder.control_dependencies([_control_node(s) for s in saves]):
        last = outputs[-1]
        outputs[-1] = nest.pack_sequence_as(last, [identity(o) for o in nest.flatten(last)])
        state = nest.pack_sequence_as(state, [identity(s) for s in nest.flatten(state)])
    return outputs, state
