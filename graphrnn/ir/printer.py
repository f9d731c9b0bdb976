"""The deterministic text form of a graph (``str(graph)``), jaxpr/MLIR-like.

One line per node: typed binders, the op, its attrs, its inputs. While/If bodies are printed
nested and indented under their node. Values are written ``%name`` (``%name:k`` for output k of a
multi-output node); params of subgraphs are ``%param_name``. Golden tests compare this text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from graphrnn.ir.dtypes import DType
from graphrnn.ir.errors import shown
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import TensorType

# Attrs that restate what the binder's type already shows.
_HIDDEN_ATTRS = {"type"}


def _name(s: str) -> str:
    """A name as printed: control characters escaped (a loaded file may hold any string)."""
    return shown(s, limit=None)


def value_ref(v: Value) -> str:
    if v.node is None:
        return f"%{_name(v.param_name or '')}"
    if len(v.node.outputs) == 1:
        return f"%{_name(v.node.name)}"
    return f"%{_name(v.node.name)}:{v.index}"


def format_attr(x: Any) -> str:
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, (int, float, str)):
        return repr(x)
    if isinstance(x, DType):
        return x.name
    if isinstance(x, TensorType):
        return repr(x)
    if isinstance(x, np.ndarray):
        if x.size <= 8:
            body = np.array2string(x, separator=",", threshold=8).replace("\n", "")
            return f"{body}" if x.ndim else repr(x.item())
        return f"<{x.dtype}{list(x.shape)}>"
    if isinstance(x, (tuple, list)):
        return "(" + ",".join(format_attr(e) for e in x) + ("," if len(x) == 1 else "") + ")"
    return repr(x)


def format_node(n: Node) -> str:
    # A node without outputs (NoOp, VarInit) is still named, so it can be found and fetched.
    binders = ", ".join(f"{value_ref(v)}: {v.type!r}" for v in n.outputs) or f"%{_name(n.name)}: ()"
    attrs = [f"{_name(k)}={format_attr(v)}" for k, v in sorted(n.attrs.items())
             if k not in _HIDDEN_ATTRS and not isinstance(v, Graph)]
    head = _name(n.op) + (f"[{', '.join(attrs)}]" if attrs else "")
    args = ", ".join(value_ref(v) for v in n.inputs)
    line = f"{binders} = {head}({args})"
    if n.control_inputs:
        line += " after " + ", ".join(f"%{_name(c.name)}" for c in n.control_inputs)
    return line


def format_graph(g: Graph) -> str:
    """The text form of ``g`` and all nested subgraphs.

    Iterative (an explicit stack), so loops nested hundreds deep print at the default recursion
    limit. A frame is either a graph being printed (its remaining nodes) or the remaining
    subgraphs of the node just printed, which open one after the other below it.
    """
    out: list[str] = []
    graphs: list[tuple[Graph, str, Iterator[Node]]] = []  # (graph, indent, nodes left)
    stack: list[tuple[str, Any]] = []                      # ("graph", index) | ("subs", (indent, iterator))

    def open_graph(sub: Graph, indent: str, title: str) -> None:
        params = ", ".join(f"{value_ref(p)}: {p.type!r}" for p in sub.params)
        out.append(f"{indent}{_name(title)}({params}) {{")
        graphs.append((sub, indent, iter(sub.nodes)))
        stack.append(("graph", len(graphs) - 1))

    open_graph(g, "", "graph")
    while stack:
        kind, frame = stack[-1]
        if kind == "subs":
            indent, subs = frame
            nxt = next(subs, None)
            if nxt is None:
                stack.pop()
            else:
                open_graph(nxt[1], indent, nxt[0])
            continue
        cur, indent, nodes = graphs[frame]
        inner = indent + "  "
        n = next(nodes, None)
        if n is None:
            stack.pop()
            if cur.parent is not None or cur.results:
                out.append(inner + "return " + ", ".join(value_ref(v) for v in cur.results))
            out.append(indent + "}")
            continue
        out.append(inner + format_node(n))
        subs = n.subgraphs
        if subs:
            stack.append(("subs", (inner + "  ", iter(subs.items()))))
    return "\n".join(out)
