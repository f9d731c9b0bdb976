"""Safe JSON save/load of graphs: no pickle, no eval; every field is validated on load.

Format (version 2)::

    {"format": "graphrnn.graph", "version": 2, "seed": int|null, "graph": G, "subgraphs": [G, ...]}
    G = {"name": str, "params": [{"name": str, "type": T}], "nodes": [N], "results": [R]}
    N = {"op": str, "name": str, "inputs": [R], "attrs": {str: A}, "outputs": [T],
         "control": [int], "source": [str, int] | null, "device": str}   (device only when set)
    R = ["p", param_index] | ["n", node_index, output_index]       (within the same G)
    T = [dtype_name, [dim|null, ...] | null]                        (null: unknown rank)
    A = tagged: {"int": 1} {"float": 1.5} {"str": "x"} {"bool": true} {"none": null}
        {"tuple": [A]} {"dtype": "float32"} {"type": T} {"graph": k}
        {"array": {"dtype": str, "shape": [int], "data": [...]}} {"initializer": {...}}

Subgraphs (While/If bodies) are not nested in their owner: they sit in the flat ``subgraphs``
list, children before parents, and a graph attr holds an index into it. A subgraph may only be
referred to by a graph that comes after it (the root comes last), and by exactly one attr, so the
file describes a tree and the JSON nesting depth stays constant however deep the loops nest (a
nested form hits Python's recursion limit at a few hundred levels). Non-finite floats in arrays
are the strings "nan", "inf", "-inf". Version 1 files (subgraphs nested as ``{"graph": G}``)
still load.

Loading trusts nothing: it decodes UTF-8 strictly, rebuilds nodes through the op registry, checks
each node's input count and attrs against its `OpDef` (`registry.signature_problem`, the check the
builder and the verifier use), a Const's value against its declared type, re-runs each shape rule
and compares it with the stored types, then runs the verifier. Anything malformed is a
`SerializationError` naming the node (or graph) and the field. Work is linear in the file size,
and no walk recurses per level of nesting.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from graphrnn.io.atomic import write_text
from graphrnn.ir import dtypes
from graphrnn.ir.errors import GraphError, SerializationError, shown
from graphrnn.ir.gc_pause import pausing_gc
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import get_opdef, signature_problem
from graphrnn.ir.types import TensorType

FORMAT = "graphrnn.graph"
VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_ARRAY_ELEMENTS = 50_000_000
MAX_RANK = 64                 # dims of a type or array (TF1's own limit is 254; no real graph nears 64)
MAX_ATTR_DEPTH = 32           # tuples nested in tuples in one attr
MAX_GRAPH_DEPTH = 10_000      # subgraphs nested in subgraphs (loops in loops)

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_DOC_KEYS = {"format", "version", "seed", "graph"}
_GRAPH_KEYS = {"name", "params", "nodes", "results"}
_NODE_KEYS = {"op", "name", "inputs", "attrs", "outputs", "control", "source"}
_OPTIONAL_NODE_KEYS = {"device"}


# --- saving ---------------------------------------------------------------------------------------

def _enc_type(t: TensorType) -> list[Any]:
    return [t.dtype.name, list(t.shape) if t.has_rank else None]  # null: unknown rank


def _enc_ref(v: Value, node_index: dict[int, int]) -> list[Any]:
    if v.node is None:
        return ["p", v.index]
    return ["n", node_index[id(v.node)], v.index]


def _enc_array(x: np.ndarray) -> dict[str, Any]:
    try:
        dtypes.as_dtype(x.dtype)
    except GraphError:
        raise SerializationError(f"cannot serialize an array of NumPy dtype {x.dtype}") from None
    if x.dtype == np.object_:
        raise SerializationError("cannot serialize an array of strings (dtype object)")
    data = x.ravel().tolist()
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        data = [e if math.isfinite(e) else repr(e) for e in data]  # JSON has no NaN/Infinity
    return {"array": {"dtype": x.dtype.name, "shape": list(x.shape), "data": data}}


class _Encoder:
    """Encodes a graph and its subgraphs (flattened into one list) without recursing per level."""

    def __init__(self) -> None:
        self.subgraphs: list[dict[str, Any] | None] = []
        self.refs: list[dict[str, Any]] = []   # every {"graph": k} written, renumbered at the end
        self.pending: list[tuple[Graph, int]] = []

    def attr(self, x: Any, depth: int = 0) -> dict[str, Any]:
        from graphrnn.ops.initializers import Initializer
        if depth > MAX_ATTR_DEPTH:
            raise SerializationError(f"attr value nested deeper than {MAX_ATTR_DEPTH} tuples")
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
            return {"tuple": [self.attr(e, depth + 1) for e in x]}
        if isinstance(x, dtypes.DType):
            return {"dtype": x.name}
        if isinstance(x, TensorType):
            return {"type": _enc_type(x)}
        if isinstance(x, Graph):
            # Reserve the slot now, encode later (from the work list): no recursion per level.
            ref = {"graph": len(self.subgraphs)}
            self.subgraphs.append(None)
            self.pending.append((x, ref["graph"]))
            self.refs.append(ref)
            return ref
        if isinstance(x, np.ndarray):
            return _enc_array(x)
        if isinstance(x, np.generic):
            return self.attr(x.item(), depth)
        if isinstance(x, Initializer):
            return {"initializer": x.to_json()}
        raise SerializationError(f"cannot serialize attr value {shown(repr(x))} of type {type(x).__name__}")

    def graph(self, g: Graph) -> dict[str, Any]:
        node_index = {id(n): i for i, n in enumerate(g.nodes)}
        nodes = []
        for n in g.nodes:
            attrs = {}
            for k, v in n.attrs.items():
                try:
                    attrs[k] = self.attr(v)
                except SerializationError as e:
                    raise SerializationError(f"attr '{shown(k)}': {e.message}", op=n.op, node=n.name,
                                             fix="attrs must be numbers, strings, tuples, dtypes, types, "
                                                 "arrays, initializers or subgraphs") from None
            nd = {
                "op": n.op, "name": n.name,
                "inputs": [_enc_ref(v, node_index) for v in n.inputs],
                "attrs": attrs,
                "outputs": [_enc_type(v.type) for v in n.outputs],
                "control": [node_index[id(c)] for c in n.control_inputs],
                "source": list(n.source) if n.source else None,
            }
            if n.device:  # TF1's requested device: recorded, never used to run
                nd["device"] = n.device
            nodes.append(nd)
        return {"name": g.name, "params": [{"name": p.param_name, "type": _enc_type(p.type)} for p in g.params],
                "nodes": nodes, "results": [_enc_ref(v, node_index) for v in g.results]}

    def document(self, root: Graph) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        top = self.graph(root)
        while self.pending:
            sub, k = self.pending.pop()
            self.subgraphs[k] = self.graph(sub)
        # Slots were reserved parents-first; reverse so every subgraph precedes its owner.
        last = len(self.subgraphs) - 1
        for ref in self.refs:
            ref["graph"] = last - ref["graph"]
        subs = [s for s in reversed(self.subgraphs) if s is not None]
        return top, subs


@pausing_gc  # many small objects, no cyclic garbage: the collector would rescan them again and again
def to_json(graph: Graph, indent: int | None = None) -> str:
    """The graph as a JSON string (format version 2: subgraphs in a flat list)."""
    top, subs = _Encoder().document(graph)
    try:
        return json.dumps({"format": FORMAT, "version": VERSION, "seed": graph.seed, "graph": top,
                           "subgraphs": subs}, indent=indent, allow_nan=False)
    except (ValueError, TypeError) as e:  # a value json cannot write (should not happen: checked above)
        raise SerializationError(f"cannot write the graph as JSON: {shown(str(e))}") from None


def save(graph: Graph, path: str) -> None:
    """Writes ``graph`` to ``path`` atomically: on any failure the previous file is untouched."""
    write_text(path, to_json(graph))


# --- loading --------------------------------------------------------------------------------------

_FIX = "load only files written by graphrnn's save/to_json, unmodified"


def _bad(msg: str, *, op: str | None = None, node: str | None = None) -> SerializationError:
    return SerializationError(f"malformed graph file: {msg}", op=None if op is None else shown(op),
                              node=None if node is None else shown(node), fix=_FIX)


class _Bad(Exception):
    """A field is malformed; the node decoder adds which node (internal: never escapes this module)."""

    def __init__(self, field: str, msg: str) -> None:
        super().__init__(f"{field}: {msg}")
        self.field = field
        self.msg = msg


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _dec_type(t: Any, field: str = "type") -> TensorType:
    if not (isinstance(t, list) and len(t) == 2 and isinstance(t[0], str) and (isinstance(t[1], list) or t[1] is None)):
        raise _Bad(field, f"a type is [dtype, [dims] or null], got {shown(_short(t))}")
    dims = t[1] or ()
    if len(dims) > MAX_RANK:
        raise _Bad(field, f"rank {len(dims)} is above the limit {MAX_RANK}")
    for d in dims:
        if not (d is None or (_is_int(d) and 0 <= d < 2**40)):
            raise _Bad(field, f"bad dim {shown(_short(d))}")
    try:
        return TensorType(dtypes.as_dtype(t[0]), None if t[1] is None else tuple(t[1]))
    except GraphError:
        raise _Bad(field, f"unknown dtype {shown(t[0])!r}") from None


def _short(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 80 else r[:77] + "..."


def _dec_array(x: Any, field: str) -> np.ndarray:
    if not (isinstance(x, dict) and set(x) == {"dtype", "shape", "data"}):
        raise _Bad(field, "an array is {dtype, shape, data}")
    shape, data = x["shape"], x["data"]
    if not (isinstance(shape, list) and len(shape) <= MAX_RANK and all(_is_int(d) and d >= 0 for d in shape)):
        raise _Bad(field, f"bad array shape {shown(_short(shape))}")
    size = math.prod(shape)
    if size > MAX_ARRAY_ELEMENTS:
        raise _Bad(field, f"array of {size} elements is too large (limit {MAX_ARRAY_ELEMENTS})")
    if not isinstance(data, list) or len(data) != size:
        raise _Bad(field, f"array data does not match its shape {shape}")
    if not isinstance(x["dtype"], str):
        raise _Bad(field, "array dtype must be a string")
    try:
        dt = dtypes.as_dtype(x["dtype"])
    except GraphError:
        raise _Bad(field, f"unknown array dtype {shown(x['dtype'])!r}") from None
    kinds = {type(e) for e in data}
    if dt.is_floating:
        if str in kinds:  # non-finite values are written as strings
            if any(isinstance(e, str) and e not in _NON_FINITE for e in data):
                raise _Bad(field, "a float array holds a string other than 'nan', 'inf', '-inf'")
            data = [_NON_FINITE[e] if isinstance(e, str) else e for e in data]
            kinds.discard(str)
            kinds.add(float)
        ok = kinds <= {int, float}
    elif dt is dtypes.bool_:
        ok = kinds <= {bool}
    elif dt.np is np.object_:
        ok = False
    else:
        ok = kinds <= {int}
    if not ok:
        names = sorted(k.__name__ for k in kinds)
        raise _Bad(field, f"a {dt.name} array holds {', '.join(names)} values")
    try:
        with np.errstate(over="raise", invalid="raise"):
            if dt.is_integer:
                info = np.iinfo(dt.np)
                if data and (min(data) < info.min or max(data) > info.max):
                    raise _Bad(field, f"a value is out of the range of {dt.name}")
            arr = np.array(data, dtype=dt.np).reshape(shape)
    except (ValueError, TypeError, OverflowError, FloatingPointError):
        raise _Bad(field, f"array data cannot be a {dt.name} array") from None
    arr.setflags(write=False)
    return arr


def _dec_initializer(x: Any, field: str) -> Any:
    from graphrnn.ops.initializers import INITIALIZER_KINDS, initializer_from_json
    if not (isinstance(x, dict) and isinstance(x.get("kind"), str) and x["kind"] in INITIALIZER_KINDS):
        raise _Bad(field, f"unknown initializer {shown(_short(x))}")
    for k, v in x.items():
        if k == "kind":
            continue
        if not isinstance(k, str) or not (v is None or isinstance(v, (int, float, str))
                                          or (isinstance(v, list) and all(isinstance(e, (int, float)) for e in v))):
            raise _Bad(field, f"initializer field {shown(_short(k))} holds {shown(_short(v))}")
    try:
        return initializer_from_json(x)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, GraphError):
        raise _Bad(field, f"bad initializer {shown(_short(x))}") from None


class _Decoder:
    """Decodes the flat subgraph list, then the root; subgraphs are claimed by exactly one attr."""

    def __init__(self) -> None:
        self.subgraphs: list[Graph] = []
        self.depth: list[int] = []             # nesting depth of each decoded subgraph
        self.claimed: list[bool] = []

    def attr(self, a: Any, owner: Graph, field: str, depth: int, children: list[int]) -> Any:
        if depth > MAX_ATTR_DEPTH:
            raise _Bad(field, f"nested deeper than {MAX_ATTR_DEPTH} tuples")
        if not (isinstance(a, dict) and len(a) == 1):
            raise _Bad(field, f"an attr is a one-key object like {{\"int\": 1}}, got {shown(_short(a))}")
        (tag, x), = a.items()
        if tag == "bool":
            if not isinstance(x, bool):
                raise _Bad(field, "bad bool")
            return x
        if tag == "int":
            if not _is_int(x):
                raise _Bad(field, "bad int")
            return x
        if tag == "float":
            if isinstance(x, str):
                if x not in _NON_FINITE:
                    raise _Bad(field, "bad float")
                return _NON_FINITE[x]
            if not (isinstance(x, (int, float)) and not isinstance(x, bool)):
                raise _Bad(field, "bad float")
            return float(x)
        if tag == "str":
            if not isinstance(x, str):
                raise _Bad(field, "bad str")
            return x
        if tag == "none":
            if x is not None:
                raise _Bad(field, "bad none")
            return None
        if tag == "tuple":
            if not isinstance(x, list):
                raise _Bad(field, "bad tuple")
            return tuple(self.attr(e, owner, f"{field}[{i}]", depth + 1, children) for i, e in enumerate(x))
        if tag == "dtype":
            if not isinstance(x, str):
                raise _Bad(field, "bad dtype")
            try:
                return dtypes.as_dtype(x)
            except GraphError:
                raise _Bad(field, f"unknown dtype {shown(x)!r}") from None
        if tag == "type":
            return _dec_type(x, field)
        if tag == "graph":
            return self.subgraph(x, owner, field, children)
        if tag == "array":
            return _dec_array(x, field)
        if tag == "initializer":
            return _dec_initializer(x, field)
        raise _Bad(field, f"unknown attr tag {shown(tag)!r}")

    def subgraph(self, x: Any, owner: Graph, field: str, children: list[int]) -> Graph:
        if not _is_int(x) or not 0 <= x < len(self.subgraphs):
            raise _Bad(field, f"subgraph reference {shown(_short(x))} is not an earlier entry of 'subgraphs'")
        if self.claimed[x]:
            raise _Bad(field, f"subgraph {x} is already the body of another node")
        self.claimed[x] = True
        sub = self.subgraphs[x]
        sub.parent = owner
        children.append(x)
        return sub

    def graph(self, d: Any, where: str) -> tuple[Graph, int]:
        """Decodes one graph object; returns it and its nesting depth."""
        if not (isinstance(d, dict) and set(d) == _GRAPH_KEYS):
            raise _bad(f"{where} is not an object with keys {sorted(_GRAPH_KEYS)}")
        if not isinstance(d["name"], str):
            raise _bad(f"{where}: field 'name' is not a string")
        g = Graph(parent=None, name=d["name"])
        gname = f"{where} '{shown(d['name'])}'"
        if not isinstance(d["params"], list):
            raise _bad(f"{gname}: field 'params' is not a list")
        for i, p in enumerate(d["params"]):
            if not (isinstance(p, dict) and set(p) == {"name", "type"} and isinstance(p["name"], str)):
                raise _bad(f"{gname}: params[{i}] is not {{name: str, type: T}}")
            try:
                g.add_param(_dec_type(p["type"]), p["name"])
            except _Bad as e:
                raise _bad(f"{gname}: params[{i}].{e}") from None
        if not isinstance(d["nodes"], list):
            raise _bad(f"{gname}: field 'nodes' is not a list")
        children: list[int] = []
        for i, nd in enumerate(d["nodes"]):
            self.node(g, i, nd, gname, children)
        if not isinstance(d["results"], list):
            raise _bad(f"{gname}: field 'results' is not a list")
        try:
            g.results = [_ref(g, r, f"results[{i}]") for i, r in enumerate(d["results"])]
        except _Bad as e:
            raise _bad(f"{gname}: {e}") from None
        depth = 1 + max((self.depth[c] for c in children), default=0)
        if depth > MAX_GRAPH_DEPTH:
            raise _bad(f"{gname}: subgraphs nest deeper than {MAX_GRAPH_DEPTH} levels")
        return g, depth

    def node(self, g: Graph, i: int, nd: Any, gname: str, children: list[int]) -> None:
        if not (isinstance(nd, dict) and isinstance(nd.get("op"), str) and isinstance(nd.get("name"), str)):
            raise _bad(f"{gname}: nodes[{i}] is not an object with string fields 'op' and 'name'")
        op, name = nd["op"], nd["name"]
        if not _NODE_KEYS <= set(nd) <= _NODE_KEYS | _OPTIONAL_NODE_KEYS:
            extra = sorted(set(nd) - _NODE_KEYS - _OPTIONAL_NODE_KEYS)
            missing = sorted(_NODE_KEYS - set(nd))
            raise _bad(f"nodes[{i}] has unknown fields {[shown(k) for k in extra]}" if extra else
                       f"nodes[{i}] lacks fields {missing}", op=op, node=name)
        try:
            opdef = get_opdef(op)
        except GraphError:
            raise SerializationError(f"unknown op {shown(op)!r} in node '{shown(name)}'",
                                     fix="load the file with the graphrnn version that wrote it") from None
        try:
            for key in ("inputs", "outputs", "control"):
                if not isinstance(nd[key], list):
                    raise _Bad(key, "is not a list")
            if not isinstance(nd["attrs"], dict):
                raise _Bad("attrs", "is not an object")
            inputs = tuple(_ref(g, r, f"inputs[{j}]") for j, r in enumerate(nd["inputs"]))
            attrs = {k: self.attr(v, g, f"attrs['{shown(k)}']", 0, children) for k, v in nd["attrs"].items()}
            out_types = [_dec_type(t, f"outputs[{j}]") for j, t in enumerate(nd["outputs"])]
            control = []
            for j, c in enumerate(nd["control"]):
                if not (_is_int(c) and 0 <= c < len(g.nodes)):
                    raise _Bad(f"control[{j}]", f"{shown(_short(c))} is not the index of an earlier node "
                                                "(control edges may not form cycles)")
                control.append(g.nodes[c])
            source = _dec_source(nd["source"])
            device = nd.get("device", "")
            if not isinstance(device, str):
                raise _Bad("device", "is not a string")
        except _Bad as e:
            raise _bad(f"field {e.field}: {e.msg}", op=op, node=name) from None
        problem = signature_problem(opdef, len(inputs), attrs, refuse_unknown=True)
        if problem is not None:
            raise _bad(problem, op=op, node=name)
        if op == "Const":
            from graphrnn.ir.verify import const_problem
            problem = const_problem(attrs)
            if problem is not None:
                raise _bad(f"field attrs['value']: {problem}", op=op, node=name)
        try:
            want = list(opdef.infer([v.type for v in inputs], attrs))
        except GraphError as e:
            raise _bad(f"the node is inconsistent: {e.message}", op=op, node=name) from None
        except Exception as e:  # a shape rule fed hostile attrs (values its kind check let through)
            raise _bad(f"invalid attrs: {type(e).__name__}: {shown(str(e))}", op=op, node=name) from None
        if want != out_types:
            raise _bad(f"field outputs: stores types {out_types}, its op gives {want}", op=op, node=name)
        node = Node(op, name, inputs, attrs, tuple(out_types), g, source, tuple(control))
        node.device = device
        g.nodes.append(node)

    def document(self, doc: dict[str, Any]) -> Graph:
        subs = doc.get("subgraphs", [])
        if not isinstance(subs, list):
            raise _bad("field 'subgraphs' is not a list")
        for k, d in enumerate(subs):
            self.claimed.append(False)
            g, depth = self.graph(d, f"subgraphs[{k}]")
            self.subgraphs.append(g)
            self.depth.append(depth)
        root, _ = self.graph(doc["graph"], "graph")
        for k, taken in enumerate(self.claimed):
            if not taken:
                raise _bad(f"subgraphs[{k}] '{shown(self.subgraphs[k].name)}' is not the body of any node")
        return root


def _ref(g: Graph, r: Any, field: str) -> Value:
    """The value a reference names; only params and earlier nodes exist yet, so no cycle can form."""
    if isinstance(r, list) and len(r) == 2 and r[0] == "p":
        if not (_is_int(r[1]) and 0 <= r[1] < len(g.params)):
            raise _Bad(field, f"{shown(_short(r))} names no param of graph '{shown(g.name)}'")
        return g.params[r[1]]
    if isinstance(r, list) and len(r) == 3 and r[0] == "n":
        if not (_is_int(r[1]) and 0 <= r[1] < len(g.nodes)):
            raise _Bad(field, f"reference {shown(_short(r))} to an undefined node (must refer to an earlier "
                              "node of the same graph)")
        n = g.nodes[r[1]]
        if not (_is_int(r[2]) and 0 <= r[2] < len(n.outputs)):
            raise _Bad(field, f"{shown(_short(r))}: node '{shown(n.name)}' has {len(n.outputs)} outputs")
        return n.outputs[r[2]]
    raise _Bad(field, f"bad value reference {shown(_short(r))}")


def _dec_source(src: Any) -> tuple[str, int] | None:
    if src is None:
        return None
    if not (isinstance(src, list) and len(src) == 2 and isinstance(src[0], str) and _is_int(src[1])
            and src[1] >= 0):
        raise _Bad("source", f"{shown(_short(src))} is not [file name, line number] or null")
    return (src[0], src[1])


def _flatten_v1(doc: dict[str, Any]) -> None:
    """Rewrites a version-1 document (subgraphs nested in attrs) into the version-2 layout in place.

    Iterative; subgraphs are listed children first, as version 2 requires.
    """
    subgraphs: list[Any] = []
    # (graph object, expanded?) — a graph is emitted after all graphs nested in its attrs.
    stack: list[tuple[Any, bool, dict[str, Any] | None]] = [(doc.get("graph"), False, None)]
    while stack:
        gd, expanded, slot = stack.pop()
        if expanded:
            if slot is None:
                doc["graph"] = gd
            else:
                slot["graph"] = len(subgraphs)
                subgraphs.append(gd)
            continue
        stack.append((gd, True, slot))
        nodes = gd.get("nodes") if isinstance(gd, dict) else None
        for nd in nodes if isinstance(nodes, list) else ():
            attrs = nd.get("attrs") if isinstance(nd, dict) else None
            todo = list(attrs.values()) if isinstance(attrs, dict) else []
            while todo:
                a = todo.pop()
                if isinstance(a, dict) and len(a) == 1:
                    if isinstance(a.get("graph"), dict):
                        stack.append((a["graph"], False, a))
                    elif isinstance(a.get("tuple"), list):
                        todo.extend(a["tuple"])
    doc["subgraphs"] = subgraphs


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@pausing_gc  # keeps loading linear: gen-2 collections would rescan the growing graph again and again
def from_json(text: str | bytes) -> Graph:
    """Loads a graph written by `to_json`; raises `SerializationError` on anything malformed."""
    from graphrnn.ir.verify import verify
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise SerializationError(f"not a graph file: invalid UTF-8 at byte {e.start}", fix=_FIX) from None
    if not isinstance(text, str):
        raise SerializationError(f"from_json takes a str or bytes, got {type(text).__name__}")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise SerializationError("not valid JSON: nesting too deep", fix=_FIX) from None
    except ValueError as e:
        raise SerializationError(f"not valid JSON: {shown(str(e))}", fix=_FIX) from None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT):
        raise _bad("not a graphrnn graph file")
    version = doc.get("version")
    if not _is_int(version) or version not in READABLE_VERSIONS:
        raise SerializationError(f"unsupported graph file version {shown(_short(version))} "
                                 f"(this graphrnn reads {', '.join(map(str, READABLE_VERSIONS))})",
                                 fix="load the file with the graphrnn version that wrote it")
    allowed = _DOC_KEYS | ({"subgraphs"} if version >= 2 else set())
    if not _DOC_KEYS <= set(doc) <= allowed:
        raise _bad(f"the document's fields are {sorted(map(shown, doc))}, expected {sorted(allowed)}")
    seed = doc["seed"]
    if seed is not None and not _is_int(seed):
        raise _bad(f"field 'seed' must be an int or null, got {shown(_short(seed))}")
    if version == 1:
        _flatten_v1(doc)
    g = _Decoder().document(doc)
    g.seed = seed
    try:
        verify(g)
    except GraphError as e:
        raise SerializationError(f"the loaded graph is invalid: {e.message}", op=e.op, node=e.node,
                                 source=e.source, fix=_FIX) from None
    _register_names_and_variables(g)
    return g


def _register_names_and_variables(g: Graph) -> None:
    """Reserves every node name (new nodes get fresh ones) and wraps the variables, in one pass each."""
    from graphrnn.ops.state import Variable
    b = g.build
    for n in g.walk():
        b.reserve(n.name)
    inits: dict[Any, Node] = {}
    for n in g.nodes:
        if n.op == "VarInit":
            inits.setdefault(n.attrs["var_name"], n)
    seen: set[str] = set()
    for n in g.nodes:
        if n.op == "VariableV2":
            name = n.attrs["var_name"]
            if name in seen:
                raise _bad(f"two variables are named '{shown(name)}'", op=n.op, node=n.name)
            seen.add(name)
            Variable._adopt(n, inits.get(name))


def load(path: str) -> Graph:
    """Reads a graph file written by `save`; a malformed file is a `SerializationError`."""
    with open(path, "rb") as f:
        return from_json(f.read())

