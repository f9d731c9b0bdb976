"""Our graph as a TensorBoard ``GraphDef``, so TensorBoard's graph tab can draw it.

Every node becomes a ``NodeDef`` (name, op, inputs as ``"node"``/``"node:1"``, control inputs as
``"^node"``, no device: nothing is placed) with cheap attrs: ``T``/``dtype`` (the first output's
type), ``_output_shapes`` (TensorBoard labels edges with them), scalar and list attrs, and
``_source``, the user's line that built it.

TensorBoard nests nodes by the '/'-separated scopes of their names, so the subgraphs of a While
or If node go under that node's name: body node ``rnn/while/basic_rnn_cell/MatMul`` of While
``rnn/while`` becomes ``rnn/while/body/basic_rnn_cell/MatMul`` (the owner's prefix is dropped, the
subgraph's attr name added). A subgraph's params become ``_Arg`` nodes fed by the owner's
matching inputs, its results ``_Retval`` nodes that the owner depends on (as control inputs), so
the drawing shows data entering the loop, the body, and the loop's outputs leaving it.

Invariant: names in the GraphDef are unique and every input names a node of the GraphDef.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.ir import dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import TensorType
from graphrnn.summary.protos import INSTALL_HINT, Protos, load

# DataType enum names of tensorflow/core/framework/types.proto, by our dtype name.
_DT_NAMES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE", "int32": "DT_INT32",
             "int64": "DT_INT64", "bool": "DT_BOOL", "string": "DT_STRING"}
# Constants up to this many elements carry their values (TensorBoard shows them); bigger ones only
# their dtype and shape, so the GraphDef stays small.
MAX_CONST_ELEMENTS = 16
# The TensorProto field holding each dtype's values.
_VALUE_FIELDS = {"float32": "float_val", "float64": "double_val", "int32": "int_val", "int64": "int64_val",
                 "bool": "bool_val", "float16": "half_val", "string": "string_val"}
# Ops whose output type TF1 stores under "dtype" rather than "T".
_DTYPE_ATTR_OPS = frozenset({"Placeholder", "Const", "VariableV2", "RandomNormal", "RandomUniform",
                             "TruncatedNormal"})


def _dtype_enum(p: Protos, d: dtypes.DType) -> int:
    return int(getattr(p.types, _DT_NAMES.get(d.name, "DT_INVALID"), 0))


def _shape_proto(p: Protos, t: TensorType) -> Any:
    shape = p.tensor_shape.TensorShapeProto()
    if t.rank is None:  # unknown rank
        shape.unknown_rank = True
        return shape
    for d in t.shape:
        shape.dim.add(size=-1 if d is None else int(d))
    return shape


def _attr_value(p: Protos, x: Any) -> Any | None:
    """The AttrValue of a simple attr, or None for attrs TensorBoard has no use for (arrays, graphs)."""
    av = p.attr_value.AttrValue
    if isinstance(x, (bool, np.bool_)):
        return av(b=bool(x))
    if isinstance(x, (int, np.integer)):
        return av(i=int(x))
    if isinstance(x, (float, np.floating)):
        return av(f=float(x))
    if isinstance(x, str):
        return av(s=x.encode("utf-8"))
    if isinstance(x, dtypes.DType):
        return av(type=_dtype_enum(p, x))
    if isinstance(x, TensorType):
        return av(shape=_shape_proto(p, x))
    if isinstance(x, tuple) and x:
        if all(isinstance(e, (bool, np.bool_)) for e in x):
            return av(list=av.ListValue(b=[bool(e) for e in x]))
        if all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in x):
            return av(list=av.ListValue(i=[int(e) for e in x]))
        if all(isinstance(e, (float, np.floating)) for e in x):
            return av(list=av.ListValue(f=[float(e) for e in x]))
        if all(isinstance(e, str) for e in x):
            return av(list=av.ListValue(s=[e.encode("utf-8") for e in x]))
    return None


class _Converter:
    """Walks a graph and its subgraphs, appending NodeDefs to one GraphDef."""

    def __init__(self, p: Protos) -> None:
        self.p = p
        self.graph_def = p.graph.GraphDef()
        self.used: set[str] = set()
        self.value_names: dict[int, str] = {}  # id(Value) -> "node" / "node:i"
        self.node_names: dict[int, str] = {}   # id(Node) -> its GraphDef name
        self._type_attrs: dict[dtypes.DType, Any] = {}
        self._shape_attrs: dict[tuple[TensorType, ...], Any] = {}
        self._simple_attrs: dict[tuple[type, Any], Any] = {}

    def unique(self, name: str) -> str:
        out, k = name, 1
        while out in self.used:
            out = f"{name}_{k}"
            k += 1
        self.used.add(out)
        return out

    def ref(self, v: Value, node: Node) -> str:
        try:
            return self.value_names[id(v)]
        except KeyError:  # the verifier rules this out; say which node if a hand-made graph breaks it
            raise GraphError(f"input '{v.name}' of node '{node.name}' is not defined before it",
                             op=node.op, node=node.name, fix="run gr.ir.verify on the graph") from None

    def add(self, name: str, op: str, inputs: list[str], attrs: dict[str, Any]) -> Any:
        nd = self.graph_def.node.add(name=name, op=op, input=inputs)
        for k, a in attrs.items():
            nd.attr[k].CopyFrom(a)
        return nd

    def type_attr(self, d: dtypes.DType) -> Any:
        a = self._type_attrs.get(d)
        if a is None:
            a = self._type_attrs[d] = self.p.attr_value.AttrValue(type=_dtype_enum(self.p, d))
        return a

    def shapes_attr(self, types: tuple[TensorType, ...]) -> Any:
        a = self._shape_attrs.get(types)
        if a is None:
            av = self.p.attr_value.AttrValue
            a = self._shape_attrs[types] = av(list=av.ListValue(shape=[_shape_proto(self.p, t) for t in types]))
        return a

    def simple_attr(self, x: Any) -> Any | None:
        """`_attr_value`, cached: graphs repeat the same few attr values (axes, dtypes, flags)."""
        if isinstance(x, (np.ndarray, Graph)):
            return None
        key = (type(x), x)
        try:
            return self._simple_attrs[key]
        except KeyError:
            a = self._simple_attrs[key] = _attr_value(self.p, x)
            return a
        except TypeError:  # unhashable: not a simple attr
            return None

    def convert(self, g: Graph, prefix: str, strip: str, outer_inputs: list[str]) -> list[str]:
        """Adds ``g``'s nodes named under ``prefix`` (minus the IR prefix ``strip``); params take
        ``outer_inputs`` (aligned from the end); returns the names of its _Retval nodes."""
        av = self.p.attr_value.AttrValue
        offset = len(outer_inputs) - len(g.params)
        for i, prm in enumerate(g.params):
            name = self.unique(f"{prefix}{prm.param_name or f'arg_{i}'}")
            src = [outer_inputs[offset + i]] if offset >= 0 else []
            self.add(name, "_Arg", src, {"T": self.type_attr(prm.type.dtype), "index": av(i=i),
                                         "_output_shapes": self.shapes_attr((prm.type,))})
            self.value_names[id(prm)] = name
        for n in g.nodes:
            rel = n.name[len(strip):] if strip and n.name.startswith(strip) else n.name
            name = self.unique(prefix + rel)
            inputs = [self.ref(v, n) for v in n.inputs]
            retvals: list[str] = []
            for key, sub in n.subgraphs.items():
                retvals += self.convert(sub, f"{name}/{key}/", n.name + "/", inputs)
            inputs += [f"^{self.node_name(c)}" for c in n.control_inputs] + [f"^{r}" for r in retvals]
            self.node_def(name, n, inputs)
            self.node_names[id(n)] = name
            for v in n.outputs:
                self.value_names[id(v)] = name if v.index == 0 else f"{name}:{v.index}"
        out = []
        for i, r in enumerate(g.results):
            name = self.unique(f"{prefix}_retval_{i}")
            self.add(name, "_Retval", [self.value_names[id(r)]], {"T": self.type_attr(r.type.dtype), "index": av(i=i)})
            out.append(name)
        return out

    def node_name(self, n: Node) -> str:
        return self.node_names[id(n)]

    def node_def(self, name: str, n: Node, inputs: list[str]) -> None:
        """Appends the NodeDef of ``n`` (attrs written in place: this runs once per node)."""
        nd = self.graph_def.node.add(name=name, op=n.op, input=inputs)
        attr = nd.attr
        for k, x in n.attrs.items():
            a = self.simple_attr(x)
            if a is not None:
                attr[k].CopyFrom(a)
        if n.outputs:
            key = "dtype" if n.op in _DTYPE_ATTR_OPS else "T"
            if key not in attr:
                attr[key].CopyFrom(self.type_attr(n.outputs[0].dtype))
            attr["_output_shapes"].CopyFrom(self.shapes_attr(tuple(v.type for v in n.outputs)))
        if n.op == "Const":
            self.const_value(attr["value"], n.attrs.get("value"), n.outputs[0].type)
            if not attr["value"].HasField("tensor"):
                del attr["value"]
        if n.source is not None:
            attr["_source"].s = f"{n.source[0]}:{n.source[1]}".encode()

    def const_value(self, a: Any, value: Any, t: TensorType) -> None:
        """Writes a small constant into AttrValue ``a`` as a TensorProto (left empty otherwise)."""
        field = _VALUE_FIELDS.get(t.dtype.name)
        if field is None or not isinstance(value, np.ndarray) or value.size > MAX_CONST_ELEMENTS:
            return
        tensor = a.tensor
        tensor.dtype = _dtype_enum(self.p, t.dtype)
        tensor.tensor_shape.CopyFrom(_shape_proto(self.p, TensorType(t.dtype, value.shape)))
        flat = value.ravel()
        if t.dtype.name == "float16":  # TF stores halves as their 16-bit patterns
            values: list[Any] = flat.view(np.uint16).astype(np.int32).tolist()
        elif t.dtype.name == "string":
            values = [bytes(x) for x in flat]
        else:
            values = flat.tolist()
        getattr(tensor, field).extend(values)


def to_graph_def(graph: Graph) -> Any:
    """The ``GraphDef`` proto (tensorboardX's) of a top-level graph, subgraphs nested by name."""
    p = load()
    if p is None:
        raise GraphError("writing a TensorBoard GraphDef needs tensorboardX", fix=INSTALL_HINT)
    if graph.parent is not None:
        raise GraphError(f"to_graph_def takes a top-level graph, got the subgraph '{graph.name}'",
                         fix="pass the graph you built (e.g. sess.graph)")
    c = _Converter(p)
    c.convert(graph, "", "", [])
    return c.graph_def
