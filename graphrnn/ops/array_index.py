"""Indexing ops: slice, strided indexing (``t[...]``), gather, reverse, reverse_sequence.

``t[key]`` becomes one "StridedSlice" node whose attr ``spec`` is a static description of the key
(see `_spec_item`); scalar int tensors in the key become "GatherV2" nodes applied after the static
part, so ``outputs[t]`` inside a while loop works as in TF1 (TF1 lowers it to a strided slice with
tensor bounds; a gather computes the same value and keeps every shape rule static).

Slice bounds that are scalar int tensors (``x[i * k:(i + 1) * k]``, ``tf.strided_slice(x, begin,
end)`` with tensor ``begin``/``end``, as TF1's PTB reader writes) make a "StridedSliceDynamic" node:
the same ``spec`` with `DYN` where a bound is a tensor, those tensors as its inputs after ``x`` (in
spec order, start before stop). The sliced dims are unknown statically (TF1 too: its reader calls
``set_shape`` afterwards); at run time the bounds follow Python's slicing rules (negative counts
from the end, out-of-range bounds clamp), as TF1's strided slice does.
"""

from __future__ import annotations

import builtins
from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import PURE, register
from graphrnn.ir.types import UNKNOWN_RANK, TensorType, format_shape, normalize_axis
from graphrnn.ops.array import _t, axis_arg, norm_or_raw, op_context, static_ints, static_value
from graphrnn.ops.convert import int_list_arg
from graphrnn.ops.rules import Attrs, Types, require_int

_py_slice = builtins.slice  # this module defines TF1's `slice`

# --- slice ---------------------------------------------------------------------------------------


def _slice_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    begin, size = attrs["begin"], attrs["size"]
    if len(begin) != t.rank or len(size) != t.rank:
        raise ShapeError(f"slice begin {list(begin)} and size {list(size)} need one entry per dim of "
                         f"{format_shape(t.shape)}")
    out: list[int | None] = []
    for i, (d, b, s) in enumerate(zip(t.shape, begin, size)):
        if b < 0 or s < -1:
            raise ShapeError(f"slice begin {list(begin)} must be >= 0 and size {list(size)} >= -1")
        if d is not None and (b > d or (s != -1 and b + s > d)):
            raise ShapeError(f"slice [{b}:{b if s == -1 else b + s}] is out of range for axis {i} of "
                             f"{format_shape(t.shape)}", fix="use a begin+size within the dim")
        out.append(s if s != -1 else (None if d is None else d - b))
    return (TensorType(t.dtype, out),)


register("Slice", _slice_rule, "x[begin:begin+size] per dim (size -1: to the end)", traits=(PURE,),
         num_inputs=1)


@op_context("Slice")
def slice(input_: Any, begin: Any, size: Any, name: str = "Slice") -> Value:  # noqa: A001 - TF1 name
    """TF1 `tf.slice` with static ``begin`` and ``size``."""
    return builder.add_op("Slice", [_t(input_)], {"begin": static_ints(begin, "begin"),
                                                   "size": static_ints(size, "size")}, name=name)


# --- strided indexing ----------------------------------------------------------------------------

# A spec item is one of ("int", i), ("slice", start, stop, step), ("newaxis",), ("ellipsis",).
FULL = ("slice", None, None, None)
# A slice bound held by a scalar int tensor (an input of StridedSliceDynamic), in place of an int.
DYN = "tensor"


def _expand_spec(spec: tuple[tuple[Any, ...], ...], rank: int) -> list[tuple[Any, ...]]:
    """The spec with its (explicit or implicit trailing) ellipsis replaced by full slices."""
    n_ell = sum(1 for s in spec if s[0] == "ellipsis")
    if n_ell > 1:
        raise ShapeError("an index can only have a single ellipsis ('...')")
    consuming = sum(1 for s in spec if s[0] in ("int", "slice"))
    if consuming > rank:
        raise ShapeError(f"too many indices ({consuming}) for a tensor of rank {rank}")
    items = list(spec) if n_ell else [*spec, ("ellipsis",)]
    k = next(i for i, s in enumerate(items) if s[0] == "ellipsis")
    return items[:k] + [FULL] * (rank - consuming) + items[k + 1:]


