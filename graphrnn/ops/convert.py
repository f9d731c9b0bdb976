"""`convert_to_tensor` and `constant`: how Python and NumPy values enter a graph, and the one
validator every constructor uses for integer arguments (axes, sizes, perms, counts).

Like TF1: tensors pass through; a (nested) list/tuple that contains tensors is packed with
`stack`; NumPy arrays and Python scalars/lists become `Const` nodes of the requested dtype.
Without a dtype, Python floats are float32 and Python ints int32, or int64 when one of them does
not fit int32 (TF1 infers the same); NumPy values keep their dtype.

What TF1 refuses is refused here with a `GraphError` subclass naming the value, never a raw NumPy
or Python exception: None, strings, dicts and other objects, ragged nested lists, complex numbers
(graphrnn has no complex dtype), a Python float for an integer dtype (``constant(1.0, int32)``),
a Python number for a bool dtype, and integers outside their dtype's range (TF1's NumPy would wrap
them silently for arrays; here it is always an error, never a wrong value).

Integer arguments (`int_arg`, `int_list_arg`) accept Python ints, NumPy integers and constant
integer tensors; floats (even ``2.0``), bools, None and anything else are a `DTypeError`, so
``split(x, 2.5)`` or ``reshape(x, [3.0, 2.0])`` fail while building, as in TF1.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import ALLOCATES, PURE, register
from graphrnn.ir.types import TensorType, as_shape
from graphrnn.ops.rules import attr_type

register("Const", attr_type, "a constant array stored in attr 'value'", traits=(PURE,), num_inputs=0)

_INT32 = np.iinfo(np.int32)
_INT64 = np.iinfo(np.int64)


def _short(value: Any) -> str:
    """A repr of a user value short enough for an error message."""
    r = repr(value)
    return r if len(r) <= 80 else r[:77] + "..."


def _is_numpy(value: Any) -> bool:
    return isinstance(value, (np.ndarray, np.generic))


def _to_array(value: Any) -> np.ndarray:
    """``np.asarray(value)`` for numeric data; a `GraphError` for anything NumPy cannot make a
    numeric array of (ragged lists, None, strings, dicts, objects, ints beyond int64)."""
    if isinstance(value, (Value, dict, set, frozenset, str, bytes)) or value is None or callable(value):
        raise DTypeError(f"cannot convert {_short(value)} (a {type(value).__name__}) to a tensor",
                         fix="pass a number, a (nested) list of numbers, a NumPy array or a tensor")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, OverflowError) as e:
        if isinstance(value, (list, tuple)):
            raise ShapeError(f"cannot convert {_short(value)} to a tensor: nested lists must be "
                             f"rectangular (every row the same length) and hold numbers ({e})",
                             fix="pad the rows to one length, or pass a NumPy array") from None
        raise DTypeError(f"cannot convert {_short(value)} to a tensor ({e})") from None
    if arr.dtype.kind == "O":
        # np.asarray gives an object array for ints beyond int64, None or objects inside lists.
        if any(isinstance(e, numbers.Integral) and not isinstance(e, bool) for e in arr.reshape(-1)) and all(
                isinstance(e, numbers.Number) for e in arr.reshape(-1)):
            raise DTypeError(f"the integer constant {_short(value)} does not fit int64",
                             fix="use a smaller value or a float")
        raise DTypeError(f"cannot convert {_short(value)} to a tensor: it holds non-numbers",
                         fix="pass only numbers (no None, strings or objects)")
    if arr.dtype.kind in "USV":
        raise DTypeError(f"cannot convert {_short(value)} to a tensor: graphrnn tensors hold numbers or bools")
    if arr.dtype.kind == "c":
        raise DTypeError(f"cannot convert the complex value {_short(value)} to a tensor: graphrnn has no "
                         "complex dtype", fix="split it into real and imaginary float tensors")
    return arr


def _check_int_range(arr: np.ndarray, dtype: dtypes.DType, value: Any) -> None:
    info = np.iinfo(dtype.np)
    if arr.size and (int(arr.min()) < info.min or int(arr.max()) > info.max):
        raise DTypeError(f"the integer constant {_short(value)} does not fit {dtype.name} "
                         f"[{info.min}, {info.max}]",
                         fix="use int64 (gr.int64) or a float dtype" if dtype is dtypes.int32 else
                         "use a float dtype")


def _np_value(value: Any, dtype: dtypes.DType | None) -> np.ndarray:
    """``value`` as a NumPy array of ``dtype`` (or of TF1's inferred dtype); see the module docstring."""
    arr = _to_array(value)
    python = not _is_numpy(value)
    if dtype is None:
        if python and arr.dtype == np.float64:
            return arr.astype(np.float32)   # Python floats are float32 in TF1
        if python and arr.dtype.kind in "iu":
            # Python ints are int32 in TF1, int64 when one does not fit int32.
            if arr.size and (int(arr.min()) < _INT32.min or int(arr.max()) > _INT32.max):
                _check_int_range(arr, dtypes.int64, value)
                return arr.astype(np.int64)
            return arr.astype(np.int32)
        return arr
    kind = arr.dtype.kind
    if dtype.is_integer:
        if kind == "f":
            if python:
                raise DTypeError(f"expected {dtype.name}, got the float {_short(value)}",
                                 fix=f"pass ints, or cast: gr.cast(gr.constant(x), gr.{dtype.name})")
            if not np.all(np.mod(arr, 1) == 0):
                raise DTypeError(f"cannot convert non-integer {_short(value)} to {dtype.name}",
                                 fix=f"round first, or cast: gr.cast(x, gr.{dtype.name})")
            _check_int_range(arr, dtype, value)
        elif kind in "iu":
            _check_int_range(arr, dtype, value)
    elif dtype.is_bool and kind != "b" and python:
        raise DTypeError(f"expected bool, got {_short(value)}", fix="pass True/False, or compare: x != 0")
    return arr.astype(dtype.np, copy=False)


def inferred_dtype(value: Any) -> dtypes.DType:
    """The dtype `constant` gives ``value`` when no dtype is asked for (without building a node)."""
    arr = _np_value(value, None)
    try:
        return dtypes.as_dtype(arr.dtype)
    except DTypeError:
        return dtypes.float32  # what `constant` stores other NumPy numbers as


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const") -> Value:
    """A `Const` node holding ``value`` (broadcast to ``shape`` if given, as TF1 does)."""
    d = dtypes.as_dtype(dtype) if dtype is not None else None
    arr = _np_value(value, d)
    if shape is not None:
        shp = as_shape(shape)
        if None in shp:
            raise ShapeError(f"constant's shape {list(shape)} must be fully known")
        if arr.size == 1:
            arr = np.full(shp, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shp, dtype=np.int64)):
            arr = arr.reshape(shp)
        else:
            raise ShapeError(f"constant of {arr.size} elements cannot have shape {list(shp)}",
                             fix="give one value (it is broadcast) or exactly as many as the shape holds")
    try:
        dt = dtypes.as_dtype(arr.dtype)
    except DTypeError:
        if arr.dtype.kind not in "iuf":
            raise
        arr = arr.astype(np.float32)   # e.g. uint8 images: kept as numbers, in TF1's default float
        dt = dtypes.float32
    arr = np.array(arr, copy=True)
    arr.setflags(write=False)
    return builder.add_op("Const", [], {"value": arr, "type": TensorType(dt, arr.shape)}, name=name)


