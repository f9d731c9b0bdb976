"""Which attributes each op carries: the one table the builder, the JSON loader and the verifier read.

For every registered op, ``OP_ATTRS[op]`` maps each attribute name to a *kind*: what its shape
rule or kernel reads there. A kind ending in ``?`` marks an attribute that may be absent (the
reader falls back to a default, e.g. ``attrs.get("axis", 0)``); every other listed attribute must
be present. An op absent from the table has no known attribute set (nothing is checked for it); a
test keeps every registered op in the table.

Kinds (deliberately coarse: the full attribute schema is a later redesign):

=========== ==========================================================================
``int``     a Python int (not a bool)
``bool``    a bool
``number``  an int or a float (not a bool)
``str``     a string
``dtype``   a `DType`
``type``    a `TensorType`
``graph``   a `Graph` (a While/If body)
``array``   a read-only NumPy array (a Const value)
``ints``    a tuple of ints
``dims``    a tuple of ints and Nones (a static shape)
``any``     anything the serializer can store (checked by the op's shape rule or kernel)
=========== ==========================================================================

``|none`` after a kind also allows None (``int|none``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from graphrnn.ir.dtypes import DType
from graphrnn.ir.types import TensorType

_AXIS = {"axis": "int"}
_REDUCE = {"axis": "ints|none", "keep_dims": "bool"}
_TA_AXIS = {"axis": "int?"}

# Ops whose shape rule and kernel read no attribute at all.
_NO_ATTRS = (
    "Abs", "AccumulatorCopy", "AccumulatorZerosLike", "Add", "AddN", "BroadcastToShapeOf", "Ceil",
    "CheckSequenceLength", "ClipByValue", "Elu", "Equal", "Exp", "Floor", "FloorDiv", "FloorMod", "Greater",
    "GreaterEqual", "Identity", "Less", "LessEqual", "Log", "Log1p", "LogicalAnd", "LogicalNot", "LogicalOr",
    "Maximum", "MergeSummary", "Minimum", "Mul", "Neg", "NoOp", "NotEqual", "OnesLike", "Pow", "Rank",
    "RealDiv", "Reciprocal", "ReduceToShapeOf", "Relu", "Relu6", "ReshapeLike", "Rsqrt", "Select", "Sigmoid",
    "SigmoidGrad", "Sign", "Softplus", "SparseSoftmaxCrossEntropyWithLogits", "SparseXentGrad", "Sqrt",
    "Square", "SquaredDifference", "StackPush", "StackRead", "StopGradient", "Sub", "Tanh", "TanhGrad",
    "ZerosLike",
)

OP_ATTRS: dict[str, dict[str, str]] = {op: {} for op in _NO_ATTRS}
OP_ATTRS.update({
    # constants, feeds, state
    "Const": {"type": "type", "value": "array"},
    "Placeholder": {"type": "type"},
    "VariableV2": {"type": "type", "var_name": "str", "trainable": "bool?"},
    "VarInit": {"type": "type", "var_name": "str", "initializer": "any", "seed": "int"},
    "Assign": {"var_name": "str"},
    "AssignAdd": {"var_name": "str"},
    "AssignSub": {"var_name": "str"},
    "RandomNormal": {"dtype": "dtype", "shape": "ints", "mean": "number", "stddev": "number", "seed": "int?"},
    "TruncatedNormal": {"dtype": "dtype", "shape": "ints", "mean": "number", "stddev": "number", "seed": "int?"},
    "RandomUniform": {"dtype": "dtype", "shape": "ints", "minval": "number", "maxval": "number", "seed": "int?"},
    "Dropout": {"noise_shape": "dims|none", "op_seed": "int|none", "seed": "int"},
    # math
    "Cast": {"DstT": "dtype"},
    "MatMul": {"transpose_a": "bool", "transpose_b": "bool"},
    "BatchMatMulV2": {"adj_x": "bool", "adj_y": "bool"},
    "BiasAdd": {"data_format": "str"},
    "Sum": _REDUCE, "Mean": _REDUCE, "Prod": _REDUCE, "Max": _REDUCE, "Min": _REDUCE,
    "All": _REDUCE, "Any": _REDUCE,
    "ArgMax": {"axis": "int", "output_type": "dtype"},
    "ArgMin": {"axis": "int", "output_type": "dtype"},
    "ReduceGrad": {"axis": "ints", "mean": "bool"},
    "ReduceProdGrad": {"axis": "ints"},
    "ReduceExtremumGrad": {"axis": "ints"},
    "Range": {"static_size": "int|none"},
    "OneHot": {"axis": "int", "depth": "int", "dtype": "dtype", "on_value": "number", "off_value": "number"},
    "SequenceMask": {"dtype": "dtype", "static_maxlen": "int|none"},
    "Softmax": _AXIS, "LogSoftmax": _AXIS, "SoftmaxCrossEntropyWithLogits": _AXIS,
    # arrays
    "ConcatV2": _AXIS, "ConcatGrad": _AXIS, "Pack": _AXIS, "ExpandDims": _AXIS, "GatherV2": _AXIS,
    "GatherGrad": {"axis": "int?"},
    "AccumulateAt": {"axis": "int?"},
    "Unpack": {"axis": "int", "num": "int"},
    "Split": {"axis": "int", "num_split": "int"},
    "SplitV": {"axis": "int", "size_splits": "ints"},
    "Reshape": {"shape": "dims|none"},
    "ReshapeDynamic": {"static_shape": "dims|none"},
    "Fill": {"static_shape": "dims|none"},
    "Shape": {"out_type": "dtype"},
    "Size": {"out_type": "dtype"},
    "Squeeze": {"squeeze_dims": "ints"},
    "Transpose": {"perm": "ints"},
    "ReverseV2": {"axis": "ints"},
    "ReverseSequence": {"batch_dim": "int", "seq_dim": "int"},
    "Tile": {"multiples": "ints"},
    "TileGrad": {"multiples": "ints"},
    "Slice": {"begin": "ints", "size": "ints"},
    "SliceGrad": {"begin": "ints"},
    "StridedSlice": {"spec": "any"},
    "StridedSliceGrad": {"spec": "any"},
    "StridedSliceDynamic": {"spec": "any"},
    "StridedSliceDynamicGrad": {"spec": "any"},
    "Pad": {"paddings": "any", "mode": "str", "constant_values": "number"},
    "PadGrad": {"paddings": "any"},
    "CheckStaticSteps": {"axis": "int", "steps": "int"},
    # control flow and its gradients
    "While": {"cond": "graph", "body": "graph", "n_carry": "int", "back_prop": "bool?",
              "maximum_iterations": "int|none?", "parallel_iterations": "int?", "swap_memory": "bool?"},
    "If": {"then_branch": "graph", "else_branch": "graph"},
    "Replay": {"orig_op": "str", "orig_attrs": "any", "n_out": "int"},
    "StackNew": {"type": "type"},
    "TapePack": {},
    "TapeUnpack": {"types": "any"},
    "TensorArrayNew": {"type": "type", "dynamic_size": "bool?"},
    "TensorArrayNewAxis": {"type": "type", "axis": "int", "dynamic_size": "bool?"},
    "TensorArrayRead": _TA_AXIS, "TensorArraySize": _TA_AXIS,
    "TensorArrayWrite": {"axis": "int?", "dynamic_size": "bool?"},
    "TensorArrayUnstackCheck": {"dynamic_size": "bool?"},
    "TensorArrayWriteGrad": _TA_AXIS, "TensorArrayWriteGradInPlace": _TA_AXIS,
    # run-time checks
    "Assert": {"template": "any", "summarize": "int"},
    "CheckNumerics": {"message": "str"},
    "EnsureShape": {"shape": "dims|none"},
    # summaries
    "ScalarSummary": {"tag": "str"},
    "HistogramSummary": {"tag": "str"},
    "ImageSummary": {"tag": "str", "max_images": "int"},
    "AudioSummaryV2": {"tag": "str", "max_outputs": "int"},
    "TextSummary": {"tag": "str", "text": "any?", "shape": "ints?"},
})


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_graph(x: Any) -> bool:
    from graphrnn.ir.graph import Graph
    return isinstance(x, Graph)


# One predicate per kind (a dict lookup, not an if-chain: this runs for every attr of every node built).
_KIND_TESTS: dict[str, Any] = {
    "any": lambda x: True,
    "int": _is_int,
    "bool": lambda x: isinstance(x, bool),
    "number": lambda x: _is_int(x) or isinstance(x, float),
    "str": lambda x: isinstance(x, str),
    "dtype": lambda x: isinstance(x, DType),
    "type": lambda x: isinstance(x, TensorType),
    "graph": _is_graph,
    "array": lambda x: isinstance(x, np.ndarray),
    "ints": lambda x: isinstance(x, tuple) and all(_is_int(e) for e in x),
    "dims": lambda x: isinstance(x, tuple) and all(e is None or _is_int(e) for e in x),
}


def compile_spec(spec: Mapping[str, str]) -> tuple[tuple[str, Any, bool], ...]:
    """``spec`` as (attr name, kind predicate, None allowed) triples, checked once per kind name."""
    out = []
    for name, kind in spec.items():
        base, _, none = kind.rstrip("?").partition("|")
        if base not in _KIND_TESTS or none not in ("", "none"):
            raise ValueError(f"unknown attr kind {kind!r} for attr {name!r}")
        out.append((name, _KIND_TESTS[base], none == "none"))
    return tuple(out)


def kind_matches(kind: str, value: Any) -> bool:
    """Whether ``value`` is of ``kind`` (a kind of this table; a trailing ``?`` is ignored)."""
    ((_, test, none_ok),) = compile_spec({"": kind})
    return (none_ok and value is None) or test(value)


def required(spec: Mapping[str, str]) -> frozenset[str]:
    """The attributes of ``spec`` that must be present."""
    return frozenset(k for k, kind in spec.items() if not kind.endswith("?"))