def _strided_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    return (TensorType(t.dtype, _strided_shape(t, attrs["spec"])),)


def _strided_shape(t: TensorType, spec: tuple[tuple[Any, ...], ...]) -> Any:
    """The static shape of ``t[spec]``; a slice with a `DYN` bound gives an unknown dim. Slicing a
    tensor of unknown rank gives one (TF1 too); NumPy checks the key against the array at run time."""
    if not t.has_rank:
        if sum(1 for s in spec if s[0] == "ellipsis") > 1:
            raise ShapeError("an index can only have a single ellipsis ('...')")
        return UNKNOWN_RANK
    out: list[int | None] = []
    axis = 0
    for item in _expand_spec(spec, t.rank):
        if item[0] == "newaxis":
            out.append(1)
            continue
        d = t.shape[axis]
        if item[0] == "int":
            i = item[1]
            if d is not None and not -d <= i < d:
                raise ShapeError(f"index {i} is out of range for axis {axis} of {format_shape(t.shape)} "
                                 f"(size {d})", fix=f"use an index in [{-d}, {d})")
        else:
            start, stop, step = item[1:]
            if step == 0:
                raise ShapeError("slice step cannot be zero")
            if d is not None and DYN not in (start, stop):
                out.append(len(range(*_py_slice(start, stop, step).indices(d))))
            else:
                out.append(None)
        axis += 1
    return tuple(out)


register("StridedSlice", _strided_rule, "NumPy basic indexing with the static key in attr 'spec'",
         traits=(PURE,), num_inputs=1)


def _dynamic_bounds(spec: tuple[tuple[Any, ...], ...]) -> int:
    """How many `DYN` bounds (inputs after ``x``) a spec has; only slice start/stop may be `DYN`."""
    n = 0
    for item in spec:
        if item[0] == "slice":
            if item[3] == DYN:
                raise ShapeError("a slice step must be a Python int (a tensor step is not supported)")
            n += (item[1] == DYN) + (item[2] == DYN)
        elif DYN in item[1:]:
            raise ShapeError(f"spec item {item!r} cannot hold a tensor bound")
    return n


def _strided_dynamic_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    t, bounds = types[0], types[1:]
    spec = attrs["spec"]
    n = _dynamic_bounds(spec)
    if n != len(bounds) or n == 0:
        raise ShapeError(f"the slice spec has {n} tensor bounds but the node has {len(bounds)} bound inputs")
    for b in bounds:
        require_int(b, "a slice bound")
        if b.rank != 0:
            raise ShapeError(f"a slice bound must be a scalar, got shape {format_shape(b.shape)}",
                             fix="index the bound tensor to a scalar, e.g. begin[1]")
    return (TensorType(t.dtype, _strided_shape(t, spec)),)


register("StridedSliceDynamic", _strided_dynamic_rule,
         "t[key] where the slice bounds marked 'tensor' in attr 'spec' are the scalar inputs after t",
         traits=(PURE,))


def _bound(x: Any, what: str) -> int | None | Value:
    """A slice bound: None, a Python int (also a constant), or a scalar int tensor."""
    if x is None:
        return None
    if isinstance(x, bool):
        raise GraphError(f"slice {what} must be an int, None or a scalar int tensor, got {x!r}")
    v = static_value(x)
    if v is not None and v.ndim == 0 and v.dtype.kind in "iu":
        return int(v)
    if v is None:
        t = _t(x)
        if t.dtype.is_integer and t.type.rank == 0:
            return t
    raise GraphError(f"slice {what} must be an int, None or a scalar int tensor, got {x!r}",
                     fix="pass a Python int or a scalar int32/int64 tensor (e.g. i * num_steps)")


