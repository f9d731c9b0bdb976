"""Structural array ops: concat, split, stack/unstack, transpose, reshape, identity, stop_gradient;
plus the build-time helpers that read static values of small tensors.

Conventions shared by every array-op module (`array`, `array_shape`, `array_index`):
- Axis attrs are stored normalized (non-negative) when they are in range; an out-of-range axis is
  stored as given so that the shape rule raises a `ShapeError` that the builder decorates with the
  op, node and source line.
- Arguments TF1 accepts as tensors but that decide output shapes (perm, shape, multiples, begin,
  size...) must be known at build time here: Python values, or tensors whose value `static_value`
  can read (a `Const`, or a `Pack`/`Identity`/`Cast` of them). Ranks are always static in graphrnn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, PURE, register
from graphrnn.ir.types import Shape, TensorType, format_shape, merge_shapes, normalize_axis
from graphrnn.ops.convert import convert_to_tensor, int_arg, int_list_arg, static_value
from graphrnn.ops.rules import Attrs, Types, require_int, same_dtype

# --- build-time static values --------------------------------------------------------------------


# `static_value` lives in `convert` (next to the integer-argument validators that use it).


def _static_scalar(x: Value) -> int | None:
    """A scalar int known at build time, including ``shape(t)[i]`` when ``t``'s dim i is static."""
    v = static_value(x)
    if v is not None:
        return int(v)
    node = x.node
    if node is not None and node.op == "StridedSlice" and node.inputs[0].node is not None \
            and node.inputs[0].node.op == "Shape":
        spec = node.attrs["spec"]
        if len(spec) == 1 and spec[0][0] == "int":
            shp = node.inputs[0].node.inputs[0].type.shape
            i = spec[0][1]
            if -len(shp) <= i < len(shp):
                return shp[i]
    return None


def static_dims(x: Value) -> tuple[int | None, ...]:
    """Per-element static values of a 1-D int tensor (``None`` where unknown).

    Used by Fill, ReshapeDynamic and zeros/ones to give their outputs as much static shape as the
    shape tensor carries, e.g. ``zeros(stack([batch, 128]))`` is ``[?,128]``.
    """
    n = x.type.shape[0] if x.type.rank == 1 else None
    if n is None:
        raise ShapeError(f"a shape tensor must be 1-D with a known length, got {format_shape(x.type.shape)}",
                         fix="build the shape with gr.stack([...]) of scalars or pass a Python list")
    v = static_value(x)
    if v is not None:
        return tuple(int(e) for e in v.reshape(-1))
    node = x.node
    if node is not None and node.op == "Pack" and node.attrs["axis"] == 0:
        return tuple(_static_scalar(i) for i in node.inputs)
    if node is not None and node.op == "Shape":
        return tuple(node.inputs[0].type.shape)
    return (None,) * n


def static_ints(x: Any, what: str) -> tuple[int, ...]:
    """``x`` (a Python int sequence, a scalar, or a constant tensor) as a tuple of ints; a
    `GraphError` subclass for floats, bools, non-numbers or values unknown at build time."""
    return int_list_arg(x, what, allow_scalar=True)


def norm_or_raw(axis: Any, rank: int | None) -> int:
    """Normalizes an in-range axis; leaves others (and any axis of an unknown rank, ``None``) as
    given for the shape rule to reject."""
    a = int(axis)
    return a + rank if rank is not None and -rank <= a < 0 else a


def axis_arg(axis: Any, what: str = "axis") -> int:
    """An axis argument as a Python int (a scalar constant int tensor is accepted; floats and
    bools are a `DTypeError`, as TF1's int32-typed axis inputs refuse them)."""
    return int_arg(axis, what)


F = TypeVar("F", bound=Callable[..., Any])