def _contains_tensor(x: Any) -> bool:
    if isinstance(x, Value) or hasattr(x, "_as_graph_value"):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_tensor(e) for e in x)
    return False


def convert_to_tensor(x: Any, dtype: Any = None, name: str | None = None) -> Value:
    """Returns ``x`` as a graph value of the current default graph (see module docstring)."""
    d = dtypes.as_dtype(dtype) if dtype is not None else None
    if isinstance(x, Value):
        if d is not None and x.dtype is not d:
            raise DTypeError(f"expected a {d.name} tensor, got '{x.name}' of dtype {x.dtype.name}",
                             fix=f"cast it with gr.cast({x.name.split(':')[0]}, gr.{d.name})")
        return x
    conv = getattr(x, "_as_graph_value", None)
    if conv is not None:  # Variable, TensorArray-like wrappers
        return convert_to_tensor(conv(), dtype)
    if isinstance(x, (list, tuple)) and _contains_tensor(x):
        from graphrnn.ops.array import stack
        return stack([convert_to_tensor(e, d) for e in x], axis=0)
    return constant(x, dtype=d, name=name or "Const")


def convert_like(x: Any, like: Value) -> Value:
    """Converts a Python number or array to ``like``'s dtype (for operators such as ``h * 0.5``)."""
    if isinstance(x, Value) or hasattr(x, "_as_graph_value"):
        return convert_to_tensor(x)
    return constant(x, dtype=like.dtype)


# --- build-time values and integer arguments ------------------------------------------------------


def static_value(x: Any) -> np.ndarray | None:
    """The value of ``x`` if it is known while building (Python data or a constant subgraph).

    Invariant: a non-None result equals what the interpreter would compute for ``x``. Python data
    that is no numeric array (None, strings, ragged lists) is a `GraphError`, never a NumPy error.
    """
    if not isinstance(x, Value):
        conv = getattr(x, "_as_graph_value", None)
        if conv is not None:
            return None  # a Variable: its value lives in the session
        if isinstance(x, (list, tuple)) and _contains_tensor(x):
            parts = [static_value(e) for e in x]
            if any(p is None for p in parts):
                return None
            try:
                return np.stack(parts)
            except ValueError:
                raise ShapeError(f"cannot stack {_short(x)}: its entries have different shapes") from None
        return _to_array(x)
    node = x.node
    if node is None:
        return None
    if node.op == "Const":
        return node.attrs["value"]
    if node.op in ("Identity", "StopGradient"):
        return static_value(node.inputs[0])
    if node.op == "Cast":
        v = static_value(node.inputs[0])
        return None if v is None else v.astype(node.attrs["DstT"].np)
    if node.op == "Pack":
        parts = [static_value(i) for i in node.inputs]
        return None if any(p is None for p in parts) else np.stack(parts, axis=node.attrs["axis"])
    if node.op == "Shape":
        shp = node.inputs[0].type.shape
        if not isinstance(shp, tuple) or None in shp:  # an unknown rank or dim
            return None
        return np.asarray(shp, dtype=node.attrs["out_type"].np)
    return None