def _step(x: Any) -> int | None:
    b = _bound(x, "step")
    if isinstance(b, Value):
        raise GraphError(f"a slice step must be a Python int, got tensor '{b.name}'",
                         fix="slice with a constant step; gather computed positions with gr.gather")
    return b


def _spec_item(k: Any) -> tuple[Any, ...] | Value:
    """One key element as a spec item, or a scalar int tensor to gather with."""
    if k is None:
        return ("newaxis",)
    if k is Ellipsis:
        return ("ellipsis",)
    if isinstance(k, bool):
        raise GraphError("boolean indices are not supported",
                         fix="use gr.where(mask, x, y), or gr.gather with integer indices")
    if isinstance(k, _py_slice):
        return ("slice", _bound(k.start, "start"), _bound(k.stop, "stop"), _step(k.step))
    v = static_value(k)
    if v is not None and v.ndim == 0 and v.dtype.kind in "iu":
        return ("int", int(v))
    if isinstance(k, Value) and k.type.rank == 0 and k.dtype.is_integer:
        return k
    raise GraphError(f"unsupported index {k!r}: use ints, slices with int or tensor bounds, None, ..., or a "
                     "scalar int tensor", fix="for a list of indices use gr.gather(t, indices, axis)")


def _slice_node(x: Value, items: Any, name: str) -> Value:
    """A "StridedSlice" of ``items``, or a "StridedSliceDynamic" when a slice bound is a tensor."""
    bounds: list[Value] = []
    spec: list[tuple[Any, ...]] = []
    for it in items:
        if it[0] == "slice" and any(isinstance(b, Value) for b in it[1:3]):
            lowered = []
            for b in it[1:3]:
                if isinstance(b, Value):
                    bounds.append(b)
                    lowered.append(DYN)
                else:
                    lowered.append(b)
            spec.append(("slice", *lowered, it[3]))
        else:
            spec.append(it)
    if bounds:
        return builder.add_op("StridedSliceDynamic", [x, *bounds], {"spec": tuple(spec)}, name=name)
    return builder.add_op("StridedSlice", [x], {"spec": tuple(spec)}, name=name)


@op_context("StridedSlice")
def getitem(tensor: Any, key: Any) -> Value:
    """``tensor[key]`` with TF1/NumPy basic-indexing semantics (negative indices count from the end);
    slice bounds may be scalar int tensors."""
    x = _t(tensor)
    keys = key if isinstance(key, tuple) else (key,)
    return _index(x, [_spec_item(k) for k in keys], "strided_slice")


def _index(x: Value, items: list[Any], name: str) -> Value:
    """``x[items]``: spec items (slice bounds may be tensors) and scalar int tensors (gathered)."""
    dynamic = [i for i, it in enumerate(items) if isinstance(it, Value)]
    if not dynamic:
        return _slice_node(x, items, name)
    # Replace each tensor index by a full slice, apply the static part, then gather each tensor
    # index at the output axis its full slice landed on (last first, so earlier axes stay put).
    static_items = tuple(FULL if isinstance(it, Value) else it for it in items)
    consuming = sum(1 for it in static_items if it[0] in ("int", "slice"))
    if not x.type.has_rank and any(it[0] == "ellipsis" for it in static_items):
        raise ShapeError("indexing with '...' and a tensor index needs the tensor's rank, which is unknown",
                         fix="give the tensor a rank (gr.reshape), or index without '...'")
    ell_width = max(0, x.type.rank - consuming) if x.type.has_rank else 0
    out_axis: dict[int, int] = {}
    pos = 0
    for i, it in enumerate(static_items):
        if isinstance(items[i], Value):
            out_axis[i] = pos
        if it[0] in ("slice", "newaxis"):
            pos += 1
        elif it[0] == "ellipsis":
            pos += ell_width
    y = x
    if any(it != FULL for it in static_items):
        y = _slice_node(x, static_items, name)
    for i in sorted(dynamic, key=lambda j: -out_axis[j]):
        y = gather(y, _count_from_end(y, items[i], out_axis[i]), axis=out_axis[i])
    return y


