"""Random draws inside an `If` branch: the forward If exports them, the gradient replays them.

The If gradient recomputes a branch's forward values from the captures. A random op (a dropout
mask) cannot be recomputed: a copy of it draws from another stream, so the gradient would use a
different mask than the forward pass. So, the first time a gradient reaches an If whose branches
draw random numbers, the If is rewritten in place (`instrument_if`): each random value of either
branch becomes an extra output of the If (the other branch outputs zeros of a compatible type in
that position). The gradient branches then read those outputs (`Replay` nodes) instead of copying
the random ops. The user's outputs keep their positions (the extras come after them), and
``graph.root.version`` is bumped so Sessions re-plan.

A loop nested in a branch that a gradient may enter (`graphrnn.autodiff.while_grad.stored_whole`)
is instrumented too (it records its tape) and exported packed: one `TapePack` of all its outputs,
tape included, so the gradient replays it from them instead of copying the whole nest inside it
(which made alternating loop/cond nests quadratic in the depth). A nested cond that exports
something is exported packed the same way, and a loop without back_prop that draws exports all
of its outputs. Inside a While body, the loop tape stores such an If whole per iteration, so the
backward loop replays it (and, through it, its draws and nested loops). Nested loops and conds are
instrumented innermost first by one worklist (`while_grad.instrument_nest`), not by recursion.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import TensorType, most_general

# Ops whose outputs are random draws (never recomputed by a gradient).
RANDOM_OPS = frozenset({"Dropout", "RandomNormal", "RandomUniform", "TruncatedNormal"})


@dataclass
class IfTape:
    """``n_user`` original outputs; ``saved`` maps id(random branch value) -> output index;
    ``packed`` maps id(nested loop or cond of a branch) -> index of the output that packs all of
    its outputs (`TapePack`)."""

    n_user: int
    saved: dict[int, int]
    packed: dict[int, int] = field(default_factory=dict)

    @property
    def exports(self) -> bool:
        """Whether the If has outputs beyond the user's (the gradient replays from them)."""
        return bool(self.saved or self.packed)


_IF_TAPES: weakref.WeakKeyDictionary[Graph, IfTape] = weakref.WeakKeyDictionary()


def draws_random(graph: Graph) -> bool:
    """Whether ``graph`` or a subgraph nested in it has a random op."""
    return any(n.op in RANDOM_OPS for n in graph.walk())  # walk: iterative, any nesting depth


def if_tape(node: Node) -> IfTape | None:
    """The tape of an If (or of a replayed copy of one: keyed by its then-branch), if any."""
    return _IF_TAPES.get(node.attrs["then_branch"])


def instrument_if(node: Node) -> IfTape:
    """Adds the random values and packed nested loops of ``node``'s branches to its outputs (once,
    nested loops and conds first; see module doc)."""
    tape = _IF_TAPES.get(node.attrs["then_branch"])
    if tape is None:
        from graphrnn.autodiff.while_grad import instrument_nest
        instrument_nest(node)
        tape = _IF_TAPES[node.attrs["then_branch"]]
    return tape


def instrument_if_one(node: Node) -> IfTape:
    """`instrument_if` for one If whose nested loops and conds are instrumented already."""
    from graphrnn.autodiff.while_grad import stored_whole
    then: Graph = node.attrs["then_branch"]
    tape = _IF_TAPES.get(then)
    if tape is not None:
        return tape
    branches: list[Graph] = [then, node.attrs["else_branch"]]
    rand: list[list[Value]] = [[], []]
    packs: list[list[Node]] = [[], []]
    for k, b in enumerate(branches):
        for n in list(b.nodes):
            if n.op in RANDOM_OPS:
                rand[k] += n.outputs
            elif stored_whole(n) or (n.op == "If" and _IF_TAPES[n.attrs["then_branch"]].exports):
                packs[k].append(n)  # instrumented (`instrument_nest`): replayed from one packed value
            elif n.op == "While" and draws_random(n.attrs["body"]):
                rand[k] += n.outputs  # no back_prop: only its values (drawn once) are replayed
            elif any(draws_random(sub) for sub in n.subgraphs.values()):
                raise GraphError(f"gradients: cannot replay the random draws of {n.op} node '{n.name}'",
                                 op=n.op, node=n.name)
    tape = IfTape(n_user=len(node.outputs), saved={})
    if any(rand) or any(packs):
        graph = node.graph
        extra: list[list[Value]] = [[], []]
        for k in (0, 1):
            for v in rand[k]:
                extra[k].append(v)
                extra[1 - k].append(_zeros(v, branches[1 - k]))
        for k in (0, 1):
            for m in packs[k]:
                extra[k].append(builder.add_node("TapePack", list(m.outputs), {}, name="pack", graph=branches[k]
                                                 ).outputs[0])
                extra[1 - k].append(builder.add_node("TapePack", [], {}, name="no_pack", graph=branches[1 - k]
                                                     ).outputs[0])
        types = [TensorType(a.dtype, most_general(a.type.shape, b.type.shape)) for a, b in zip(*extra)]
        for b, ex in zip(branches, extra):
            b.results = [*b.results, *ex]
        n0 = len(node.outputs)
        node.outputs = (*node.outputs, *(Value(node, n0 + i, t, graph) for i, t in enumerate(types)))
        tape.saved = {id(v): n0 + i for i, v in enumerate([*rand[0], *rand[1]])}
        first = n0 + len(tape.saved)
        tape.packed = {id(m): first + i for i, m in enumerate([*packs[0], *packs[1]])}
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
