"""TF1's run-time checks: ``tf.Assert``, the ``tf.assert_*`` family, ``tf.check_numerics``.

Two ops do the checking, both STATEFUL with no outputs (so passes never fold, merge, move or
delete them: DCE keeps stateful nodes, LICM never hoists one out of a loop, so a check fails exactly
when the unoptimized graph would):

- ``Assert`` (inputs: a bool scalar condition, then the data tensors; attr ``template``: the data
  list with each tensor replaced by None, strings kept as text): raises `InvalidArgumentError`
  "assertion failed: [item] [item] ..." when the condition is false, printing the first
  ``summarize`` entries of each tensor as TF1's kernel does.
- ``CheckNumerics`` (input: a float tensor; attr ``message``): raises `InvalidArgumentError`
  "<message> : Tensor had NaN values" (Inf, or Inf and NaN) as TF1's kernel does.

Users put the returned op in ``control_dependencies``, as in TF1; the session runs an assert only
when something fetched depends on it. `check_numerics` returns an ``Identity`` of its input that
depends on the check, so the gradient flows through as in TF1.

What TF 1.15 checks while building, graphrnn checks while building too: ``assert_equal`` of two
values known at build time (an `InvalidArgumentError` with the same data), ``assert_rank``/
``assert_rank_at_least`` with a known rank, ``assert_type``, ``assert_integer``, ``assert_scalar``
(a `ShapeError`/`DTypeError`). The other asserts wait for run time, as in TF 1.15.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, InvalidArgumentError, ShapeError
from graphrnn.ir.graph import Node, Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, STATEFUL, register
from graphrnn.ir.types import TensorType, format_shape
from graphrnn.ops import math as m
from graphrnn.ops.array import identity
from graphrnn.ops.array_shape import rank as rank_op
from graphrnn.ops.array_shape import shape as shape_op
from graphrnn.ops.convert import convert_to_tensor, static_value
from graphrnn.ops.math_reduce import reduce_all
from graphrnn.ops.state import no_op

Types = Sequence[TensorType]


def _static_rank(t: TensorType) -> int | None:
    return len(t.shape) if isinstance(t.shape, tuple) else None


def _assert_rule(types: Types, attrs: Any) -> tuple[TensorType, ...]:
    cond = types[0]
    if not cond.dtype.is_bool:
        raise DTypeError(f"Assert's condition must be bool, got {cond.dtype.name}",
                         fix="compare first, e.g. gr.reduce_all(gr.less(x, y))")
    r = _static_rank(cond)
    if r is not None and r != 0 and any(d != 1 for d in cond.shape):
        raise ShapeError(f"Assert's condition must be a scalar, got shape {format_shape(cond.shape)}",
                         fix="reduce it: gr.reduce_all(condition)")
    if sum(1 for t in attrs["template"] if t is None) != len(types) - 1:
        raise ShapeError("Assert's template does not match its data inputs")
    return ()


def _check_numerics_rule(types: Types, attrs: Any) -> tuple[TensorType, ...]:
    if not types[0].dtype.is_floating:
        raise DTypeError(f"check_numerics needs a float tensor, got {types[0].dtype.name}",
                         fix="integers cannot be NaN or Inf: leave the check out")
    return ()


register("Assert", _assert_rule, "raises InvalidArgumentError with the data when the condition is false",
         traits=(STATEFUL, NON_DIFFERENTIABLE))
register("CheckNumerics", _check_numerics_rule, "raises InvalidArgumentError if its input has NaN or Inf",
         traits=(STATEFUL, NON_DIFFERENTIABLE), num_inputs=1)


def _where() -> str | None:
    return builder.format_source(builder.source_location())


# --- tf.Assert --------------------------------------------------------------------------------------

def Assert(condition: Any, data: Any, summarize: int | None = None, name: str | None = None) -> Node:  # noqa: N802
    """TF1 `tf.Assert`: an op that fails with ``data`` printed when ``condition`` is false.

    ``data`` items that are strings stay text; everything else becomes a tensor (its first
    ``summarize`` entries are printed, 3 by default).
    """
    if isinstance(data, (str, bytes)) or not isinstance(data, (list, tuple)):
        raise GraphError(f"Assert's data must be a list of tensors and strings, got {data!r}", source=_where(),
                         fix="wrap it in a list: gr.Assert(cond, [x])")
    if summarize is not None and (isinstance(summarize, bool) or not isinstance(summarize, int)):
        raise GraphError(f"Assert's summarize must be an int, got {summarize!r}", source=_where())
    with builder.name_scope(name, "Assert"):
        cond = convert_to_tensor(condition, dtypes.bool_ if not isinstance(condition, Value) else None)
        template: list[str | None] = []
        tensors: list[Value] = []
        for item in data:
            if isinstance(item, bytes):
                item = item.decode("utf-8", "replace")
            if isinstance(item, str):
                template.append(item)
            else:
                tensors.append(convert_to_tensor(item))
                template.append(None)
        return builder.add_node("Assert", [cond, *tensors],
                                {"template": tuple(template), "summarize": 3 if summarize is None else summarize},
                                name="Assert")


# --- element-wise comparisons ---------------------------------------------------------------------

def _binary_assert(sym: str, op: Any, default_name: str, x: Any, y: Any, data: Any, summarize: Any,
                   message: Any, name: Any, static_check: Any = None) -> Node:
    """TF 1.15's graph-mode assert: data = [message, 'Condition x <sym> y did not hold
    element-wise:', 'x (<name>) = ', x, 'y (<name>) = ', y] unless given; the op asserts
    reduce_all(op(x, y)). A non-tensor side takes the other side's dtype."""
    with builder.name_scope(name, default_name):
        a, b = _operands(x, y)
        if data is None:
            data = [message or "", f"Condition x {sym} y did not hold element-wise:",
                    f"x ({a.name}) = ", a, f"y ({b.name}) = ", b]
        if static_check is not None:
            xs, ys = static_value(a), static_value(b)
            if xs is not None and ys is not None and not np.all(static_check(xs, ys)):
                raise InvalidArgumentError("\n".join(_static_text(d) for d in data), op="Assert",
                                           source=_where(), fix="the values are known while building: fix them")
        return Assert(reduce_all(op(a, b)), data, summarize=summarize)


