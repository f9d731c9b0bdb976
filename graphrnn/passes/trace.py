"""Loop tracing: the per-iteration history of values inside ``While`` bodies.

``sess.run(fetches, options=gr.RunOptions(trace=[v, ...]), run_metadata=md)`` (``v`` a value of a
While body, at any nesting depth) or ``RunOptions(trace=True)`` (every value marked with
``gr.trace(v)`` while building) runs a plan whose loops also record each traced value once per
iteration. The histories are stacked along a leading time axis (a value of a loop nested in a loop
gets ``[outer, inner, ...]``) and returned in ``md.traces`` (by value name) and in place of each
traced value listed in ``fetches``.

The graph the user built is never changed: `instrument` writes an instrumented *copy* for the plan
only (each While on the way to a traced value gets an iteration counter carry and one growing
buffer carry per traced value); a run without ``trace`` uses the ordinary plan and costs nothing.
Ragged nested histories (an inner loop that runs a different number of times per outer
iteration) cannot be stacked and raise an `ExecutionError` from the buffer write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import TensorType
from graphrnn.passes.rebuild import PassContext, Writer

TRACE_COLLECTION = "graphrnn_trace_markers"


class TraceError(GraphError):
    """A value asked to be traced has no per-iteration history (not inside a While body)."""


def trace(value: Any, name: str | None = None) -> Any:
    """Marks ``value`` (a tensor of a While body being built) for ``RunOptions(trace=True)``.

    Returns ``value`` itself: the graph is unchanged (the mark is an entry of the root graph's
    ``graphrnn_trace_markers`` collection). ``name`` is accepted for TF-style signatures."""
    del name
    if not isinstance(value, Value):
        raise TraceError(f"gr.trace expects a tensor, got {value!r}",
                         source=builder.format_source(builder.source_location()),
                         fix="call gr.trace on a tensor computed inside a while_loop body")
    owner_chain(value)
    value.graph.root.add_to_collection(TRACE_COLLECTION, value)
    return value


def marked_values(graph: Graph) -> list[Value]:
    """The values marked with `trace` in ``graph`` (in marking order, each once)."""
    return list({id(v): v for v in graph.get_collection(TRACE_COLLECTION)}.values())


def owner_chain(v: Value) -> list[Graph]:
    """The body graphs from ``v``'s graph up to (not including) the root; checks each is a While
    body (or one still being traced: its While does not exist yet)."""
    chain: list[Graph] = []
    g = v.graph
    while g.parent is not None:
        if g.name not in ("body",):
            raise TraceError(f"cannot trace '{v.name}': it is computed in a {g.name!r} subgraph, which has "
                             "no per-iteration history", fix="trace a value of a while_loop body")
        chain.append(g)
        g = g.parent
    if not chain:
        raise TraceError(f"cannot trace '{v.name}': it is not inside a while_loop body",
                         source=builder.format_source(builder.source_location()),
                         fix="fetch it directly; tracing records values once per loop iteration")
    return chain


def resolve(spec: Any, graph: Graph) -> list[Value]:
    """``RunOptions.trace`` as a list of values of ``graph``'s loop bodies (True: the marked ones)."""
    if spec is True:
        vals = marked_values(graph)
        if not vals:
            raise TraceError("RunOptions(trace=True) but no value of this graph is marked with gr.trace",
                             fix="mark values while building the loop body: h = gr.trace(h), or list them: "
                                 "RunOptions(trace=[h])")
        return vals
    out: list[Value] = []
    for v in spec:
        v = getattr(v, "_as_graph_value", lambda v=v: v)()
        if not isinstance(v, Value):
            raise TraceError(f"RunOptions.trace must list tensors, got {v!r}",
                             fix="pass tensors computed inside a while_loop body")
        if v.graph.root is not graph:
            raise TraceError(f"cannot trace '{v.name}': it belongs to another graph",
                             fix="trace tensors of this session's graph")
        owner_chain(v)
        out.append(v)
    return list({id(v): v for v in out}.values())


def _writer_on(g: Graph, ctx: PassContext) -> Writer:
    """A `Writer` appending to the existing graph ``g`` (an instrumented copy owned here)."""
    w = Writer.__new__(Writer)
    w.ctx, w.old, w.g, w.by_name, w.created = ctx, g, g, {n.name: n for n in g.nodes}, set()
    return w


def _insert_params(g: Graph, at: int, types: Sequence[TensorType], prefix: str) -> list[Value]:
    new = [Value(None, 0, t, g, param_name=f"{g.name}_{prefix}_{q}") for q, t in enumerate(types)]
    g.params[at:at] = new
    for i, p in enumerate(g.params):  # a param's index is its position
        p.index = i
    return new


def _history_type(t: TensorType) -> TensorType:
    return TensorType(t.dtype, (None, *t.shape)) if t.has_rank else TensorType(t.dtype, None)