def op_context(op: str) -> Callable[[F], F]:
    """Decorates a user-facing constructor so that errors it raises before its node exists (bad
    arguments, unknown sizes) still name the op and the user's source line, like shape-rule errors."""
    def deco(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except GraphError as e:
                if e.op is None:
                    e.attach(op=op, source=builder.format_source(builder.source_location()))
                raise
            except (TypeError, IndexError) as e:
                # Constructor code written for known ranks met a tensor of unknown rank.
                if not _has_unknown_rank(args, kwargs):
                    raise
                raise ShapeError(f"{op} needs the rank of its input, which is unknown ({e})", op=op,
                                 source=builder.format_source(builder.source_location()),
                                 fix="give the tensor a rank: declare the placeholder with a shape, call "
                                     "t.set_shape([...]), or gr.reshape it to a known shape") from None
        return wrapper  # type: ignore[return-value]
    return deco


def _has_unknown_rank(args: Any, kwargs: Any) -> bool:
    """Whether a tensor of unknown rank is among the arguments (or directly inside a list of them)."""
    for a in (*args, *kwargs.values()):
        for v in (a if isinstance(a, (list, tuple)) else (a,)):
            if isinstance(v, Value) and not v.type.has_rank:
                return True
    return False


def _t(x: Any, dtype: Any = None) -> Value:
    return convert_to_tensor(x, dtype)


# --- concat / split ------------------------------------------------------------------------------


def _concat_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    if not types:
        raise ShapeError("concat needs at least one tensor")
    d = same_dtype(types, "concat inputs")
    known = [t for t in types if t.has_rank]
    partial = len(known) < len(types)
    if partial:  # some rank unknown: TF1 too; NumPy checks the pieces at run time
        if not known:
            if attrs["axis"] < 0:
                raise ShapeError(f"concat axis {attrs['axis']} needs the inputs' rank, which is unknown",
                                 fix="use a non-negative axis, or give one input a rank")
            return (TensorType(d, None),)
        types = known
    rank = types[0].rank
    if any(t.rank != rank for t in types):
        raise ShapeError("concat inputs must have the same rank, got shapes "
                         + ", ".join(format_shape(t.shape) for t in types),
                         fix="reshape or expand_dims the inputs to a common rank")
    if rank == 0:
        raise ShapeError("cannot concat scalars", fix="use gr.stack to make a vector of scalars")
    axis = normalize_axis(attrs["axis"], rank)
    out: list[int | None] = list(types[0].shape)
    for t in types[1:]:
        for i, (a, b) in enumerate(zip(out, t.shape)):
            if i == axis:
                continue
            if a is not None and b is not None and a != b:
                raise ShapeError("concat inputs must agree on every dim but the concat axis "
                                 f"{axis}, got shapes " + ", ".join(format_shape(t.shape) for t in types))
            out[i] = a if a is not None else b
    sizes = [t.shape[axis] for t in types]
    out[axis] = None if None in sizes or partial else sum(sizes)  # type: ignore[arg-type]
    return (TensorType(d, out),)


register("ConcatV2", _concat_rule, "joins tensors along attr 'axis'", traits=(PURE,))


@op_context("ConcatV2")
def concat(values: Sequence[Any], axis: Any, name: str = "concat") -> Value:
    """TF1 `tf.concat(values, axis)`: one input (in a list, or a bare tensor, as TF1 allows)
    returns an Identity of it, like TF1."""
    if not isinstance(values, (list, tuple)):
        values = [values]  # TF1: a bare tensor is one input, not a list of its rows
    vals = [_t(v) for v in values]
    ax = axis_arg(axis)
    if len(vals) == 1:
        return identity(vals[0], name=name)
    ranks = [v.type.rank for v in vals if v.type.has_rank]  # the first known rank normalizes the axis
    return builder.add_op("ConcatV2", vals, {"axis": norm_or_raw(ax, ranks[0] if ranks else None)}, name=name)


def _split_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    axis = normalize_axis(attrs["axis"], t.rank)
    dim = t.shape[axis]
    sizes: tuple[int, ...] = attrs["size_splits"]
    if sizes.count(-1) > 1:
        raise ShapeError(f"size_splits {sizes} has more than one -1")
    if any(s < -1 for s in sizes):
        raise ShapeError(f"size_splits {sizes} has a negative size")
    known = sum(s for s in sizes if s != -1)
    resolved: list[int | None] = list(sizes)
    if dim is not None:
        if -1 in sizes:
            if known > dim:
                raise ShapeError(f"size_splits {sizes} need {known} > {dim} rows on axis {axis} of "
                                 f"{format_shape(t.shape)}")
            resolved[sizes.index(-1)] = dim - known
        elif known != dim:
            raise ShapeError(f"size_splits {sizes} sum to {known}, but axis {axis} of "
                             f"{format_shape(t.shape)} has size {dim}",
                             fix="make the sizes sum to the dim, or use -1 for one of them")
    elif -1 in sizes:
        resolved[sizes.index(-1)] = None
    outs = []
    for s in resolved:
        shp = list(t.shape)
        shp[axis] = s
        outs.append(TensorType(t.dtype, shp))
    return tuple(outs)


def _split_even_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    axis = normalize_axis(attrs["axis"], t.rank)
    n = attrs["num_split"]
    if n < 1:
        raise ShapeError(f"num_or_size_splits must be >= 1, got {n}")
    dim = t.shape[axis]
    if dim is not None and dim % n:
        raise ShapeError(f"cannot split axis {axis} of size {dim} of {format_shape(t.shape)} into {n} "
                         "equal parts", fix="pass a list of sizes instead of a count")
    shp = list(t.shape)
    shp[axis] = None if dim is None else dim // n
    return (TensorType(t.dtype, shp),) * n


register("Split", _split_even_rule, "splits into attr 'num_split' equal parts along 'axis'",
         traits=(PURE,), num_inputs=1)
register("SplitV", _split_rule, "splits into parts of sizes attr 'size_splits' along 'axis'",
         traits=(PURE,), num_inputs=1)


@op_context("Split")
def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: int | None = None,
          name: str = "split") -> list[Value]:
    """TF1 `tf.split`: an int gives equal parts ("Split"), a list gives those sizes ("SplitV")."""
    x = _t(value)
    ax = norm_or_raw(axis_arg(axis), x.type.rank)
    if isinstance(num_or_size_splits, (list, tuple, np.ndarray)) or (
            isinstance(num_or_size_splits, Value) and num_or_size_splits.type.rank != 0):
        sizes = int_list_arg(num_or_size_splits, "num_or_size_splits")
        node = builder.add_node("SplitV", [x], {"axis": ax, "size_splits": sizes}, name=name)
    else:
        n = int_arg(num_or_size_splits, "num_or_size_splits", minimum=1)
        node = builder.add_node("Split", [x], {"axis": ax, "num_split": n}, name=name)
    return list(node.outputs)


