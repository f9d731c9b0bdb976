"""Contractions and reductions: matmul (MatMul / BatchMatMulV2), add_n, reduce_*, argmax/argmin,
and the norm clipping helpers (clip_by_norm, global_norm, clip_by_global_norm) built from them.

Reduction attrs: ``axis`` is a tuple of normalized axes (all axes when the user passes None) and
``keep_dims`` a bool, so passes and kernels never re-derive them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import ALLOCATES, COMMUTATIVE, NON_DIFFERENTIABLE, PURE, InferFn, register
from graphrnn.ir.types import (
    TensorType,
    broadcast_shapes,
    format_shape,
    merge_shapes,
    normalize_axis,
    shapes_compatible,
)
from graphrnn.ops.array import axis_arg, identity, norm_or_raw, op_context, reshape
from graphrnn.ops.array_shape import ones_like
from graphrnn.ops.convert import convert_like, convert_to_tensor, int_list_arg
from graphrnn.ops.math import add, divide, greater, maximum, minimum, multiply, sqrt, subtract, where
from graphrnn.ops.rules import Attrs, Types, same_dtype


def _numeric(d: dtypes.DType, what: str) -> None:
    if d.is_bool:
        raise DTypeError(f"{what} needs numbers, got bool", fix="cast with gr.cast(x, gr.float32)")


# --- matmul --------------------------------------------------------------------------------------


def _inner(a: TensorType, b: TensorType, ta: bool, tb: bool) -> tuple[Any, Any]:
    """(m, n) of a (possibly transposed) matrix product; ShapeError if the inner dims differ."""
    m, k1 = (a.shape[-1], a.shape[-2]) if ta else (a.shape[-2], a.shape[-1])
    k2, n = (b.shape[-1], b.shape[-2]) if tb else (b.shape[-2], b.shape[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ShapeError(
            f"matmul inner dimensions differ: a {format_shape(a.shape)}{' (transposed)' if ta else ''} "
            f"has {k1} columns but b {format_shape(b.shape)}{' (transposed)' if tb else ''} has {k2} rows",
            fix="check the operand order and shapes, or pass transpose_a/transpose_b=True")
    return m, n


def _matmul_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    a, b = types
    d = same_dtype(types, "matmul inputs")
    _numeric(d, "matmul")
    if a.rank != 2 or b.rank != 2:
        raise ShapeError(f"MatMul needs rank-2 inputs, got {format_shape(a.shape)} and "
                         f"{format_shape(b.shape)}",
                         fix="use gr.matmul, which picks BatchMatMulV2 for rank > 2")
    return (TensorType(d, _inner(a, b, attrs["transpose_a"], attrs["transpose_b"])),)


def _batch_matmul_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    a, b = types
    d = same_dtype(types, "matmul inputs")
    _numeric(d, "matmul")
    if any(t.rank is not None and t.rank < 2 for t in types):
        raise ShapeError(f"matmul needs inputs of rank >= 2, got {format_shape(a.shape)} and "
                         f"{format_shape(b.shape)}", fix="expand_dims vectors to [1, n] or [n, 1]")
    if not (a.has_rank and b.has_rank):
        # TF1 too: a product with an operand of unknown rank has an unknown rank; the kernel
        # checks ranks >= 2 and NumPy the inner dims at run time.
        return (TensorType(d, None),)
    m, n = _inner(a, b, attrs["adj_x"], attrs["adj_y"])
    try:
        batch = broadcast_shapes([a.shape[:-2], b.shape[:-2]])
    except ShapeError:
        raise ShapeError(f"matmul batch dims of {format_shape(a.shape)} and {format_shape(b.shape)} "
                         "cannot be broadcast", fix="make the leading dims equal or 1") from None
    return (TensorType(d, (*batch, m, n)),)


register("MatMul", _matmul_rule, "matrix product of rank-2 a and b (attrs transpose_a, transpose_b)",
         traits=(PURE, ALLOCATES), num_inputs=2)
register("BatchMatMulV2", _batch_matmul_rule,
         "batched matrix product over the last two dims, batch dims broadcast (attrs adj_x, adj_y)",
         traits=(PURE, ALLOCATES), num_inputs=2)


@op_context("MatMul")
def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: str | None = None) -> Value:
    """TF1 `tf.matmul`: "MatMul" for rank 2, else "BatchMatMulV2" (batch dims broadcast).

    Adjoint equals transpose (no complex dtypes); the sparsity hints are accepted and ignored."""
    x = convert_to_tensor(a)
    y = convert_like(b, x)
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    if x.type.rank == 2 and y.type.rank == 2:
        return builder.add_op("MatMul", [x, y], {"transpose_a": ta, "transpose_b": tb}, name=name or "MatMul")
    return builder.add_op("BatchMatMulV2", [x, y], {"adj_x": ta, "adj_y": tb}, name=name or "MatMul")


# --- add_n ---------------------------------------------------------------------------------------


def _add_n_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    if not types:
        raise ShapeError("add_n needs at least one tensor")
    d = same_dtype(types, "add_n inputs")
    _numeric(d, "add_n")
    shp = types[0].shape
    if not all(t.has_rank for t in types):  # unknown ranks: as specific as the known shapes allow
        for t in types[1:]:
            if not shapes_compatible(shp, t.shape):
                raise ShapeError("add_n inputs must have the same shape (no broadcasting), got "
                                 + ", ".join(format_shape(t.shape) for t in types),
                                 fix="use gr.add for broadcasting sums")
            shp = merge_shapes(shp, t.shape)
        return (TensorType(d, shp),)
    for t in types[1:]:
        if t.rank != len(shp) or any(p is not None and q is not None and p != q
                                     for p, q in zip(shp, t.shape)):
            raise ShapeError("add_n inputs must have the same shape (no broadcasting), got "
                             + ", ".join(format_shape(t.shape) for t in types),
                             fix="use gr.add for broadcasting sums")
        shp = tuple(p if p is not None else q for p, q in zip(shp, t.shape))
    return (TensorType(d, shp),)


register("AddN", _add_n_rule, "sum of N same-shaped tensors", traits=(PURE, COMMUTATIVE, ALLOCATES))


@op_context("AddN")
def add_n(inputs: Sequence[Any], name: str | None = None) -> Value:
    """TF1 `tf.add_n`; one input returns it unchanged, as TF1 does."""
    vals = [convert_to_tensor(v) for v in inputs]
    if not vals:
        raise GraphError("add_n needs at least one tensor")
    if len(vals) == 1:
        return vals[0] if name is None else identity(vals[0], name=name)
    return builder.add_op("AddN", vals, {}, name=name or "AddN")


# --- reductions ----------------------------------------------------------------------------------


def _reduce_rule(kind: str) -> InferFn:
    def rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
        (t,) = types
        if kind == "bool" and not t.dtype.is_bool:
            raise DTypeError(f"reduce_all/reduce_any need bools, got {t.dtype.name}",
                             fix="compare first, e.g. gr.greater(x, 0)")
        if kind == "numeric":
            _numeric(t.dtype, "this reduction")
        axes = [normalize_axis(a, t.rank) for a in attrs["axis"]]
        if len(set(axes)) != len(axes):
            raise ShapeError(f"reduction axes {list(attrs['axis'])} name a dim twice")
        if attrs["keep_dims"]:
            shp = tuple(1 if i in axes else d for i, d in enumerate(t.shape))
        else:
            shp = tuple(d for i, d in enumerate(t.shape) if i not in axes)
        return (TensorType(t.dtype, shp),)
    return rule


_REDUCTIONS = {"Sum": ("numeric", "sum"), "Mean": ("numeric", "mean (integer mean truncates, like TF1)"),
               "Max": ("numeric", "max (-inf / lowest over an empty axis)"),
               "Min": ("numeric", "min (+inf / highest over an empty axis)"), "Prod": ("numeric", "product"),
               "All": ("bool", "logical and"), "Any": ("bool", "logical or")}
for _op, (_kind, _doc) in _REDUCTIONS.items():
    _traits = (PURE,) if _kind == "numeric" else (PURE, NON_DIFFERENTIABLE)
    register(_op, _reduce_rule(_kind), f"{_doc} over attr 'axis' (attr keep_dims)", traits=_traits,
             num_inputs=1)


def _reduce(op: str, input_tensor: Any, axis: Any, keepdims: Any, name: str | None,
            reduction_indices: Any, keep_dims: Any) -> Value:
    x = convert_to_tensor(input_tensor)
    ax = axis if axis is not None else reduction_indices
    kd = bool(keepdims if keepdims is not None else (keep_dims if keep_dims is not None else False))
    r = x.type.rank
    if ax is None and r is None:
        # All axes of a tensor of unknown rank: reduce its flattening (TF1's rank-agnostic case);
        # keep_dims would need the rank for the result's shape.
        if kd:
            raise ShapeError(f"reduce with keepdims=True needs the rank of '{x.name}', which is unknown",
                             fix="give the tensor a rank (t.set_shape / gr.reshape), or drop keepdims")
        return builder.add_op(op, [reshape(x, [-1])], {"axis": (0,), "keep_dims": False}, name=name or op)
    if ax is None:
        axes: tuple[int, ...] = tuple(range(r))
    else:
        axes = tuple(norm_or_raw(a, r) for a in int_list_arg(ax, "axis", allow_scalar=True))
    return builder.add_op(op, [x], {"axis": axes, "keep_dims": kd}, name=name or op)


@op_context("Sum")
def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_sum` (axis None: all dims; ``keep_dims``/``reduction_indices`` are TF1 aliases)."""
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@op_context("Mean")
def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
                reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_mean` (integer inputs give a truncated integer mean, like TF1)."""
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@op_context("Max")
def reduce_max(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_max`."""
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@op_context("Min")
def reduce_min(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_min`."""
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@op_context("Prod")
def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
                reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_prod`."""
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@op_context("All")
def reduce_all(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_all` over bools."""
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


@op_context("Any")
def reduce_any(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Value:
    """TF1 `tf.reduce_any` over bools."""
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# --- argmax / argmin -----------------------------------------------------------------------------


def _arg_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    _numeric(t.dtype, "argmax/argmin")
    if t.rank == 0:
        raise ShapeError("argmax/argmin need a tensor of rank >= 1, got a scalar")
    axis = normalize_axis(attrs["axis"], t.rank)
    if t.shape[axis] == 0:
        raise ShapeError(f"argmax/argmin over axis {axis} of {format_shape(t.shape)}, which is empty")
    out = attrs["output_type"]
    if out not in (dtypes.int32, dtypes.int64):
        raise DTypeError(f"output_type must be int32 or int64, got {out.name}")
    return (TensorType(out, t.shape[:axis] + t.shape[axis + 1:]),)


register("ArgMax", _arg_rule, "index of the largest entry along 'axis' (first on ties)",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)
register("ArgMin", _arg_rule, "index of the smallest entry along 'axis' (first on ties)",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)


def _arg(op: str, input: Any, axis: Any, dimension: Any, output_type: Any, name: str | None) -> Value:
    x = convert_to_tensor(input)
    a = axis if axis is not None else (dimension if dimension is not None else 0)
    return builder.add_op(op, [x], {"axis": norm_or_raw(axis_arg(a), x.type.rank),
                                    "output_type": dtypes.as_dtype(output_type)}, name=name or op)


@op_context("ArgMax")
def argmax(input: Any, axis: Any = None, name: str | None = None, dimension: Any = None,
           output_type: Any = dtypes.int64) -> Value:
    """TF1 `tf.argmax` (axis defaults to 0; int64 result by default, like TF1)."""
    return _arg("ArgMax", input, axis, dimension, output_type, name)


@op_context("ArgMin")
def argmin(input: Any, axis: Any = None, name: str | None = None, dimension: Any = None,
           output_type: Any = dtypes.int64) -> Value:
    """TF1 `tf.argmin`."""
    return _arg("ArgMin", input, axis, dimension, output_type, name)


# --- norm clipping (compositions, so autodiff needs no extra rules) -----------------------------


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> Value:
    """TF1 `tf.clip_by_norm`: t * clip_norm / max(l2norm(t over axes), clip_norm); the zero-norm
    case avoids sqrt(0) in the gradient the way TF1 does (a where on the squared sum)."""
    with builder.name_scope(name or "clip_by_norm"):
        x = convert_to_tensor(t)
        c = convert_like(clip_norm, x)
        l2sum = reduce_sum(multiply(x, x), axes, keepdims=True)
        pred = greater(l2sum, 0)
        l2norm = where(pred, sqrt(where(pred, l2sum, ones_like(l2sum))), l2sum)
        return identity(divide(multiply(x, c), maximum(l2norm, c)), name="values")


def global_norm(t_list: Sequence[Any], name: str | None = None) -> Value:
    """TF1 `tf.global_norm`: sqrt of the sum of squares of every entry (None entries skipped)."""
    vals = [convert_to_tensor(t) for t in t_list if t is not None]
    if not vals:
        raise GraphError("global_norm needs at least one tensor")
    with builder.name_scope(name or "global_norm"):
        sq = [reduce_sum(multiply(v, v)) for v in vals]
        return sqrt(add_n(sq), name="global_norm")


def clip_by_global_norm(t_list: Sequence[Any], clip_norm: Any, use_norm: Any = None,
                        name: str | None = None) -> tuple[list[Value | None], Value]:
    """TF1 `tf.clip_by_global_norm`: scales every tensor by TF1's ``clip_norm * min(1 / global_norm,
    1 / clip_norm)`` (plus ``norm - norm``, NaN when the norm is not finite), which is
    clip_norm / max(global_norm, clip_norm) for a positive clip_norm and keeps zero tensors zero
    for any clip_norm; returns (clipped list with None kept, the global norm)."""
    norm = use_norm if use_norm is not None else global_norm(t_list)
    norm = convert_to_tensor(norm)
    with builder.name_scope(name or "clip_by_global_norm"):
        c = convert_like(clip_norm, norm)
        one = convert_like(1.0, norm)
        scale = add(multiply(c, minimum(divide(one, norm), divide(one, c))), subtract(norm, norm))
        out = [None if t is None else multiply(convert_to_tensor(t), scale) for t in t_list]
    return out, norm


__all__ = ["matmul", "add_n", "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_all", "reduce_any", "argmax", "argmin", "clip_by_norm", "global_norm",
           "clip_by_global_norm"]
