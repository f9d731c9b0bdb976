"""The verifier: structural invariants of a graph and all its subgraphs.

Checks (each failure is a `VerifyError` naming the node):
- every input is defined before use in the same graph (a param or an earlier node's output);
  an input from any other graph means a subgraph is not closed;
- node names are unique within a graph; control inputs are earlier nodes of the same graph;
- the op is registered, the node has the input count and attrs its OpDef declares
  (`registry.signature_problem`, shared with the builder and the loader), and its shape rule,
  re-run on the inputs' types, gives the stored types;
- While: cond and body take ``(*carries, *captures)`` with identical param types, the inputs
  refine those types, body results refine the carry types, cond returns one bool scalar;
- Const: the value's dtype and shape are the declared type's;
- If: both branches take the captures' types and return as many values as the node outputs;
- subgraph results are values of that subgraph.
Iterative over nodes, so 100,000-node graphs verify without deep recursion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from graphrnn.ir import dtypes
from graphrnn.ir.errors import GraphError, VerifyError
from graphrnn.ir.graph import Graph, Node
from graphrnn.ir.registry import get_opdef, signature_problem
from graphrnn.ir.types import TensorType


def _fail(n: Node | None, msg: str, fix: str | None = None) -> VerifyError:
    if n is None:
        return VerifyError(msg, fix=fix)
    src = f"{n.source[0]}:{n.source[1]}" if n.source else None
    return VerifyError(msg, op=n.op, node=n.name, source=src, fix=fix)


def const_problem(attrs: Mapping[str, Any]) -> str | None:
    """What is wrong with a Const's ``value`` given its declared ``type`` (dtype and shape), or None."""
    value, t = attrs.get("value"), attrs.get("type")
    if not isinstance(value, np.ndarray) or not isinstance(t, TensorType):
        return None  # the attr kinds are checked by signature_problem
    if value.dtype != t.dtype.np:
        return f"the value is a {value.dtype} array but the Const is declared {t.dtype.name}"
    if not t.has_rank or value.shape != t.shape:
        return f"the value has shape {list(value.shape)} but the Const is declared {t}"
    return None


def _check_while(n: Node) -> None:
    cond, body, k = n.attrs.get("cond"), n.attrs.get("body"), n.attrs.get("n_carry")
    if not isinstance(cond, Graph) or not isinstance(body, Graph) or not isinstance(k, int):
        raise _fail(n, "While needs Graph attrs 'cond', 'body' and an int 'n_carry'")
    if len(cond.params) != len(body.params) or len(n.inputs) != len(body.params):
        raise _fail(n, f"While signature mismatch: {len(n.inputs)} inputs, cond takes {len(cond.params)}, "
                       f"body takes {len(body.params)}")
    for i, (c, b, v) in enumerate(zip(cond.params, body.params, n.inputs)):
        if c.type != b.type:
            raise _fail(n, f"While param {i}: cond has {c.type}, body has {b.type}")
        if not v.type.refines(b.type):
            raise _fail(n, f"While input {i} of type {v.type} does not fit param type {b.type}")
    if len(body.results) != k or len(n.outputs) != k:
        raise _fail(n, f"While carries {k} values but body returns {len(body.results)} and the node has "
                       f"{len(n.outputs)} outputs")
    for i, (r, p) in enumerate(zip(body.results, body.params)):
        if not r.type.refines(p.type):
            raise _fail(n, f"While body result {i} has type {r.type}, the carry is {p.type}")
    if len(cond.results) != 1 or cond.results[0].dtype is not dtypes.bool_ or cond.results[0].type.rank != 0:
        raise _fail(n, "While cond must return exactly one bool scalar")


def _check_if(n: Node) -> None:
    t, e = n.attrs.get("then_branch"), n.attrs.get("else_branch")
    if not isinstance(t, Graph) or not isinstance(e, Graph):
        raise _fail(n, "If needs Graph attrs 'then_branch' and 'else_branch'")
    for br in (t, e):
        if len(br.params) != len(n.inputs) - 1:
            raise _fail(n, f"If branch '{br.name}' takes {len(br.params)} params for {len(n.inputs) - 1} captures")
        for i, (p, v) in enumerate(zip(br.params, n.inputs[1:])):
            if not v.type.refines(p.type):
                raise _fail(n, f"If capture {i} of type {v.type} does not fit param type {p.type}")
        if len(br.results) != len(n.outputs):
            raise _fail(n, f"If branch '{br.name}' returns {len(br.results)} values, node has {len(n.outputs)}")


def verify(graph: Graph) -> None:
    """Raises `VerifyError` on the first broken invariant of ``graph`` or any nested subgraph."""
    work: list[Graph] = [graph]
    while work:
        g = work.pop()
        defined: set[int] = {id(p) for p in g.params}
        names: set[str] = set()
        seen_nodes: set[int] = set()
        for p in g.params:
            if p.graph is not g:
                raise _fail(None, f"param '{p.name}' of graph '{g.name}' belongs to another graph")
        for n in g.nodes:
            if n.graph is not g:
                raise _fail(n, "node is listed in a graph it does not belong to")
            if n.name in names:
                raise _fail(n, f"duplicate node name '{n.name}' in graph '{g.name}'")
            names.add(n.name)
            for i, v in enumerate(n.inputs):
                if id(v) not in defined:
                    if v.graph is not g:
                        raise _fail(n, f"input {i} ('{v.name}') comes from another graph: the subgraph is not "
                                       "closed", fix="pass outer values as explicit captures")
                    raise _fail(n, f"input {i} ('{v.name}') is used before it is defined")
            for c in n.control_inputs:
                if id(c) not in seen_nodes:
                    raise _fail(n, f"control input '{c.name}' is not an earlier node of the same graph")
            try:
                opdef = get_opdef(n.op)
            except GraphError as e:
                raise _fail(n, e.message) from None
            problem = signature_problem(opdef, len(n.inputs), n.attrs)
            if problem is not None:
                raise _fail(n, problem, fix=f"give {n.op} the inputs and attrs its OpDef declares")
            try:
                want = tuple(opdef.infer([v.type for v in n.inputs], n.attrs))
            except GraphError as e:
                raise _fail(n, f"shape rule fails on this node: {e.message}") from None
            except Exception as e:  # a rule fed attrs of a kind it does not expect (a mutated graph)
                raise _fail(n, f"shape rule fails on this node: {type(e).__name__}: {e}") from None
            got = tuple(v.type for v in n.outputs)
            if want != got:
                raise _fail(n, f"stored output types {list(got)} differ from the shape rule's {list(want)}")
            if n.op == "Const":
                problem = const_problem(n.attrs)
                if problem is not None:
                    raise _fail(n, problem, fix="make the declared type the value's dtype and shape")
            if n.op == "While":
                _check_while(n)
            elif n.op == "If":
                _check_if(n)
            for sub in n.subgraphs.values():
                if sub.parent is not g:
                    raise _fail(n, f"subgraph '{sub.name}' does not name this graph as its parent")
                work.append(sub)
            for v in n.outputs:
                defined.add(id(v))
            seen_nodes.add(id(n))
        for i, r in enumerate(g.results):
            if id(r) not in defined:
                raise _fail(None, f"result {i} ('{r.name}') of graph '{g.name}' is not defined in it")