def _operands(x: Any, y: Any) -> tuple[Value, Value]:
    """Like TF1's ``convert_to_tensor(x, name='x')``/``(y, name='y')``, except that a non-tensor
    side takes the other side's dtype (TF1 would make ``0`` an int32 and fail against a float x)."""
    def tensor(v: Any) -> bool:
        return isinstance(v, Value) or hasattr(v, "_as_graph_value")
    if tensor(x) or not tensor(y):
        a = convert_to_tensor(x, name="x")
        return a, (convert_to_tensor(y) if tensor(y) else convert_to_tensor(y, a.dtype, name="y"))
    b = convert_to_tensor(y)
    return convert_to_tensor(x, b.dtype, name="x"), b


def _static_text(item: Any) -> str:
    """TF1's ``_maybe_constant_value_string``: a known value printed, else the tensor's repr."""
    if isinstance(item, Value):
        v = static_value(item)
        return str(v) if v is not None else repr(item)
    return str(item)


def assert_equal(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                 name: Any = None) -> Node:
    """TF1 `tf.assert_equal` (fails while building when both sides are known and differ)."""
    if x is y and isinstance(x, Value):
        with builder.name_scope(name, "assert_equal"):
            return no_op()
    return _binary_assert("==", m.equal, "assert_equal", x, y, data, summarize, message, name, np.equal)


def assert_none_equal(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                      name: Any = None) -> Node:
    """TF1 `tf.assert_none_equal`: x != y for every element."""
    with builder.name_scope(name, "assert_none_equal"):
        a, b = _operands(x, y)
        if data is None:
            data = [message or "", "Condition x != y did not hold for every single element:",
                    f"x ({a.name}) = ", a, f"y ({b.name}) = ", b]
        return Assert(reduce_all(m.not_equal(a, b)), data, summarize=summarize)


def assert_less(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                name: Any = None) -> Node:
    """TF1 `tf.assert_less`: x < y element-wise."""
    return _binary_assert("<", m.less, "assert_less", x, y, data, summarize, message, name)


def assert_less_equal(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                      name: Any = None) -> Node:
    """TF1 `tf.assert_less_equal`: x <= y element-wise."""
    return _binary_assert("<=", m.less_equal, "assert_less_equal", x, y, data, summarize, message, name)


def assert_greater(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                   name: Any = None) -> Node:
    """TF1 `tf.assert_greater`: x > y element-wise."""
    return _binary_assert(">", m.greater, "assert_greater", x, y, data, summarize, message, name)


