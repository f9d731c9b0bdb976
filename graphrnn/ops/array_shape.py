"""Shape queries and manipulation, tensor creation: shape, size, rank, expand_dims, squeeze, fill,
zeros/ones(_like), range, tile, pad, one_hot, sequence_mask.

Ops whose output size depends on the value of an input (Fill, Range, SequenceMask) carry what is
known of that value at build time in an attr (``static_shape``, ``static_size``, ``static_maxlen``),
so their shape rule stays a function of input types and attrs (the verifier recomputes it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, PURE, register
from graphrnn.ir.types import TensorType, format_shape, normalize_axis
from graphrnn.ops.array import _t, axis_arg, norm_or_raw, op_context, stack, static_dims, static_ints, static_value
from graphrnn.ops.convert import constant, inferred_dtype, int_arg
from graphrnn.ops.rules import Attrs, Types, require_int, require_rank, same_dtype

# --- shape / size / rank -------------------------------------------------------------------------


def _out_int_type(attrs: Attrs) -> dtypes.DType:
    d = attrs["out_type"]
    if d not in (dtypes.int32, dtypes.int64):
        raise DTypeError(f"out_type must be int32 or int64, got {d.name}")
    return d


register("Shape", lambda types, attrs: (TensorType(_out_int_type(attrs), (types[0].rank,)),),
         "the runtime shape as a 1-D int tensor", traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)
register("Size", lambda types, attrs: (TensorType(_out_int_type(attrs), ()),),
         "the number of elements", traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)
register("Rank", lambda types, attrs: (TensorType(dtypes.int32, ()),),
         "the rank, as an int32 scalar", traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)


def shape(input: Any, name: str = "Shape", out_type: Any = dtypes.int32) -> Value:
    """TF1 `tf.shape`; a nested list/tuple of tensors is packed first (as TF1 does)."""
    return builder.add_op("Shape", [_t(input)], {"out_type": dtypes.as_dtype(out_type)}, name=name)


def size(input: Any, name: str = "Size", out_type: Any = dtypes.int32) -> Value:
    """TF1 `tf.size`."""
    return builder.add_op("Size", [_t(input)], {"out_type": dtypes.as_dtype(out_type)}, name=name)


def rank(input: Any, name: str = "Rank") -> Value:
    """TF1 `tf.rank` (always static here, but kept an op like TF1)."""
    return builder.add_op("Rank", [_t(input)], {}, name=name)


# --- expand_dims / squeeze -----------------------------------------------------------------------


def _expand_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    axis = normalize_axis(attrs["axis"], t.rank + 1)
    return (TensorType(t.dtype, (*t.shape[:axis], 1, *t.shape[axis:])),)


register("ExpandDims", _expand_rule, "inserts a dim of size 1 at 'axis'", traits=(PURE,), num_inputs=1)


@op_context("ExpandDims")
def expand_dims(input: Any, axis: Any = None, name: str = "ExpandDims", dim: Any = None) -> Value:
    """TF1 `tf.expand_dims(input, axis)` (``dim`` is TF1's deprecated alias)."""
    x = _t(input)
    a = axis if axis is not None else dim
    if a is None:
        raise GraphError("expand_dims needs an axis")
    return builder.add_op("ExpandDims", [x], {"axis": norm_or_raw(axis_arg(a), x.type.rank + 1)}, name=name)


def _squeeze_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    dims = {normalize_axis(a, t.rank) for a in attrs["squeeze_dims"]}
    for a in dims:
        if t.shape[a] is not None and t.shape[a] != 1:
            raise ShapeError(f"cannot squeeze axis {a} of {format_shape(t.shape)}: its size is {t.shape[a]}",
                             fix="squeeze only dims of size 1")
    return (TensorType(t.dtype, tuple(d for i, d in enumerate(t.shape) if i not in dims)),)


register("Squeeze", _squeeze_rule, "removes the size-1 dims listed in 'squeeze_dims'", traits=(PURE,),
         num_inputs=1)


@op_context("Squeeze")
def squeeze(input: Any, axis: Any = None, name: str = "Squeeze", squeeze_dims: Any = None) -> Value:
    """TF1 `tf.squeeze`. Without an axis every static size-1 dim goes; unknown dims are an error
    (graphrnn ranks are static, so whether they would be squeezed must be decided now)."""
    x = _t(input)
    a = axis if axis is not None else squeeze_dims
    if a is None:
        if None in x.type.shape:
            raise ShapeError(f"squeeze without axis on {format_shape(x.type.shape)}: unknown dims make "
                             "the output rank unknown", fix="pass axis=[...] naming the dims to remove")
        dims = tuple(i for i, d in enumerate(x.type.shape) if d == 1)
    else:
        listed = static_ints(a, "axis")
        dims = tuple(norm_or_raw(i, x.type.rank) for i in listed)
    return builder.add_op("Squeeze", [x], {"squeeze_dims": dims}, name=name)


# --- fill / zeros / ones -------------------------------------------------------------------------


def _fill_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    dims, value = types
    require_int(dims, "fill's dims")
    require_rank(value, 0, "fill's value")
    hint = attrs["static_shape"]
    if hint is None:  # dims of unknown length (e.g. gr.shape of a tensor of unknown rank)
        if dims.rank != 1:
            raise ShapeError(f"fill's dims must be 1-D, got {format_shape(dims.shape)}")
        return (TensorType(value.dtype, None),)
    if dims.rank != 1 or dims.shape[0] != len(hint):
        raise ShapeError(f"fill's dims {format_shape(dims.shape)} must be 1-D of length {len(hint)}")
    if any(d is not None and d < 0 for d in hint):
        raise ShapeError(f"fill's dims {list(hint)} contain a negative size")
    return (TensorType(value.dtype, hint),)


register("Fill", _fill_rule, "a tensor of shape input 0 filled with scalar input 1", traits=(PURE,),
         num_inputs=2)


@op_context("Fill")
def fill(dims: Any, value: Any, name: str = "Fill") -> Value:
    """TF1 `tf.fill(dims, value)`; static entries of ``dims`` become static output dims."""
    d = _t(dims)
    # A 1-D dims tensor of unknown length (gr.shape(x) for x of unknown rank) fills a tensor of
    # unknown rank: static_shape None.
    hint = None if d.type.rank == 1 and d.type.shape[0] is None else static_dims(d)
    return builder.add_op("Fill", [d, _t(value)], {"static_shape": hint}, name=name)


# TF1 makes small all-constant zeros/ones a Const and bigger ones a Fill; so do we.
_CONST_LIMIT = 1000


def _filled(shape_arg: Any, dtype: Any, fill_value: int, name: str) -> Value:
    d = dtypes.as_dtype(dtype)
    sv = static_value(shape_arg)
    if sv is not None:
        dims = static_ints(shape_arg if isinstance(shape_arg, (list, tuple)) else sv, "shape")
        if any(x < 0 for x in dims):
            raise ShapeError(f"shape {list(dims)} has a negative size")
        if int(np.prod(dims, dtype=np.int64)) <= _CONST_LIMIT:
            return constant(np.full(dims, fill_value, d.np), dtype=d, name=name)
        with builder.name_scope(name):
            return fill(constant(np.asarray(dims, np.int32)), constant(fill_value, dtype=d), name=name)
    with builder.name_scope(name):
        from graphrnn.ops.math import cast  # late: keeps array_shape importable before math
        if isinstance(shape_arg, (list, tuple)):  # ints and scalar int tensors (int64 ones cast)
            dims_t = stack([cast(e, dtypes.int32) if isinstance(e, Value) else _t(e, dtypes.int32)
                            for e in shape_arg])
        else:
            dims_t = _t(shape_arg)
        return fill(dims_t, constant(fill_value, dtype=d), name=name)


@op_context("Fill")
def zeros(shape: Any, dtype: Any = dtypes.float32, name: str = "zeros") -> Value:
    """TF1 `tf.zeros`; ``shape`` may mix ints and scalar int tensors (packed, then "Fill")."""
    return _filled(shape, dtype, 0, name)


@op_context("Fill")
def ones(shape: Any, dtype: Any = dtypes.float32, name: str = "ones") -> Value:
    """TF1 `tf.ones` (see `zeros`)."""
    return _filled(shape, dtype, 1, name)


register("ZerosLike", lambda types, attrs: (types[0],), "zeros of the input's type",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)
register("OnesLike", lambda types, attrs: (types[0],), "ones of the input's type",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)


def _like(op: str, tensor: Any, dtype: Any, name: str) -> Value:
    x = _t(tensor)
    out = builder.add_op(op, [x], {}, name=name)
    if dtype is not None and dtypes.as_dtype(dtype) is not x.dtype:
        from graphrnn.ops.math import cast
        out = cast(out, dtype)
    return out


def zeros_like(tensor: Any, dtype: Any = None, name: str = "zeros_like", optimize: bool = True) -> Value:
    """TF1 `tf.zeros_like`."""
    return _like("ZerosLike", tensor, dtype, name)


def ones_like(tensor: Any, dtype: Any = None, name: str = "ones_like", optimize: bool = True) -> Value:
    """TF1 `tf.ones_like`."""
    return _like("OnesLike", tensor, dtype, name)


# --- range ---------------------------------------------------------------------------------------


def _range_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    d = same_dtype(types, "range's start, limit and delta")
    for t in types:
        require_rank(t, 0, "range's start, limit and delta")
    if d.is_bool:
        raise DTypeError("range needs numbers, got bool")
    return (TensorType(d, (attrs["static_size"],)),)


register("Range", _range_rule, "[start, start+delta, ...) below limit", traits=(PURE, NON_DIFFERENTIABLE),
         num_inputs=3)


_RANGE_DTYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


@op_context("Range")
def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str = "range") -> Value:
    """TF1 `tf.range`; ``range(n)`` counts from 0. Inputs are cast to a common dtype like TF1
    (float if any is float, else int32)."""
    if limit is None:
        start, limit = 0, start
    args = [start, limit, delta]
    if dtype is None:
        # TF1: each argument gets its own dtype as a constant would (Python ints int32, or int64
        # past int32; Python floats float32), then the highest of int32 < int64 < float32 < float64.
        kinds = [a.dtype if isinstance(a, Value) else inferred_dtype(a) for a in args]
        bad = [k.name for k in kinds if k not in _RANGE_DTYPES]
        if bad:
            raise DTypeError(f"range's start, limit and delta must be int32, int64, float32 or float64, got "
                             f"{', '.join(bad)}", fix="pass numbers, or cast the tensors")
        dtype = max(kinds, key=_RANGE_DTYPES.index)
    d = dtypes.as_dtype(dtype)
    with builder.name_scope(name):
        from graphrnn.ops.math import cast
        ts = [cast(a, d) if isinstance(a, Value) else constant(a, dtype=d) for a in args]
    vals = [static_value(t) for t in ts]
    n: int | None = None
    if all(v is not None for v in vals):
        if any(v.ndim for v in vals):
            raise ShapeError(f"range's start, limit and delta must be scalars, got shapes "
                             f"{[list(v.shape) for v in vals]}")
        start_v, limit_v, delta_v = (float(v) for v in vals)
        if delta_v == 0:
            raise GraphError("range's delta must not be 0")
        if (limit_v - start_v) * delta_v < 0:  # TF1's Range kernel refuses to count the wrong way
            raise ShapeError(f"range({vals[0].item()}, {vals[1].item()}, {vals[2].item()}) counts away from "
                             "its limit", fix="with delta > 0 use start <= limit, with delta < 0 start >= limit")
        n = max(0, int(np.ceil((limit_v - start_v) / delta_v)))
    return builder.add_op("Range", ts, {"static_size": n}, name=name)


