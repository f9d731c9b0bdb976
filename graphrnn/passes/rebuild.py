"""Building a new graph from an old one: the only way passes produce graphs.

Passes never mutate a graph: a `Rewriter` walks the old graph in order and writes a new one
through a `Writer`, node by node, mapping old values to new ones. Copied nodes keep their name
and source line (errors still point at the user's code); nodes a rewrite creates get fresh names
unique in the whole root graph. Subgraphs are rebuilt too (their ``parent`` is the new owner's
graph) without recursion: rebuilding a graph is a step (`graphrnn.ir.trampoline`) that yields the
rebuild of each subgraph it meets, so loops nested 500 deep rebuild at Python's default recursion
limit. A `visit` returns the new outputs, or a step that yields nested rebuilds and returns them.

After a graph is written, `Writer.cleanup` removes the pure nodes a rewrite made dead (nodes whose
outputs were read before the rewrite and are read by nothing now, and unused nodes it created),
so a pass does not leave its garbage to DCE; nodes that were already dead stay (DCE's job).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphrnn.ir.errors import GraphError, PassError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import STATEFUL, get_opdef
from graphrnn.ir.trampoline import Step, is_step, run_nested
from graphrnn.ir.types import TensorType
from graphrnn.passes.report import Blocked, Rewrite


class NameTable:
    """Node names taken anywhere in one root graph; hands out fresh TF-style names."""

    def __init__(self, root: Graph) -> None:
        self._root: Graph | None = root   # names are collected on first use (many passes never ask)
        self.taken: set[str] = set()
        self._next: dict[str, int] = {}

    def fresh(self, base: str) -> str:
        if self._root is not None:
            self.taken |= {n.name for n in self._root.walk()}
            self._root = None
        if base not in self.taken:
            self.taken.add(base)
            return base
        k = self._next.get(base, 1)
        while f"{base}_{k}" in self.taken:
            k += 1
        self._next[base] = k + 1
        name = f"{base}_{k}"
        self.taken.add(name)
        return name


class PassContext:
    """State of one pass run over one root graph: names, pinned nodes, what happened."""

    def __init__(self, root: Graph, pinned: frozenset[str] = frozenset(), options: dict[str, Any] | None = None
                 ) -> None:
        self.names = NameTable(root)
        self.pinned = pinned if options and options.get("pinned_complete") else pinned | control_pinned(root)
        self.options = options or {}
        self.rewrites: list[Rewrite] = []
        self.blocked: list[Blocked] = []
        self.notes: list[str] = []

    def child(self, names: NameTable | None = None) -> PassContext:
        """A context for a trial rewrite: same names (or ``names``), pins and options; its own record."""
        c = PassContext.__new__(PassContext)
        c.names = self.names if names is None else names
        c.pinned, c.options = self.pinned, self.options
        c.rewrites, c.blocked, c.notes = [], [], []
        return c

    def fired(self, rule: str, *nodes: str, detail: str = "") -> None:
        self.rewrites.append(Rewrite(rule, tuple(nodes), detail))

    def block(self, node: str, reason: str) -> None:
        self.blocked.append(Blocked(node, reason))


def control_pinned(root: Graph) -> frozenset[str]:
    """Nodes that are control inputs or have control inputs: rewrites must keep them as they are."""
    out: set[str] = set()
    for n in root.walk():
        if n.control_inputs:
            out.add(n.name)
            out.update(c.name for c in n.control_inputs)
    return frozenset(out)


def is_stateful(n: Node) -> bool:
    return get_opdef(n.op).has(STATEFUL)


def const_value(v: Value) -> np.ndarray | None:
    """The array of a Const-produced value, else None."""
    n = v.node
    if n is not None and n.op == "Const":
        return n.attrs["value"]  # type: ignore[no-any-return]
    return None


class Writer:
    """Appends nodes to one new graph (``self.g``)."""

    def __init__(self, old: Graph, parent: Graph | None, ctx: PassContext) -> None:
        self.ctx = ctx
        self.old = old
        self.g = Graph(parent=parent, name=old.name)
        self.g.seed = old.seed
        self.by_name: dict[str, Node] = {}
        self.created: set[int] = set()   # ids of nodes made by emit (not copies)

    def param(self, type: TensorType, name: str | None) -> Value:
        return self.g.add_param(type, name or f"param_{len(self.g.params)}")

    def emit(self, op: str, inputs: Sequence[Value], attrs: dict[str, Any], *, like: Node | None = None,
             base: str | None = None, types: Sequence[TensorType] | None = None, keep_name: bool = False
             ) -> Node:
        """A new node named after ``like`` (or ``base``), with ``like``'s source line.

        ``keep_name``: take ``like``'s own name (for a node that replaces ``like`` one for one).
        """
        if types is None:
            try:
                types = get_opdef(op).infer([v.type for v in inputs], attrs)
            except GraphError as e:
                raise PassError(f"a pass built an invalid {op} node: {e.message}",
                                op=op, node=like.name if like else base,
                                fix="this is a bug in graphrnn.passes; run with optimize=False meanwhile") from None
        if keep_name and like is not None and like.name not in self.by_name:
            name = like.name
        else:
            name = self.ctx.names.fresh(base or (f"{like.name}/{op}" if like is not None else op))
        node = Node(op, name, tuple(inputs), attrs, tuple(types), self.g,
                    like.source if like is not None else None)
        self.g.nodes.append(node)
        self.by_name[node.name] = node
        self.created.add(id(node))
        return node

    def const(self, value: np.ndarray, like: Node | None, base: str | None = None, keep_name: bool = False
              ) -> Value:
        from graphrnn.ir import dtypes
        arr = np.array(value, copy=True)
        arr.setflags(write=False)
        t = TensorType(dtypes.as_dtype(arr.dtype), arr.shape)
        return self.emit("Const", (), {"value": arr, "type": t}, like=like,
                         base=base or (f"{like.name}/Const" if like is not None else "Const"),
                         keep_name=keep_name).outputs[0]

    def copy(self, n: Node, inputs: Sequence[Value], attrs: dict[str, Any] | None = None) -> Node:
        """``n`` with new inputs (and attrs); same name, source, control inputs (mapped by name)."""
        attrs = dict(n.attrs) if attrs is None else attrs
        same_in = len(inputs) == len(n.inputs) and all(a.type == b.type for a, b in zip(inputs, n.inputs))
        has_sub = any(isinstance(v, Graph) for v in attrs.values())
        if same_in and not has_sub:
            types: Sequence[TensorType] = [v.type for v in n.outputs]
        else:
            try:
                types = get_opdef(n.op).infer([v.type for v in inputs], attrs)
            except GraphError as e:
                src = f"{n.source[0]}:{n.source[1]}" if n.source else None
                raise PassError(f"a pass changed the inputs of this node so that its shape rule fails: {e.message}",
                                op=n.op, node=n.name, source=src,
                                fix="this is a bug in graphrnn.passes; run with optimize=False meanwhile") from None
        name = n.name if n.name not in self.by_name else self.ctx.names.fresh(n.name)
        missing = [c.name for c in n.control_inputs if c.name not in self.by_name]
        if missing:  # a pass removed or moved a node that another one must run after
            src = f"{n.source[0]}:{n.source[1]}" if n.source else None
            raise PassError(f"control input(s) {missing} of this node are not in the rewritten graph",
                            op=n.op, node=n.name, source=src,
                            fix="this is a bug in graphrnn.passes; run with optimize=False meanwhile")
        control = tuple(self.by_name[c.name] for c in n.control_inputs)
        node = Node(n.op, name, tuple(inputs), attrs, tuple(types), self.g, n.source, control)
        self.g.nodes.append(node)
        self.by_name[name] = node
        return node

    def cleanup(self, old_used: set[str]) -> int:
        """Removes nodes this rewrite made dead (see module docstring); returns how many."""
        pinned, created = self.ctx.pinned, self.created
        return remove_unread(self.g, list(self.g.nodes),
                             lambda n: n.name not in pinned and (id(n) in created or n.name in old_used))


def remove_unread(g: Graph, seeds: Sequence[Node], allowed: Callable[[Node], bool] = lambda n: True) -> int:
    """Removes from ``g`` the ``seeds`` whose outputs nothing reads, then, transitively, what only
    they read; returns how many nodes went. Never removes a stateful node, an end of a control edge,
    or a node that ``allowed`` refuses."""
    uses: dict[int, int] = {}
    ctrl: set[int] = set()
    for n in g.nodes:
        for v in n.inputs:
            uses[id(v)] = uses.get(id(v), 0) + 1
        ctrl.update(id(c) for c in n.control_inputs)
    for r in g.results:
        uses[id(r)] = uses.get(id(r), 0) + 1
    dead: set[int] = set()
    work = list(seeds)
    while work:
        n = work.pop()
        if id(n) in dead or id(n) in ctrl or n.control_inputs or is_stateful(n) or \
                any(uses.get(id(v), 0) for v in n.outputs) or not allowed(n):
            continue
        dead.add(id(n))
        for v in n.inputs:
            uses[id(v)] -= 1
            if uses[id(v)] == 0 and v.node is not None:
                work.append(v.node)
    if dead:
        g.nodes = [n for n in g.nodes if id(n) not in dead]
    return len(dead)


def used_node_names(g: Graph) -> set[str]:
    """Names of nodes of ``g`` (not nested) some output of which is read in ``g``."""
    out = {v.node.name for n in g.nodes for v in n.inputs if v.node is not None}
    out.update(r.node.name for r in g.results if r.node is not None)
    return out


Outputs = Sequence[Value]
Visited = Sequence[Value] | Step[Sequence[Value]]


class Rewriter:
    """Rebuilds a graph and all its subgraphs; subclasses override `visit` (and maybe `begin`).

    A `visit` that rebuilds a node's subgraphs returns a step (a generator) that yields
    ``self.sub_attrs_steps(n, w)`` (or `graph_steps`) and returns the outputs; `run` drives it.
    """

    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.changed = False

    def run(self, g: Graph) -> Graph:
        return run_nested(self.graph_steps(g, None))

    def graph(self, old: Graph, parent: Graph | None, param_types: Sequence[TensorType] | None = None) -> Graph:
        """`graph_steps` run to completion (for a rebuild started outside a step)."""
        return run_nested(self.graph_steps(old, parent, param_types))

    def graph_steps(self, old: Graph, parent: Graph | None, param_types: Sequence[TensorType] | None = None
                    ) -> Step[Graph]:
        """Rebuilds ``old`` under ``parent`` (a step: nested rebuilds are yielded)."""
        w = Writer(old, parent, self.ctx)
        vmap: dict[int, Value] = {}
        for i, p in enumerate(old.params):
            vmap[id(p)] = w.param(param_types[i] if param_types is not None else p.type, p.param_name)
        self.begin(old, w, vmap)
        for n in old.nodes:
            ins = tuple(vmap[id(v)] for v in n.inputs)
            outs = self.visit(n, ins, w)
            if is_step(outs):
                outs = yield outs
            for v, nv in zip(n.outputs, outs):
                vmap[id(v)] = nv
        w.g.results = [vmap[id(r)] for r in old.results]
        self.end(old, w)
        if w.cleanup(used_node_names(old)):
            self.changed = True
        return w.g

    def begin(self, old: Graph, w: Writer, vmap: dict[int, Value]) -> None:
        """Called before the nodes of ``old`` are visited, with params mapped (analyses go here)."""

    def end(self, old: Graph, w: Writer) -> None:
        """Called after the nodes of ``old`` are visited and the results are set."""

    def sub_attrs(self, n: Node, w: Writer) -> dict[str, Any]:
        """``n``'s attrs with each subgraph rebuilt (by this rewriter) under ``w``'s graph."""
        return run_nested(self.sub_attrs_steps(n, w))

    def sub_attrs_steps(self, n: Node, w: Writer) -> Step[dict[str, Any]]:
        """`sub_attrs` as a step (each subgraph's rebuild is yielded)."""
        out: dict[str, Any] = {}
        for k, v in n.attrs.items():
            out[k] = (yield self.graph_steps(v, w.g)) if isinstance(v, Graph) else v
        return out

    def visit(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if not n.subgraphs:
            return w.copy(n, ins).outputs
        return self._copy_with_subgraphs(n, ins, w)

    def _copy_with_subgraphs(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Step[Outputs]:
        attrs = yield self.sub_attrs_steps(n, w)
        return w.copy(n, ins, attrs).outputs
