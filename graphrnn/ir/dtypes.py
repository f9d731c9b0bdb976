"""Element types, named as in TF1 (`gr.float32`, ...), mapped one-to-one onto NumPy dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.ir.errors import DTypeError


class DType:
    """An element type. Instances are interned: compare with ``is`` or ``==``.

    Invariant: ``DType(name).np`` is the NumPy dtype kernels produce for tensors of this type.
    """

    __slots__ = ("name", "np", "short")

    def __init__(self, name: str, np_dtype: Any, short: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.short = short

    @property
    def as_numpy_dtype(self) -> type:
        return self.np.type

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def is_floating(self) -> bool:
        return self.np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self.np.kind in "iu"

    @property
    def is_bool(self) -> bool:
        return self.np.kind == "b"

    def __repr__(self) -> str:
        return f"gr.{self.name}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (as_dtype, (self.name,))


float16 = DType("float16", np.float16, "f16")
float32 = DType("float32", np.float32, "f32")
float64 = DType("float64", np.float64, "f64")
int32 = DType("int32", np.int32, "i32")
int64 = DType("int64", np.int64, "i64")
bool_ = DType("bool", np.bool_, "bool")
# Byte strings (TF1's tf.string), e.g. a serialized Summary. A rank-0 string value is a Python
# `bytes` at run time (a NumPy 'S' array would drop trailing NUL bytes); higher ranks are object
# arrays of bytes. Not numeric: no arithmetic op accepts it, and it is never fed.
string = DType("string", np.object_, "str")

ALL_DTYPES: tuple[DType, ...] = (float16, float32, float64, int32, int64, bool_, string)
_BY_NAME: dict[str, DType] = {d.name: d for d in ALL_DTYPES}
_BY_NAME.update({d.short: d for d in ALL_DTYPES})
# TF1 accepted these spellings (the seeds write gr.placeholder("float", ...)).
_BY_NAME.update({"float": float32, "double": float64, "int": int32, "half": float16})
_BY_NP: dict[np.dtype, DType] = {d.np: d for d in ALL_DTYPES}


def as_dtype(x: Any) -> DType:
    """Converts a DType, a name ("float32", "float"), a NumPy dtype or a Python type to a DType."""
    if isinstance(x, DType):
        return x
    if isinstance(x, str):
        if x in _BY_NAME:
            return _BY_NAME[x]
        raise DTypeError(f"unknown dtype name {x!r}", fix=f"use one of {sorted(d.name for d in ALL_DTYPES)}")
    if x is float:
        return float32
    if x is int:
        return int32
    if x is bool:
        return bool_
    if x is None or (isinstance(x, type) and not issubclass(x, (np.generic, bytes))):
        # NumPy reads None as float64 and any other class as its object dtype: neither is a dtype.
        raise DTypeError(f"cannot interpret {x!r} as a dtype", fix="pass e.g. gr.float32")
    try:
        npd = np.dtype(x)
    except (TypeError, ValueError):  # ValueError: objects with a non-NumPy .dtype (a tensor)
        raise DTypeError(f"cannot interpret {x!r} as a dtype", fix="pass e.g. gr.float32") from None
    if npd in _BY_NP:
        return _BY_NP[npd]
    raise DTypeError(f"NumPy dtype {npd} has no graphrnn dtype",
                     fix="cast the data to float32/float64/int32/int64/bool")
