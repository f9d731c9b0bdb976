"""Algebraic simplification rules (the ``simplify`` pass).

Every rule returns a value of exactly the node's type or None (the driver checks the type), so
``x * 1`` where broadcasting would grow ``x`` is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphrnn.ir.graph import Value
from graphrnn.passes.rebuild import Writer, const_value
from graphrnn.passes.rewrite import Match, Rule, on


def _is_const(v: Value, x: float) -> bool:
    c = const_value(v)
    return c is not None and c.size > 0 and bool(np.all(c == x))


def _same_type(m: Match, v: Value) -> bool:
    return v.type == m.type


@on("Mul")
def mul_by_one(m: Match, w: Writer) -> Sequence[Value] | None:
    """x * 1 = 1 * x = x"""
    a, b = m.inputs
    if _is_const(b, 1) and _same_type(m, a):
        return (a,)
    if _is_const(a, 1) and _same_type(m, b):
        return (b,)
    return None


@on("Add", "Sub")
def add_zero(m: Match, w: Writer) -> Sequence[Value] | None:
    """x + 0 = 0 + x = x - 0 = x"""
    a, b = m.inputs
    if _is_const(b, 0) and _same_type(m, a):
        return (a,)
    if m.op == "Add" and _is_const(a, 0) and _same_type(m, b):
        return (b,)
    return None


@on("Identity")
def drop_identity(m: Match, w: Writer) -> Sequence[Value] | None:
    """identity(x) = x"""
    return (m.inputs[0],)


@on("Reshape")
def reshape_chain(m: Match, w: Writer) -> Sequence[Value] | None:
    """reshape(reshape(x, s1), s2) = reshape(x, s2)"""
    (x,) = m.inputs
    if x.node is None or x.node.op != "Reshape":
        return None
    return w.emit("Reshape", [x.node.inputs[0]], dict(m.attrs), like=m.node, keep_name=True).outputs


@on("Reshape")
def drop_noop_reshape(m: Match, w: Writer) -> Sequence[Value] | None:
    """reshape(x, shape(x)) = x (types equal with at most one unknown dim)"""
    (x,) = m.inputs
    if x.type == m.type and x.type.has_rank and sum(d is None for d in x.type.shape) <= 1:
        return (x,)
    return None


@on("ConcatV2")
def single_input_concat(m: Match, w: Writer) -> Sequence[Value] | None:
    """concat([x], axis) = x"""
    if len(m.inputs) == 1:
        return (m.inputs[0],)
    return None


@on("Neg")
def double_negation(m: Match, w: Writer) -> Sequence[Value] | None:
    """-(-x) = x"""
    (x,) = m.inputs
    if x.node is not None and x.node.op == "Neg":
        return (x.node.inputs[0],)
    return None


@on("Select")
def select_constant_mask(m: Match, w: Writer) -> Sequence[Value] | None:
    """where(true, x, y) = x; where(false, x, y) = y"""
    c, x, y = m.inputs
    mask = const_value(c)
    if mask is None or mask.size == 0:
        return None
    if bool(np.all(mask)) and _same_type(m, x):
        return (x,)
    if not bool(np.any(mask)) and _same_type(m, y):
        return (y,)
    return None


@on("Squeeze")
def squeeze_expand_dims(m: Match, w: Writer) -> Sequence[Value] | None:
    """squeeze(expand_dims(x, a), [a]) = x"""
    (x,) = m.inputs
    if x.node is None or x.node.op != "ExpandDims":
        return None
    a = x.node.attrs["axis"] % x.type.rank
    if tuple(d % x.type.rank for d in m.attrs["squeeze_dims"]) == (a,):
        return (x.node.inputs[0],)
    return None


@on("Replay")
def replay_is_saved_values(m: Match, w: Writer) -> Sequence[Value] | None:
    """replay(op, inputs, saved) = saved (the kernel returns them; the inputs only carried gradients)"""
    k = m.attrs["n_out"]
    return tuple(m.inputs[len(m.inputs) - k:])


SIMPLIFY_RULES: tuple[Rule, ...] = (mul_by_one, add_zero, drop_identity, reshape_chain, drop_noop_reshape,
                                    single_input_concat, double_negation, select_constant_mask,
                                    squeeze_expand_dims, replay_is_saved_values)