# --- stack / unstack -----------------------------------------------------------------------------


def _pack_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    if not types:
        raise ShapeError("stack needs at least one tensor")
    d = same_dtype(types, "stack inputs")
    shp: Shape = types[0].shape
    for t in types[1:]:
        if t.rank != len(shp) or any(a is not None and b is not None and a != b
                                     for a, b in zip(shp, t.shape)):
            raise ShapeError("stack inputs must have the same shape, got "
                             + ", ".join(format_shape(t.shape) for t in types))
        shp = merge_shapes(shp, t.shape)
    axis = normalize_axis(attrs["axis"], len(shp) + 1)
    return (TensorType(d, (*shp[:axis], len(types), *shp[axis:])),)


register("Pack", _pack_rule, "stacks N tensors along a new axis 'axis'", traits=(PURE,))


@op_context("Pack")
def stack(values: Sequence[Any], axis: int = 0, name: str = "stack") -> Value:
    """TF1 `tf.stack` (op "Pack"); nested lists of tensors are packed recursively."""
    vals = [_t(v) for v in values]
    rank = vals[0].type.rank + 1 if vals else 1
    return builder.add_op("Pack", vals, {"axis": norm_or_raw(axis_arg(axis), rank)}, name=name)


def _unpack_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    if t.rank == 0:
        raise ShapeError("cannot unstack a scalar")
    axis = normalize_axis(attrs["axis"], t.rank)
    num = attrs["num"]
    if t.shape[axis] is not None and t.shape[axis] != num:
        raise ShapeError(f"num={num} but axis {axis} of {format_shape(t.shape)} has size {t.shape[axis]}")
    return (TensorType(t.dtype, t.shape[:axis] + t.shape[axis + 1:]),) * num


register("Unpack", _unpack_rule, "splits along 'axis' into attr 'num' tensors of one rank less",
         traits=(PURE,), num_inputs=1)


@op_context("Unpack")
def unstack(value: Any, num: int | None = None, axis: int = 0, name: str = "unstack") -> list[Value]:
    """TF1 `tf.unstack`; ``num`` defaults to the static size of ``axis`` (an error if unknown)."""
    x = _t(value)
    ax = norm_or_raw(axis_arg(axis), x.type.rank)
    if num is None:
        dim = x.type.shape[ax] if 0 <= ax < x.type.rank else None
        if dim is None:
            raise ShapeError(f"cannot unstack axis {axis} of {format_shape(x.type.shape)}: its size is "
                             "unknown", fix="pass num=N, or use gr.while_loop / gr.nn.dynamic_rnn")
        num = dim
    return list(builder.add_node("Unpack", [x], {"axis": ax, "num": int_arg(num, "num", minimum=0)},
                                 name=name).outputs)


# --- transpose / reshape -------------------------------------------------------------------------


def _transpose_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    perm = attrs["perm"]
    if len(perm) != t.rank:
        raise ShapeError(f"transpose perm {list(perm)} has {len(perm)} entries but the input "
                         f"{format_shape(t.shape)} has rank {t.rank}",
                         fix=f"give a permutation of {list(range(t.rank))}")
    if sorted(perm) != list(range(t.rank)):
        raise ShapeError(f"transpose perm {list(perm)} is not a permutation of {list(range(t.rank))}")
    return (TensorType(t.dtype, tuple(t.shape[p] for p in perm)),)


