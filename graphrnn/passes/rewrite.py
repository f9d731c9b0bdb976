"""The pattern-rewrite driver: small named rules applied to a fixpoint.

A rule is a function ``rule(m: Match, w: Writer) -> outputs | None`` whose docstring's first line
states its algebra (``transpose(transpose(x, p), q) = transpose(x, p[q])``). The driver rebuilds
the graph in order; for each node it hands the rules a `Match` whose inputs are already rewritten
(so chains collapse in one sweep), takes the first rule that returns replacement values, checks
they have exactly the node's output types (a rule may never change a type: anything downstream,
loop signatures included, stays valid), and records the rewrite. Sweeps repeat until one fires
nothing, with a guard. Pinned nodes (fetched as targets, or tied by control edges), stateful nodes
and nodes with subgraphs are never matched (their subgraphs are rewritten, though).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.trampoline import Step, is_step
from graphrnn.ir.types import TensorType
from graphrnn.passes.rebuild import NameTable, PassContext, Rewriter, Visited, Writer, is_stateful

MAX_SWEEPS = 16


@dataclass
class Match:
    """What a rule sees: the old node, its rewritten inputs, and use counts of values."""

    node: Node
    inputs: tuple[Value, ...]
    uses_fn: Callable[[Value], int]
    out_uses_fn: Callable[[int], int]

    def out_uses(self, i: int) -> int:
        """How many readers (results included) the node's output ``i`` had before this sweep."""
        return self.out_uses_fn(i)

    @property
    def op(self) -> str:
        return self.node.op

    @property
    def attrs(self) -> dict[str, Any]:
        return self.node.attrs

    @property
    def type(self) -> TensorType:
        return self.node.outputs[0].type

    def uses(self, v: Value) -> int:
        """How many readers ``v`` had before this sweep (1 for values a rule just made)."""
        return self.uses_fn(v)


Rule = Callable[[Match, Writer], Sequence[Value] | None]


def rule_name(rule: Rule) -> str:
    return rule.__name__


