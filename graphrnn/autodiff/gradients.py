"""Reverse-mode differentiation of a graph: `gradients(ys, xs)` adds the backward nodes.

The backward nodes are built with the ordinary builder, under a ``gradients/`` name scope, so
the result is an ordinary graph that any Session runs and any pass optimizes. The driver:
1. finds the nodes between ``xs`` and ``ys`` (reachable backward from ``ys`` and forward from
   ``xs``, not through ``stop_gradients``),
2. visits them in reverse topological order, summing the gradients that reach each output
   (AddN) and calling the op's rule from `GRADIENTS`,
3. returns the summed gradient of each ``x``: None when ``x`` is not connected to ``ys`` (TF1),
   and never a gradient for integer or boolean tensors.
`backprop` is the same algorithm on any graph, including a While body being traced; the While
gradient (`graphrnn.autodiff.while_grad`) uses it to differentiate one loop iteration. A rule may
return a generator (a nested build, `graphrnn.ir.trampoline`): `backprop_steps` yields it, so
loops nested hundreds deep differentiate without deep Python recursion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphrnn import nest
from graphrnn.autodiff.registry import GRADIENTS, Grad, GradContext, IndexedGrad, densify, sum_grads
from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.gc_pause import pausing_gc
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, get_opdef
from graphrnn.ir.trampoline import Step, is_step, run_nested
from graphrnn.ops.convert import convert_to_tensor


def _as_value(x: Any, what: str) -> Value:
    conv = getattr(x, "_as_graph_value", None)
    if conv is not None:
        return conv()
    if hasattr(x, "flow") and isinstance(x.flow, Value):
        return x.flow
    if isinstance(x, Value):
        return x
    raise GraphError(f"gradients: {what} must be tensors or variables, got {x!r}")


def _differentiable(op: str) -> bool:
    """An op with a rule is differentiated even if marked NON_DIFFERENTIABLE (a rule is explicit)."""
    return op in GRADIENTS or not get_opdef(op).has(NON_DIFFERENTIABLE)


def _between(graph: Graph, ys: Sequence[Value], xs: Sequence[Value], stop: set[int]) -> list[Node]:
    """Nodes of ``graph`` on some path from an x to a y, in graph order."""
    from_x: set[int] = {id(x) for x in xs}
    reach: set[int] = set()
    for n in graph.nodes:
        if any(id(v) in from_x for v in n.inputs) and _differentiable(n.op):
            reach.add(id(n))
            from_x.update(id(v) for v in n.outputs if id(v) not in stop)
    back: set[int] = set()
    stack = [y.node for y in ys if y.node is not None and y.graph is graph and id(y) not in stop]
    while stack:
        n = stack.pop()
        if id(n) in back or id(n) not in reach:
            continue
        back.add(id(n))
        stack.extend(v.node for v in n.inputs if v.node is not None and id(v) not in stop)
    return [n for n in graph.nodes if id(n) in back]


def backprop(ys: Sequence[Value], grad_ys: Sequence[Value], xs: Sequence[Value],
             stop: set[int] | None = None, owned: set[int] | None = None) -> list[Grad | None]:
    """Gradients of ``sum(ys * grad_ys)`` with respect to ``xs`` (all values of one graph).

    New nodes go into the current build target (the caller chooses the graph and name scope).
    Results may be `IndexedGrad`s; callers that need Values use `densify`.
    """
    return run_nested(backprop_steps(ys, grad_ys, xs, stop, owned))


def backprop_steps(ys: Sequence[Value], grad_ys: Sequence[Value], xs: Sequence[Value],
                   stop: set[int] | None = None, owned: set[int] | None = None) -> Step[list[Grad | None]]:
    """`backprop` as a build step: a rule that returns a nested build is yielded (run by
    `run_nested`), so a rule nested in a rule never recurses on the Python stack."""
    stop = stop or set()
    owned = owned or set()
    graph = ys[0].graph
    nodes = _between(graph, ys, xs, stop)
    grads: dict[int, list[Grad]] = {}
    for y, g in zip(ys, grad_ys):
        if g is not None:
            grads.setdefault(id(y), []).append(g)
    xids = {id(x) for x in xs}
    between_vals = {id(v) for n in nodes for v in n.outputs} | xids
    for node in reversed(nodes):
        outs: list[Value | None] = []
        for v in node.outputs:
            gl = grads.get(id(v))
            if gl is None:
                outs.append(None)
                continue
            g = densify(sum_grads(gl))
            if id(v) not in xids:
                del grads[id(v)]  # the sum replaces the parts (keeps memory of this dict flat)
            else:
                grads[id(v)] = [g]  # type: ignore[list-item]
            outs.append(g)
        if all(g is None for g in outs):
            continue
        rule = GRADIENTS.get(node.op)
        if rule is None:
            raise GraphError(f"no gradient is defined for op {node.op}", op=node.op, node=node.name,
                             source=builder.format_source(node.source),
                             fix="wrap the value in gr.stop_gradient if no gradient should flow through it")
        ctx = GradContext(owned=owned, needed=[id(v) in between_vals for v in node.inputs])
        with builder.name_scope(_grad_scope(node.name)):
            res = rule(node, outs, ctx)
            if is_step(res):
                res = yield res
            in_grads = list(res)
        inputs = node.inputs  # read after the rule: a While rule appends loop-tape inputs
        if len(in_grads) < len(inputs):
            in_grads += [None] * (len(inputs) - len(in_grads))
        for v, g in zip(inputs, in_grads):
            # A stopped value is a constant: a gradient reaching it must not flow on through its
            # producer even when that node is visited for another of its outputs (Split, Unpack).
            if g is None or not v.dtype.is_floating or (id(v) in stop and id(v) not in xids):
                continue
            _accumulate(grads.setdefault(id(v), []), g)
    out: list[Grad | None] = []
    for x in xs:
        gl = grads.get(id(x))
        out.append(None if not gl else sum_grads(gl))
    return out


def _accumulate(parts: list[Grad], g: Grad) -> None:
    """Adds ``g`` to the gradient parts of one value. Dense parts are summed as they arrive (one
    Add each), so an unrolled graph keeps one running sum alive instead of every step's weight
    gradient until the last one is built (TF1's ACCUMULATE_N idea; same sum order as a loop)."""
    if isinstance(g, Value):
        for k, p in enumerate(parts):
            if isinstance(p, Value):
                parts[k] = builder.add_op("Add", [p, g], {}, name="accumulate_grad")
                return
    parts.append(g)


def _grad_scope(name: str) -> str:
    """TF1's ``gradients/<op name>_grad``; an op built in the current scope (a loop body's copy) is
    named relative to it, so names do not repeat the scope."""
    cur = builder.current_scope()
    return (name[len(cur):] if cur and name.startswith(cur) else name) + "_grad"


@pausing_gc
def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None) -> list[Value | None]:
    """TF1 `tf.gradients`: symbolic d(sum of ys)/d(each x), added to the graph.

    ``ys`` and ``xs`` are tensors or variables (a variable stands for its value) or lists of them;
    ``grad_ys`` weights each y (default ones); values in ``stop_gradients`` are treated as
    constants. Returns one entry per x: a tensor of x's shape, or None when x does not affect ys
    or is an integer/bool tensor (TF1). The While gradient rewrites forward loops in place to
    record what the backward loop needs; see `graphrnn.autodiff.while_grad`.
    ``colocate_gradients_with_ops``, ``gate_gradients`` and ``aggregation_method`` are accepted for
    TF1 compatibility and ignored (one device; gradients are summed with AddN).
    """
    ys_l = [_as_value(y, "ys") for y in nest.flatten(ys)]
    xs_l = [_as_value(x, "xs") for x in nest.flatten(xs)]
    if not ys_l:
        raise GraphError("gradients needs at least one y")
    graph = ys_l[0].graph
    for v in [*ys_l, *xs_l]:
        if v.graph is not graph:
            raise GraphError(f"gradients: '{v.name}' is not in the graph of '{ys_l[0].name}'",
                             fix="differentiate values of one graph (values inside loop bodies are "
                                 "reachable only through the loop's outputs)")
    if graph.parent is not None:
        raise GraphError("gradients of values inside a While/If body are not supported",
                         fix="call gr.gradients on the loop's outputs, outside the loop")
    stop = {id(_as_value(s, "stop_gradients")) for s in nest.flatten(stop_gradients or [])}
    with graph.as_default(), builder.name_scope(name):
        gys: list[Value] = []
        gy_in = nest.flatten(grad_ys) if grad_ys is not None else [None] * len(ys_l)
        if len(gy_in) != len(ys_l):
            raise GraphError(f"grad_ys has {len(gy_in)} entries for {len(ys_l)} ys")
        for y, gy in zip(ys_l, gy_in):
            if gy is None:
                if not y.dtype.is_floating:
                    raise GraphError(f"gradients: y '{y.name}' is {y.dtype.name}; only float ys have "
                                     "gradients", fix="cast it to a float type first")
                gys.append(builder.add_op("OnesLike", [y], {}, name=f"grad_ys_{len(gys)}"))
            else:
                gys.append(convert_to_tensor(gy, y.dtype))
        res = backprop(ys_l, gys, xs_l, stop)
        out: list[Value | None] = []
        for x, g in zip(xs_l, res):
            if g is None or not x.dtype.is_floating:
                out.append(None)
            else:
                d = densify(g) if isinstance(g, IndexedGrad) else g
                out.append(d)
    return out
