"""Gradient rules of elementwise math, matmul and reductions (graphrnn.ops.math, math_reduce).

Binary ops broadcast, so each side's gradient is summed back to that side's shape (`reduce_to`).
Activation rules use the op's output where TF does (sigmoid: y(1-y), tanh: 1-y^2), so a loop
iteration's backward pass needs only what its forward recomputation gives.
"""

from __future__ import annotations

from typing import Any

from graphrnn.autodiff.registry import GradContext, add_op, grad_rule, reduce_to, zeros_like
from graphrnn.ir.graph import Node, Value
from graphrnn.ops import math as m
from graphrnn.ops.convert import convert_like


def _c(x: float, like: Value) -> Value:
    return convert_like(x, like)


@grad_rule("Add")
def _add(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    return [reduce_to(g, x, y), reduce_to(g, y, x)]


@grad_rule("Sub")
def _sub(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    return [reduce_to(g, x, y), reduce_to(m.negative(g), y, x) if ctx.needed[1] else None]


@grad_rule("Mul")
def _mul(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    return [reduce_to(m.multiply(g, y), x, y) if ctx.needed[0] else None,
            reduce_to(m.multiply(g, x), y, x) if ctx.needed[1] else None]


@grad_rule("RealDiv")
def _div(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    gx = reduce_to(m.divide(g, y), x, y) if ctx.needed[0] else None
    gy = None
    if ctx.needed[1]:
        gy = reduce_to(m.negative(m.multiply(g, m.divide(node.outputs[0], y))), y, x)
    return [gx, gy]


@grad_rule("FloorMod")
def _floormod(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    if not x.dtype.is_floating:
        return [None, None]
    q = m.floor(m.divide(x, y))
    return [reduce_to(g, x), reduce_to(m.negative(m.multiply(g, q)), y)]


def _minmax(node: Node, grads: list[Any], pick_x: Value) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    z = zeros_like(g)
    return [reduce_to(m.where(pick_x, g, z), x), reduce_to(m.where(pick_x, z, g), y)]


@grad_rule("Maximum")
def _maximum(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x, y = node.inputs
    return _minmax(node, grads, m.greater_equal(x, y))


@grad_rule("Minimum")
def _minimum(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x, y = node.inputs
    return _minmax(node, grads, m.less_equal(x, y))


@grad_rule("Pow")
def _pow(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    x, y = node.inputs
    z = node.outputs[0]
    gx = reduce_to(m.multiply(g, m.multiply(y, m.pow(x, m.subtract(y, _c(1, y))))), x) if ctx.needed[0] else None
    gy = None
    if ctx.needed[1]:
        pos = m.greater(x, _c(0, x))
        safe = m.where(pos, x, add_op("OnesLike", [x]))
        logx = m.where(pos, m.log(safe), zeros_like(x))
        gy = reduce_to(m.multiply(g, m.multiply(z, logx)), y)
    return [gx, gy]


@grad_rule("SquaredDifference")
def _sqdiff(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x, y = node.inputs
    d = m.multiply(m.multiply(grads[0], _c(2, x)), m.subtract(x, y))
    return [reduce_to(d, x), reduce_to(m.negative(d), y) if ctx.needed[1] else None]


@grad_rule("Neg")
def _neg(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [m.negative(grads[0])]


@grad_rule("Abs")
def _abs(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [m.multiply(grads[0], m.sign(node.inputs[0]))]


@grad_rule("Square")
def _square(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x = node.inputs[0]
    return [m.multiply(grads[0], m.multiply(x, _c(2, x)))]


@grad_rule("Tanh")
def _tanh(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    y, g = node.outputs[0], grads[0]
    return [add_op("TanhGrad", [y, g], name="TanhGrad")]


@grad_rule("Sigmoid")
def _sigmoid(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [add_op("SigmoidGrad", [node.outputs[0], grads[0]], name="SigmoidGrad")]


@grad_rule("Exp")
def _exp(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [m.multiply(grads[0], node.outputs[0])]


@grad_rule("Log")
def _log(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [m.divide(grads[0], node.inputs[0])]


@grad_rule("Log1p")
def _log1p(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x = node.inputs[0]
    return [m.divide(grads[0], m.add(x, _c(1, x)))]


@grad_rule("Sqrt")
def _sqrt(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    y = node.outputs[0]
    return [m.divide(m.multiply(grads[0], _c(0.5, y)), y)]


@grad_rule("Rsqrt")
def _rsqrt(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    y = node.outputs[0]  # d/dx x^-1/2 = -1/2 y^3
    return [m.multiply(grads[0], m.multiply(_c(-0.5, y), m.multiply(y, m.square(y))))]


@grad_rule("Reciprocal")
def _reciprocal(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    y = node.outputs[0]
    return [m.negative(m.multiply(grads[0], m.square(y)))]


@grad_rule("Select")
def _select(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    """where(c, x, y): x gets g where c holds, y where it does not (c gets none)."""
    c, x, y = node.inputs
    g = grads[0]
    z = zeros_like(g)
    return [None, m.where(c, g, z) if ctx.needed[1] else None, m.where(c, z, g) if ctx.needed[2] else None]


@grad_rule("Cast")
def _cast(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x = node.inputs[0]
    if not x.dtype.is_floating or not node.outputs[0].dtype.is_floating:
        return [None]
    return [m.cast(grads[0], x.dtype)]


@grad_rule("ClipByValue")
def _clip(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    """clip = max(min(t, hi), lo) (the kernel's order, so lo wins when lo > hi): t gets the gradient
    where lo <= t <= hi (as TF), hi where t > hi, lo where min(t, hi) < lo."""
    t, lo, hi = node.inputs
    g = grads[0]
    z = zeros_like(g)
    low = m.less(m.minimum(t, hi), lo)
    above = m.logical_and(m.logical_not(low), m.greater(t, hi))
    inside = m.logical_not(m.logical_or(low, above))
    gt = m.where(inside, g, z)
    glo = reduce_to(m.where(low, g, z), lo) if ctx.needed[1] else None
    ghi = reduce_to(m.where(above, g, z), hi) if ctx.needed[2] else None
    return [gt, glo, ghi]


# --- matmul / add_n / reductions -----------------------------------------------------------------


@grad_rule("MatMul")
def _matmul(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    from graphrnn.ops.math_reduce import matmul
    g = grads[0]
    a, b = node.inputs
    ta, tb = node.attrs["transpose_a"], node.attrs["transpose_b"]
    ga = gb = None
    if ctx.needed[0]:
        ga = matmul(b, g, transpose_a=tb, transpose_b=True) if ta else matmul(g, b, transpose_b=not tb)
    if ctx.needed[1]:
        gb = matmul(g, a, transpose_a=True, transpose_b=ta) if tb else matmul(a, g, transpose_a=not ta)
    return [ga, gb]


@grad_rule("BatchMatMulV2")
def _batch_matmul(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    from graphrnn.ops.math_reduce import matmul
    g = grads[0]
    a, b = node.inputs
    ta, tb = node.attrs["adj_x"], node.attrs["adj_y"]
    ga = matmul(b, g, transpose_a=tb, transpose_b=True) if ta else matmul(g, b, transpose_b=not tb)
    gb = matmul(g, a, transpose_a=True, transpose_b=ta) if tb else matmul(a, g, transpose_a=not ta)
    return [reduce_to(ga, a), reduce_to(gb, b)]


@grad_rule("AddN")
def _add_n(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [grads[0]] * len(node.inputs)


@grad_rule("Sum", "Mean")
def _sum(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x = node.inputs[0]
    return [add_op("ReduceGrad", [grads[0], x], {"axis": tuple(node.attrs["axis"]),
                                                  "mean": node.op == "Mean"})]


@grad_rule("Max", "Min")
def _extremum(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    x = node.inputs[0]
    return [add_op("ReduceExtremumGrad", [grads[0], x, node.outputs[0]], {"axis": tuple(node.attrs["axis"])})]


@grad_rule("Prod")
def _prod(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    return [add_op("ReduceProdGrad", [grads[0], node.inputs[0]], {"axis": tuple(node.attrs["axis"])})]