class RuleRewriter(Rewriter):
    """One sweep of ``rules`` over a graph and its subgraphs."""

    def __init__(self, ctx: PassContext, rules: Sequence[Rule]) -> None:
        super().__init__(ctx)
        self.rules = list(rules)
        self.by_op: dict[str, list[Rule]] = {}
        self.any_op: list[Rule] = []
        for r in self.rules:
            ops = getattr(r, "ops", None)
            if ops is None:
                self.any_op.append(r)
            else:
                for op in ops:
                    self.by_op.setdefault(op, []).append(r)
        self.use_count: dict[int, int] = {}   # id(new value) -> readers of the old value
        self._old_counts: dict[int, int] = {}  # id(old value) -> readers (all graphs: ids are unique)

    def begin(self, old: Graph, w: Writer, vmap: dict[int, Value]) -> None:
        counts: dict[int, int] = {}
        for n in old.nodes:
            for v in n.inputs:
                counts[id(v)] = counts.get(id(v), 0) + 1
        for r in old.results:
            counts[id(r)] = counts.get(id(r), 0) + 1
        self._old_counts.update(counts)
        for p in old.params:
            self.use_count[id(vmap[id(p)])] = counts.get(id(p), 0)

    def uses(self, v: Value) -> int:
        return self.use_count.get(id(v), 1)

    def candidates(self, n: Node) -> list[Rule]:
        return self.by_op.get(n.op, []) + self.any_op

    def visit(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        outs = self.rewrite(n, ins, w)
        if is_step(outs):  # a node with subgraphs: count once they are rebuilt
            return self._counted(n, outs)  # type: ignore[arg-type]
        self._count(n, outs)  # type: ignore[arg-type]
        return outs

    def _counted(self, n: Node, step: Step[Sequence[Value]]) -> Step[Sequence[Value]]:
        outs = yield step
        self._count(n, outs)
        return outs

    def _count(self, n: Node, outs: Sequence[Value]) -> None:
        counts = self._old_counts
        for v, nv in zip(n.outputs, outs):
            self.use_count.setdefault(id(nv), counts.get(id(v), 0))

    def rewrite(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if n.subgraphs or n.name in self.ctx.pinned or n.control_inputs or is_stateful(n):
            return super().visit(n, ins, w)
        rules = self.candidates(n)
        if rules:
            m = Match(n, ins, self.uses, lambda i: self._old_counts.get(id(n.outputs[i]), 0))
            for rule in rules:
                out = rule(m, w)
                if out is None:
                    continue
                if len(out) == len(n.outputs) and all(a.type == b.type for a, b in zip(out, n.outputs)):
                    self.ctx.fired(rule_name(rule), n.name, *(v.node.name for v in out
                                                               if v.node is not None and v.node.name != n.name))
                    self.changed = True
                    return out
                # A rule that would change a type is refused; what it emitted is cleaned up.
        return w.copy(n, ins).outputs


class _ScratchNames(NameTable):
    """Names for scratch nodes that are thrown away: nothing is reserved."""

    def __init__(self) -> None:
        self._root, self.taken, self._next = None, set(), {}

    def fresh(self, base: str) -> str:
        return base


def rules_would_fire(graph: Graph, ctx: PassContext, rules: Sequence[Rule]) -> bool:
    """True when some rule matches some node of ``graph`` (any depth), without rebuilding it.

    Rules are tried on the graph as it is, emitting into a scratch graph that is dropped; this
    makes a pass that has nothing to do cost one scan instead of one rebuild (big static graphs).
    """
    probe = RuleRewriter(ctx, rules)
    scratch = ctx.child(_ScratchNames())
    work = [graph]
    while work:
        g = work.pop()
        counts: dict[int, int] = {}
        for n in g.nodes:
            for v in n.inputs:
                counts[id(v)] = counts.get(id(v), 0) + 1
            work.extend(v for v in n.attrs.values() if isinstance(v, Graph))
        for r in g.results:
            counts[id(r)] = counts.get(id(r), 0) + 1
        w = Writer(g, None, scratch)
        uses = (lambda c: lambda v: c.get(id(v), 0))(counts)
        for n in g.nodes:
            rs = probe.candidates(n)
            if not rs or n.name in ctx.pinned or n.control_inputs or is_stateful(n) or n.subgraphs:
                continue
            m = Match(n, n.inputs, uses, lambda i, n=n, uses=uses: uses(n.outputs[i]))
            for rule in rs:
                out = rule(m, w)
                if out is not None and len(out) == len(n.outputs) and \
                        all(a.type == b.type for a, b in zip(out, n.outputs)):
                    return True
    return False


def run_rules(graph: Graph, ctx: PassContext, rules: Sequence[Rule],
              make: Callable[[PassContext, Sequence[Rule]], RuleRewriter] = RuleRewriter,
              scan: Callable[[Graph], bool] | None = None) -> tuple[Graph, bool]:
    """Applies ``rules`` to a fixpoint; returns the new graph and whether anything changed.

    Before each sweep a scan (``scan``, default `rules_would_fire`) checks that there is work.
    """
    changed = False
    g = graph
    for _ in range(MAX_SWEEPS):
        if not (scan(g) if scan is not None else rules_would_fire(g, ctx, rules)):
            break
        rw = make(ctx, rules)
        g = rw.run(g)
        if not rw.changed:
            break
        changed = True
    else:
        ctx.notes.append(f"rule driver stopped after {MAX_SWEEPS} sweeps (iteration guard)")
    return g, changed


def on(*ops: str) -> Callable[[Rule], Rule]:
    """Declares which ops a rule can match (the driver indexes rules by op)."""
    def deco(rule: Rule) -> Rule:
        rule.ops = ops  # type: ignore[attr-defined]
        return rule
    return deco
