"""networkx export: `to_networkx(graph, nested=True) -> networkx.DiGraph`, and the analyses benchmarks use.

Node keys: a top-level node's name; a node of a subgraph is ``<owner key>/<subgraph>::<name>``, e.g.
``rnn/while/body::rnn/while/MatMul`` (and deeper loops nest: ``a/body::b/body::b/Add``), so keys
are unique even when a body repeats an outer name. Attributes: ``op``, ``name``, ``shape`` (of output
0, or None), ``dtype`` (name, or None), ``types`` (every output's ``f32[?,4]``), ``family``, ``depth``,
``parent`` (the owner's key or None), ``n_outputs``.

Edges (one per producer/consumer pair; ``count`` says how many inputs it stands for):
- ``kind="data"``: an input read from a node of the same graph;
- ``kind="capture"``: a body node reading a captured outer value, drawn from the outer producer;
- ``kind="enter"``: a body node reading a carry param, drawn from the owning While/If (the loop's entry);
- ``kind="control"``: a control dependency.
Loop-carried values are not edges (body result -> next iteration would close a cycle), so the result
is always a DAG, and ``number_of_nodes() == graph.node_count(nested)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # networkx is imported when used: it costs ~150 ms, `import graphrnn` should not
    import networkx as nx

from graphrnn.export.labels import op_family
from graphrnn.ir.graph import Graph, Node, Value


def _add_level(G: nx.DiGraph, g: Graph, prefix: str, owner: str | None, depth: int,
               keys: dict[int, str], params: dict[int, tuple[str | None, str]], nested: bool) -> None:
    """Adds ``g``'s nodes; ``params`` maps each param of ``g`` to the node it stands for and the edge kind."""
    def key_of(n: Node) -> str:
        return f"{prefix}::{n.name}" if prefix else n.name

    def link(src: str, dst: str, kind: str) -> None:
        if G.has_edge(src, dst):
            G.edges[src, dst]["count"] += 1
        else:
            G.add_edge(src, dst, kind=kind, count=1)

    def source(v: Value) -> tuple[str | None, str]:
        if v.node is not None:
            return keys[id(v.node)], "data"
        return params.get(id(v), (None, "data"))  # a top-level param: nothing produces it

    for n in g.nodes:
        k = key_of(n)
        keys[id(n)] = k
        out0 = n.outputs[0].type if n.outputs else None
        G.add_node(k, op=n.op, name=n.name, family=op_family(n.op), depth=depth,
                   parent=owner, n_outputs=len(n.outputs),
                   shape=tuple(out0.shape) if out0 is not None and out0.has_rank else None,  # None: unknown rank
                   dtype=out0.dtype.name if out0 is not None else None,
                   types=tuple(repr(o.type) for o in n.outputs))
        for v in n.inputs:
            src, kind = source(v)
            if src is not None:
                link(src, k, kind)
        for c in n.control_inputs:
            link(keys[id(c)], k, "control")
        if nested:
            for sub_key, sub in n.subgraphs.items():
                _add_level(G, sub, f"{k}/{sub_key}", k, depth + 1, keys, _param_sources(n, sub, k, source),
                           nested)


def _param_sources(n: Node, sub: Graph, key: str, source: Any) -> dict[int, tuple[str | None, str]]:
    """Carry params come from the While itself ("enter"); capture params from the outer producer."""
    n_lead = n.attrs.get("n_carry", 0) if n.op == "While" else 0
    first_input = 0 if n.op == "While" else 1  # If's input 0 is the predicate, not a param
    out: dict[int, tuple[str | None, str]] = {}
    for i, p in enumerate(sub.params):
        if i < n_lead:
            out[id(p)] = (key, "enter")
            continue
        src, _ = source(n.inputs[first_input + i])
        out[id(p)] = (src, "capture") if src is not None else (key, "enter")
    return out


def to_networkx(graph: Graph, nested: bool = True) -> nx.DiGraph:
    """The graph as a `networkx.DiGraph` (see the module docstring for keys, attributes and edges).

    With ``nested=False`` only top-level nodes are included (a While is one node).
    """
    import networkx as nx

    G = nx.DiGraph(name=graph.name)
    _add_level(G, graph, "", None, 0, {}, {}, nested)
    return G


def critical_path_length(G: nx.DiGraph) -> int:
    """Nodes on the longest dependency chain (0 for an empty graph): the graph's sequential depth."""
    if G.number_of_nodes() == 0:
        return 0
    import networkx as nx

    return int(nx.dag_longest_path_length(G)) + 1


def max_fan_out(G: nx.DiGraph) -> tuple[str | None, int]:
    """The node with the most distinct consumers, and that number (``(None, 0)`` when edgeless)."""
    best: tuple[str | None, int] = (None, 0)
    for n, d in G.out_degree():
        if d > best[1]:
            best = (n, d)
    return best


def summary(G: nx.DiGraph) -> dict[str, Any]:
    """Node/edge counts, critical path, max fan-out and op histogram: the figures benchmarks report."""
    ops: dict[str, int] = {}
    for _, op in G.nodes(data="op"):
        ops[op] = ops.get(op, 0) + 1
    node, fan = max_fan_out(G)
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "critical_path": critical_path_length(G), "max_fan_out": fan, "max_fan_out_node": node,
            "ops": dict(sorted(ops.items()))}
