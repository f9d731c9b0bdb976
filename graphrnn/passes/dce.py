"""Dead code elimination (``dce``), including unused loop carries and captures.

Live = what a graph's results (for the top-level graph: the fetches, fed values and target
nodes) need through data and control edges: exactly what the plan compiler would run, so
removing the rest never changes a run. In a While node, carry ``k`` is dead when the loop's
output ``k`` is unused, the cond does not read it, and in the body only result ``k`` needs it
(computed to a fixpoint, since carries can feed each other) and does not need a node with an
effect (an Assign, a random op: the loop as built runs it every iteration); a capture is dead
when neither cond nor body reads it. A loop keeps at least one carry. Worklists throughout, no recursion over nodes;
nested bodies are rebuilt as steps (`graphrnn.ir.trampoline`), so nesting depth needs no recursion either.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphrnn.ir.analysis import live_nodes
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.trampoline import Step, run_nested
from graphrnn.passes.rebuild import PassContext, Writer, is_stateful


def _params_needed(g: Graph, roots: Sequence[Value]) -> set[int]:
    """Indices of ``g``'s params that ``roots`` need."""
    live = live_nodes(g, roots)
    ids = {id(r) for r in roots}
    for n in g.nodes:
        if id(n) in live:
            ids.update(id(v) for v in n.inputs)
    return {i for i, p in enumerate(g.params) if id(p) in ids}


# Stateful ops whose run has no effect beyond their output: reads, and the gradient's loop-tape
# ops (their in-place updates touch only private buffers their output carries; see
# `graphrnn.autodiff.ops`), so an unread tape carry may still go.
_NO_EFFECT = frozenset({"VariableV2", "Placeholder", "StackNew", "StackPush", "AccumulatorZerosLike",
                        "AccumulatorCopy", "AccumulateAt", "TensorArrayWriteGradInPlace"})


def has_effect(n: Node, memo: dict[int, bool] | None = None) -> bool:
    """``n`` (or a node of its subgraphs) updates state: assigns a variable, advances a random stream...

    ``memo`` (id(subgraph) -> answer, for graphs that stay unchanged while it is used) makes asking
    this of every loop of a D-deep nest O(nodes) in all, not O(D x nodes)."""
    if is_stateful(n) and n.op not in _NO_EFFECT:
        return True
    memo = {} if memo is None else memo
    return any(_graph_has_effect(s, memo) for s in n.subgraphs.values())


def _graph_has_effect(g: Graph, memo: dict[int, bool]) -> bool:
    """Whether a node of ``g`` or of a graph nested in it has an effect (post-order, no recursion)."""
    work: list[tuple[Graph, bool]] = [(g, False)]
    while work:
        h, ready = work.pop()
        if id(h) in memo:
            continue
        if ready:  # every subgraph of h is answered
            memo[id(h)] = any((is_stateful(m) and m.op not in _NO_EFFECT)
                              or any(memo[id(s)] for s in m.subgraphs.values()) for m in h.nodes)
            continue
        work.append((h, True))
        work.extend((s, False) for m in h.nodes for s in m.subgraphs.values() if id(s) not in memo)
    return memo[id(g)]


def _effect_carries(body: Graph, k: int, memo: dict[int, bool]) -> set[int]:
    """Carries whose body result needs a node with an effect: every iteration runs it, so they stay."""
    effects = {id(m) for m in body.nodes if has_effect(m, memo)}
    if not effects:
        return set()
    return {i for i in range(k) if effects & live_nodes(body, [body.results[i]])}


def dead_carries(n: Node, outputs_used: set[int], memo: dict[int, bool] | None = None
                 ) -> tuple[list[int], list[int]]:
    """(carries to keep, captures to keep) of While node ``n`` (``memo``: see `has_effect`).

    A carry whose body computation has an effect (`has_effect`) is kept even when nothing reads
    it: the loop as built runs that effect every iteration. The kept set is closed under "the
    body needs it" (a fixpoint), also when it starts as the one carry a loop must keep.
    """
    k = n.attrs["n_carry"]
    body: Graph = n.attrs["body"]
    cond: Graph = n.attrs["cond"]
    cond_needs = _params_needed(cond, cond.results)
    effects = _effect_carries(body, k, {} if memo is None else memo)
    keep = {i for i in range(k) if i in outputs_used or i in cond_needs} | effects
    if not keep:
        keep = {0}
    while True:
        need = _params_needed(body, [body.results[i] for i in sorted(keep)]) | cond_needs
        grown = keep | {i for i in need if i < k}
        if grown == keep:
            break
        keep = grown
    caps = [j for j in range(k, len(n.inputs)) if j in need]
    return sorted(keep), caps