def _count_from_end(y: Value, index: Value, axis: int) -> Value:
    """``index`` as a gather position along ``axis`` of ``y``: a negative index counts from the end,
    as in TF1's strided slice (``x[i]`` with ``i = -1`` is the last row). Gather itself refuses
    negative positions, so ``index + dim`` is taken where ``index < 0``; an index still out of
    range after that stays out of range, and gather reports it at run time."""
    from graphrnn.ops.array_shape import shape
    from graphrnn.ops.math import add, less, where
    dim: Any = y.type.shape[axis] if y.type.has_rank else None
    if dim is None:
        dim = shape(y, out_type=index.dtype)[axis]
    return where(less(index, 0), add(index, dim), index)


@op_context("StridedSlice")
def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0, name: str = "strided_slice") -> Value:
    """TF1 `tf.strided_slice` with TF1's bit masks. ``begin`` and ``end`` may be tensors (1-D of a
    known length, or lists mixing ints and scalar int tensors); ``strides`` must be known."""
    b = _bounds_arg(begin, "begin")
    e = _bounds_arg(end, "end")
    s = static_ints(strides, "strides") if strides is not None else (1,) * len(b)
    if not len(b) == len(e) == len(s):
        raise ShapeError(f"strided_slice begin, end and strides must have the same length, got {len(b)}, "
                         f"{len(e)} and {len(s)}")
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask = (
        axis_arg(m, what) for m, what in ((begin_mask, "begin_mask"), (end_mask, "end_mask"),
                                          (ellipsis_mask, "ellipsis_mask"), (new_axis_mask, "new_axis_mask"),
                                          (shrink_axis_mask, "shrink_axis_mask")))
    items: list[Any] = []
    for i, (bi, ei, si) in enumerate(zip(b, e, s)):
        bit = 1 << i
        if ellipsis_mask & bit:
            items.append(("ellipsis",))
        elif new_axis_mask & bit:
            items.append(("newaxis",))
        elif shrink_axis_mask & bit:
            items.append(bi if isinstance(bi, Value) else ("int", bi))  # a tensor index is gathered
        else:
            items.append(("slice", None if begin_mask & bit else bi, None if end_mask & bit else ei, si))
    return _index(_t(input_), items, name)


def _bounds_arg(x: Any, what: str) -> list[int | Value]:
    """strided_slice's ``begin``/``end``: one int or scalar int tensor per sliced dim."""
    if static_value(x) is not None:
        return list(static_ints(x, what))
    if isinstance(x, (list, tuple)):
        out = [_bound(v, what) for v in x]
        if any(v is None for v in out):
            raise GraphError(f"strided_slice {what} entries must be ints or scalar int tensors, got {x!r}",
                             fix="use begin_mask/end_mask bits for open ends")
        return out  # type: ignore[return-value]
    t = _t(x)
    if not t.dtype.is_integer or t.type.rank != 1 or t.type.shape[0] is None:
        raise GraphError(f"strided_slice {what} must be a 1-D int tensor of a known length, got {t.type}",
                         fix=f"pass {what} as a list of ints and scalar int tensors")
    return [t[k] for k in builtins.range(t.type.shape[0])]


# --- gather --------------------------------------------------------------------------------------


def _gather_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    params, indices = types
    require_int(indices, "gather indices")
    if not params.has_rank and isinstance(attrs["axis"], int) and attrs["axis"] >= 0:
        return (TensorType(params.dtype, None),)  # TF1 too; the kernel checks the axis at run time
    if params.rank == 0:
        raise ShapeError("cannot gather from a scalar")
    axis = normalize_axis(attrs["axis"], params.rank)
    shp = params.shape[:axis] + indices.shape + params.shape[axis + 1:]
    return (TensorType(params.dtype, shp),)


