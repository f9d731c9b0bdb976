"""The ONNX node builder the lowering rules write into: unique names, constants, dtypes, errors.

Invariants:
- Every name an `Emitter` hands out is unique in the whole model (one `Namer` is shared by the
  top-level graph and every Loop/If body), so a body may refer to any outer name without shadowing.
- ``Emitter.env`` maps each graphrnn `Value` lowered in this (sub)graph to the ONNX name holding it;
  subgraphs are closed in graphrnn, so a body's env starts from its params only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.ir.dtypes import DType
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Node, Value

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


class OnnxExportError(GraphError):
    """A graph (or an argument of `to_onnx`) that cannot be written as an equivalent ONNX model."""


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:  # the optional extra is missing
        raise OnnxExportError("ONNX export needs the 'onnx' package",
                              fix='pip install "graphrnn[onnx]" (onnx, and onnxruntime to run the model)') from None
    return onnx


def onnx_dtype(dt: DType | np.dtype) -> int:
    """The TensorProto element type of a graphrnn or NumPy dtype."""
    onnx = _onnx()
    npdt = np.dtype(dt.np if isinstance(dt, DType) else dt)
    try:
        return int(onnx.helper.np_dtype_to_tensor_dtype(npdt))
    except (KeyError, ValueError, TypeError):
        raise OnnxExportError(f"dtype {npdt} has no ONNX tensor type",
                              fix="cast to float32/float64/int32/int64/bool before the exported part") from None


class Namer:
    """Hands out model-wide unique names derived from graphrnn's names (kept as they are when free)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def reserve(self, name: str) -> None:
        self._used.add(name)

    def unique(self, base: str) -> str:
        name, k = base, 1
        while name in self._used:
            name = f"{base}_{k}"
            k += 1
        self._used.add(name)
        return name


def node_error(node: Node, message: str, fix: str | None = None) -> OnnxExportError:
    """An export error naming the op, the node and the user's line that built it."""
    return OnnxExportError(message, op=node.op, node=node.name, source=node.source_line,
                           shapes=[str(v.type) for v in node.inputs] or None, fix=fix)


class ExportContext:
    """What every graph of one export shares: the names, the opset, the frozen variables, the report."""

    def __init__(self, opset: int, variable_value: Any) -> None:
        self.namer = Namer()
        self.opset = opset
        self.variable_value = variable_value  # var_name -> NumPy array (the session's current value)
        self.initializers: dict[str, Any] = {}  # var_name -> TensorProto, one per variable however often read
        self.fuse_rnn = False  # try graphrnn.export.onnx.fuse on each While first
        self.notes: list[str] = []  # what the export changed on the way (checks dropped, loops fused, ...)

    def variable(self, node: Node) -> str:
        """The initializer holding variable ``node``'s value, named exactly like the variable."""
        name = node.attrs["var_name"]
        if name not in self.initializers:
            onnx = _onnx()
            value = np.asarray(self.variable_value(node), dtype=node.outputs[0].dtype.np)
            self.namer.reserve(name)
            self.initializers[name] = onnx.numpy_helper.from_array(value.copy(order="C"), name=name)
        return name


class Emitter:
    """Collects the ONNX nodes of one graph (the model's, or a Loop/If body)."""

    def __init__(self, ctx: ExportContext) -> None:
        self.ctx = ctx
        self.namer = ctx.namer
        self.opset = ctx.opset
        self.nodes: list[Any] = []
        self.env: dict[Value, str] = {}
        self.scope = ""  # the graphrnn node being lowered: its name prefixes the ONNX node names

    def op(self, op_type: str, inputs: list[str], n_out: int = 1, outputs: list[str] | None = None,
           **attrs: Any) -> list[str]:
        """Appends one ONNX node; returns its output names (fresh unless given)."""
        onnx = _onnx()
        base = self.scope or op_type
        outs = outputs if outputs is not None else [self.namer.unique(f"{base}/{op_type}:{i}") for i in range(n_out)]
        self.nodes.append(onnx.helper.make_node(op_type, inputs, outs, name=self.namer.unique(f"{base}/{op_type}"),
                                                **{k: v for k, v in attrs.items() if v is not None}))
        return outs

    def op1(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        return self.op(op_type, inputs, **attrs)[0]

    def const(self, value: Any, dtype: Any = None, hint: str = "const") -> str:
        """A Constant node holding ``value`` (as ``dtype`` when given)."""
        onnx = _onnx()
        arr = np.asarray(value, dtype=dtype)
        name = self.namer.unique(f"{self.scope or hint}/{hint}")
        tensor = onnx.numpy_helper.from_array(arr.copy(order="C"), name=name)
        self.nodes.append(onnx.helper.make_node("Constant", [], [name], name=self.namer.unique(name + "/Constant"),
                                                value=tensor))
        return name

    def i64(self, values: Any) -> str:
        return self.const(np.asarray(values, np.int64), hint="i64")

    def cast(self, name: str, dt: DType | np.dtype) -> str:
        return self.op1("Cast", [name], to=onnx_dtype(dt))

    def unsqueeze(self, name: str, axes: list[int]) -> str:
        return self.op1("Unsqueeze", [name, self.i64(axes)])

    def squeeze(self, name: str, axes: list[int]) -> str:
        return self.op1("Squeeze", [name, self.i64(axes)])

    def to_i64_vector(self, name: str, dt: DType) -> str:
        """A 1-D int64 tensor from an int scalar or vector (Slice/Expand/Reshape want int64)."""
        v = name if dt.np == np.int64 else self.cast(name, np.dtype(np.int64))
        return self.op1("Reshape", [v, self.i64([-1])])
