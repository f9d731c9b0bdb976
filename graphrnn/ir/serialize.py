"""Safe JSON save/load of graphs: no pickle, no eval; every field is validated on load.

Format (version 1)::

    {"format": "graphrnn.graph", "version": 1, "seed": int|null, "graph": G}
    G = {"name": str, "params": [{"name": str, "type": T}], "nodes": [N], "results": [R]}
    N = {"op": str, "name": str, "inputs": [R], "attrs": {str: A}, "outputs": [T],
         "control": [int], "source": [str, int] | null}
    R = ["p", param_index] | ["n", node_index, output_index]       (within the same G)
    T = [dtype_name, [dim|null, ...]]
    A = tagged: {"int": 1} {"float": 1.5} {"str": "x"} {"bool": true} {"none": null}
        {"tuple": [A]} {"dtype": "float32"} {"type": T} {"graph": G}
        {"array": {"dtype": str, "shape": [int], "data": [...]}} {"initializer": {...}}

Loading rebuilds nodes through the op registry, re-runs each shape rule and compares it with the
stored types, then runs the verifier: a hostile or corrupt file raises `SerializationError`.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from graphrnn.ir import dtypes
from graphrnn.ir.errors import GraphError, SerializationError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import get_opdef
from graphrnn.ir.types import TensorType

FORMAT = "graphrnn.graph"
VERSION = 1
MAX_ARRAY_ELEMENTS = 50_000_000


def _enc_type(t: TensorType) -> list[Any]:
    return [t.dtype.name, list(t.shape) if t.has_rank else None]  # null: unknown rank


def _enc_ref(v: Value, node_index: dict[int, int]) -> list[Any]:
    if v.node is None:
        return ["p", v.index]
    return ["n", node_index[id(v.node)], v.index]


def _enc_attr(x: Any) -> dict[str, Any]:
    from graphrnn.ops.initializers import Initializer
    if isinstance(x, bool):
        return {"bool": x}
    if isinstance(x, int):
        return {"int": x}
    if isinstance(x, float):
        return {"float": x if math.isfinite(x) else repr(x)}
    if isinstance(x, str):
        return {"str": x}
    if x is None:
        return {"none": None}
    if isinstance(x, (tuple, list)):
        return {"tuple": [_enc_attr(e) for e in x]}
    if isinstance(x, dtypes.DType):
        return {"dtype": x.name}
    if isinstance(x, TensorType):
        return {"type": _enc_type(x)}
    if isinstance(x, Graph):
        return {"graph": _enc_graph(x)}
    if isinstance(x, np.ndarray):
        return {"array": {"dtype": x.dtype.name, "shape": list(x.shape), "data": x.ravel().tolist()}}
    if isinstance(x, np.generic):
        return _enc_attr(x.item())
    if isinstance(x, Initializer):
        return {"initializer": x.to_json()}
    raise SerializationError(f"cannot serialize attr value {x!r} of type {type(x).__name__}")


def _enc_graph(g: Graph) -> dict[str, Any]:
    node_index = {id(n): i for i, n in enumerate(g.nodes)}
    nodes = []
    for n in g.nodes:
        nodes.append({
            "op": n.op, "name": n.name,
            "inputs": [_enc_ref(v, node_index) for v in n.inputs],
            "attrs": {k: _enc_attr(v) for k, v in n.attrs.items()},
            "outputs": [_enc_type(v.type) for v in n.outputs],
            "control": [node_index[id(c)] for c in n.control_inputs],
            "source": list(n.source) if n.source else None,
        })
    return {"name": g.name, "params": [{"name": p.param_name, "type": _enc_type(p.type)} for p in g.params],
            "nodes": nodes, "results": [_enc_ref(v, node_index) for v in g.results]}


def to_json(graph: Graph, indent: int | None = None) -> str:
    """The graph as a JSON string (subgraphs nested)."""
    return json.dumps({"format": FORMAT, "version": VERSION, "seed": graph.seed, "graph": _enc_graph(graph)},
                      indent=indent, allow_nan=False)


# --- loading --------------------------------------------------------------------------------------

def _bad(msg: str) -> SerializationError:
    return SerializationError(f"malformed graph file: {msg}", fix="load only files written by graphrnn's to_json")


def _expect(cond: bool, msg: str) -> None:
    if not cond:
        raise _bad(msg)


def _dec_type(t: Any) -> TensorType:
    _expect(isinstance(t, list) and len(t) == 2 and isinstance(t[0], str) and (isinstance(t[1], list) or t[1] is None),
            f"bad type {t!r}")
    for d in t[1] or ():
        _expect(d is None or (isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**40), f"bad dim {d!r}")
    try:
        return TensorType(dtypes.as_dtype(t[0]), None if t[1] is None else tuple(t[1]))
    except GraphError:
        raise _bad(f"unknown dtype {t[0]!r}") from None


def _dec_attr(a: Any, parent: Graph) -> Any:
    from graphrnn.ops.initializers import initializer_from_json
    _expect(isinstance(a, dict) and len(a) == 1, f"bad attr {a!r}")
    (tag, x), = a.items()
    if tag == "bool":
        _expect(isinstance(x, bool), "bad bool")
        return x
    if tag == "int":
        _expect(isinstance(x, int) and not isinstance(x, bool), "bad int")
        return x
    if tag == "float":
        if isinstance(x, str):
            _expect(x in ("inf", "-inf", "nan"), "bad float")
            return float(x)
        _expect(isinstance(x, (int, float)) and not isinstance(x, bool), "bad float")
        return float(x)
    if tag == "str":
        _expect(isinstance(x, str), "bad str")
        return x
    if tag == "none":
        return None
    if tag == "tuple":
        _expect(isinstance(x, list), "bad tuple")
        return tuple(_dec_attr(e, parent) for e in x)
    if tag == "dtype":
        _expect(isinstance(x, str), "bad dtype")
        try:
            return dtypes.as_dtype(x)
        except GraphError:
            raise _bad(f"unknown dtype {x!r}") from None
    if tag == "type":
        return _dec_type(x)
    if tag == "graph":
        return _dec_graph(x, parent)
    if tag == "array":
        _expect(isinstance(x, dict) and set(x) == {"dtype", "shape", "data"}, "bad array")
        shape = x["shape"]
        _expect(isinstance(shape, list) and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                for d in shape), "bad array shape")
        size = math.prod(shape)
        _expect(size <= MAX_ARRAY_ELEMENTS, "array too large")
        _expect(isinstance(x["data"], list) and len(x["data"]) == size, "array data does not match its shape")
        try:
            dt = dtypes.as_dtype(x["dtype"])
            _expect(all(isinstance(e, (int, float, bool)) for e in x["data"]), "array data must be numbers")
            arr = np.array(x["data"], dtype=dt.np).reshape(shape)
        except (GraphError, ValueError, TypeError, OverflowError):
            raise _bad("bad array data") from None
        arr.setflags(write=False)
        return arr
    if tag == "initializer":
        _expect(isinstance(x, dict) and isinstance(x.get("kind"), str), "bad initializer")
        try:
            return initializer_from_json(x)
        except (KeyError, TypeError, ValueError, GraphError):
            raise _bad(f"bad initializer {x!r}") from None
    raise _bad(f"unknown attr tag {tag!r}")


def _dec_graph(d: Any, parent: Graph | None) -> Graph:
    _expect(isinstance(d, dict) and {"name", "params", "nodes", "results"} <= set(d), "bad graph object")
    _expect(isinstance(d["name"], str), "bad graph name")
    g = Graph(parent=parent, name=d["name"])
    _expect(isinstance(d["params"], list), "bad params")
    for p in d["params"]:
        _expect(isinstance(p, dict) and isinstance(p.get("name"), str), "bad param")
        g.add_param(_dec_type(p.get("type")), p["name"])
    _expect(isinstance(d["nodes"], list), "bad nodes")

    def ref(r: Any) -> Value:
        _expect(isinstance(r, list) and len(r) in (2, 3) and r[0] in ("p", "n"), f"bad value reference {r!r}")
        if r[0] == "p":
            _expect(len(r) == 2 and isinstance(r[1], int) and 0 <= r[1] < len(g.params), f"bad param ref {r!r}")
            return g.params[r[1]]
        _expect(len(r) == 3 and all(isinstance(e, int) for e in r[1:]) and 0 <= r[1] < len(g.nodes),
                f"reference {r!r} to an undefined node (must refer to an earlier node)")
        n = g.nodes[r[1]]
        _expect(0 <= r[2] < len(n.outputs), f"bad output index in {r!r}")
        return n.outputs[r[2]]

    for nd in d["nodes"]:
        _expect(isinstance(nd, dict) and isinstance(nd.get("op"), str) and isinstance(nd.get("name"), str),
                "bad node")
        try:
            opdef = get_opdef(nd["op"])
        except GraphError:
            raise SerializationError(f"unknown op {nd['op']!r} in node '{nd['name']}'",
                                     fix="load the file with the graphrnn version that wrote it") from None
        _expect(isinstance(nd.get("inputs"), list) and isinstance(nd.get("attrs"), dict)
                and isinstance(nd.get("outputs"), list), f"bad node '{nd['name']}'")
        inputs = tuple(ref(r) for r in nd["inputs"])
        attrs = {k: _dec_attr(v, g) for k, v in nd["attrs"].items() if isinstance(k, str)}
        out_types = [_dec_type(t) for t in nd["outputs"]]
        try:
            want = list(opdef.infer([v.type for v in inputs], attrs))
        except GraphError as e:
            raise SerializationError(f"node '{nd['name']}' ({nd['op']}) is inconsistent: {e.message}") from None
        except Exception as e:  # a shape rule fed hostile attrs (wrong types)
            raise SerializationError(f"node '{nd['name']}' ({nd['op']}) has invalid attrs: {e}") from None
        _expect(want == out_types, f"node '{nd['name']}' stores types {out_types}, its op gives {want}")
        control = nd.get("control", [])
        _expect(isinstance(control, list) and all(isinstance(c, int) and 0 <= c < len(g.nodes) for c in control),
                "bad control inputs")
        src = nd.get("source")
        source = (src[0], src[1]) if isinstance(src, list) and len(src) == 2 and isinstance(src[0], str) \
            and isinstance(src[1], int) else None
        node = Node(nd["op"], nd["name"], inputs, attrs, tuple(out_types), g, source,
                    tuple(g.nodes[c] for c in control))
        g.nodes.append(node)
    _expect(isinstance(d["results"], list), "bad results")
    g.results = [ref(r) for r in d["results"]]
    return g


def from_json(text: str | bytes) -> Graph:
    """Loads a graph written by `to_json`; raises `SerializationError` on anything malformed."""
    from graphrnn.ir.verify import verify
    from graphrnn.ops.state import Variable
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise SerializationError(f"not valid JSON: {str(e)[:200]}") from None
    _expect(isinstance(doc, dict) and doc.get("format") == FORMAT, "not a graphrnn graph file")
    if doc.get("version") != VERSION:
        raise SerializationError(f"unsupported graph file version {doc.get('version')!r} (this is {VERSION})")
    try:
        g = _dec_graph(doc.get("graph"), None)
    except RecursionError:
        raise _bad("nesting too deep") from None
    seed = doc.get("seed")
    g.seed = seed if isinstance(seed, int) else None
    try:
        verify(g)
    except GraphError as e:
        raise SerializationError(f"the loaded graph is invalid: {e.message}") from None
    b = g.build
    for n in g.walk():
        b.reserve(n.name)
    for n in g.nodes:
        if n.op == "VariableV2":
            Variable._adopt(n)
    return g


def save(graph: Graph, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_json(graph))


def load(path: str) -> Graph:
    with open(path, encoding="utf-8") as f:
        return from_json(f.read())
