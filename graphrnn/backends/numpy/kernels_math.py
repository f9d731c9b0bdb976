"""NumPy kernels of the math ops (graphrnn.ops.math, graphrnn.ops.math_reduce).

Most elementwise kernels are the NumPy ufunc itself: the shape rule already guarantees equal
dtypes, and ufuncs on equal dtypes return that dtype (NumPy >= 2 treats Python scalars as weak,
so ``0.5 * x`` stays float32). Anything that could silently change a dtype (integer sums, means,
argmax) pins it explicitly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.kernel_registry import kernel, simple
from graphrnn.backends.numpy.kernels_array import fail
from graphrnn.ir.graph import Node

# --- elementwise ---------------------------------------------------------------------------------

for _op, _fn in {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "RealDiv": np.true_divide,
                 "Maximum": np.maximum, "Minimum": np.minimum, "Pow": np.power,
                 "Neg": np.negative, "Abs": np.absolute, "Square": np.square, "Sign": np.sign,
                 "Tanh": np.tanh, "Exp": np.exp, "Log": np.log, "Log1p": np.log1p, "Sqrt": np.sqrt,
                 "Reciprocal": np.reciprocal, "Floor": np.floor, "Ceil": np.ceil,
                 "Equal": np.equal, "NotEqual": np.not_equal, "Less": np.less, "LessEqual": np.less_equal,
                 "Greater": np.greater, "GreaterEqual": np.greater_equal,
                 "LogicalAnd": np.logical_and, "LogicalOr": np.logical_or,
                 "LogicalNot": np.logical_not}.items():
    simple(_op, _fn)


@kernel("Sigmoid")
def _sigmoid(node: Node, ctx: Any) -> Any:
    # tanh form: no overflow for large |x| (exp(-x) would overflow for x << 0); in place on the
    # fresh temporary, with the constant pre-typed, to keep it at ~1.5us on small inputs.
    half = node.outputs[0].dtype.np.type(0.5)

    def run(x: np.ndarray) -> np.ndarray:
        t = np.multiply(x, half)
        if not isinstance(t, np.ndarray):  # a NumPy scalar (rank-0 input)
            return half * np.tanh(t) + half
        np.tanh(t, out=t)
        t *= half
        t += half
        return t
    return run


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return np.reciprocal(np.sqrt(x))


def _squared_difference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = np.subtract(x, y)
    return np.multiply(d, d, out=d) if isinstance(d, np.ndarray) else d * d


simple("Rsqrt", _rsqrt)
simple("SquaredDifference", _squared_difference)


def _int_division(node: Node, fn: Any) -> Any:
    """Integer FloorDiv/FloorMod: division by zero is an error (NumPy would return 0 and warn)."""
    if not node.inputs[0].dtype.is_integer:
        return fn

    def run(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if not np.all(y):
            raise fail(node, "integer division by zero", fix="mask the zero divisors, e.g. gr.maximum(y, 1)")
        return fn(x, y)
    return run


@kernel("FloorDiv")
def _floordiv(node: Node, ctx: Any) -> Any:
    return _int_division(node, np.floor_divide)


@kernel("FloorMod")
def _floormod(node: Node, ctx: Any) -> Any:
    return _int_division(node, np.remainder)


@kernel("Select")
def _select(node: Node, ctx: Any) -> Any:
    c_rank, x_rank = node.inputs[0].type.rank, node.inputs[1].type.rank
    if None in (c_rank, x_rank, node.inputs[2].type.rank):
        return _select_checked(node)  # a rank is unknown: check TF1's shape contract at run time
    if c_rank == x_rank:
        return np.where
    tail = (1,) * (x_rank - 1)  # a vector condition picks whole rows (TF1 where)

    def rows(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if c.shape[0] != x.shape[0]:
            raise fail(node, f"where's condition has {c.shape[0]} entries but x has {x.shape[0]} rows")
        return np.where(c.reshape(c.shape + tail), x, y)
    return rows


def _select_checked(node: Node) -> Any:
    """TF1's where when a rank is only known at run time: x and y have one shape, and the condition
    has that shape or is a vector over x's rows (NumPy alone would broadcast other shapes)."""
    def run(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if np.shape(x) != np.shape(y):
            raise fail(node, f"where's x and y must have the same shape, got {np.shape(x)} and {np.shape(y)}")
        if np.shape(c) == np.shape(x):
            return np.where(c, x, y)
        if np.ndim(c) == 1 and np.ndim(x) > 1 and np.shape(c)[0] == np.shape(x)[0]:
            return np.where(np.reshape(c, np.shape(c) + (1,) * (np.ndim(x) - 1)), x, y)
        raise fail(node, f"where's condition of shape {np.shape(c)} must have x's shape {np.shape(x)} "
                         "or be a vector over x's rows")
    return run


@kernel("Cast")
def _cast(node: Node, ctx: Any) -> Any:
    dt = node.attrs["DstT"].np
    return lambda x: np.asarray(x).astype(dt)


@kernel("ClipByValue")
def _clip(node: Node, ctx: Any) -> Any:
    return lambda x, lo, hi: np.maximum(np.minimum(x, hi), lo)  # TF1's order: lo wins if lo > hi


# --- matmul / add_n ------------------------------------------------------------------------------


@kernel("MatMul")
def _matmul(node: Node, ctx: Any) -> Any:
    ta, tb = node.attrs["transpose_a"], node.attrs["transpose_b"]
    if not ta and not tb:
        return np.dot
    if ta and tb:
        return lambda a, b: np.dot(a.T, b.T)
    if ta:
        return lambda a, b: np.dot(a.T, b)
    return lambda a, b: np.dot(a, b.T)


@kernel("BatchMatMulV2")
def _batch_matmul(node: Node, ctx: Any) -> Any:
    ax, ay = node.attrs["adj_x"], node.attrs["adj_y"]
    if not all(v.type.has_rank for v in node.inputs):
        def checked(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # a rank known only now
            if np.ndim(a) < 2 or np.ndim(b) < 2:
                raise fail(node, f"matmul needs inputs of rank >= 2, got shapes {np.shape(a)} and {np.shape(b)}")
            return np.matmul(np.swapaxes(a, -1, -2) if ax else a, np.swapaxes(b, -1, -2) if ay else b)
        return checked
    if not ax and not ay:
        return np.matmul

    def run(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.matmul(np.swapaxes(a, -1, -2) if ax else a, np.swapaxes(b, -1, -2) if ay else b)
    return run


@kernel("AddN")
def _add_n(node: Node, ctx: Any) -> Any:
    n = len(node.inputs)
    if n == 1:
        return lambda x: np.array(x, copy=True)  # ALLOCATES: never hand out the input itself
    if not all(v.type.has_rank for v in node.inputs):
        def checked(*xs: np.ndarray) -> np.ndarray:  # unknown ranks: no broadcasting, as in TF1
            if any(np.shape(x) != np.shape(xs[0]) for x in xs):
                raise fail(node, "add_n inputs must have the same shape, got "
                                 + ", ".join(str(np.shape(x)) for x in xs))
            return np.add(xs[0], xs[1]) if n == 2 else np.sum(np.stack(xs), axis=0, dtype=xs[0].dtype)
        return checked
    if n == 2:
        return np.add

    def run(*xs: np.ndarray) -> np.ndarray:
        out = np.add(xs[0], xs[1])
        for x in xs[2:]:
            out += x
        return out
    return run


# --- reductions ----------------------------------------------------------------------------------


def _reduce_kernel(node: Node, ufunc: Any) -> Any:
    axes, kd = node.attrs["axis"], node.attrs["keep_dims"]
    dt = node.outputs[0].dtype.np
    # float16 accumulates in float32 (as TF does); other dtypes accumulate in themselves, which
    # also stops NumPy from promoting int32 sums to int64.
    acc = np.dtype(np.float32) if dt == np.float16 else dt
    if acc == dt:
        return lambda x: ufunc.reduce(x, axis=axes, dtype=dt, keepdims=kd)
    return lambda x: ufunc.reduce(x, axis=axes, dtype=acc, keepdims=kd).astype(dt)


@kernel("Sum")
def _sum(node: Node, ctx: Any) -> Any:
    return _reduce_kernel(node, np.add)


@kernel("Prod")
def _prod(node: Node, ctx: Any) -> Any:
    return _reduce_kernel(node, np.multiply)


@kernel("Mean")
def _mean(node: Node, ctx: Any) -> Any:
    axes, kd = node.attrs["axis"], node.attrs["keep_dims"]
    dt = node.outputs[0].dtype.np
    if dt in (np.float32, np.float64):
        def mean(x: np.ndarray) -> Any:  # sum / count: np.mean's wrapper costs 3us more
            s = np.add.reduce(x, axis=axes, keepdims=kd)
            return s / dt.type(x.size // max(np.size(s), 1) if x.size else 0)
        return mean
    # ints: float64 mean truncated toward zero == TF's integer sum / count; f16: f32 accumulation.
    acc = np.float32 if dt == np.float16 else np.float64
    return lambda x: np.asarray(np.mean(x, axis=axes, dtype=acc, keepdims=kd)).astype(dt)


def _extreme_kernel(node: Node, ufunc: Any, fn_name: str) -> Any:
    axes, kd = node.attrs["axis"], node.attrs["keep_dims"]
    dt = node.outputs[0].dtype.np
    if dt.kind == "f":
        empty = -np.inf if fn_name == "max" else np.inf
    else:
        info = np.iinfo(dt)
        empty = info.min if fn_name == "max" else info.max
    # `initial` makes an empty reduction return TF's identity element instead of raising.
    init = dt.type(empty)
    return lambda x: ufunc.reduce(x, axis=axes, keepdims=kd, initial=init)


@kernel("Max")
def _max(node: Node, ctx: Any) -> Any:
    return _extreme_kernel(node, np.maximum, "max")


@kernel("Min")
def _min(node: Node, ctx: Any) -> Any:
    return _extreme_kernel(node, np.minimum, "min")


@kernel("All")
def _all(node: Node, ctx: Any) -> Any:
    axes, kd = node.attrs["axis"], node.attrs["keep_dims"]
    return lambda x: np.logical_and.reduce(x, axis=axes, keepdims=kd)


@kernel("Any")
def _any(node: Node, ctx: Any) -> Any:
    axes, kd = node.attrs["axis"], node.attrs["keep_dims"]
    return lambda x: np.logical_or.reduce(x, axis=axes, keepdims=kd)


def _arg_kernel(node: Node, fn: Any) -> Any:
    axis = node.attrs["axis"]
    dt = node.outputs[0].dtype.np

    def run(x: np.ndarray) -> Any:
        if x.shape[axis] == 0:
            raise fail(node, f"argmax/argmin over an empty axis {axis} of shape {x.shape}")
        return fn(x, axis=axis).astype(dt, copy=False)
    return run


@kernel("ArgMax")
def _argmax(node: Node, ctx: Any) -> Any:
    return _arg_kernel(node, np.argmax)


@kernel("ArgMin")
def _argmin(node: Node, ctx: Any) -> Any:
    return _arg_kernel(node, np.argmin)
