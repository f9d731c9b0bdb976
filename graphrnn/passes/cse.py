"""Common subexpression elimination (``cse``), scoped per graph.

Two pure, non-stateful nodes of the same graph with the same op, the same inputs (in any order
for commutative ops), equal attrs and the same control inputs compute the same value; the later
one is replaced by the earlier. Constants are equal when dtype, shape and bytes are. Tables are
per graph: a While body never reuses a value of its parent (that would need a new capture; LICM
decides such moves), and nodes with subgraphs are never merged. Pinned nodes (fetched targets,
control-edge ends) may be kept as representatives but are never replaced.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import COMMUTATIVE, get_opdef
from graphrnn.ir.trampoline import Step, is_step
from graphrnn.ir.types import TensorType
from graphrnn.passes.rebuild import PassContext, Rewriter, Visited, Writer, is_stateful


class _Unhashable(Exception):
    pass


def attr_key(x: Any) -> Hashable:
    """A hashable, equality-preserving key for an attr value (raises _Unhashable if there is none)."""
    if isinstance(x, np.ndarray):
        return ("nd", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, (tuple, list)):
        return ("seq", tuple(attr_key(e) for e in x))
    if isinstance(x, dict):
        return ("map", tuple(sorted((k, attr_key(v)) for k, v in x.items())))
    if isinstance(x, float) and x != x:  # NaN never equals itself: never merge
        raise _Unhashable
    if isinstance(x, (int, float, str, bool, type(None), TensorType)):
        return (type(x).__name__, x)
    try:
        hash(x)
    except TypeError:
        raise _Unhashable from None
    return ("obj", type(x).__qualname__, x)


def node_key(n: Node, ins: Sequence[Value]) -> Hashable | None:
    if n.subgraphs or is_stateful(n):
        return None
    try:
        attrs = attr_key(dict(n.attrs))
    except _Unhashable:
        return None
    ids = [id(v) for v in ins]
    if get_opdef(n.op).has(COMMUTATIVE):
        ids.sort()
    return (n.op, tuple(ids), attrs, tuple(id(c) for c in n.control_inputs))


class CseRewriter(Rewriter):
    def __init__(self, ctx: PassContext) -> None:
        super().__init__(ctx)
        self.tables: list[dict[Hashable, Node]] = []

    def graph_steps(self, old: Graph, parent: Graph | None, param_types: Sequence[TensorType] | None = None
                    ) -> Step[Graph]:
        # One table per graph being rebuilt; nested rebuilds finish first (LIFO), so the top table
        # is always the graph whose nodes are being visited.
        self.tables.append({})
        try:
            return (yield from super().graph_steps(old, parent, param_types))
        finally:
            self.tables.pop()

    def visit(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        key = node_key(n, ins)
        if key is not None:
            table = self.tables[-1]
            seen = table.get(key)
            if seen is not None and n.name not in self.ctx.pinned and \
                    all(a.type == b.type for a, b in zip(seen.outputs, n.outputs)):
                self.ctx.fired("merge_common_subexpression", n.name, seen.name)
                self.changed = True
                return seen.outputs
        out = super().visit(n, ins, w)
        if is_step(out):
            return self._recorded(key, out)  # type: ignore[arg-type]
        self._record(key, out)  # type: ignore[arg-type]
        return out

    def _recorded(self, key: Hashable | None, step: Step[Sequence[Value]]) -> Step[Sequence[Value]]:
        out = yield step
        self._record(key, out)
        return out

    def _record(self, key: Hashable | None, out: Sequence[Value]) -> None:
        if key is not None and out:
            node = out[0].node
            if node is not None:
                self.tables[-1].setdefault(key, node)


def _has_duplicates(graph: Graph, ctx: PassContext) -> bool:
    """A scan of every graph for two nodes with one key (what the rebuild would merge first)."""
    work = [graph]
    while work:
        g = work.pop()
        seen: dict[Hashable, Node] = {}
        for n in g.nodes:
            work.extend(n.subgraphs.values())
            key = node_key(n, n.inputs)
            if key is None:
                continue
            other = seen.get(key)
            if other is not None and n.name not in ctx.pinned and \
                    all(a.type == b.type for a, b in zip(other.outputs, n.outputs)):
                return True
            seen.setdefault(key, n)
    return False


def cse(graph: Graph, ctx: PassContext) -> tuple[Graph, bool]:
    if not _has_duplicates(graph, ctx):
        return graph, False
    rw = CseRewriter(ctx)
    g = rw.run(graph)
    return g, rw.changed
