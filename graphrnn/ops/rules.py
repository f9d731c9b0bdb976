"""Shared pieces of shape/dtype rules, so each op's rule reads as its algebra."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphrnn.ir import dtypes
from graphrnn.ir.errors import DTypeError, ShapeError
from graphrnn.ir.types import TensorType, broadcast_shapes, format_shape

Types = Sequence[TensorType]
Attrs = Mapping[str, Any]


def same_dtype(types: Types, what: str = "inputs") -> dtypes.DType:
    """All inputs share one dtype (TF1 never promotes implicitly)."""
    d = types[0].dtype
    for t in types[1:]:
        if t.dtype is not d:
            raise DTypeError(
                f"{what} must have the same dtype, got " + ", ".join(t.dtype.name for t in types),
                fix="cast one side with gr.cast(x, dtype)",
            )
    return d


def require_float(t: TensorType, what: str = "input") -> None:
    if not t.dtype.is_floating:
        raise DTypeError(f"{what} must be a floating-point tensor, got {t.dtype.name}",
                         fix="cast it with gr.cast(x, gr.float32)")


def require_int(t: TensorType, what: str) -> None:
    if not t.dtype.is_integer:
        raise DTypeError(f"{what} must be an integer tensor, got {t.dtype.name}",
                         fix="cast it with gr.cast(x, gr.int32)")


def require_rank(t: TensorType, rank: int, what: str) -> None:
    if not t.has_rank:
        raise ShapeError(f"{what} must have rank {rank}, and its rank is unknown",
                         fix=f"give it a rank: t.set_shape(...) or gr.reshape(t, ...) to rank {rank}")
    if t.rank != rank:
        raise ShapeError(f"{what} must have rank {rank}, got shape {format_shape(t.shape)}")


def unary_same(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return (types[0],)


def unary_float(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_float(types[0])
    return (types[0],)


def binary_broadcast(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    d = same_dtype(types)
    return (TensorType(d, broadcast_shapes([t.shape for t in types])),)


def compare_broadcast(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    same_dtype(types)
    return (TensorType(dtypes.bool_, broadcast_shapes([t.shape for t in types])),)


def attr_type(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    """For source ops whose type is an attr (`Placeholder`, `Const`, `VariableV2`)."""
    return (attrs["type"],)
