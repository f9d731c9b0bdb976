"""What the exporters write about a node: its op family, its colour, and escaped label text.

The family table is small and explicit (DESIGN §6: one explicit registry, no scanning): an op not in
it falls back on its registry traits (elementwise ops are "elementwise") and then on "other", so a
new op is drawn in grey rather than breaking the exporter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from graphviz import nohtml

from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Node, Value
from graphrnn.ir.registry import ELEMENTWISE, get_opdef

# Op -> family. Families, not ops, get colours: a reader learns a handful of colours, not fifty.
OP_FAMILY: dict[str, str] = {
    **dict.fromkeys(("MatMul", "BatchMatMulV2"), "matmul"),
    **dict.fromkeys(("Tanh", "Sigmoid", "Relu", "Relu6", "Elu", "Softplus",
                     "Softmax", "LogSoftmax"), "activation"),
    **dict.fromkeys(("Add", "AddN", "BiasAdd", "Sub", "Mul", "RealDiv", "Neg", "Square",
                     "Exp", "Log", "Sqrt", "Maximum", "Minimum", "Pow", "ClipByValue", "Cast"),
                    "elementwise"),
    **dict.fromkeys(("Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin"), "reduce"),
    **dict.fromkeys(("ConcatV2", "Split", "SplitV", "Pack", "Unpack", "Transpose", "Reshape",
                     "ReshapeDynamic", "ExpandDims", "Squeeze", "Slice", "StridedSlice", "GatherV2",
                     "ReverseV2", "ReverseSequence", "Tile", "Pad", "Shape", "Size", "Rank", "Fill",
                     "ZerosLike", "OnesLike", "Range", "OneHot", "SequenceMask"), "shape"),
    **dict.fromkeys(("StridedSliceDynamic", "StridedSliceDynamicGrad"), "shape"),
    **dict.fromkeys(("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd",
                     "LogicalOr", "LogicalNot", "Select"), "logic"),
    **dict.fromkeys(("While", "If", "NoOp", "Identity", "StopGradient"), "control"),
    **dict.fromkeys(("TensorArrayNew", "TensorArrayNewAxis", "TensorArrayWrite", "TensorArrayRead",
                     "TensorArraySize", "TensorArrayWriteGrad", "TensorArrayWriteGradInPlace"), "tensor_array"),
    # Gradient graphs: the loop tape (stacks, accumulators) and the shape-restoring helpers.
    **dict.fromkeys(("StackNew", "StackPush", "StackRead", "AccumulatorZerosLike", "AccumulatorCopy",
                     "AccumulateAt", "Replay"), "tape"),
    **dict.fromkeys(("SigmoidGrad", "TanhGrad"), "activation"),
    **dict.fromkeys(("ReduceToShapeOf", "BroadcastToShapeOf", "ReshapeLike", "ReduceGrad", "ReduceExtremumGrad",
                     "ReduceProdGrad", "ConcatGrad", "SliceGrad", "StridedSliceGrad", "PadGrad", "TileGrad",
                     "GatherGrad"), "shape"),
    **dict.fromkeys(("RandomNormal", "RandomUniform", "TruncatedNormal", "Dropout"), "random"),
    **dict.fromkeys(("CheckSequenceLength", "CheckStaticSteps"), "check"),
    **dict.fromkeys(("Placeholder", "VariableV2", "Assign", "VarInit"), "state"),
    "Const": "const",
    **dict.fromkeys(("SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "SparseXentGrad"),
                    "loss"),
}

# Family -> fill colour (light tones so black text stays readable in SVG and PNG).
FAMILY_COLOR: dict[str, str] = {
    "matmul": "#f4a582",
    "activation": "#fddbc7",
    "elementwise": "#d1e5f0",
    "reduce": "#92c5de",
    "shape": "#e0e0e0",
    "logic": "#e6f5d0",
    "control": "#fee08b",
    "tensor_array": "#d8daeb",
    "tape": "#b2abd2",
    "random": "#fde0ef",
    "check": "#ffffbf",
    "state": "#b8e186",
    "const": "#f7f7f7",
    "loss": "#de77ae",
    "other": "#ffffff",
}


def op_family(op: str) -> str:
    """The family of ``op``: the table entry, else "elementwise" by registry trait, else "other"."""
    fam = OP_FAMILY.get(op)
    if fam is not None:
        return fam
    try:
        if ELEMENTWISE in get_opdef(op).traits:
            return "elementwise"
    except GraphError:  # an op unknown to the registry (e.g. from a newer file): still drawable
        pass
    return "other"


def format_types(values: Sequence[Value], limit: int = 3) -> str:
    """Output types as ``f32[?,128]``; equal types repeat as ``× n``; long lists are cut with a count."""
    if not values:
        return "()"
    reprs = [repr(v.type) for v in values]
    if len(set(reprs)) == 1 and len(reprs) > 1:
        return f"{reprs[0]} × {len(reprs)}"
    if len(reprs) > limit:
        return ", ".join(reprs[:limit]) + f", … ({len(reprs)} outputs)"
    return ", ".join(reprs)


def node_lines(n: Node) -> list[str]:
    """The label lines of a drawn node: op, name, output types."""
    return [n.op, n.name, format_types(n.outputs)]


_DOT_ESCAPES = re.compile(r"\\")


def escape_label(lines: Iterable[str]) -> str:
    r"""A DOT label showing ``lines`` literally, one per line.

    DOT gives backslash sequences (``\n``, ``\l``, ``\N``, ...) a meaning inside labels and treats
    ``<...>`` as an HTML label, so user names such as ``a\b`` or ``<x>`` would be reinterpreted:
    backslashes are doubled, lines are joined with DOT's ``\n``, and the result is marked ``nohtml``.
    Double quotes are escaped by the graphviz package when it quotes the attribute.
    """
    return nohtml("\\n".join(_DOT_ESCAPES.sub(r"\\\\", s) for s in lines))
