"""Gradient rules of structural and indexing ops (graphrnn.ops.array, array_index, array_shape).

Structure ops move gradient entries back where they came from. Where the input's shape is not
fully known at build time, a small gradient-only op reads it at run time (`ConcatGrad`,
`ReshapeLike`, `SliceGrad`, `StridedSliceGrad`, ...). A gather with a scalar index (``t[i]``
inside a loop) returns an `IndexedGrad`, so loops accumulate it into one row in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.autodiff.registry import (
    GradContext,
    IndexedGrad,
    add_node,
    add_op,
    grad_rule,
    zeros_like,
)
from graphrnn.ir.graph import Node, Value
from graphrnn.ops import array as a
from graphrnn.ops.math_reduce import reduce_sum


def _or_zeros(g: Value | None, like: Value) -> Value:
    return g if g is not None else zeros_like(like)


def _reshape_to(g: Value, x: Value) -> Value:
    shp = x.type.shape
    if None not in shp:
        return a.reshape(g, list(shp))
    return add_op("ReshapeLike", [g, x], name="ReshapeLike")


@grad_rule("Identity", "CheckStaticSteps", "EnsureShape")
def _identity(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    """Identity-like ops. CheckStaticSteps (graphrnn.nn.checks) and EnsureShape (set_shape) return
    their input once their check passes, so their gradient is the identity too (its
    NON_DIFFERENTIABLE mark is a mistake)."""
    return [grads[0]]


@grad_rule("ConcatV2")
def _concat(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    axis = node.attrs["axis"]
    sizes = [x.type.shape[axis] if x.type.has_rank else None for x in node.inputs]
    if None not in sizes:
        return a.split(grads[0], sizes, axis=axis) if len(sizes) > 1 else [grads[0]]
    parts = add_node("ConcatGrad", [grads[0], *node.inputs], {"axis": axis}).outputs
    return list(parts)


@grad_rule("Split", "SplitV")
def _split(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    parts = [_or_zeros(g, o) for g, o in zip(grads, node.outputs)]
    return [a.concat(parts, axis=node.attrs["axis"])]


@grad_rule("Pack")
def _pack(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return a.unstack(grads[0], num=len(node.inputs), axis=node.attrs["axis"])


@grad_rule("Unpack")
def _unpack(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    parts = [_or_zeros(g, o) for g, o in zip(grads, node.outputs)]
    return [a.stack(parts, axis=node.attrs["axis"])]


@grad_rule("Transpose")
def _transpose(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    inv = tuple(int(i) for i in np.argsort(node.attrs["perm"]))
    return [a.transpose(grads[0], inv)]


@grad_rule("Reshape", "ReshapeDynamic", "ExpandDims", "Squeeze")
def _reshape(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [_reshape_to(grads[0], node.inputs[0])] + [None] * (len(node.inputs) - 1)


@grad_rule("Slice")
def _slice(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [add_op("SliceGrad", [grads[0], node.inputs[0]], {"begin": node.attrs["begin"]})]


@grad_rule("StridedSlice")
def _strided(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [add_op("StridedSliceGrad", [grads[0], node.inputs[0]], {"spec": node.attrs["spec"]})]


@grad_rule("StridedSliceDynamic")
def _strided_dynamic(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = add_op("StridedSliceDynamicGrad", [grads[0], *node.inputs], {"spec": node.attrs["spec"]})
    return [g] + [None] * (len(node.inputs) - 1)  # the integer bounds have no gradient


@grad_rule("GatherV2")
def _gather(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    params, idx = node.inputs
    axis = node.attrs["axis"]
    if idx.type.rank == 0:
        return [IndexedGrad(params, idx, grads[0], axis), None]
    return [add_op("GatherGrad", [params, idx, grads[0]], {"axis": axis}), None]


@grad_rule("ReverseV2")
def _reverse(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    from graphrnn.ops.array_index import reverse
    return [reverse(grads[0], list(node.attrs["axis"]))]


@grad_rule("ReverseSequence")
def _reverse_sequence(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    from graphrnn.ops.array_index import reverse_sequence
    return [reverse_sequence(grads[0], node.inputs[1], seq_axis=node.attrs["seq_dim"],
                             batch_axis=node.attrs["batch_dim"]), None]


@grad_rule("Fill")
def _fill(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [None, reduce_sum(grads[0])]


@grad_rule("Tile")
def _tile(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [add_op("TileGrad", [grads[0], node.inputs[0]], {"multiples": node.attrs["multiples"]})]


@grad_rule("Pad")
def _pad(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    if node.attrs["mode"] != "CONSTANT":
        from graphrnn.ir.errors import GraphError
        raise GraphError(f"the gradient of {node.attrs['mode']} padding is not implemented", op=node.op,
                         node=node.name, fix="use mode='CONSTANT', or stop_gradient the padded value")
    return [add_op("PadGrad", [grads[0], node.inputs[0]], {"paddings": node.attrs["paddings"]})]


@grad_rule("Const", "VariableV2")
def _source(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return []  # no inputs: the gradient stops at sources (a variable's gradient is its value's)