# --- tile / pad ----------------------------------------------------------------------------------


def _tile_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    m = attrs["multiples"]
    if len(m) != t.rank:
        raise ShapeError(f"tile multiples {list(m)} must have one entry per dim of {format_shape(t.shape)}")
    if any(k < 0 for k in m):
        raise ShapeError(f"tile multiples {list(m)} must be >= 0")
    return (TensorType(t.dtype, tuple(None if d is None else d * k for d, k in zip(t.shape, m))),)


register("Tile", _tile_rule, "repeats the input attr 'multiples' times along each dim", traits=(PURE,),
         num_inputs=1)


@op_context("Tile")
def tile(input: Any, multiples: Any, name: str = "Tile") -> Value:
    """TF1 `tf.tile` (multiples must be static)."""
    return builder.add_op("Tile", [_t(input)], {"multiples": static_ints(multiples, "multiples")}, name=name)


_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _pad_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    p = attrs["paddings"]
    if len(p) != t.rank:
        raise ShapeError(f"paddings {[list(x) for x in p]} must have one [before, after] pair per dim of "
                         f"{format_shape(t.shape)}")
    if any(a < 0 or b < 0 for a, b in p):
        raise ShapeError(f"paddings {[list(x) for x in p]} must be >= 0")
    mode = attrs["mode"]
    if mode not in _PAD_MODES:
        raise GraphError(f"pad mode {mode!r} is not one of {sorted(_PAD_MODES)}")
    if mode != "CONSTANT":
        limit = 0 if mode == "REFLECT" else 1
        for d, (a, b) in zip(t.shape, p):
            if d is not None and max(a, b) > d - limit:
                raise ShapeError(f"{mode} padding {a, b} is too large for a dim of size {d}")
    return (TensorType(t.dtype, tuple(None if d is None else d + a + b for d, (a, b) in zip(t.shape, p))),)


