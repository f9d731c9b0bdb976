"""The gradient-rule table and the helpers rules share.

A rule is ``rule(node, grads, ctx) -> sequence of gradients, one per input of node`` where
``grads[i]`` is the gradient of the loss with respect to ``node.outputs[i]`` (a Value, or None
when no gradient reaches that output; at least one is not None). A returned gradient may be None
(no gradient), a Value of the input's type, or an `IndexedGrad` (one row of a buffer, kept sparse
so that loops can accumulate it in place). Rules build nodes with the ordinary op constructors,
so the nodes land in the graph being built, under the `gradients/...` name scope.
Integer and boolean inputs never receive a gradient (the driver drops what rules return there).
A rule that differentiates a subgraph (While, If, a `Replay` of one) returns instead a build step
(a generator, `graphrnn.ir.trampoline`): it yields `backprop_steps(...)` for each nested backprop
and returns the sequence; the driver runs the nested steps without Python recursion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphrnn.autodiff import ops as _ops  # noqa: F401 - registers the gradient-only ops
from graphrnn.ir import builder
from graphrnn.ir.graph import Node, Value


@dataclass(frozen=True)
class IndexedGrad:
    """The gradient of a buffer that is zero except for row ``index`` along ``axis``, which is
    ``value``. `densify` turns it into a dense Value; loops accumulate it in place instead."""

    like: Value
    index: Value
    value: Value
    axis: int = 0


Grad = Value | IndexedGrad


@dataclass
class GradContext:
    """What a rule may need besides its node: ``owned`` holds ids of gradient values that the rule
    may update in place (private loop buffers); ``needed[i]`` says whether input i's gradient is
    wanted at all (rules may skip expensive work for the others)."""

    owned: set[int] = field(default_factory=set)
    needed: Sequence[bool] = ()


Rule = Callable[[Node, list[Any], GradContext], Sequence[Any]]
GRADIENTS: dict[str, Rule] = {}


def grad_rule(*ops: str) -> Callable[[Rule], Rule]:
    """Registers ``rule`` as the gradient of each op in ``ops``."""
    def deco(fn: Rule) -> Rule:
        for op in ops:
            if op in GRADIENTS:
                raise ValueError(f"gradient rule for {op} registered twice")
            GRADIENTS[op] = fn
        return fn
    return deco


def add_op(op: str, inputs: Sequence[Value], attrs: dict[str, Any] | None = None,
           name: str | None = None) -> Value:
    return builder.add_op(op, list(inputs), attrs or {}, name=name)


def add_node(op: str, inputs: Sequence[Value], attrs: dict[str, Any] | None = None,
             name: str | None = None) -> Node:
    return builder.add_node(op, list(inputs), attrs or {}, name=name)


def zeros_like(x: Value) -> Value:
    return add_op("ZerosLike", [x], name="zeros_like")


def densify(g: Grad | None) -> Value | None:
    """A dense Value for ``g`` (an IndexedGrad becomes a write of its row into zeros)."""
    if g is None or isinstance(g, Value):
        return g
    return add_op("TensorArrayWrite", [zeros_like(g.like), g.index, g.value],
                  {"axis": g.axis, "dynamic_size": False}, name="densify")


def sum_grads(gs: Sequence[Grad]) -> Grad:
    """The sum of several gradients of one value (AddN; a single one is returned as is)."""
    if len(gs) == 1:
        return gs[0]
    dense = [densify(g) for g in gs]
    return add_op("AddN", dense, name="AddN")  # type: ignore[arg-type]


def broadcast_keeps_shape(x: Value, other: Value) -> bool:
    """True when broadcasting ``x`` against ``other`` provably leaves ``x``'s shape unchanged, even
    with unknown dims: ``other`` has no more dims, and each of its dims is 1 or equals ``x``'s
    (known) dim. (``[?, 128] + 1.0`` keeps ``[?, 128]``; ``[?, 128] * [?, 128]`` might not.)"""
    xs, os_ = x.type.shape, other.type.shape
    if not (x.type.has_rank and other.type.has_rank) or len(os_) > len(xs):
        return False
    return all(d == 1 or (d is not None and d == e) for d, e in zip(os_, xs[len(xs) - len(os_):]))


def reduce_to(g: Value, x: Value, other: Value | None = None) -> Value:
    """``g`` (the gradient of a broadcast result) summed back to ``x``'s shape.

    Decided at build time when the static shapes say which dims were broadcast (``other``, the
    operand ``x`` was broadcast against, helps: see `broadcast_keeps_shape`); when ``x`` has
    unknown dims (which might be 1 at run time) a `ReduceToShapeOf` node decides at run time (a
    no-op when the shapes already agree).
    """
    gs, xs = g.type.shape, x.type.shape
    if not (g.type.has_rank and x.type.has_rank):  # a rank known only at run time
        return add_op("ReduceToShapeOf", [g, x], name="ReduceToShape")
    if gs == xs and (None not in xs or (other is not None and broadcast_keeps_shape(x, other))):
        return g
    lead = len(gs) - len(xs)
    if lead < 0:
        return add_op("BroadcastToShapeOf", [g, x], name="BroadcastTo")
    keep = []
    for i, d in enumerate(xs):
        if d is None:
            return add_op("ReduceToShapeOf", [g, x], name="ReduceToShape")
        if d == 1 and gs[lead + i] != 1:
            keep.append(lead + i)
    from graphrnn.ops.math_reduce import reduce_sum
    out = g
    if keep:
        out = reduce_sum(out, axis=keep, keepdims=True)
    if lead:
        out = reduce_sum(out, axis=list(range(lead)))
    return out

