"""Static types of values: a dtype and a shape whose dims may be unknown (``None``).

Ranks are always known: every op's shape rule produces a definite rank. That keeps shape rules
simple and is all an RNN graph needs (TF1's unknown-rank tensors are rare in RNN code).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphrnn.ir.dtypes import DType
from graphrnn.ir.errors import ShapeError

Dim = int | None
Shape = tuple[Dim, ...]


class TensorShape(tuple):
    """A tuple of dims (``int`` or ``None``) with TF1's helpers (``as_list``, ``ndims``, ``dims``)."""

    __slots__ = ()

    def __new__(cls, dims: Iterable[Dim] | None = ()) -> TensorShape:
        if dims is None:  # TF1's unknown rank
            raise ShapeError("TensorShape(None): graphrnn's shapes always have a known rank",
                             fix="give the rank with unknown dims, e.g. gr.TensorShape([None, None])")
        return super().__new__(cls, dims)

    def as_list(self) -> list[Dim]:
        return list(self)

    @property
    def ndims(self) -> int:
        return len(self)

    @property
    def rank(self) -> int:
        return len(self)

    @property
    def dims(self) -> list[Dim]:
        return list(self)

    def is_fully_defined(self) -> bool:
        return all(d is not None for d in self)

    def num_elements(self) -> int | None:
        n = 1
        for d in self:
            if d is None:
                return None
            n *= d
        return n

    def __repr__(self) -> str:
        return "TensorShape([" + ", ".join("None" if d is None else str(d) for d in self) + "])"


def as_shape(shape: Any) -> Shape:
    """Normalizes a user shape (list/tuple of ints or None, a TensorShape, or an int) to a tuple."""
    if shape is None:
        raise ShapeError("shape must be given (graphrnn tensors always have a known rank)",
                         fix="write unknown dims as None, e.g. [None, 28]")
    if isinstance(shape, int):
        return (shape,)
    out: list[Dim] = []
    for d in shape:
        if d is None or (isinstance(d, int) and d == -1):
            out.append(None)
        elif isinstance(d, (int,)) or hasattr(d, "__index__"):
            v = int(d)
            if v < 0:
                raise ShapeError(f"negative dimension {v} in shape {tuple(shape)}")
            out.append(v)
        else:
            raise ShapeError(f"shape entries must be ints or None, got {d!r} in {shape!r}")
    return tuple(out)


def format_shape(shape: Shape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class TensorType:
    """A value's static type. Immutable and hashable.

    Invariant: ``shape`` is a tuple of non-negative ints or ``None``.
    """

    __slots__ = ("dtype", "shape", "_hash")

    def __init__(self, dtype: DType, shape: Sequence[Dim]) -> None:
        self.dtype = dtype
        self.shape: Shape = tuple(shape)
        self._hash = hash((dtype.name, self.shape))

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TensorType) and self.dtype is other.dtype
                and self.shape == other.shape)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"{self.dtype.short}{format_shape(self.shape)}"

    def is_compatible_with(self, other: TensorType) -> bool:
        """True when a value of type ``other`` could be a value of this type (dims may be unknown)."""
        return self.dtype is other.dtype and shapes_compatible(self.shape, other.shape)

    def refines(self, general: TensorType) -> bool:
        """True when this type is at least as specific as ``general`` and agrees with it."""
        if self.dtype is not general.dtype or len(self.shape) != len(general.shape):
            return False
        return all(g is None or g == s for s, g in zip(self.shape, general.shape))


def shapes_compatible(a: Shape, b: Shape) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def merge_shapes(a: Shape, b: Shape) -> Shape:
    """The most specific shape compatible with both; raises ShapeError when they conflict."""
    if not shapes_compatible(a, b):
        raise ShapeError(f"shapes {format_shape(a)} and {format_shape(b)} are incompatible")
    return tuple(x if x is not None else y for x, y in zip(a, b))


def most_general(a: Shape, b: Shape) -> Shape:
    """Keeps the dims on which ``a`` and ``b`` agree; others become unknown (same rank required)."""
    return tuple(x if x == y else None for x, y in zip(a, b))


def broadcast_shapes(shapes: Iterable[Shape]) -> Shape:
    """NumPy broadcasting over static shapes; unknown dims stay unknown unless the other side is > 1."""
    shapes = list(shapes)
    if len(shapes) == 2 and shapes[0] == shapes[1] and None not in shapes[0]:
        return shapes[0]  # the common case, decided without the general walk
    rank = max((len(s) for s in shapes), default=0)
    out: list[Dim] = []
    for i in range(rank):
        dims = [s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError(
                "shapes " + " and ".join(format_shape(s) for s in shapes) + " cannot be broadcast",
                fix="make the dims equal or 1 (use expand_dims/reshape)",
            )
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    """Maps a possibly negative axis into ``[0, rank)``; ShapeError if out of range."""
    if not isinstance(axis, int) and not hasattr(axis, "__index__"):
        raise ShapeError(f"{what} must be an int, got {axis!r}")
    axis = int(axis)
    if not -rank <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for a tensor of rank {rank}",
                         fix=f"use an {what} in [{-rank}, {rank})")
    return axis + rank if axis < 0 else axis