register("GatherV2", _gather_rule, "params[..., indices, ...] along attr 'axis'", traits=(PURE,),
         num_inputs=2)


@op_context("GatherV2")
def gather(params: Any, indices: Any, validate_indices: Any = None, name: str = "GatherV2",
           axis: Any = 0, batch_dims: int = 0) -> Value:
    """TF1 `tf.gather`: out.shape = params.shape[:axis] + indices.shape + params.shape[axis+1:].

    Out-of-range indices raise an `ExecutionError` at run time (TF1 on CPU does too)."""
    if batch_dims:
        raise GraphError("gather with batch_dims != 0 is not supported", fix="use batch_dims=0")
    p = _t(params)
    i = _t(indices)
    return builder.add_op("GatherV2", [p, i], {"axis": norm_or_raw(axis_arg(axis), p.type.rank)}, name=name)


# --- reverse / reverse_sequence ------------------------------------------------------------------


def _reverse_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    axes = [normalize_axis(a, t.rank) for a in attrs["axis"]]
    if len(set(axes)) != len(axes):
        raise ShapeError(f"reverse axes {list(attrs['axis'])} name a dim twice")
    return (t,)


register("ReverseV2", _reverse_rule, "flips the dims listed in attr 'axis'", traits=(PURE,), num_inputs=1)


@op_context("ReverseV2")
def reverse(tensor: Any, axis: Any, name: str = "ReverseV2") -> Value:
    """TF1 `tf.reverse` (= `reverse_v2`): ``axis`` is a list of dims to flip."""
    x = _t(tensor)
    axes = int_list_arg(axis, "axis")  # a list, as TF1's ReverseV2 needs a 1-D axis
    return builder.add_op("ReverseV2", [x], {"axis": tuple(norm_or_raw(a, x.type.rank) for a in axes)},
                          name=name)


def _reverse_seq_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    t, lens = types
    require_int(lens, "reverse_sequence seq_lengths")
    s = normalize_axis(attrs["seq_dim"], t.rank, "seq_axis")
    b = normalize_axis(attrs["batch_dim"], t.rank, "batch_axis")
    if s == b:
        raise ShapeError(f"seq_axis and batch_axis must differ, both are {s}")
    if lens.rank != 1:
        raise ShapeError(f"seq_lengths must be 1-D, got {format_shape(lens.shape)}")
    if None not in (lens.shape[0], t.shape[b]) and lens.shape[0] != t.shape[b]:
        raise ShapeError(f"seq_lengths {format_shape(lens.shape)} must have one entry per batch row of "
                         f"{format_shape(t.shape)} (axis {b})")
    return (t,)


register("ReverseSequence", _reverse_seq_rule,
         "reverses the first seq_lengths[b] entries along 'seq_dim' of each batch row b", traits=(PURE,),
         num_inputs=2)


@op_context("ReverseSequence")
def reverse_sequence(input: Any, seq_lengths: Any, seq_axis: int | None = None, batch_axis: int | None = None,
                     name: str = "ReverseSequence", seq_dim: int | None = None,
                     batch_dim: int | None = None) -> Value:
    """TF1 `tf.reverse_sequence` (``seq_dim``/``batch_dim`` are TF1's aliases; batch defaults to 0).

    Lengths outside [0, T] are an `ExecutionError` at run time."""
    x = _t(input)
    s = seq_axis if seq_axis is not None else seq_dim
    b = batch_axis if batch_axis is not None else (batch_dim if batch_dim is not None else 0)
    if s is None:
        raise GraphError("reverse_sequence needs seq_axis")
    s, b = axis_arg(s, "seq_axis"), axis_arg(b, "batch_axis")
    r = x.type.rank
    return builder.add_op("ReverseSequence", [x, _t(seq_lengths)],
                          {"seq_dim": norm_or_raw(s, r), "batch_dim": norm_or_raw(b, r)}, name=name)


__all__ = ["slice", "strided_slice", "getitem", "gather", "reverse", "reverse_sequence"]
