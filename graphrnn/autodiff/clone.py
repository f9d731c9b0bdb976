"""Copying subgraph nodes into the graph being built, and dead-node removal for built bodies.

The While and If gradients recompute a body's forward values inside the backward body: they copy
the forward body's nodes (`clone_nodes`) with its params mapped to values available there. Nested
subgraphs are deep-copied (`copy_graph`), so that rewriting a copied inner loop for its own
gradient never touches the user's forward loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graphrnn.ir import builder
from graphrnn.ir.analysis import live_nodes
from graphrnn.ir.graph import Graph, Node, Value


def _attrs_for(node: Node, parent: Graph) -> dict:
    return {k: (copy_graph(v, parent) if isinstance(v, Graph) else v) for k, v in node.attrs.items()}


class _Copying:
    """One subgraph being copied: the nodes left to copy and the map of old values to new ones."""

    __slots__ = ("old", "new", "nodes", "vmap")

    def __init__(self, old: Graph, new: Graph) -> None:
        self.old, self.new = old, new
        self.nodes = iter(old.nodes)
        self.vmap: dict[int, Value] = {id(p): new.add_param(p.type, name=p.param_name or f"param_{p.index}")
                                       for p in old.params}


def copy_graph(sub: Graph, parent: Graph) -> Graph:
    """A deep copy of subgraph ``sub`` whose parent is ``parent`` (params, nodes, results).

    A worklist, not recursion, so nests of any depth copy; the order in which names are handed out
    is that of a recursive pre-order copy (a node, then the subgraphs it owns, then the next node).
    """
    top = Graph(parent=parent, name=sub.name)
    stack = [_Copying(sub, top)]
    while stack:
        c = stack[-1]
        n = next(c.nodes, None)
        if n is None:
            c.new.results = [c.vmap[id(r)] for r in c.old.results]
            stack.pop()
            continue
        name = _copy_name(n.name)
        attrs: dict = {}
        nested: list[_Copying] = []
        for k, v in n.attrs.items():
            if isinstance(v, Graph):
                shell = Graph(parent=c.new, name=v.name)
                attrs[k] = shell
                nested.append(_Copying(v, shell))
            else:
                attrs[k] = v
        nn = Node(n.op, name, tuple(c.vmap[id(v)] for v in n.inputs), attrs, tuple(v.type for v in n.outputs),
                  c.new, n.source)
        c.new.nodes.append(nn)
        for a, b in zip(n.outputs, nn.outputs):
            c.vmap[id(a)] = b
        stack.extend(reversed(nested))  # the first subgraph is copied first
    return top


def _copy_name(name: str) -> str:
    return builder.get_default_graph().build.unique_name(name, scoped=False)


def clone_nodes(nodes: Iterable[Node], vmap: dict[int, Value]) -> None:
    """Re-creates ``nodes`` (in order) in the current build target, reading inputs through ``vmap``
    (ids of original values -> new values) and adding the new outputs to it."""
    target = builder.current_graph()
    for n in nodes:
        ins = [vmap[id(v)] for v in n.inputs]
        new = builder.add_node(n.op, ins, _attrs_for(n, target), name=n.name.rsplit("/", 1)[-1])
        for a, b in zip(n.outputs, new.outputs):
            vmap[id(a)] = b


def replay(node: Node, saved: Sequence[Value], vmap: dict[int, Value], inputs: Sequence[Value] | None = None) -> None:
    """Adds a `Replay` of ``node`` to the current build target: it outputs the ``saved`` values of
    ``node``'s outputs (random draws, stored products) and differentiates like ``node`` (inputs
    read through ``vmap`` unless given as ``inputs``; ``vmap`` gains the new outputs)."""
    attrs = {"orig_op": node.op, "orig_attrs": tuple(sorted(node.attrs.items())), "n_out": len(saved)}
    ins = [vmap[id(v)] for v in node.inputs] if inputs is None else list(inputs)
    new = builder.add_node("Replay", [*ins, *saved], attrs,
                           name=node.name.rsplit("/", 1)[-1])
    vmap.update({id(a): b for a, b in zip(node.outputs, new.outputs)})


def needed_nodes(graph: Graph, outputs: Sequence[Value]) -> list[Node]:
    """The nodes of ``graph`` that ``outputs`` need, in graph order."""
    live = live_nodes(graph, outputs)
    return [n for n in graph.nodes if id(n) in live]


def drop_dead(graph: Graph) -> None:
    """Removes nodes of ``graph`` that its results do not need (after building a body)."""
    keep = live_nodes(graph, graph.results)
    graph.nodes = [n for n in graph.nodes if id(n) in keep]