register("Pad", _pad_rule, "pads with attr 'constant_values' (or mirrors, attr 'mode')", traits=(PURE,),
         num_inputs=1)


@op_context("Pad")
def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: str = "Pad",
        constant_values: Any = 0) -> Value:
    """TF1 `tf.pad` (paddings static, an [rank, 2] list)."""
    x = _t(tensor)
    pv = static_value(paddings)
    if pv is None or pv.ndim != 2 or pv.shape[1:] != (2,):
        raise GraphError(f"paddings must be a static [rank, 2] list of ints, got {paddings!r}")
    flat = static_ints(pv.reshape(-1), "paddings")
    pairs = tuple(zip(flat[0::2], flat[1::2]))
    cv = static_value(constant_values)
    if cv is None or cv.ndim:
        raise GraphError("constant_values must be a Python number")
    return builder.add_op("Pad", [x], {"paddings": pairs, "mode": str(mode).upper(),
                                        "constant_values": cv.item()}, name=name)


# --- one_hot / sequence_mask ---------------------------------------------------------------------


def _one_hot_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    require_int(t, "one_hot indices")
    if attrs["depth"] < 0:
        raise ShapeError(f"one_hot depth must be >= 0, got {attrs['depth']}")
    if not t.has_rank and attrs["axis"] == -1:  # indices of unknown rank (TF1 too): a new last axis
        return (TensorType(attrs["dtype"], None),)
    axis = attrs["axis"]
    axis = t.rank if axis == -1 else normalize_axis(axis, t.rank + 1)
    if attrs["depth"] < 0:
        raise ShapeError(f"one_hot depth must be >= 0, got {attrs['depth']}")
    return (TensorType(attrs["dtype"], (*t.shape[:axis], attrs["depth"], *t.shape[axis:])),)