def assert_greater_equal(x: Any, y: Any, data: Any = None, summarize: Any = None, message: Any = None,
                         name: Any = None) -> Node:
    """TF1 `tf.assert_greater_equal`: x >= y element-wise."""
    return _binary_assert(">=", m.greater_equal, "assert_greater_equal", x, y, data, summarize, message, name)


def _sign_assert(default_name: str, sym: str, x: Any, data: Any, summarize: Any, message: Any, name: Any,
                 zero_first: bool, strict: bool) -> Node:
    """assert_positive & co.: TF1 compares with a zero of x's dtype through assert_less(_equal)."""
    with builder.name_scope(name, default_name):
        t = convert_to_tensor(x)
        if data is None:
            data = [message or "", f"Condition x {sym} 0 did not hold element-wise:", f"x ({t.name}) = ", t]
        zero = convert_to_tensor(0, t.dtype)
        a, b = (zero, t) if zero_first else (t, zero)
        check = assert_less if strict else assert_less_equal
        return check(a, b, data=data, summarize=summarize)


def assert_positive(x: Any, data: Any = None, summarize: Any = None, message: Any = None, name: Any = None) -> Node:
    """TF1 `tf.assert_positive`: x > 0 element-wise."""
    return _sign_assert("assert_positive", ">", x, data, summarize, message, name, zero_first=True, strict=True)


def assert_negative(x: Any, data: Any = None, summarize: Any = None, message: Any = None, name: Any = None) -> Node:
    """TF1 `tf.assert_negative`: x < 0 element-wise."""
    return _sign_assert("assert_negative", "<", x, data, summarize, message, name, zero_first=False, strict=True)


def assert_non_negative(x: Any, data: Any = None, summarize: Any = None, message: Any = None,
                        name: Any = None) -> Node:
    """TF1 `tf.assert_non_negative`: x >= 0 element-wise."""
    return _sign_assert("assert_non_negative", ">=", x, data, summarize, message, name, zero_first=True,
                        strict=False)


def assert_non_positive(x: Any, data: Any = None, summarize: Any = None, message: Any = None,
                        name: Any = None) -> Node:
    """TF1 `tf.assert_non_positive`: x <= 0 element-wise."""
    return _sign_assert("assert_non_positive", "<=", x, data, summarize, message, name, zero_first=False,
                        strict=False)


def assert_near(x: Any, y: Any, rtol: Any = None, atol: Any = None, data: Any = None, summarize: Any = None,
                message: Any = None, name: Any = None) -> Node:
    """TF1 `tf.assert_near`: |x - y| < atol + rtol * |y| element-wise (default tolerances 10 eps)."""
    with builder.name_scope(name, "assert_near"):
        a = convert_to_tensor(x)
        if not a.dtype.is_floating:
            raise DTypeError(f"assert_near needs float tensors, got {a.dtype.name}", source=_where(),
                             fix="use gr.assert_equal for integers")
        b = convert_to_tensor(y, a.dtype)
        eps = float(np.finfo(a.dtype.np).eps)
        rt = convert_to_tensor(10 * eps if rtol is None else rtol, a.dtype)
        at = convert_to_tensor(10 * eps if atol is None else atol, a.dtype)
        if data is None:
            data = [message or "", f"x and y not equal to tolerance rtol = {rt!r}, atol = {at!r}",
                    f"x ({a.name}) = ", a, f"y ({b.name}) = ", b]
        tol = m.add(at, m.multiply(rt, m.abs(b)))
        return Assert(reduce_all(m.less(m.abs(m.subtract(a, b)), tol)), data, summarize=summarize)


# --- static checks ------------------------------------------------------------------------------------

def _rank_check(default_name: str, x: Any, rank: Any, data: Any, summarize: Any, message: Any, name: Any,
                at_least: bool) -> Node:
    with builder.name_scope(name, default_name):
        t = convert_to_tensor(x)
        want = static_value(rank)
        if want is not None:
            if want.ndim != 0 or want.dtype.kind not in "iu":
                raise ShapeError(f"{default_name}: the rank must be an integer scalar, got {rank!r}", source=_where())
            got = _static_rank(t.type)
            if got is not None:
                ok = got >= int(want) if at_least else got == int(want)
                if not ok:
                    words = "at least rank" if at_least else "rank"
                    raise ShapeError(f"{message or ''}Tensor {t.name} must have {words} {int(want)}.  Received rank "
                                     f"{got}, shape {format_shape(t.type.shape)}", source=_where())
                return no_op(name="static_checks_determined_all_ok")
        r = convert_to_tensor(rank, dtypes.int32) if not isinstance(rank, Value) else rank
        if data is None:
            words = "at least rank" if at_least else "rank"
            data = [message or "", f"Tensor {t.name} must have {words}", r, "Received shape: ", shape_op(t)]
        actual = rank_op(t)
        cond = m.greater_equal(actual, r) if at_least else m.equal(actual, r)
        return Assert(cond, data, summarize=summarize)


