"""Elementwise math: binary ops with NumPy broadcasting, unary ops, comparisons, logical ops,
where (TF1 "Select"), cast and clip_by_value. Matmul and reductions are in `math_reduce`.

Dtype rules follow TF1: the two sides of a binary op must have the same dtype (no implicit
promotion); a Python number next to a tensor takes the tensor's dtype (``h * 0.5``); `divide` of
integers is a DTypeError here (TF1 silently casts to float64) because an RNN program that divides
ints almost always meant `floordiv` or forgot a cast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import (
    ALLOCATES,
    COMMUTATIVE,
    ELEMENTWISE,
    NON_DIFFERENTIABLE,
    PURE,
    InferFn,
    register,
)
from graphrnn.ir.types import UNKNOWN_RANK, TensorType, broadcast_shapes, format_shape, merge_shapes, shapes_compatible
from graphrnn.ops.array import op_context
from graphrnn.ops.convert import convert_like, convert_to_tensor
from graphrnn.ops.rules import Attrs, Types, same_dtype

_EW = (PURE, ELEMENTWISE, ALLOCATES)
_NUMERIC = "numeric"
_FLOAT = "floating-point"
_BOOL = "bool"

_FIXES = {
    _NUMERIC: "cast the bools to a number type with gr.cast(x, gr.float32)",
    _FLOAT: "cast the input with gr.cast(x, gr.float32)",
    _BOOL: "compare numbers first (gr.greater, gr.equal...) or gr.cast(x, gr.bool)",
}


def _check_kind(d: dtypes.DType, kind: str, fix: str | None = None) -> None:
    ok = (d.is_floating if kind == _FLOAT else d.is_bool if kind == _BOOL else not d.is_bool)
    if not ok:
        raise DTypeError(f"inputs must be {kind} tensors, got {d.name}", fix=fix or _FIXES[kind])


def _binary_rule(kind: str, out: dtypes.DType | None = None, fix: str | None = None) -> InferFn:
    """Same dtype on both sides (of ``kind``), NumPy broadcasting; ``out`` overrides the dtype."""
    def rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
        d = same_dtype(types)
        if kind != "any":
            _check_kind(d, kind, fix)
        return (TensorType(out or d, broadcast_shapes([t.shape for t in types])),)
    return rule


def _unary_rule(kind: str) -> InferFn:
    def rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
        _check_kind(types[0].dtype, kind)
        return (types[0],)
    return rule


def _is_tensor(x: Any) -> bool:
    if isinstance(x, Value) or hasattr(x, "_as_graph_value"):
        return True
    return isinstance(x, (list, tuple)) and any(_is_tensor(e) for e in x)


def binary_args(x: Any, y: Any) -> tuple[Value, Value]:
    """Converts operands like TF1: a non-tensor takes the dtype of the tensor on the other side."""
    if _is_tensor(x) or not _is_tensor(y):
        a = convert_to_tensor(x)
        return a, convert_like(y, a)
    b = convert_to_tensor(y)
    return convert_like(x, b), b


def _binary(op: str, x: Any, y: Any, name: str | None) -> Value:
    a, b = binary_args(x, y)
    return builder.add_op(op, [a, b], {}, name=name or op)


def _unary(op: str, x: Any, name: str | None) -> Value:
    return builder.add_op(op, [convert_to_tensor(x)], {}, name=name or op)


_DIV_FIX = ("for integer division use gr.floordiv (the // operator), or cast to float with "
            "gr.cast(x, gr.float32)")

register("Add", _binary_rule(_NUMERIC), "x + y (broadcasting)", traits=(*_EW, COMMUTATIVE), num_inputs=2)
register("Sub", _binary_rule(_NUMERIC), "x - y (broadcasting)", traits=_EW, num_inputs=2)
register("Mul", _binary_rule(_NUMERIC), "x * y (broadcasting)", traits=(*_EW, COMMUTATIVE), num_inputs=2)
register("RealDiv", _binary_rule(_FLOAT, fix=_DIV_FIX), "x / y for floats (broadcasting)", traits=_EW,
         num_inputs=2)
register("FloorDiv", _binary_rule(_NUMERIC), "floor(x / y) (broadcasting); int division by 0 is an error",
         traits=(*_EW, NON_DIFFERENTIABLE), num_inputs=2)
register("FloorMod", _binary_rule(_NUMERIC), "x - floor(x / y) * y, the sign of y (Python's %)",
         traits=_EW, num_inputs=2)
register("Maximum", _binary_rule(_NUMERIC), "elementwise max (NaN propagates)",
         traits=(*_EW, COMMUTATIVE), num_inputs=2)
register("Minimum", _binary_rule(_NUMERIC), "elementwise min (NaN propagates)",
         traits=(*_EW, COMMUTATIVE), num_inputs=2)
register("Pow", _binary_rule(_NUMERIC), "x ** y (broadcasting)", traits=_EW, num_inputs=2)
register("SquaredDifference", _binary_rule(_NUMERIC), "(x - y) ** 2 (broadcasting)",
         traits=(*_EW, COMMUTATIVE), num_inputs=2)


def add(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.add`: x + y with broadcasting."""
    return _binary("Add", x, y, name)