register("Transpose", _transpose_rule, "permutes dims: out.shape[i] = in.shape[perm[i]]",
         traits=(PURE,), num_inputs=1)


@op_context("Transpose")
def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False) -> Value:
    """TF1 `tf.transpose`; ``perm`` defaults to reversing the dims; negative entries are allowed."""
    x = _t(a)
    r = x.type.rank
    p = tuple(range(r - 1, -1, -1)) if perm is None else static_ints(perm, "perm")
    p = tuple(norm_or_raw(i, r) for i in p)
    return builder.add_op("Transpose", [x], {"perm": p}, name=name)


def _reshape_target(t: TensorType, target: Sequence[int | None]) -> tuple[int | None, ...]:
    """Output shape of reshaping ``t`` to ``target`` (-1: inferred; None: unknown, dynamic only)."""
    if sum(1 for s in target if s == -1) > 1:
        raise ShapeError(f"reshape target {list(target)} has more than one -1")
    if any(s is not None and s < -1 for s in target):
        raise ShapeError(f"reshape target {list(target)} has a negative size")
    # Unknown rank or dims: the element count is checked at run time (the kernel names the node).
    n_in = None if not t.has_rank or None in t.shape else int(np.prod(t.shape, dtype=np.int64))
    known = [s for s in target if s is not None and s != -1]
    prod_known = int(np.prod(known, dtype=np.int64))
    fully = all(s is not None and s != -1 for s in target)
    out = [s if s != -1 else None for s in target]
    if n_in is not None:
        if fully and prod_known != n_in:
            raise ShapeError(f"cannot reshape a tensor of {n_in} elements {format_shape(t.shape)} to "
                             f"{list(target)} ({prod_known} elements)",
                             fix="make the element counts equal, or use -1 for one dim")
        if -1 in target and None not in target:
            if prod_known == 0 or n_in % prod_known:
                raise ShapeError(f"cannot reshape a tensor of {n_in} elements {format_shape(t.shape)} "
                                 f"to {list(target)}: {n_in} is not a multiple of {prod_known}")
            out[list(target).index(-1)] = n_in // prod_known
    return tuple(out)


def _reshape_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    return (TensorType(t.dtype, _reshape_target(t, attrs["shape"])),)


def _reshape_dynamic_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    t, s = types
    require_int(s, "the shape of reshape")
    hint: tuple[int | None, ...] = attrs["static_shape"]
    if s.rank != 1 or s.shape[0] != len(hint):
        raise ShapeError(f"reshape's shape tensor {format_shape(s.shape)} must be 1-D of length {len(hint)}")
    return (TensorType(t.dtype, _reshape_target(t, hint)),)


register("Reshape", _reshape_rule, "same elements, shape attr 'shape' (one -1 inferred)",
         traits=(PURE,), num_inputs=1)
register("ReshapeDynamic", _reshape_dynamic_rule,
         "reshape to the shape held by input 1; attr 'static_shape' is what is known of it at build time",
         traits=(PURE,), num_inputs=2)


@op_context("Reshape")
def reshape(tensor: Any, shape: Any, name: str = "Reshape") -> Value:
    """TF1 `tf.reshape`; a shape with tensor entries becomes "ReshapeDynamic"."""
    x = _t(tensor)
    sv = static_value(shape)
    if sv is not None:
        return builder.add_op("Reshape", [x], {"shape": static_ints(sv, "shape")}, name=name)
    s = _t(shape)
    return builder.add_op("ReshapeDynamic", [x, s], {"static_shape": static_dims(s)}, name=name)


# --- identity / stop_gradient --------------------------------------------------------------------


def _same(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return (types[0],)


register("Identity", _same, "returns its input", traits=(PURE,), num_inputs=1)
register("StopGradient", _same, "returns its input; its gradient is zero",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)


def identity(input: Any, name: str = "Identity") -> Value:
    """TF1 `tf.identity`."""
    return builder.add_op("Identity", [_t(input)], {}, name=name)


def stop_gradient(input: Any, name: str = "StopGradient") -> Value:
    """TF1 `tf.stop_gradient`: the value passes, gradients do not."""
    return builder.add_op("StopGradient", [_t(input)], {}, name=name)


# Public TF1 names (the facade star-imports them); the static_* helpers stay module-level only.
__all__ = ["concat", "split", "stack", "unstack", "transpose", "reshape", "identity", "stop_gradient"]
