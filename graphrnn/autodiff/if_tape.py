"""Random draws inside an `If` branch: the forward If exports them, the gradient replays them.

The If gradient recomputes a branch's forward values from the captures. A random op (a dropout
mask) cannot be recomputed: a copy of it draws from another stream, so the gradient would use a
different mask than the forward pass. So, the first time a gradient reaches an If whose branches
draw random numbers, the If is rewritten in place (`instrument_if`): each random value of either
branch becomes an extra output of the If (the other branch outputs zeros of a compatible type in
that position). The gradient branches then read those outputs (`Replay` nodes) instead of copying
the random ops. The user's outputs keep their positions (the extras come after them), and
``graph.root.version`` is bumped so Sessions re-plan.

A loop or cond nested in a branch that draws random numbers is instrumented too (a loop records
its tape, see `graphrnn.autodiff.while_grad`) and all of its outputs are exported, so the gradient
replays it from them. Inside a While body, the loop tape instruments such an If (or a nested loop
that draws) before planning and stores all of its outputs per iteration, its tape included, so the
backward loop replays it (and, through it, its draws).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import TensorType, most_general

# Ops whose outputs are random draws (never recomputed by a gradient).
RANDOM_OPS = frozenset({"Dropout", "RandomNormal", "RandomUniform", "TruncatedNormal"})


@dataclass
class IfTape:
    """``n_user`` original outputs; ``saved`` maps id(random branch value) -> output index."""

    n_user: int
    saved: dict[int, int]


_IF_TAPES: weakref.WeakKeyDictionary[Graph, IfTape] = weakref.WeakKeyDictionary()


def draws_random(graph: Graph) -> bool:
    """Whether ``graph`` or a subgraph nested in it has a random op."""
    return any(n.op in RANDOM_OPS for n in graph.walk())  # walk: iterative, any nesting depth


def if_tape(node: Node) -> IfTape | None:
    """The tape of an If (or of a replayed copy of one: keyed by its then-branch), if any."""
    return _IF_TAPES.get(node.attrs["then_branch"])


def instrument_if(node: Node) -> IfTape:
    """Adds the random values of ``node``'s branches to its outputs (once; see module doc)."""
    then: Graph = node.attrs["then_branch"]
    tape = _IF_TAPES.get(then)
    if tape is not None:
        return tape
    branches: list[Graph] = [then, node.attrs["else_branch"]]
    rand: list[list[Value]] = [[], []]
    for k, b in enumerate(branches):
        for n in list(b.nodes):
            if n.op in RANDOM_OPS:
                rand[k] += n.outputs
            elif any(draws_random(sub) for sub in n.subgraphs.values()):
                # A nested loop or cond that draws: record its tape now and export all of its
                # outputs, so the gradient replays it (its own gradient reads the saved tape).
                if n.op == "While":
                    from graphrnn.autodiff.while_grad import instrument
                    instrument(n)
                elif n.op == "If":
                    instrument_if(n)
                else:
                    raise GraphError(f"gradients: cannot replay the random draws of {n.op} node '{n.name}'",
                                     op=n.op, node=n.name)
                rand[k] += n.outputs
    tape = IfTape(n_user=len(node.outputs), saved={})
    if any(rand):
        graph = node.graph
        extra: list[list[Value]] = [[], []]
        for k in (0, 1):
            for v in rand[k]:
                extra[k].append(v)
                extra[1 - k].append(_zeros(v, branches[1 - k]))
        types = [TensorType(a.dtype, most_general(a.type.shape, b.type.shape)) for a, b in zip(*extra)]
        for b, ex in zip(branches, extra):
            b.results = [*b.results, *ex]
        n0 = len(node.outputs)
        node.outputs = (*node.outputs, *(Value(node, n0 + i, t, graph) for i, t in enumerate(types)))
        tape.saved = {id(v): n0 + i for i, v in enumerate([*rand[0], *rand[1]])}
        graph.root.version += 1
    _IF_TAPES[then] = tape
    return tape


def _zeros(like: Value, graph: Graph) -> Value:
    """A zero constant in ``graph`` whose type refines ``like``'s (unknown dims become 0)."""
    shape = tuple(0 if d is None else d for d in like.type.shape)
    arr = np.zeros(shape, like.dtype.np)
    arr.setflags(write=False)
    t = TensorType(like.dtype, shape)
    return builder.add_node("Const", [], {"value": arr, "type": t}, name="no_draw", graph=graph).outputs[0]