class _Dce:
    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.changed = False
        self.effects: dict[int, bool] = {}  # `has_effect` memo over the old graph (never mutated)

    def graph(self, old: Graph, parent: Graph | None, keep_params: Sequence[int] | None = None,
              results: Sequence[Value] | None = None, targets: Sequence[Node] = ()) -> Step[Graph]:
        """``old`` without its dead nodes (a step: the rebuilds of nested bodies are yielded)."""
        w = Writer(old, parent, self.ctx)
        res = list(old.results) if results is None else list(results)
        live = live_nodes(old, res, targets)
        users: dict[int, set[int]] = {}
        for n in old.nodes:
            if id(n) in live:
                for v in n.inputs:
                    if v.node is not None:
                        users.setdefault(id(v.node), set()).add(v.index)
        for r in res:
            if r.node is not None:
                users.setdefault(id(r.node), set()).add(r.index)
        vmap: dict[int, Value] = {}
        kp = range(len(old.params)) if keep_params is None else keep_params
        for i in kp:
            p = old.params[i]
            vmap[id(p)] = w.param(p.type, p.param_name)
        if len(kp) != len(old.params):
            self.changed = True
        for n in old.nodes:
            if id(n) not in live:
                self.ctx.fired("remove_dead_node", n.name)
                self.changed = True
                continue
            ins = tuple(vmap[id(v)] for v in n.inputs)
            if n.op == "While":
                outs = yield self._while(n, ins, w, users.get(id(n), set()))
            elif n.subgraphs:
                attrs = {}
                for a, s in n.attrs.items():
                    attrs[a] = (yield self.graph(s, w.g)) if isinstance(s, Graph) else s
                outs = w.copy(n, ins, attrs).outputs
            else:
                outs = w.copy(n, ins, dict(n.attrs)).outputs
            for v, nv in zip(n.outputs, outs):
                if nv is not None:
                    vmap[id(v)] = nv
        w.g.results = [vmap[id(r)] for r in res]
        return w.g

    def _while(self, n: Node, ins: tuple[Value, ...], w: Writer, used: set[int]) -> Step[Sequence[Value | None]]:
        k = n.attrs["n_carry"]
        carries, caps = dead_carries(n, used, self.effects)
        body, cond = n.attrs["body"], n.attrs["cond"]
        if len(carries) == k and len(caps) == len(n.inputs) - k:
            attrs = dict(n.attrs, body=(yield self.graph(body, w.g)), cond=(yield self.graph(cond, w.g)))
            return w.copy(n, ins, attrs).outputs
        keep = carries + caps
        new_body = yield self.graph(body, w.g, keep, [body.results[i] for i in carries])
        new_cond = yield self.graph(cond, w.g, keep)
        attrs = dict(n.attrs, body=new_body, cond=new_cond, n_carry=len(carries))
        node = w.copy(n, [ins[i] for i in keep], attrs)
        gone = [i for i in range(len(n.inputs)) if i not in keep]
        self.ctx.fired("remove_dead_loop_values", n.name,
                       detail=f"carries {[i for i in gone if i < k]}, captures {[i - k for i in gone if i >= k]}")
        self.changed = True
        outs: list[Value | None] = [None] * k
        for pos, i in enumerate(carries):
            outs[i] = node.outputs[pos]
        return outs


def _has_dead(graph: Graph, targets: Sequence[Node]) -> bool:
    """A scan: is any node dead, or any While carry or capture unused (any depth)?"""
    work: list[tuple[Graph, Sequence[Node]]] = [(graph, targets)]
    effects: dict[int, bool] = {}
    while work:
        g, roots = work.pop()
        live = live_nodes(g, g.results, roots)
        if len(live) != len(g.nodes):
            return True
        used: dict[int, set[int]] = {}
        for n in g.nodes:
            for v in n.inputs:
                if v.node is not None:
                    used.setdefault(id(v.node), set()).add(v.index)
        for r in g.results:
            if r.node is not None:
                used.setdefault(id(r.node), set()).add(r.index)
        for n in g.nodes:
            if n.op == "While":
                carries, caps = dead_carries(n, used.get(id(n), set()), effects)
                if len(carries) + len(caps) != len(n.inputs):
                    return True
            work.extend((s, ()) for s in n.subgraphs.values())
    return False


def dce(graph: Graph, ctx: PassContext) -> tuple[Graph, bool]:
    """Removes dead nodes, loop carries and captures (to a fixpoint: one removal can kill more)."""
    targets_names = ctx.options.get("targets", frozenset())
    changed = False
    g = graph
    for _ in range(16):
        if not _has_dead(g, [n for n in g.nodes if n.name in targets_names]):
            break
        d = _Dce(ctx)
        targets = [n for n in g.nodes if n.name in targets_names]
        g = run_nested(d.graph(g, None, targets=targets))
        if not d.changed:
            break
        changed = True
    return g, changed