def _int_entry(e: Any, what: str, whole: Any) -> int:
    if isinstance(e, (bool, np.bool_)):
        raise DTypeError(f"{what} must be an int, got the bool {e!r}" + ("" if whole is e else f" in {_short(whole)}"),
                         fix=f"pass {what} as an int")
    if isinstance(e, (int, np.integer)):
        return int(e)
    raise DTypeError(f"{what} must be an int, got {_short(e)}" + ("" if whole is e else f" in {_short(whole)}"),
                     fix=f"pass {what} as an int (not a float), e.g. int(n)")


def _static_int_array(x: Any, what: str) -> np.ndarray:
    if isinstance(x, Value) or hasattr(x, "_as_graph_value"):
        v = static_value(x)
        if v is None:
            raise GraphError(f"{what} must be known while building the graph, got tensor {_short(x)}",
                             fix=f"pass {what} as a Python int or list of ints (or a gr.constant)")
        if v.dtype.kind not in "iu":
            raise DTypeError(f"{what} must be an integer tensor, got dtype {v.dtype}",
                             fix=f"cast it: gr.cast({what}, gr.int32)")
        return v
    if isinstance(x, np.ndarray):
        if x.size == 0:
            return x.astype(np.int64)  # `np.asarray([])` is float64: an empty list of ints
        if x.dtype.kind not in "iu":
            raise DTypeError(f"{what} must hold integers, got an array of dtype {x.dtype}",
                             fix=f"pass {what} as ints, e.g. arr.astype(int)")
        return x
    return np.asarray(_int_entry(x, what, x))


def _check_index_range(n: int, what: str) -> int:
    """Axes, sizes, counts and indices are TF1's int32 index type: beyond it TF1's kernels would
    wrap or fail to allocate, so it is a `ShapeError` here."""
    if not _INT32.min <= n <= _INT32.max:
        raise ShapeError(f"{what} {n} does not fit int32 (the range of sizes, axes and indices)",
                         fix=f"use a {what} in [{_INT32.min}, {_INT32.max}]")
    return n


def int_arg(x: Any, what: str, *, minimum: int | None = None) -> int:
    """``x`` as a Python int: a Python/NumPy int or a constant scalar int tensor; a `DTypeError`
    for floats, bools and non-numbers; a `ShapeError` below ``minimum`` or outside int32."""
    if isinstance(x, (list, tuple)):
        raise ShapeError(f"{what} must be a single int, got {_short(x)}")
    v = _static_int_array(x, what)
    if v.ndim != 0:
        raise ShapeError(f"{what} must be a scalar int, got shape {list(v.shape)}")
    n = _check_index_range(int(v), what)
    if minimum is not None and n < minimum:
        raise ShapeError(f"{what} must be >= {minimum}, got {n}")
    return n


def int_list_arg(x: Any, what: str, *, allow_scalar: bool = False) -> tuple[int, ...]:
    """``x`` (a list/tuple of ints, a 1-D int array or constant tensor) as a tuple of ints.

    A scalar is accepted as a one-entry list when ``allow_scalar``; nested lists, floats, bools and
    non-numbers are `GraphError` subclasses naming ``what``."""
    if isinstance(x, (list, tuple)) and not _contains_tensor(x):
        out = []
        for e in x:
            if isinstance(e, np.ndarray) and e.ndim == 0:
                e = e[()]
            out.append(_check_index_range(_int_entry(e, what, x), what))
        return tuple(out)
    if x is None or isinstance(x, (str, bytes, dict)):
        raise DTypeError(f"{what} must be a list of ints, got {_short(x)}")
    v = _static_int_array(x, what) if not isinstance(x, (list, tuple)) else static_value(x)
    if v is None:
        raise GraphError(f"{what} must be known while building the graph, got {_short(x)}",
                         fix=f"pass {what} as a Python list of ints")
    if v.dtype.kind not in "iu" and v.size:
        raise DTypeError(f"{what} must hold integers, got {_short(x)}")
    if v.ndim == 0 and allow_scalar:
        return (_check_index_range(int(v), what),)
    if v.ndim != 1:
        raise ShapeError(f"{what} must be a 1-D list of ints, got {_short(x)} of shape {list(v.shape)}")
    return tuple(_check_index_range(int(e), what) for e in v)


__all__ = ["constant", "convert_to_tensor", "convert_like", "inferred_dtype", "static_value", "int_arg", "int_list_arg",
           "ALLOCATES"]
