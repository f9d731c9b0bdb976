"""Functional control flow: `while_loop` (one `While` node), `cond` (one `If` node).

Both trace the user's Python functions into closed subgraphs. Any outer tensor the functions use
becomes an explicit capture: an extra input of the node and a param of the subgraph. Subgraph
signatures (the invariant the verifier checks):

- While: inputs ``(*carries, *captures)``; attrs ``cond``/``body`` are Graphs whose params are
  ``(*carries, *captures)`` with the carry types (maybe more general than the inputs, through
  ``shape_invariants``); body results refine the carry types one to one; cond has one bool[] result;
  outputs have the carry types. ``n_carry`` says where carries end.
- If: inputs ``(pred, *captures)``; attrs ``then_branch``/``else_branch`` with params ``captures``
  and results of equal dtypes; outputs have the most general shape of the two branches.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphrnn import nest
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Graph, Value
from graphrnn.ir.registry import PURE, register
from graphrnn.ir.types import TensorType, as_shape, format_shape, most_general
from graphrnn.ops.convert import convert_to_tensor, int_arg
from graphrnn.ops.tensor_array import TensorArray


def _while_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    n = attrs["n_carry"]
    carry = tuple(p.type for p in attrs["body"].params[:n])
    for i, (t, c) in enumerate(zip(types[:n], carry)):
        if not t.refines(c):
            raise ShapeError(f"loop variable {i} enters with type {t} but the loop carries {c}")
    return carry


def _if_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    pred = types[0]
    if pred.dtype is not dtypes.bool_ or pred.rank != 0:
        raise DTypeError(f"cond predicate must be a scalar bool, got {pred}",
                         fix="reduce it to a scalar, e.g. gr.reduce_any(...) or x[0] < y")
    a, b = attrs["then_branch"].results, attrs["else_branch"].results
    return tuple(TensorType(x.dtype, most_general(x.type.shape, y.type.shape)) for x, y in zip(a, b))


register("While", _while_rule, "runs body on the carries while cond holds; outputs the final carries",
         traits=(PURE,))
register("If", _if_rule, "runs then_branch or else_branch on the captures, by the scalar bool pred",
         traits=(PURE,))


def _to_flat_values(flat: list[Any], where: str) -> list[Value]:
    out = []
    for i, x in enumerate(flat):
        if isinstance(x, TensorArray):
            out.append(x.loop_flow())
        else:
            try:
                out.append(convert_to_tensor(x))
            except GraphError as e:
                raise GraphError(f"{where} {i} is not convertible to a tensor: {x!r}") from e
    return out


def _check_arity(fn: Callable[..., Any], n_args: int, what: str) -> None:
    """A `GraphError` when ``fn`` cannot take ``n_args`` positional arguments (checked before the
    call, so a TypeError raised *inside* the user's function still surfaces as it is)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # builtins and C callables without a signature: let the call decide
    try:
        sig.bind(*([None] * n_args))
    except TypeError as e:
        raise GraphError(f"{what} {getattr(fn, '__name__', fn)!r} cannot be called with {n_args} "
                         f"argument(s): {e}",
                         source=builder.format_source(builder.source_location()),
                         fix=f"{what} takes one argument per loop variable (none for cond's branches)") from None


def _repack(template_flat: list[Any], values: Sequence[Value]) -> list[Any]:
    return [t.with_flow(v) if isinstance(t, TensorArray) else v for t, v in zip(template_flat, values)]


def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,
               shape_invariants: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
               swap_memory: bool = False, name: str | None = None,
               maximum_iterations: Any = None, return_same_structure: bool = False) -> Any:
    """TF1 `while_loop`, building one `While` node (see module docstring for its signature).

    ``maximum_iterations`` becomes an explicit int32 counter carry and ``counter < max`` in cond,
    as in TF1; it is also recorded as an attr when it is a Python int. ``parallel_iterations`` and
    ``swap_memory`` are recorded only: the NumPy interpreter runs iterations in order.

    Returns the final loop variables in the structure of ``loop_vars``, except (TF1 1.15, with
    ``return_same_structure=False``) that a one-element list or tuple gives back its element: a
    tensor for ``[x]``, and whatever ``loop_vars[0]`` is when ``maximum_iterations`` is set. Non-
    callable ``cond``/``body`` and functions that cannot take one argument per loop variable are
    `GraphError`s before anything is traced.
    """
    for fn, what in ((cond, "cond"), (body, "body")):
        if not callable(fn) or isinstance(fn, type):
            raise GraphError(f"while_loop's {what} must be a function, got {fn!r}",
                             source=builder.format_source(builder.source_location()),
                             fix=f"pass a function, e.g. {what}=lambda i, x: ...")
    if isinstance(loop_vars, (list, tuple)) and not nest.is_namedtuple(loop_vars) and not loop_vars:
        raise GraphError("while_loop needs at least one loop variable")
    parallel_iterations = int_arg(parallel_iterations, "parallel_iterations", minimum=1)
    single = not isinstance(loop_vars, (list, tuple)) or nest.is_namedtuple(loop_vars)
    structure = [loop_vars] if single else loop_vars
    flat_user = nest.flatten(structure)
    if not flat_user:
        raise GraphError("while_loop needs at least one loop variable")
    outer = builder.current_graph()
    with builder.name_scope(name, "while") as scope:
        inits = _to_flat_values(flat_user, "loop variable")
        counter = maximum_iterations is not None
        if counter:
            max_iter = convert_to_tensor(maximum_iterations, dtypes.int32)
            inits = [convert_to_tensor(0, dtypes.int32), *inits]
        carry_types = [v.type for v in inits]
        if shape_invariants is not None:
            inv = nest.flatten([shape_invariants] if single else shape_invariants)
            if len(inv) != len(flat_user):
                raise GraphError(f"shape_invariants has {len(inv)} leaves, loop_vars {len(flat_user)}")
            off = 1 if counter else 0
            for i, s in enumerate(inv):
                if s is None:
                    continue
                # TensorShape(None) lets the variable change rank (TF1); it is carried with unknown rank.
                shp = as_shape(s.flow.shape if isinstance(s, TensorArray) else s, allow_unknown_rank=True)
                t = carry_types[i + off]
                if not t.refines(TensorType(t.dtype, shp)):
                    raise ShapeError(f"loop variable {i} has shape {format_shape(t.shape)}, which is not "
                                     f"compatible with its shape invariant {format_shape(shp)}")
                carry_types[i + off] = TensorType(t.dtype, shp)

        def make_sub(kind: str) -> tuple[Graph, list[Value]]:
            sub = Graph(parent=outer, name=kind)
            ps = [sub.add_param(t, name=f"{kind}_carry_{i}") for i, t in enumerate(carry_types)]
            return sub, ps

        user_off = 1 if counter else 0

        def user_args(ps: list[Value]) -> list[Any]:
            packed = nest.pack_sequence_as(structure, _repack(flat_user, ps[user_off:]))
            return [packed[0]] if single else list(packed)

        csub, cps = make_sub("cond")
        with builder.tracing(csub):
            cond_args = user_args(cps)
            _check_arity(cond, len(cond_args), "while_loop's cond")
            pred = cond(*cond_args)
            pred = convert_to_tensor(pred)
            if counter:
                from graphrnn.ops.math import less, logical_and
                pred = logical_and(less(cps[0], max_iter), pred)
        if pred.dtype is not dtypes.bool_ or pred.type.rank != 0:
            raise DTypeError(
                f"the loop condition must return a scalar bool tensor, got {pred.type} ('{pred.name}')",
                source=builder.format_source(builder.source_location()),
                fix="return a comparison such as `i < n`, reduced to a scalar")
        csub.results = [builder.capture(pred, csub) if pred.graph is not csub else pred]

        bsub, bps = make_sub("body")
        with builder.tracing(bsub):
            body_args = user_args(bps)
            _check_arity(body, len(body_args), "while_loop's body")
            out = body(*body_args)
            out_struct = [out] if single and not (isinstance(out, (list, tuple)) and len(out) == 1
                                                  and not nest.is_namedtuple(out)) else out
            if not isinstance(out_struct, (list, tuple)) or nest.is_namedtuple(out_struct):
                out_struct = [out_struct]
            if not single and counter and len(structure) == 1:
                # TF1 loops over (counter, loop_vars[0]) here: the body returns loop_vars[0]'s structure.
                try:
                    nest.assert_same_structure(structure[0], out)
                    out_struct = [out]
                except (ValueError, TypeError):
                    pass
            try:
                nest.assert_same_structure(list(structure), list(out_struct))
            except ValueError as e:
                raise GraphError(f"the loop body must return the structure of loop_vars: {e}",
                                 fix="return the same (nested) structure that loop_vars has") from None
            outs = _to_flat_values(nest.flatten(out_struct), "body result")
            if counter:
                from graphrnn.ops.math import add
                outs = [add(bps[0], convert_to_tensor(1, dtypes.int32)), *outs]
            outs = [builder.capture(v, bsub) if v.graph is not bsub else v for v in outs]
        for i, (v, t) in enumerate(zip(outs, carry_types)):
            k = i - user_off
            if v.dtype is not t.dtype:
                raise DTypeError(f"loop variable {k} enters the loop as {t.dtype.name} but the body returns "
                                 f"{v.dtype.name}", fix="cast the body's result to the loop variable's dtype")
            if not v.type.refines(t):
                raise ShapeError(
                    f"loop variable {k} enters the loop with shape {format_shape(t.shape)} but has shape "
                    f"{format_shape(v.type.shape)} after one iteration",
                    source=builder.format_source(builder.source_location()),
                    fix="pass shape_invariants to while_loop with None for the dims that change")
        bsub.results = outs
        all_caps = builder.seal_captures([bsub, csub], len(carry_types))
        attrs = {
            "cond": csub, "body": bsub, "n_carry": len(carry_types),
            "maximum_iterations": maximum_iterations if isinstance(maximum_iterations, int) else None,
            "parallel_iterations": parallel_iterations, "swap_memory": bool(swap_memory),
            "back_prop": bool(back_prop),
        }
        node = builder.add_node("While", [*inits, *all_caps], attrs, name=scope, graph=outer)
    results = list(node.outputs[user_off:])
    packed = nest.pack_sequence_as(structure, _repack(flat_user, results))
    if single and not return_same_structure:
        return packed[0]
    # TF1 (control_flow_ops.while_loop, return_same_structure=False): a one-element loop_vars list
    # or tuple gives its element back, not a one-element list, when it holds a single tensor, or
    # whatever it holds when maximum_iterations is set (TF1 then carries (counter, loop_vars[0])).
    if not return_same_structure and len(structure) == 1 and (len(flat_user) == 1 or counter):
        return packed[0]
    return packed