register("OneHot", _one_hot_rule, "on_value where index == position along 'axis', else off_value",
         traits=(PURE, NON_DIFFERENTIABLE), num_inputs=1)


@op_context("OneHot")
def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None, axis: int | None = None,
            dtype: Any = None, name: str = "one_hot") -> Value:
    """TF1 `tf.one_hot` (depth static); out-of-range indices give all-off rows, as in TF1."""
    x = _t(indices)
    d = dtypes.as_dtype(dtype) if dtype is not None else (
        on_value.dtype if isinstance(on_value, Value) else dtypes.float32)
    on = static_value(1 if on_value is None else on_value)
    off = static_value(0 if off_value is None else off_value)
    if on is None or off is None:
        raise GraphError("on_value/off_value must be Python numbers here")
    attrs = {"depth": axis_arg(depth, "depth"), "axis": -1 if axis is None else axis_arg(axis),
             "on_value": on.item(), "off_value": off.item(), "dtype": d}
    return builder.add_op("OneHot", [x], attrs, name=name)


def _seq_mask_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    lengths = types[0]
    require_int(lengths, "sequence_mask lengths")
    if len(types) == 2:
        require_int(types[1], "sequence_mask maxlen")
        require_rank(types[1], 0, "sequence_mask maxlen")
    return (TensorType(attrs["dtype"], (*lengths.shape, attrs["static_maxlen"])),)


register("SequenceMask", _seq_mask_rule,
         "out[..., j] = j < lengths[...]; width input 1 (maxlen) or max(lengths)",
         traits=(PURE, NON_DIFFERENTIABLE))


@op_context("SequenceMask")
def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = dtypes.bool_,
                  name: str = "SequenceMask") -> Value:
    """TF1 `tf.sequence_mask`; without ``maxlen`` the width is ``max(lengths)`` (unknown statically)."""
    x = _t(lengths)
    ins = [x]
    static_max: int | None = None
    if maxlen is not None:
        if isinstance(maxlen, Value):
            m = maxlen
        else:
            m = constant(int_arg(maxlen, "maxlen", minimum=0), dtype=x.dtype, name="maxlen")
        ins.append(m)
        mv = static_value(m)
        static_max = None if mv is None or mv.ndim else int(mv)
    return builder.add_op("SequenceMask", ins, {"dtype": dtypes.as_dtype(dtype), "static_maxlen": static_max},
                          name=name)


__all__ = ["shape", "size", "rank", "expand_dims", "squeeze", "fill", "zeros", "ones", "zeros_like",
           "ones_like", "range", "tile", "pad", "one_hot", "sequence_mask"]