def subtract(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.subtract`: x - y with broadcasting."""
    return _binary("Sub", x, y, name)


def multiply(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.multiply`: x * y with broadcasting."""
    return _binary("Mul", x, y, name)


def divide(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.divide` / `truediv` / `realdiv` for floats; integers are a DTypeError (see module doc)."""
    return _binary("RealDiv", x, y, name)


truediv = divide
realdiv = divide


def floordiv(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.floordiv`: floor(x / y); integer division by zero raises at run time."""
    return _binary("FloorDiv", x, y, name)


def div(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1's deprecated `tf.div`: floor division for ints, true division for floats."""
    a, b = binary_args(x, y)
    return builder.add_op("FloorDiv" if a.dtype.is_integer else "RealDiv", [a, b], {}, name=name or "div")


def mod(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.mod` / `floormod`: Python-style remainder (sign of y)."""
    return _binary("FloorMod", x, y, name)


floormod = mod


def maximum(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.maximum`."""
    return _binary("Maximum", x, y, name)


def minimum(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.minimum`."""
    return _binary("Minimum", x, y, name)


def pow(x: Any, y: Any, name: str | None = None) -> Value:  # noqa: A001 - TF1 name
    """TF1 `tf.pow`: x ** y."""
    return _binary("Pow", x, y, name)


def squared_difference(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.squared_difference`: (x - y) ** 2."""
    return _binary("SquaredDifference", x, y, name)


# --- unary ---------------------------------------------------------------------------------------

_UNARY: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # op: (dtype kind, meaning, extra traits)
    "Neg": (_NUMERIC, "-x", ()),
    "Abs": (_NUMERIC, "|x|", ()),
    "Square": (_NUMERIC, "x * x", ()),
    "Sign": (_NUMERIC, "-1, 0 or 1 (0 for 0)", (NON_DIFFERENTIABLE,)),
    "Tanh": (_FLOAT, "tanh(x)", ()),
    "Sigmoid": (_FLOAT, "1 / (1 + exp(-x)), computed stably", ()),
    "Exp": (_FLOAT, "e ** x", ()),
    "Log": (_FLOAT, "natural log", ()),
    "Log1p": (_FLOAT, "log(1 + x), accurate near 0", ()),
    "Sqrt": (_FLOAT, "square root", ()),
    "Rsqrt": (_FLOAT, "1 / sqrt(x)", ()),
    "Reciprocal": (_FLOAT, "1 / x", ()),
    "Floor": (_FLOAT, "round down", (NON_DIFFERENTIABLE,)),
    "Ceil": (_FLOAT, "round up", (NON_DIFFERENTIABLE,)),
}
for _op, (_kind, _doc, _extra) in _UNARY.items():
    register(_op, _unary_rule(_kind), _doc, traits=(*_EW, *_extra), num_inputs=1)


def _make_unary(op: str, py_name: str) -> Callable[..., Value]:
    def f(x: Any, name: str | None = None) -> Value:
        return _unary(op, x, name)
    f.__name__ = f.__qualname__ = py_name
    f.__doc__ = f"TF1 `tf.{py_name}`: {_UNARY[op][1]}, elementwise."
    return f


negative = _make_unary("Neg", "negative")
abs = _make_unary("Abs", "abs")  # noqa: A001 - TF1 name
square = _make_unary("Square", "square")
sign = _make_unary("Sign", "sign")
tanh = _make_unary("Tanh", "tanh")
sigmoid = _make_unary("Sigmoid", "sigmoid")
exp = _make_unary("Exp", "exp")
log = _make_unary("Log", "log")
log1p = _make_unary("Log1p", "log1p")
sqrt = _make_unary("Sqrt", "sqrt")
rsqrt = _make_unary("Rsqrt", "rsqrt")
reciprocal = _make_unary("Reciprocal", "reciprocal")
floor = _make_unary("Floor", "floor")
ceil = _make_unary("Ceil", "ceil")
neg = negative

# --- comparisons and logic -----------------------------------------------------------------------

_CMP = {"Equal": "x == y", "NotEqual": "x != y", "Less": "x < y", "LessEqual": "x <= y",
        "Greater": "x > y", "GreaterEqual": "x >= y"}
for _op, _doc in _CMP.items():
    _kind = "any" if _op in ("Equal", "NotEqual") else _NUMERIC
    register(_op, _binary_rule(_kind, out=dtypes.bool_), f"{_doc}, elementwise, bool result",
             traits=(*_EW, NON_DIFFERENTIABLE, *((COMMUTATIVE,) if _kind == "any" else ())), num_inputs=2)
_LOGIC = (*_EW, COMMUTATIVE, NON_DIFFERENTIABLE)
register("LogicalAnd", _binary_rule(_BOOL), "x and y for bools", traits=_LOGIC, num_inputs=2)
register("LogicalOr", _binary_rule(_BOOL), "x or y for bools", traits=_LOGIC, num_inputs=2)
register("LogicalNot", _unary_rule(_BOOL), "not x for bools", traits=(*_EW, NON_DIFFERENTIABLE), num_inputs=1)


def equal(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.equal` (elementwise; ``==`` on tensors stays identity, as in TF1)."""
    return _binary("Equal", x, y, name)


def not_equal(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.not_equal`."""
    return _binary("NotEqual", x, y, name)


def less(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.less`."""
    return _binary("Less", x, y, name)


def less_equal(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.less_equal`."""
    return _binary("LessEqual", x, y, name)


def greater(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.greater`."""
    return _binary("Greater", x, y, name)


def greater_equal(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.greater_equal`."""
    return _binary("GreaterEqual", x, y, name)


def logical_and(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.logical_and`."""
    return _binary("LogicalAnd", x, y, name)


def logical_or(x: Any, y: Any, name: str | None = None) -> Value:
    """TF1 `tf.logical_or`."""
    return _binary("LogicalOr", x, y, name)


def logical_not(x: Any, name: str | None = None) -> Value:
    """TF1 `tf.logical_not`."""
    return _unary("LogicalNot", x, name)


# --- where / cast / clip -------------------------------------------------------------------------


def _select_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    c, x, y = types
    if not c.dtype.is_bool:
        raise DTypeError(f"where's condition must be bool, got {c.dtype.name}",
                         fix="compare first, e.g. gr.greater(x, 0), or gr.cast(c, gr.bool)")
    d = same_dtype([x, y], "where's x and y")
    shapes = " ".join(format_shape(t.shape) for t in types)
    if not all(t.has_rank for t in types):
        # Some rank is unknown: the kernel checks the condition's shape against x's at run time.
        if not shapes_compatible(x.shape, y.shape):
            raise ShapeError(f"where's x and y must have the same shape, got {format_shape(x.shape)} and "
                             f"{format_shape(y.shape)}", fix="broadcast them first (e.g. x + zeros_like(y))")
        return (TensorType(d, merge_shapes(x.shape, y.shape)),)
    if x.rank != y.rank or any(a is not None and b is not None and a != b for a, b in zip(x.shape, y.shape)):
        raise ShapeError(f"where's x and y must have the same shape, got {format_shape(x.shape)} and "
                         f"{format_shape(y.shape)}", fix="broadcast them first (e.g. x + zeros_like(y))")
    shp = tuple(a if a is not None else b for a, b in zip(x.shape, y.shape))
    if c.rank == len(shp):
        if any(a is not None and b is not None and a != b for a, b in zip(c.shape, shp)):
            raise ShapeError(f"where's condition, x and y must have the same shape, got {shapes}")
        shp = tuple(b if b is not None else a for a, b in zip(c.shape, shp))
    elif c.rank == 1 and len(shp) > 1:  # TF1: a vector condition picks whole rows
        if None not in (c.shape[0], shp[0]) and c.shape[0] != shp[0]:
            raise ShapeError(f"where's vector condition must have one entry per row of x, got {shapes}")
        shp = (shp[0] if shp[0] is not None else c.shape[0], *shp[1:])
    else:
        raise ShapeError(f"where's condition must have x's shape or be a vector over x's rows, got {shapes}")
    return (TensorType(d, shp),)


register("Select", _select_rule, "x where cond else y; a vector cond selects rows (TF1 where)",
         traits=(PURE, ALLOCATES), num_inputs=3)


@op_context("Select")
def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Value:
    """TF1 `tf.where(cond, x, y)` (op "Select"); the one-argument form (coordinates of true
    entries) is not supported because its output size is data dependent."""
    if x is None and y is None:
        raise ShapeError("where(condition) without x and y (indices of true entries) is not supported",
                         fix="use where(condition, x, y), or compute indices in NumPy outside the graph")
    if x is None or y is None:
        raise ShapeError("where needs both x and y")
    c = convert_to_tensor(condition)
    a, b = binary_args(x, y)
    return builder.add_op("Select", [c, a, b], {}, name=name or "Select")


def _cast_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return (TensorType(attrs["DstT"], types[0].shape),)


register("Cast", _cast_rule, "converts to dtype attr 'DstT' (floats to ints truncate toward 0)",
         traits=(PURE, ELEMENTWISE, ALLOCATES), num_inputs=1)


def cast(x: Any, dtype: Any, name: str | None = None) -> Value:
    """TF1 `tf.cast`; returns ``x`` itself when it already has ``dtype`` (as TF1 does)."""
    if dtype is None:  # NumPy would read None as float64
        raise DTypeError("cast needs a dtype, got None", fix="pass e.g. gr.float32")
    d = dtypes.as_dtype(dtype)
    t = convert_to_tensor(x)
    if t.dtype is d:
        return t
    return builder.add_op("Cast", [t], {"DstT": d}, name=name or "Cast")


def to_float(x: Any, name: str = "ToFloat") -> Value:
    """TF1 `tf.to_float`."""
    return cast(x, dtypes.float32, name)


def to_int32(x: Any, name: str = "ToInt32") -> Value:
    """TF1 `tf.to_int32`."""
    return cast(x, dtypes.int32, name)


def _clip_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    t = types[0]
    d = same_dtype(types, "clip_by_value's t, clip_value_min and clip_value_max")
    _check_kind(d, _NUMERIC)
    b = broadcast_shapes([x.shape for x in types])
    if not t.has_rank or b is UNKNOWN_RANK:
        return (t,)  # NumPy's clip checks the broadcast at run time
    if len(b) != t.rank or any(p is not None and q is not None and p != q for p, q in zip(b, t.shape)):
        raise ShapeError("clip bounds must broadcast to t's shape, got "
                         + " ".join(format_shape(x.shape) for x in types))
    return (t,)


register("ClipByValue", _clip_rule, "min(max(t, lo), hi) elementwise", traits=_EW, num_inputs=3)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None) -> Value:
    """TF1 `tf.clip_by_value`; the bounds take ``t``'s dtype when they are Python numbers."""
    x = convert_to_tensor(t)
    lo, hi = convert_like(clip_value_min, x), convert_like(clip_value_max, x)
    return builder.add_op("ClipByValue", [x, lo, hi], {}, name=name or "clip_by_value")


__all__ = ["add", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv", "mod",
           "floormod", "maximum", "minimum", "pow", "squared_difference", "negative", "neg", "abs",
           "square", "sign", "tanh", "sigmoid", "exp", "log", "log1p", "sqrt", "rsqrt", "reciprocal",
           "floor", "ceil", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
           "logical_and", "logical_or", "logical_not", "where", "cast", "to_float", "to_int32",
           "clip_by_value"]