def cond(pred: Any, true_fn: Callable[[], Any] | None = None, false_fn: Callable[[], Any] | None = None,
         strict: bool = False, name: str | None = None) -> Any:
    """TF1 `cond`: one `If` node; both branches are traced, one runs.

    Like TF1, a Python bool ``pred`` is an error: it is usually ``tensor == value``, which compares
    tensors by identity (TF1 semantics) and so is always False, silently picking a branch.
    """
    if true_fn is None or false_fn is None:
        raise GraphError("cond needs both true_fn and false_fn")
    for fn, what in ((true_fn, "true_fn"), (false_fn, "false_fn")):
        if not callable(fn) or isinstance(fn, type):
            raise GraphError(f"cond's {what} must be a function of no arguments, got {fn!r}",
                             source=builder.format_source(builder.source_location()),
                             fix=f"wrap the value in a lambda: {what}=lambda: value")
        _check_arity(fn, 0, f"cond's {what}")
    if isinstance(pred, (bool, np.bool_)):
        raise DTypeError(
            f"cond's pred must be a scalar bool tensor, not the Python bool {bool(pred)}",
            source=builder.format_source(builder.source_location()),
            fix="`tensor == x` compares tensors by identity (as in TF1); use gr.equal(tensor, x). "
                "To choose a branch while building the graph, use a Python if")
    pred = convert_to_tensor(pred)
    if pred.dtype is not dtypes.bool_ or pred.type.rank != 0:
        raise DTypeError(f"cond predicate must be a scalar bool tensor, got {pred.type} ('{pred.name}')",
                         source=builder.format_source(builder.source_location()),
                         fix="compare to get a bool, and reduce to a scalar")
    outer = builder.current_graph()
    with builder.name_scope(name, "cond") as scope:
        subs, structs = [], []
        for kind, fn in (("then_branch", true_fn), ("else_branch", false_fn)):
            sub = Graph(parent=outer, name=kind)
            with builder.tracing(sub):
                r = fn()
                flat = nest.flatten(r)
                vals = _to_flat_values(flat, "branch result")
                sub.results = [builder.capture(v, sub) if v.graph is not sub else v for v in vals]
            subs.append(sub)
            structs.append((r, flat))
        (rt, ft), (rf, ff) = structs
        try:
            nest.assert_same_structure(rt, rf)
        except ValueError as e:
            raise GraphError(f"cond branches return different structures: {e}") from None
        for i, (a, b) in enumerate(zip(subs[0].results, subs[1].results)):
            # Shapes may differ (TF1 too): the result has the dims both agree on, or an unknown rank.
            if a.dtype is not b.dtype:
                raise DTypeError(f"cond branch result {i}: true_fn gives {a.type}, false_fn gives {b.type}",
                                 fix="make both branches return the same dtypes")
        caps = builder.seal_captures(subs, 0)
        node = builder.add_node("If", [pred, *caps], {"then_branch": subs[0], "else_branch": subs[1]},
                                name=scope, graph=outer)
    return nest.pack_sequence_as(rt, _repack(ft, list(node.outputs)))