def _instrument_while(w: Writer, n: Node, ins: tuple[Value, ...], attrs: dict[str, Any],
                      inner: dict[int, Value]) -> tuple[Node, dict[int, Value]]:
    """A copy of While ``n`` that also records each ``inner`` body value per iteration."""
    body, cond, k = attrs["body"], attrs["cond"], n.attrs["n_carry"]
    keys = list(inner)
    hist_types = [_history_type(inner[key].type) for key in keys]
    i32 = TensorType(dtypes.int32, ())
    types = [i32, *hist_types]
    bps = _insert_params(body, k, types, "trace")
    _insert_params(cond, k, types, "trace")
    bw = _writer_on(body, w.ctx)
    one = bw.const(np.array(1, np.int32), n, base=f"{n.name}/trace/one")
    results = [bw.emit("Add", (bps[0], one), {}, like=n, base=f"{n.name}/trace/next").outputs[0]]
    for q, key in enumerate(keys):
        results.append(bw.emit("TensorArrayWrite", (bps[1 + q], bps[0], inner[key]),
                               {"axis": 0, "dynamic_size": True}, like=n,
                               base=f"{n.name}/trace/record").outputs[0])
    body.results = [*body.results[:k], *results]
    zero = w.const(np.array(0, np.int32), n, base=f"{n.name}/trace/start")
    size = w.const(np.array(0, np.int32), n, base=f"{n.name}/trace/size")
    bufs = [w.emit("TensorArrayNew", (size,), {"type": t, "dynamic_size": True}, like=n,
                   base=f"{n.name}/trace/history", types=[t]).outputs[0] for t in hist_types]
    new_attrs = dict(attrs)
    new_attrs["n_carry"] = k + len(types)
    node = w.copy(n, (*ins[:k], zero, *bufs, *ins[k:]), new_attrs)
    return node, {key: node.outputs[k + 1 + q] for q, key in enumerate(keys)}


def _copy(old: Graph, parent: Graph | None, ctx: PassContext, vmap: dict[int, Value],
          wanted: dict[int, list[Value]], needs: set[int]) -> tuple[Graph, dict[int, Value]]:
    """A copy of ``old``; returns it and, per traced value id, the value of the copy to record per
    iteration of ``old``'s owner (the value itself, or the history of a nested loop)."""
    w = Writer(old, parent, ctx)
    for p in old.params:
        vmap[id(p)] = w.param(p.type, p.param_name)
    level: dict[int, Value] = {}
    for n in old.nodes:
        ins = tuple(vmap[id(v)] for v in n.inputs)
        if not n.subgraphs:
            node = w.copy(n, ins)
        else:
            attrs: dict[str, Any] = {}
            inner: dict[int, Value] = {}
            for key, val in n.attrs.items():
                if isinstance(val, Graph):
                    # Recursion depth is the loop nesting depth of the traced values only.
                    sub, hist = _copy(val, w.g, ctx, vmap, wanted, needs) if id(val) in needs else \
                        (_plain_copy(val, w.g, ctx), {})
                    attrs[key] = sub
                    if key == "body":
                        inner = hist
                else:
                    attrs[key] = val
            if n.op == "While" and inner:
                node, hist_outs = _instrument_while(w, n, ins, attrs, inner)
                level.update(hist_outs)
            else:
                node = w.copy(n, ins, attrs)
        for v, nv in zip(n.outputs, node.outputs):
            vmap[id(v)] = nv
    w.g.results = [vmap[id(r)] for r in old.results]
    for v in wanted.get(id(old), ()):
        level[id(v)] = vmap[id(v)]
    return w.g, level


def _plain_copy(old: Graph, parent: Graph, ctx: PassContext) -> Graph:
    from graphrnn.passes.rebuild import Rewriter
    return Rewriter(ctx).graph(old, parent)


def instrument(graph: Graph, traced: Sequence[Value]) -> tuple[Graph, dict[int, Value], dict[int, Value]]:
    """An instrumented copy of top-level ``graph`` for ``traced`` (see the module docstring).

    Returns the copy, the map from ``id(old value)`` to the copy's value (top-level values), and
    per traced value id its history in the copy."""
    wanted: dict[int, list[Value]] = {}
    needs: set[int] = set()
    for v in traced:
        wanted.setdefault(id(v.graph), []).append(v)
        needs.update(id(g) for g in owner_chain(v))
    ctx = PassContext(graph)
    vmap: dict[int, Value] = {}
    g, level = _copy(graph, None, ctx, vmap, wanted, needs)
    missing = [v.name for v in traced if id(v) not in level]
    if missing:
        raise TraceError(f"cannot trace {missing}: not inside a While body of this graph",
                         fix="trace values of while_loop bodies")
    return g, vmap, level


def instrument_for_plan(graph: Graph, values: Sequence[Value], targets: Sequence[Node], feeds: Sequence[Value],
                        traced: Sequence[Value]) -> tuple[Graph, list[Value], list[Node], list[Value]]:
    """What a Session compiles for a traced run: the instrumented copy, the fetched values followed
    by one history per traced value, the targets and the feeds, all mapped into the copy."""
    g, vmap, level = instrument(graph, traced)
    by_name = {n.name: n for n in g.nodes}
    return (g, [vmap[id(v)] for v in values] + [level[id(v)] for v in traced],
            [by_name[t.name] for t in targets], [vmap[id(f)] for f in feeds])
