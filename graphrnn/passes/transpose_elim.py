"""Transpose elimination (``transpose-elim``): the local rules plus two loop layout rewrites.

Both loop rewrites work the same way: move a transpose to the other side of the While boundary
as an explicit *compensating* transpose, let the local rules fold it into the ops that touch the
value (`rules_transpose`), and keep the result only if every compensating transpose vanished;
otherwise the loop is left as it was and the report says which op blocked.

(a) ``sink_captured_transpose``: a While capture ``T(x, p)`` becomes ``x``; cond and body start
    with ``T(param, p)``, which folds into ``TensorArrayRead``/``TensorArraySize``/``Shape``/... of
    the param (read step t along ``p[axis]``).
(b) ``relayout_loop_buffer``: a carried buffer made by ``TensorArrayNew``, only written in the body
    (a chain of ``TensorArrayWrite``) and whose loop output is read only by ``T(., p)``, is allocated
    as ``T(buffer, p)`` (`TensorArrayNewAxis`) and written along ``p^-1[axis]``; the outer
    transposes cancel against the compensating ``T(out, p^-1)``.
After the pass, every transpose still in the graph is listed with what blocked it.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.trampoline import Step
from graphrnn.ir.types import TensorType
from graphrnn.passes import ops as _ops  # noqa: F401 - registers TensorArrayNewAxis
from graphrnn.passes.rebuild import PassContext, Visited, Writer
from graphrnn.passes.rewrite import RuleRewriter, rules_would_fire, run_rules
from graphrnn.passes.rules_transpose import TRANSPOSE_RULES, inverse, keeps_order

_NEW_OPS = ("TensorArrayNew", "TensorArrayNewAxis")


def _permute(t: TensorType, p: Sequence[int]) -> TensorType:
    return TensorType(t.dtype, tuple(t.shape[i] for i in p))


class _SinkRewriter(RuleRewriter):
    """Rule sweep over one subgraph whose params listed in ``sink`` start with ``T(param, p)``."""

    def __init__(self, ctx: PassContext, sink: dict[int, tuple[int, ...]]) -> None:
        super().__init__(ctx, TRANSPOSE_RULES)
        self.sink = sink
        self.inserted: list[str] = []
        self._top = True

    def begin(self, old: Graph, w: Writer, vmap: dict[int, Value]) -> None:
        super().begin(old, w, vmap)
        if not self._top:
            return
        self._top = False
        for i, perm in self.sink.items():
            p = old.params[i]
            t = w.emit("Transpose", [vmap[id(p)]], {"perm": perm}, base=f"{w.g.name}/sunk_transpose")
            self.inserted.append(t.name)
            vmap[id(p)] = t.outputs[0]


class TransposeRewriter(RuleRewriter):
    """The local transpose rules, plus (a) and (b) at each While node."""

    def __init__(self, ctx: PassContext) -> None:
        super().__init__(ctx, TRANSPOSE_RULES)
        self.consumers: dict[int, list[Node]] = {}
        self.results: set[int] = set()

    def begin(self, old: Graph, w: Writer, vmap: dict[int, Value]) -> None:
        super().begin(old, w, vmap)
        for n in old.nodes:
            for v in n.inputs:
                self.consumers.setdefault(id(v), []).append(n)
        self.results.update(id(r) for r in old.results)

    def rewrite(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if n.op != "While":
            return super().rewrite(n, ins, w)
        return self._while(n, ins, w)

    def _while(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Step[Sequence[Value]]:
        """A step (`graphrnn.ir.trampoline`): the body and cond are rebuilt first, then (a), (b)."""
        attrs = yield self.sub_attrs_steps(n, w)
        ins_l = list(ins)
        for j in range(n.attrs["n_carry"], len(ins_l)):
            self._sink_capture(n, j, ins_l, attrs, w)
        return self._relayout(n, ins_l, attrs, w)

    # --- (a) ------------------------------------------------------------------------------------
    def _sink_capture(self, n: Node, j: int, ins: list[Value], attrs: dict, w: Writer) -> None:
        t = ins[j].node
        if t is None or t.op != "Transpose":
            return
        x, perm = t.inputs[0], tuple(t.attrs["perm"])
        trial = self.ctx.child()
        new_subs = {}
        for key in ("cond", "body"):
            sub: Graph = attrs[key]
            types = [p.type for p in sub.params]
            types[j] = x.type
            rw = _SinkRewriter(trial, {j: perm})
            g = rw.graph(sub, w.g, types)
            left = [m for m in g.nodes if m.name in rw.inserted]
            if left:
                users = sorted({f"{u.op}(axis={u.attrs.get('axis', '-')})" for u in g.nodes
                                if any(v.node is not None and v.node.name in rw.inserted for v in u.inputs)})
                self.ctx.block(t.name, f"captured by While '{n.name}', whose {key} uses it in "
                                       f"{', '.join(users) or 'its results'}, which cannot read through perm {perm}")
                return
            new_subs[key] = g
        attrs.update(new_subs)
        ins[j] = x
        self.ctx.rewrites.extend(trial.rewrites)
        self.ctx.fired("sink_captured_transpose", t.name, n.name, detail=f"loop reads {x.name} along perm {perm}")
        self.changed = True

    # --- (b) ------------------------------------------------------------------------------------
    def _write_chain(self, body: Graph, k: int) -> list[Node] | None:
        """The TensorArrayWrite chain from carry param k to result k, if that is all the body does with it."""
        users: dict[int, list[Node]] = {}
        for m in body.nodes:
            for v in m.inputs:
                users.setdefault(id(v), []).append(m)
        chain: list[Node] = []
        v = body.params[k]
        while v is not body.results[k]:
            us = users.get(id(v), [])
            if len(us) != 1 or us[0].op != "TensorArrayWrite" or us[0].inputs[0] is not v:
                return None
            chain.append(us[0])
            v = us[0].outputs[0]
        if users.get(id(v)) or sum(1 for r in body.results if r is v) != 1 or not chain:
            return None
        return chain

    def _relayout(self, n: Node, ins: list[Value], attrs: dict, w: Writer) -> Sequence[Value]:
        k_carry = n.attrs["n_carry"]
        plans: dict[int, tuple[tuple[int, ...], list[Node]]] = {}
        body, cond = attrs["body"], attrs["cond"]
        cond_used = {id(v) for m in cond.nodes for v in m.inputs} | {id(r) for r in cond.results}
        for k in range(k_carry):
            out = n.outputs[k]
            cons = self.consumers.get(id(out), [])
            perms = {tuple(c.attrs["perm"]) for c in cons if c.op == "Transpose"}
            if not cons or len(perms) != 1 or any(c.op != "Transpose" for c in cons) or id(out) in self.results:
                continue
            (perm,) = perms
            init = ins[k].node
            why = None
            chain = self._write_chain(body, k)
            if init is None or init.op not in _NEW_OPS or self.uses(ins[k]) != 1:
                why = f"the loop's initial value comes from {init.op if init else 'a param'}, not a fresh TensorArray"
            elif id(cond.params[k]) in cond_used:
                why = "the loop condition reads the buffer"
            elif chain is None:
                why = "the body does more with the buffer than TensorArrayWrite"
            elif not all(keeps_order(perm, {m.attrs.get("axis", 0)}) for m in chain):
                why = (f"elements written along axis {chain[0].attrs.get('axis', 0)} would need a transpose "
                       f"under perm {perm}")
            if why is not None:
                for c in cons:
                    self.ctx.block(c.name, f"reads output {k} of While '{n.name}': {why}")
                continue
            plans[k] = (perm, chain)  # type: ignore[assignment]
        if not plans:
            return w.copy(n, ins, attrs).outputs
        new_ins = list(ins)
        types_b = [p.type for p in body.params]
        types_c = [p.type for p in cond.params]
        axis_of: dict[str, int] = {}
        for k, (perm, chain) in plans.items():
            inv = inverse(perm)
            types_b[k] = _permute(types_b[k], perm)
            types_c[k] = _permute(types_c[k], perm)
            for m in chain:
                axis_of[m.name] = inv[m.attrs.get("axis", 0)]
            init = ins[k].node
            assert init is not None
            a0 = init.attrs.get("axis", 0)
            new_ins[k] = w.emit("TensorArrayNewAxis", [init.inputs[0]],
                                {"type": _permute(init.attrs["type"], perm), "axis": inv[a0],
                                 "dynamic_size": init.attrs.get("dynamic_size", False)}, like=init).outputs[0]
        new_attrs = dict(attrs, body=_AxisRewriter(self.ctx, axis_of).graph(body, w.g, types_b),
                         cond=_AxisRewriter(self.ctx, {}).graph(cond, w.g, types_c))
        node = w.copy(n, new_ins, new_attrs)
        outs = list(node.outputs)
        for k, (perm, _chain) in plans.items():
            outs[k] = w.emit("Transpose", [outs[k]], {"perm": inverse(perm)}, like=n).outputs[0]
            self.ctx.fired("relayout_loop_buffer", n.name, node.name,
                           detail=f"carry {k} allocated in layout perm {perm}, written along axis "
                                  f"{inverse(perm)[plans[k][1][0].attrs.get('axis', 0)]}")
        self.changed = True
        return outs


class _AxisRewriter(RuleRewriter):
    """Copies a subgraph, giving the named TensorArrayWrite nodes a new ``axis``."""

    def __init__(self, ctx: PassContext, axis_of: dict[str, int]) -> None:
        super().__init__(ctx, ())
        self.axis_of = axis_of

    def rewrite(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Sequence[Value]:
        if n.name in self.axis_of:
            return w.copy(n, ins, dict(n.attrs, axis=self.axis_of[n.name])).outputs
        return super().rewrite(n, ins, w)


def surviving_transposes(g: Graph, ctx: PassContext) -> None:
    """Adds every transpose left in ``g`` to ``ctx.blocked`` (with the reason found, if any)."""
    known = {b.node for b in ctx.blocked}
    for sub_g in _graphs(g):
        users: dict[int, list[Node]] = {}
        for m in sub_g.nodes:
            for v in m.inputs:
                users.setdefault(id(v), []).append(m)
        for m in sub_g.nodes:
            if m.op != "Transpose" or m.name in known:
                continue
            src = m.inputs[0].node.op if m.inputs[0].node is not None else "a param"
            cons = sorted({u.op for u in users.get(id(m.outputs[0]), [])})
            fetched = " (fetched)" if any(r is m.outputs[0] for r in sub_g.results) else ""
            ctx.block(m.name, f"no rule applies: perm {tuple(m.attrs['perm'])} of a {src} value, read by "
                              f"{', '.join(cons) or 'nothing in its graph'}{fetched}")


def _graphs(g: Graph) -> list[Graph]:
    out, work = [], [g]
    while work:
        x = work.pop()
        out.append(x)
        for m in x.nodes:
            work.extend(m.subgraphs.values())
    return out


def _loop_work(g: Graph) -> bool:
    """Some While captures a transpose, or has an output a transpose reads (any depth)."""
    for sub in _graphs(g):
        outs: set[int] = set()
        for m in sub.nodes:
            if m.op == "Transpose" and id(m.inputs[0]) in outs:
                return True
            if m.op == "While":
                if any(v.node is not None and v.node.op == "Transpose" for v in m.inputs):
                    return True
                outs.update(id(v) for v in m.outputs)
    return False


def transpose_elim(graph: Graph, ctx: PassContext) -> tuple[Graph, bool]:
    g, changed = run_rules(graph, ctx, TRANSPOSE_RULES, make=lambda c, r: TransposeRewriter(c),
                           scan=lambda x: _loop_work(x) or rules_would_fire(x, ctx, TRANSPOSE_RULES))
    still = {m.name for m in g.walk() if m.op == "Transpose"}
    seen: set[tuple[str, str]] = set()
    kept = []
    for b in ctx.blocked:  # one entry per surviving transpose and reason
        if b.node in still and (b.node, b.reason) not in seen:
            seen.add((b.node, b.reason))
            kept.append(b)
    ctx.blocked = kept
    surviving_transposes(g, ctx)
    return g, changed
