"""Named gates of a `dynamic_rnn` cell, for loop tracing (`graphrnn.passes.trace`).

While `dynamic_rnn` builds its loop body it records, for that While, the values the cell computed
per step under TF1's names: ``i``, ``j``, ``f``, ``o`` (the pre-activations of the LSTM cells'
4-way split, TF1's order), ``r``, ``u`` (GRU's gates, after their sigmoid), and the new state's
leaves by field name (``c``, ``h`` of an ``LSTMStateTuple``; ``h`` for a single-tensor state).
A `MultiRNNCell` prefixes each layer's names with ``cell_<k>/``. With ``sequence_length``, the
state names are the masked state the loop carries (what `static_rnn` returns per step).

``gates = gr.nn.rnn_gates(final_state)`` then gives these body values;
``gr.RunOptions(trace=list(gates.values()))`` records them per step, and
``gr.nn.gate_histories(gates, run_metadata)`` reads the ``[T, batch, units]`` histories by name.
Recording adds nothing to the graph (a collection entry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from graphrnn import nest
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value

GATES_COLLECTION = "graphrnn_rnn_gates"
_SPLIT_NAMES = {4: ("i", "j", "f", "o"), 2: ("r", "u")}


def _state_names(state: Any, prefix: str = "") -> list[tuple[str, Value]]:
    """Leaves of a cell state named by field (LSTMStateTuple: c, h), layer (cell_k/) or 'h'."""
    if isinstance(state, Value):
        return [(prefix + "h", state)]
    if nest.is_namedtuple(state):
        out: list[tuple[str, Value]] = []
        for field, v in zip(state._fields, state):
            out += [(prefix + field, v)] if isinstance(v, Value) else _state_names(v, f"{prefix}{field}/")
        return out
    if isinstance(state, (list, tuple)):
        return [x for k, s in enumerate(state) for x in _state_names(s, f"{prefix}cell_{k}/")]
    return []


def record_gates(body: Graph, first: int, new_state: Any) -> dict[str, Value]:
    """The named values of one cell call: the nodes ``body.nodes[first:]`` it built and its state."""
    splits = [n for n in body.nodes[first:] if n.op == "Split" and n.attrs.get("num_split") in _SPLIT_NAMES]
    layered = isinstance(new_state, (list, tuple)) and not nest.is_namedtuple(new_state)
    gates: dict[str, Value] = {}
    for k, n in enumerate(splits):
        prefix = f"cell_{k}/" if layered and len(splits) > 1 else ""
        for name, v in zip(_SPLIT_NAMES[n.attrs["num_split"]], n.outputs):
            gates[prefix + name] = v
    for name, v in _state_names(new_state):
        if v.graph is body:
            gates[name] = v
    return gates


def remember(loop: Node, gates: Mapping[str, Value]) -> None:
    """Files ``gates`` under the While ``loop`` in the root graph's collection."""
    loop.graph.root.add_to_collection(GATES_COLLECTION, (loop, dict(gates)))


def rnn_gates(final_state: Any) -> dict[str, Value]:
    """The named per-step values of the `dynamic_rnn` whose final state is ``final_state``."""
    leaves = [v for v in nest.flatten(final_state) if isinstance(v, Value)]
    loop = leaves[0].node if leaves else None
    if loop is None or loop.op != "While":
        raise GraphError("gr.nn.rnn_gates expects the final state returned by gr.nn.dynamic_rnn",
                         fix="pass the second result of dynamic_rnn: outputs, state = dynamic_rnn(...)")
    for node, gates in loop.graph.root.get_collection(GATES_COLLECTION):
        if node is loop:
            return dict(gates)
    raise GraphError(f"no gates were recorded for loop '{loop.name}'",
                     fix="build the RNN with gr.nn.dynamic_rnn (static_rnn steps are ordinary tensors)")


def gate_histories(gates: Mapping[str, Value], run_metadata: Any) -> dict[str, np.ndarray]:
    """Per gate name, its ``[T, ...]`` history from a run with ``RunOptions(trace=gates.values())``."""
    traces = getattr(run_metadata, "traces", None) or {}
    missing = [n for n, v in gates.items() if v.name not in traces]
    if missing:
        raise GraphError(f"the run did not trace the gate(s) {missing}",
                         fix="run with options=gr.RunOptions(trace=list(gates.values())) and run_metadata=md")
    return {n: traces[v.name] for n, v in gates.items()}