def assert_rank(x: Any, rank: Any, data: Any = None, summarize: Any = None, message: Any = None,
                name: Any = None) -> Node:
    """TF1 `tf.assert_rank`: a ShapeError while building when x's rank is known and differs."""
    return _rank_check("assert_rank", x, rank, data, summarize, message, name, at_least=False)


def assert_rank_at_least(x: Any, rank: Any, data: Any = None, summarize: Any = None, message: Any = None,
                         name: Any = None) -> Node:
    """TF1 `tf.assert_rank_at_least`: a ShapeError while building when x's rank is known and lower."""
    return _rank_check("assert_rank_at_least", x, rank, data, summarize, message, name, at_least=True)


def assert_type(tensor: Any, tf_type: Any, message: Any = None, name: Any = None) -> Node:
    """TF1 `tf.assert_type`: a DTypeError while building unless ``tensor`` has dtype ``tf_type``."""
    want = dtypes.as_dtype(tf_type)
    with builder.name_scope(name, "assert_type"):
        t = convert_to_tensor(tensor)
        if t.dtype is not want:
            raise DTypeError(f"{message or ''}{t.name} must be of type {want.name}; got {t.dtype.name}",
                             source=_where(), fix=f"gr.cast it to gr.{want.name}")
        return no_op(name="statically_determined_correct_type")


def assert_integer(x: Any, message: Any = None, name: Any = None) -> Node:
    """TF1 `tf.assert_integer`: a DTypeError while building unless x has an integer dtype."""
    with builder.name_scope(name, "assert_integer"):
        t = convert_to_tensor(x)
        if not t.dtype.is_integer:
            raise DTypeError(f'{message or ""}Expected "x" to be integer type.  Found: {t.name} of dtype '
                             f"{t.dtype.name}", source=_where(), fix="gr.cast it to gr.int32")
        return no_op(name="statically_determined_was_integer")


def assert_scalar(tensor: Any, name: Any = None, message: Any = None) -> Value:
    """TF1 `tf.assert_scalar`: returns ``tensor``; a ShapeError while building unless its rank is
    known to be 0 (TF 1.15 refuses an unknown rank too)."""
    with builder.name_scope(name, "assert_scalar"):
        t = convert_to_tensor(tensor)
        if _static_rank(t.type) != 0:
            shown = "<unknown>" if _static_rank(t.type) is None else format_shape(t.type.shape)
            raise ShapeError(f"{message or ''}Expected scalar shape for {t.name}, saw shape: {shown}.",
                             source=_where(), fix="reduce or reshape it to a scalar, or t.set_shape([])")
        return t


# --- numerics -------------------------------------------------------------------------------------------

def check_numerics(tensor: Any, message: str, name: str | None = None) -> Value:
    """TF1 `tf.check_numerics`: ``tensor``, after a check that it holds no NaN or Inf."""
    if not isinstance(message, str):
        raise GraphError(f"check_numerics' message must be a string, got {message!r}", source=_where())
    t = convert_to_tensor(tensor)
    with builder.name_scope(name, "CheckNumerics") as scope:
        check = builder.add_node("CheckNumerics", [t], {"message": message}, name="check")
        with builder.control_dependencies([check]):
            return identity(t, name=scope)


def verify_tensor_all_finite(t: Any, msg: str, name: str | None = None) -> Value:
    """TF1 `tf.verify_tensor_all_finite`: ``t`` after a NaN/Inf check (scope ``VerifyFinite``)."""
    with builder.name_scope(name, "VerifyFinite"):
        return check_numerics(t, msg)


__all__ = ["Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
           "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative",
           "assert_non_positive", "assert_near", "assert_rank", "assert_rank_at_least", "assert_type",
           "assert_integer", "assert_scalar", "check_numerics", "verify_tensor_all_finite"]
