"""Lowering rules: one function per graphrnn op, writing ONNX nodes with TF1's exact semantics.

A rule takes the `Emitter`, the graphrnn node and the ONNX names of its inputs, and returns the ONNX
names of its outputs (one per node output, same dtypes and shapes). Ops that cannot be exported are
listed in `UNSUPPORTED` with the reason; the completeness test checks that every registered op is
in exactly one of `RULES` (plus the control-flow ops in `graphrnn.export.onnx.control`) and
`UNSUPPORTED`. Ops whose only effect in an inference graph is a run-time check (CheckSequenceLength,
Assert, ...) lower to their pass-through value: ONNX has no assertion, so the check is not kept.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graphrnn.export.onnx.emitter import INT64_MAX, INT64_MIN, Emitter, node_error
from graphrnn.ir.graph import Node

Rule = Callable[[Emitter, Node, list[str]], list[str]]
RULES: dict[str, Rule] = {}


def rule(*ops: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for op in ops:
            RULES[op] = fn
        return fn
    return register


def _rank(node: Node, index: int = 0) -> int:
    r = node.inputs[index].type.rank
    if r is None:
        raise node_error(node, f"input {index} has an unknown rank; ONNX export of {node.op} needs it",
                         fix="give the placeholder a shape with a known rank (None for unknown dims)")
    return r


# --- elementwise ----------------------------------------------------------------------------------
_SAME = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div", "Maximum": "Max", "Minimum": "Min",
         "Pow": "Pow", "Neg": "Neg", "Abs": "Abs", "Sign": "Sign", "Tanh": "Tanh", "Sigmoid": "Sigmoid",
         "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Reciprocal": "Reciprocal", "Floor": "Floor", "Ceil": "Ceil",
         "Equal": "Equal", "Less": "Less", "LessEqual": "LessOrEqual", "Greater": "Greater",
         "GreaterEqual": "GreaterOrEqual", "LogicalAnd": "And", "LogicalOr": "Or", "LogicalNot": "Not",
         "Relu": "Relu", "Elu": "Elu", "Softplus": "Softplus", "AddN": "Sum"}


@rule(*_SAME)
def _same(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    if node.op == "AddN" and len(ins) == 1:
        return [em.op1("Identity", ins)]
    return [em.op1(_SAME[node.op], ins)]


@rule("Identity", "StopGradient", "CheckNumerics", "EnsureShape", "CheckSequenceLength", "CheckStaticSteps")
def _identity(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Identity", ins[:1])]


@rule("TensorArrayUnstackCheck")
def _unstack_check(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Identity", [ins[1]])]


@rule("Assert", "NoOp")
def _no_outputs(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return []


@rule("NotEqual")
def _not_equal(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Not", [em.op1("Equal", ins)])]


@rule("Square")
def _square(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Mul", [ins[0], ins[0]])]


@rule("SquaredDifference")
def _squared_difference(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    d = em.op1("Sub", ins)
    return [em.op1("Mul", [d, d])]


def _scalar(em: Emitter, node: Node, value: float, index: int = 0) -> str:
    return em.const(np.asarray(value, node.inputs[index].dtype.np))


@rule("Log1p")
def _log1p(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Log", [em.op1("Add", [ins[0], _scalar(em, node, 1)])])]


@rule("Rsqrt")
def _rsqrt(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Reciprocal", [em.op1("Sqrt", ins)])]


@rule("Relu6")
def _relu6(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Min", [em.op1("Relu", ins), _scalar(em, node, 6)])]


@rule("ClipByValue")
def _clip(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Min", [em.op1("Max", [ins[0], ins[1]]), ins[2]])]  # TF: min(max(t, lo), hi)


@rule("FloorDiv")
def _floordiv(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    if node.outputs[0].dtype.is_floating:
        return [em.op1("Floor", [em.op1("Div", ins)])]
    # ints: (x - mod(x, y)) / y is exact, and Mod(fmod=0) takes the divisor's sign like Python/TF.
    r = em.op1("Mod", ins, fmod=0)
    return [em.op1("Div", [em.op1("Sub", [ins[0], r]), ins[1]])]


@rule("FloorMod")
def _floormod(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    if node.outputs[0].dtype.is_floating:
        q = em.op1("Floor", [em.op1("Div", ins)])
        return [em.op1("Sub", [ins[0], em.op1("Mul", [q, ins[1]])])]
    return [em.op1("Mod", ins, fmod=0)]


@rule("Select")
def _select(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    c_rank, x_rank = _rank(node, 0), _rank(node, 1)
    cond = ins[0]
    if c_rank != x_rank:  # TF1's where: a vector condition picks whole rows
        cond = em.unsqueeze(cond, list(range(1, x_rank)))
    return [em.op1("Where", [cond, ins[1], ins[2]])]


@rule("Cast")
def _cast(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    src, dst = node.inputs[0].dtype, node.attrs["DstT"]
    if src.is_floating and not dst.is_floating and dst.name != "bool":
        # TF truncates toward zero; ONNX's float->int Cast is implementation-defined for fractions.
        ins = [em.op1("Where", [em.op1("Less", [ins[0], _scalar(em, node, 0)]),
                                em.op1("Ceil", ins), em.op1("Floor", ins)])]
    return [em.cast(ins[0], dst)]


# --- matrix products and nn -----------------------------------------------------------------------
@rule("MatMul")
def _matmul(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    a, b = ins
    if node.attrs["transpose_a"]:
        a = em.op1("Transpose", [a], perm=[1, 0])
    if node.attrs["transpose_b"]:
        b = em.op1("Transpose", [b], perm=[1, 0])
    return [em.op1("MatMul", [a, b])]


@rule("BatchMatMulV2")
def _batch_matmul(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    out = list(ins)
    for k, flag in enumerate(("adj_x", "adj_y")):
        if node.attrs[flag]:
            r = _rank(node, k)
            out[k] = em.op1("Transpose", [out[k]], perm=[*range(r - 2), r - 1, r - 2])
    return [em.op1("MatMul", out)]


@rule("BiasAdd")
def _bias_add(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    bias = ins[1]
    if node.attrs["data_format"].startswith("NC"):
        bias = em.unsqueeze(bias, list(range(1, _rank(node) - 1)))
    return [em.op1("Add", [ins[0], bias])]


@rule("Softmax", "LogSoftmax")
def _softmax(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1(node.op, ins, axis=node.attrs["axis"])]


@rule("SoftmaxCrossEntropyWithLogits")
def _xent(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    logits, labels = ins
    lsm = em.op1("LogSoftmax", [logits], axis=node.attrs["axis"])
    s = em.op1("ReduceSum", [em.op1("Mul", [labels, lsm]), em.i64([node.attrs["axis"]])], keepdims=0)
    return [em.op1("Neg", [s])]


@rule("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    logits, labels = ins
    lsm = em.op1("LogSoftmax", [logits], axis=-1)
    picked = em.op1("GatherElements", [lsm, em.unsqueeze(labels, [-1])], axis=-1)
    return [em.op1("Neg", [em.squeeze(picked, [-1])])]


# --- reductions -----------------------------------------------------------------------------------
def _reduce(em: Emitter, node: Node, onnx_op: str, x: str) -> str:
    axes = node.attrs["axis"]
    kd = int(bool(node.attrs["keep_dims"]))
    if axes is not None and len(axes) == 0:
        return em.op1("Identity", [x])
    ins = [x] if axes is None else [x, em.i64(list(axes))]
    return em.op1(onnx_op, ins, keepdims=kd)


@rule("Sum", "Max", "Min", "Prod")
def _reduce_plain(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [_reduce(em, node, {"Sum": "ReduceSum", "Max": "ReduceMax", "Min": "ReduceMin",
                               "Prod": "ReduceProd"}[node.op], ins[0])]


@rule("Mean")
def _mean(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    if node.outputs[0].dtype.is_floating:
        return [_reduce(em, node, "ReduceMean", ins[0])]
    # ints: TF's integer sum / count, truncated toward zero (ONNX's integer Div truncates too).
    total = _reduce(em, node, "ReduceSum", ins[0])
    n_in = em.op1("Size", ins)
    n_out = em.op1("Size", [total])
    count = em.cast(em.op1("Div", [n_in, em.op1("Max", [n_out, em.i64(1)])]), node.outputs[0].dtype)
    return [em.op1("Div", [total, count])]


@rule("All", "Any")
def _reduce_bool(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    as_int = em.cast(ins[0], np.dtype(np.int32))
    r = _reduce(em, node, "ReduceMin" if node.op == "All" else "ReduceMax", as_int)
    return [em.cast(r, np.dtype(bool))]


@rule("ArgMax", "ArgMin")
def _arg(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    idx = em.op1(node.op, ins, axis=node.attrs["axis"], keepdims=0, select_last_index=0)
    return [em.cast(idx, node.attrs["output_type"])]


# --- shapes and layout ----------------------------------------------------------------------------
@rule("ConcatV2")
def _concat(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Concat", ins, axis=node.attrs["axis"])]


@rule("Split")
def _split(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    n = node.attrs["num_split"]
    if n == 1:
        return [em.op1("Identity", ins)]
    return em.op("Split", ins, n_out=n, axis=node.attrs["axis"], num_outputs=n)


@rule("SplitV")
def _split_v(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    sizes = list(node.attrs["size_splits"])
    if -1 in sizes:
        axis = node.attrs["axis"] % _rank(node)
        d = node.inputs[0].type.shape[axis]
        if d is None:
            raise node_error(node, "SplitV with a -1 size along a dim unknown at export time",
                             fix="give every split size explicitly")
        sizes[sizes.index(-1)] = d - sum(s for s in sizes if s != -1)
    return em.op("Split", [ins[0], em.i64(sizes)], n_out=len(sizes), axis=node.attrs["axis"])


@rule("Pack")
def _pack(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    axis = node.attrs["axis"]
    if axis < 0:
        axis += _rank(node) + 1
    parts = [em.unsqueeze(x, [axis]) for x in ins]
    return [em.op1("Concat", parts, axis=axis) if len(parts) > 1 else em.op1("Identity", parts)]


@rule("Unpack")
def _unpack(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    axis, n = node.attrs["axis"], node.attrs["num"]
    parts = em.op("Split", ins, n_out=n, axis=axis, num_outputs=n) if n > 1 else ins
    return [em.squeeze(p, [axis]) for p in parts]


@rule("Transpose")
def _transpose(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Transpose", ins, perm=list(node.attrs["perm"]))]


@rule("Reshape")
def _reshape(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    shape = node.attrs["shape"]
    if shape is None:
        raise node_error(node, "Reshape to an unknown shape", fix="reshape to a shape known when building")
    return [em.op1("Reshape", [ins[0], em.i64(list(shape))], allowzero=int(0 in shape and -1 not in shape))]


@rule("ReshapeDynamic", "ReshapeLike")
def _reshape_dynamic(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    target = em.op1("Shape", [ins[1]]) if node.op == "ReshapeLike" else em.to_i64_vector(ins[1], node.inputs[1].dtype)
    return [em.op1("Reshape", [ins[0], target])]


@rule("ExpandDims")
def _expand_dims(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.unsqueeze(ins[0], [node.attrs["axis"]])]


@rule("Squeeze")
def _squeeze(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    dims = list(node.attrs["squeeze_dims"] or ())
    if not dims:
        # squeeze every size-1 dim: known from the output's static shape against the input's
        r = _rank(node)
        dims = [i for i, d in enumerate(node.inputs[0].type.shape) if d == 1]
        if any(d is None for d in node.inputs[0].type.shape) or r is None:
            raise node_error(node, "squeeze without dims on a tensor with unknown dims",
                             fix="pass axis=[...] to squeeze")
    return [em.squeeze(ins[0], dims)]


@rule("Shape", "Size")
def _shape(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.cast(em.op1(node.op, ins), node.attrs["out_type"])]


@rule("Rank")
def _rank_op(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.cast(em.op1("Size", [em.op1("Shape", ins)]), node.outputs[0].dtype)]


@rule("Fill")
def _fill(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Expand", [ins[1], em.to_i64_vector(ins[0], node.inputs[0].dtype)])]


@rule("ZerosLike", "OnesLike")
def _like(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    v = _scalar(em, node, 0 if node.op == "ZerosLike" else 1)
    return [em.op1("Expand", [v, em.op1("Shape", ins)])]


@rule("BroadcastToShapeOf")
def _broadcast_to(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Expand", [ins[0], em.op1("Shape", [ins[1]])])]


@rule("Range")
def _range(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    dt = node.outputs[0].dtype
    return [em.op1("Range", [em.cast(x, dt) if v.dtype != dt else x for x, v in zip(ins, node.inputs)])]


@rule("Tile")
def _tile(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Tile", [ins[0], em.i64(list(node.attrs["multiples"]))])]


@rule("Pad")
def _pad(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    mode = node.attrs["mode"].upper()
    if mode not in ("CONSTANT", "REFLECT"):
        raise node_error(node, f"pad mode {mode} has no ONNX equivalent", fix="use CONSTANT or REFLECT")
    p = np.asarray(node.attrs["paddings"], np.int64).reshape(-1, 2)
    pads = em.i64(np.concatenate([p[:, 0], p[:, 1]]))
    if mode == "REFLECT":
        return [em.op1("Pad", [ins[0], pads], mode="reflect")]
    cv = _scalar(em, node, node.attrs["constant_values"])
    return [em.op1("Pad", [ins[0], pads, cv], mode="constant")]


@rule("GatherV2")
def _gather(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Gather", ins[:2], axis=node.attrs["axis"])]


@rule("ReverseV2")
def _reverse(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    axes = list(node.attrs["axis"])
    if not axes:
        return [em.op1("Identity", ins)]
    n = len(axes)
    return [em.op1("Slice", [ins[0], em.i64([-1] * n), em.i64([INT64_MIN] * n), em.i64(axes), em.i64([-1] * n)])]


@rule("ReverseSequence")
def _reverse_sequence(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    b, s = node.attrs["batch_dim"], node.attrs["seq_dim"]
    if {b, s} != {0, 1}:
        raise node_error(node, f"ONNX ReverseSequence needs batch/seq dims 0 and 1, got {b} and {s}",
                         fix="transpose so that batch and time are the first two dims")
    lens = em.cast(ins[1], np.dtype(np.int64))
    return [em.op1("ReverseSequence", [ins[0], lens], batch_axis=b, time_axis=s)]


@rule("OneHot")
def _one_hot(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    a = node.attrs
    r = _rank(node)
    axis = a["axis"] if a["axis"] >= 0 else r
    # TF: an index outside [0, depth) (e.g. -1) gives all off_value; ONNX's OneHot would wrap it.
    positions = em.const(np.arange(a["depth"], dtype=np.int64).reshape([-1] + [1] * (r - axis)))
    idx = em.unsqueeze(em.cast(ins[0], np.dtype(np.int64)), [axis])
    hit = em.op1("Equal", [idx, positions])
    return [em.op1("Where", [hit, em.const(np.asarray(a["on_value"], a["dtype"].np)),
                             em.const(np.asarray(a["off_value"], a["dtype"].np))])]


@rule("SequenceMask")
def _sequence_mask(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    lengths = em.cast(ins[0], np.dtype(np.int64))
    if len(ins) > 1:
        m = em.cast(ins[1], np.dtype(np.int64))
    else:  # max(lengths), 0 for no lengths
        m = em.op1("ReduceMax", [em.op1("Concat", [em.op1("Reshape", [lengths, em.i64([-1])]), em.i64([0])],
                                        axis=0)], keepdims=0)
    cols = em.op1("Range", [em.const(np.int64(0)), m, em.const(np.int64(1))])
    mask = em.op1("Less", [cols, em.unsqueeze(lengths, [-1])])
    dt = node.attrs["dtype"]
    return [mask if dt.name == "bool" else em.cast(mask, dt)]


# --- indexing -------------------------------------------------------------------------------------
def _slice_spec(em: Emitter, node: Node, x: str, spec: tuple, bounds: list[str]) -> str:
    """``x[spec]`` as Slice + Squeeze + Unsqueeze; ``bounds`` hold the tensor bounds of a dynamic spec."""
    from graphrnn.ops.array_index import _expand_spec
    items = _expand_spec(spec, _rank(node))
    starts: list[str] = []
    ends: list[str] = []
    axes: list[int] = []
    steps: list[int] = []
    squeeze: list[int] = []
    final: list[str] = []
    bound_it = iter(bounds)

    def bound(b: object, default: int) -> str:
        if b == "tensor":
            return em.to_i64_vector(next(bound_it), node.inputs[1].dtype)
        return em.i64([default if b is None else b])

    axis = 0
    for item in items:
        kind = item[0]
        if kind == "newaxis":
            final.append("new")
            continue
        if kind == "int":
            i = item[1]
            starts.append(em.i64([i]))
            ends.append(em.i64([i + 1 if i != -1 else INT64_MAX]))
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        else:
            start, stop, step = item[1:]
            step = 1 if step is None else step
            if not (start is None and stop is None and step == 1):
                starts.append(bound(start, 0 if step > 0 else -1))
                ends.append(bound(stop, INT64_MAX if step > 0 else INT64_MIN))
                axes.append(axis)
                steps.append(step)
            final.append("keep")
        axis += 1
    out = x
    if axes:
        out = em.op1("Slice", [out, em.op1("Concat", starts, axis=0), em.op1("Concat", ends, axis=0),
                               em.i64(axes), em.i64(steps)])
    if squeeze:
        out = em.squeeze(out, squeeze)
    new_axes = [k for k, f in enumerate(final) if f == "new"]
    if new_axes:
        out = em.unsqueeze(out, new_axes)
    return out if out != x else em.op1("Identity", [x])


@rule("StridedSlice")
def _strided_slice(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [_slice_spec(em, node, ins[0], node.attrs["spec"], [])]


@rule("StridedSliceDynamic")
def _strided_slice_dynamic(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [_slice_spec(em, node, ins[0], node.attrs["spec"], ins[1:])]


@rule("Slice")
def _slice(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    begin, size = list(node.attrs["begin"]), list(node.attrs["size"])
    ends = [INT64_MAX if s == -1 else b + s for b, s in zip(begin, size)]
    return [em.op1("Slice", [ins[0], em.i64(begin), em.i64(ends), em.i64(list(range(len(begin))))])]


# --- TensorArrays outside the Loop pattern (graphrnn.export.onnx.control handles the usual one) ---
@rule("TensorArrayRead")
def _ta_read(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.op1("Gather", [ins[0], ins[1]], axis=node.attrs.get("axis", 0) or 0)]


@rule("TensorArraySize")
def _ta_size(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    axis = node.attrs.get("axis", 0) or 0
    return [em.cast(em.op1("Shape", ins, start=axis, end=axis + 1), node.outputs[0].dtype)]


@rule("TensorArrayNew", "TensorArrayNewAxis")
def _ta_new(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    t = node.outputs[0].type
    axis = node.attrs.get("axis", 0) or 0
    elem = [d for i, d in enumerate(t.shape) if i != axis] if t.has_rank else [None]
    if None in elem:
        raise node_error(node, "a TensorArray whose element shape is unknown at export time, used outside "
                               "the write-once-per-iteration loop pattern",
                         fix="give the TensorArray an element_shape, or write it once per iteration of a while_loop")
    size = em.to_i64_vector(ins[0], node.inputs[0].dtype)
    dims = [em.i64(elem[:axis]), size, em.i64(elem[axis:])]
    return [em.op1("Expand", [_scalar_out(em, node), em.op1("Concat", dims, axis=0)])]


def _scalar_out(em: Emitter, node: Node) -> str:
    return em.const(np.asarray(0, node.outputs[0].dtype.np))


@rule("TensorArrayWrite")
def _ta_write(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    axis = node.attrs.get("axis", 0) or 0
    if axis != 0 or node.attrs.get("dynamic_size"):
        raise node_error(node, "a TensorArray write along an axis other than 0, or into a growing array, outside "
                               "the write-once-per-iteration loop pattern",
                         fix="write the TensorArray once per iteration of a while_loop")
    idx = em.op1("Reshape", [em.cast(ins[1], np.dtype(np.int64)), em.i64([1, 1])])
    return [em.op1("ScatterND", [ins[0], idx, em.unsqueeze(ins[2], [0])])]


# --- ops that have no ONNX export, with the reason the error gives ----------------------------------
_RANDOM = "draws random numbers; export the inference graph, built without it (e.g. keep_prob=1 or no dropout)"
_STATE = "changes a variable; the exported model is an inference graph with the variables frozen as constants"
_SUMMARY = "writes a TensorBoard summary; fetch the model's outputs, not the summaries"
_GRAD = "belongs to a gradient computation; export the forward graph"
UNSUPPORTED: dict[str, str] = {
    "RandomNormal": _RANDOM, "RandomUniform": _RANDOM, "TruncatedNormal": _RANDOM, "Dropout": _RANDOM,
    "Assign": _STATE, "AssignAdd": _STATE, "AssignSub": _STATE, "VarInit": _STATE,
    "ScalarSummary": _SUMMARY, "HistogramSummary": _SUMMARY, "ImageSummary": _SUMMARY,
    "AudioSummaryV2": _SUMMARY, "TextSummary": _SUMMARY, "MergeSummary": _SUMMARY,
    "ReduceToShapeOf": _GRAD, "ReduceGrad": _GRAD, "ReduceExtremumGrad": _GRAD, "ReduceProdGrad": _GRAD,
    "ConcatGrad": _GRAD, "SliceGrad": _GRAD, "StridedSliceGrad": _GRAD, "StridedSliceDynamicGrad": _GRAD,
    "PadGrad": _GRAD, "TileGrad": _GRAD, "GatherGrad": _GRAD, "TensorArrayWriteGrad": _GRAD,
    "TensorArrayWriteGradInPlace": _GRAD, "StackNew": _GRAD, "StackPush": _GRAD, "StackRead": _GRAD,
    "AccumulatorZerosLike": _GRAD, "AccumulatorCopy": _GRAD, "AccumulateAt": _GRAD, "TapePack": _GRAD,
    "TapeUnpack": _GRAD, "SigmoidGrad": _GRAD, "TanhGrad": _GRAD, "SparseXentGrad": _GRAD,
    "Replay": "replays a saved stateful op of a gradient; export the forward graph",
}


@rule("Const")
def _const(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.const(np.asarray(node.attrs["value"], node.outputs[0].dtype.np), hint="value")]


@rule("VariableV2")
def _variable(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    return [em.ctx.variable(node)]
