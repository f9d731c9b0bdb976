"""``unroll``: fewer loop-control steps for counted ``While`` loops.

A loop is *counted* when its cond is ``Less(counter, limit)`` with ``counter`` a carry the body
advances by exactly ``Add(counter, 1)`` and ``limit`` loop-invariant (a capture or a constant),
and no body node is at either end of a control edge. Such a loop is rewritten:

- *fully* when its trip count is known while building (constant start and limit) and at most
  `FULL_UNROLL_MAX`: the body is copied trip-count times in front of the loop's readers, no While;
- otherwise into a *main loop* running `k` body copies per iteration while ``counter + k - 1 <
  limit`` (all k iterations would run), followed by the original loop as the *remainder* (fewer than
  k iterations left). Since the counter only grows by one per iteration, the main loop's check
  implies the original check for each of the k copies: the same iterations run, in order.

Invariant: the same values in the same order; bodies are copied as they are (stateful nodes
included: each copy runs once per original iteration, in order). What it buys on the NumPy
interpreter is measured in benchmarks/reroll_bench.py; the default pipeline does not include it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphrnn.ir import dtypes
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.trampoline import Step
from graphrnn.passes.rebuild import PassContext, Rewriter, Visited, Writer, const_value

DEFAULT_K = 4
FULL_UNROLL_MAX = 8


def counted_loop(n: Node) -> tuple[int, Value | np.ndarray] | None:
    """``(counter carry index, limit)`` of a counted While (see module docstring), else None.

    ``limit`` is the cond's param for a capture, or the constant's array."""
    cond, body, k = n.attrs["cond"], n.attrs["body"], n.attrs["n_carry"]
    if any(m.control_inputs for g in (cond, body) for m in g.nodes):
        return None
    pred = cond.results[0]
    less = pred.node
    if less is None or less.op != "Less":
        return None
    c, lim = less.inputs
    if c.node is not None or c.index >= k or c.dtype is not dtypes.int32:
        return None
    i = c.index
    if lim.node is None:
        if lim.index < k:
            return None
        limit: Value | np.ndarray = lim
    else:
        cv = const_value(lim)
        if cv is None:
            return None
        limit = cv
    nxt = body.results[i].node
    if nxt is None or nxt.op != "Add":
        return None
    a, b = nxt.inputs
    step = b if a is body.params[i] else a if b is body.params[i] else None
    sv = const_value(step) if step is not None else None
    if sv is None or sv.shape != () or int(sv) != 1:
        return None
    return i, limit


def _copy_body(body: Graph, w: Writer, args: Sequence[Value], copier: Rewriter) -> list[Value]:
    """``body``'s nodes written into ``w`` with its params bound to ``args``; returns its results."""
    vmap = {id(p): a for p, a in zip(body.params, args)}
    for m in body.nodes:
        ins = [vmap[id(v)] for v in m.inputs]
        node = w.copy(m, ins, copier.sub_attrs(m, w) if m.subgraphs else dict(m.attrs))
        for v, nv in zip(m.outputs, node.outputs):
            vmap[id(v)] = nv
    return [vmap[id(r)] for r in body.results]


class _FreshNames(Writer):
    """A Writer whose copies all take fresh names (the copied body stays in the graph too)."""

    def copy(self, n: Node, inputs: Sequence[Value], attrs: dict[str, Any] | None = None) -> Node:
        self.by_name.setdefault(n.name, n)
        return super().copy(n, inputs, attrs)


class UnrollRewriter(Rewriter):
    def __init__(self, ctx: PassContext, k: int) -> None:
        super().__init__(ctx)
        self.k = k

    def visit(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if n.op != "While" or counted_loop(n) is None:
            return super().visit(n, ins, w)
        return self._while(n, ins, w)

    def _while(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Step[Sequence[Value]]:
        attrs = yield self.sub_attrs_steps(n, w)   # inner loops first
        i, limit = counted_loop(n)  # type: ignore[misc]
        k_carry = n.attrs["n_carry"]
        start = const_value(ins[i]) if ins[i].node is not None else None
        lim_val = limit if isinstance(limit, np.ndarray) else const_value(ins[limit.index])
        if start is not None and lim_val is not None:
            trip = max(0, int(lim_val) - int(start))
            if trip <= FULL_UNROLL_MAX:
                carries = list(ins[:k_carry])
                fw = _FreshNames.__new__(_FreshNames)
                fw.__dict__.update(w.__dict__)
                for _ in range(trip):
                    carries = _copy_body(attrs["body"], fw, [*carries, *ins[k_carry:]], Rewriter(self.ctx))
                self.ctx.fired("unroll_full", n.name, detail=f"{trip} iteration(s) inlined")
                self.changed = True
                return carries
        if self.k < 2:
            return w.copy(n, ins, attrs).outputs
        main = self._main_loop(n, ins, w, attrs, i, limit)
        rest = w.copy(n, [*main.outputs, *ins[k_carry:]], attrs)
        self.ctx.fired("unroll", n.name, detail=f"{self.k} body copies per iteration, remainder loop after")
        self.changed = True
        return rest.outputs

    def _main_loop(self, n: Node, ins: tuple[Value, ...], w: Writer, attrs: dict[str, Any], i: int,
                   limit: Value | np.ndarray) -> Node:
        body, cond = attrs["body"], attrs["cond"]
        types = [p.type for p in body.params]
        mb = Graph(parent=w.g, name="body")
        mps = [mb.add_param(t, p.param_name or f"body_param_{q}") for q, (t, p) in enumerate(zip(types, body.params))]
        bw = _FreshNames(body, w.g, self.ctx)
        bw.g = mb
        k_carry = n.attrs["n_carry"]
        carries = mps[:k_carry]
        for _ in range(self.k):
            carries = _copy_body(body, bw, [*carries, *mps[k_carry:]], Rewriter(self.ctx))
        mb.results = list(carries)
        mc = Graph(parent=w.g, name="cond")
        cps = [mc.add_param(t, p.param_name or f"cond_param_{q}") for q, (t, p) in enumerate(zip(types, cond.params))]
        cw = Writer(cond, w.g, self.ctx)
        cw.g = mc
        ahead = cw.const(np.array(self.k - 1, np.int32), n, base=f"{n.name}/unroll/ahead")
        last = cw.emit("Add", (cps[i], ahead), {}, like=n, base=f"{n.name}/unroll/last").outputs[0]
        lim = cps[limit.index] if isinstance(limit, Value) else cw.const(limit, n, base=f"{n.name}/unroll/limit")
        mc.results = [cw.emit("Less", (last, lim), {}, like=n, base=f"{n.name}/unroll/Less").outputs[0]]
        main_attrs = dict(n.attrs)
        main_attrs.update(cond=mc, body=mb)
        return w.emit("While", list(ins), main_attrs, like=n, base=f"{n.name}/unroll/main")


def unroll(graph: Graph, ctx: PassContext, k: int = DEFAULT_K) -> tuple[Graph, bool]:
    """The pass: unrolls every counted loop (see the module docstring); ``k`` copies per iteration."""
    if not any(n.op == "While" and counted_loop(n) is not None for n in graph.walk()):
        return graph, False
    if any(n.name.endswith("/unroll/main") for n in graph.walk()):
        return graph, False   # already unrolled: run once per pipeline (the pass is not idempotent)
    rw = UnrollRewriter(ctx, k)
    g = rw.run(graph)
    return g, rw.changed
