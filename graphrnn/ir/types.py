"""Static types of values: a dtype and a shape whose dims may be unknown (``None``), or whose rank
itself may be unknown (`UNKNOWN_RANK`, TF1's ``TensorShape(None)``).

A known-rank shape is a plain tuple of dims. A shape of unknown rank is the singleton
`UNKNOWN_RANK`: taking its ``len``, iterating it or indexing it raises a `ShapeError` (so a shape
rule that needs a rank fails cleanly, and the builder names the op), while concatenating it with a
tuple gives `UNKNOWN_RANK` again (``shape[:k] + other.shape`` stays correct). ``TensorType.rank``
is ``None`` for it, as TF1's ``ndims`` is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NoReturn

from graphrnn.ir.dtypes import DType
from graphrnn.ir.errors import ShapeError

Dim = int | None
Shape = tuple[Dim, ...]

_RANK_FIX = ("give the tensor a rank: declare the placeholder with a shape (None for dims that vary), "
             "call t.set_shape([...]), or gr.reshape it to a known shape")


class _TensorShapeMeta(type):
    """Makes ``isinstance(UNKNOWN_RANK, TensorShape)`` true, as ``TensorShape(None)`` is one in TF1."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return type.__instancecheck__(cls, obj) or isinstance(obj, UnknownRank)


class TensorShape(tuple, metaclass=_TensorShapeMeta):
    """A tuple of dims (``int`` or ``None``) with TF1's helpers (``as_list``, ``ndims``, ``dims``).

    ``TensorShape(None)`` is `UNKNOWN_RANK` (not a tuple: no tuple operation can silently treat it
    as a scalar's ``()``).
    """

    __slots__ = ()

    def __new__(cls, dims: Iterable[Dim] | None = ()) -> Any:
        if dims is None or dims is UNKNOWN_RANK:  # TF1's unknown rank
            return UNKNOWN_RANK
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

    def is_compatible_with(self, other: Any) -> bool:
        """TF1: the shapes could describe the same array (unknown dims and ranks match anything)."""
        return shapes_compatible(self, _user_shape(other))

    def merge_with(self, other: Any) -> Any:
        """TF1: the most specific shape compatible with both; `ShapeError` (a ValueError) if none."""
        return TensorShape(merge_shapes(tuple(self), _user_shape(other)))

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ShapeError(f"shapes {format_shape(self)} and {format_shape(_user_shape(other))} "
                             "are incompatible")

    def with_rank(self, rank: int) -> TensorShape:
        if len(self) != rank:
            raise ShapeError(f"shape {format_shape(self)} must have rank {rank}")
        return self

    def __repr__(self) -> str:
        return "TensorShape([" + ", ".join("None" if d is None else str(d) for d in self) + "])"


class UnknownRank:
    """The shape of a value whose rank is not known while building (TF1's ``TensorShape(None)``).

    Invariant: there is one instance, `UNKNOWN_RANK`, equal only to itself. Everything that needs a
    rank (``len``, iteration, indexing, ``as_list``) raises `ShapeError`; ``ndims``/``rank``/``dims``
    are ``None`` and ``bool()`` is False, as in TF1.
    """

    __slots__ = ()
    _instance: UnknownRank | None = None

    def __new__(cls) -> UnknownRank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def _no_rank(self, what: str) -> NoReturn:
        raise ShapeError(f"{what} needs the tensor's rank, which is unknown", fix=_RANK_FIX)

    def __len__(self) -> int:
        self._no_rank("len() of a shape")

    def __iter__(self) -> Iterator[Dim]:
        self._no_rank("iterating over a shape")

    def __getitem__(self, key: Any) -> Any:
        self._no_rank("indexing a shape")

    def __contains__(self, item: Any) -> bool:
        """``None in shape`` (the idiom for "some dim is unknown") is True; other tests need a rank."""
        if item is None:
            return True
        self._no_rank("testing whether a dim is in a shape")

    def __bool__(self) -> bool:
        return False

    def __add__(self, other: Any) -> UnknownRank:
        """Concatenating with anything keeps the rank unknown (TF1's ``concatenate``)."""
        return self

    __radd__ = __add__

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return hash("graphrnn.UNKNOWN_RANK")

    def __reduce__(self) -> str:
        return "UNKNOWN_RANK"  # pickles as the module-level singleton

    def __repr__(self) -> str:
        return "TensorShape(None)"

    ndims = None
    rank = None
    dims = None

    def as_list(self) -> NoReturn:
        self._no_rank("as_list()")

    def is_fully_defined(self) -> bool:
        return False

    def num_elements(self) -> None:
        return None

    def is_compatible_with(self, other: Any) -> bool:
        _user_shape(other)  # still validates the argument
        return True

    def merge_with(self, other: Any) -> Any:
        return TensorShape(_user_shape(other))

    def assert_is_compatible_with(self, other: Any) -> None:
        _user_shape(other)

    def with_rank(self, rank: int) -> TensorShape:
        return TensorShape([None] * rank)


UNKNOWN_RANK = UnknownRank()

AnyShape = Shape | UnknownRank


def has_rank(shape: AnyShape) -> bool:
    """False only for `UNKNOWN_RANK`."""
    return shape is not UNKNOWN_RANK


def _user_shape(shape: Any) -> AnyShape:
    """A TF1 argument describing a shape (None: unknown rank) as an IR shape."""
    return as_shape(shape, allow_unknown_rank=True)


def as_shape(shape: Any, allow_unknown_rank: bool = False) -> AnyShape:
    """Normalizes a user shape (list/tuple of ints or None, a TensorShape, or an int) to a tuple.

    ``None`` and `UNKNOWN_RANK` mean an unknown rank: returned as `UNKNOWN_RANK` when
    ``allow_unknown_rank`` (placeholders, set_shape), a `ShapeError` otherwise (a variable or a
    constant must have a rank).
    """
    if shape is None or shape is UNKNOWN_RANK:
        if allow_unknown_rank:
            return UNKNOWN_RANK
        raise ShapeError("shape must be given with a known rank here",
                         fix="write unknown dims as None, e.g. [None, 28]")
    if isinstance(shape, bool):
        raise ShapeError(f"a shape must be a list of ints or None, got {shape!r}")
    if isinstance(shape, int):
        return (shape,)
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ShapeError(f"a shape must be a list of ints or None, got {shape!r}")
    out: list[Dim] = []
    for d in shape:
        if d is None or (isinstance(d, int) and d == -1):
            out.append(None)
        elif isinstance(d, bool):
            raise ShapeError(f"shape entries must be ints or None, got {d!r} in {shape!r}")
        elif isinstance(d, (int,)) or hasattr(d, "__index__"):
            v = int(d)
            if v < 0:
                raise ShapeError(f"negative dimension {v} in shape {tuple(shape)}")
            out.append(v)
        else:
            raise ShapeError(f"shape entries must be ints or None, got {d!r} in {shape!r}")
    return tuple(out)


def format_shape(shape: AnyShape) -> str:
    if shape is UNKNOWN_RANK:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class TensorType:
    """A value's static type. Immutable and hashable.

    Invariant: ``shape`` is a tuple of non-negative ints or ``None``, or `UNKNOWN_RANK`;
    ``rank`` is its length, or ``None`` when the rank is unknown.
    """

    __slots__ = ("dtype", "shape", "_hash")

    def __init__(self, dtype: DType, shape: Sequence[Dim] | UnknownRank | None) -> None:
        self.dtype = dtype
        self.shape: Any = UNKNOWN_RANK if shape is None or shape is UNKNOWN_RANK else tuple(shape)
        self._hash = hash((dtype.name, self.shape))

    @property
    def rank(self) -> int | None:
        return None if self.shape is UNKNOWN_RANK else len(self.shape)

    @property
    def has_rank(self) -> bool:
        return self.shape is not UNKNOWN_RANK

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
        if self.dtype is not general.dtype:
            return False
        if general.shape is UNKNOWN_RANK:
            return True
        if self.shape is UNKNOWN_RANK or len(self.shape) != len(general.shape):
            return False
        return all(g is None or g == s for s, g in zip(self.shape, general.shape))


def shapes_compatible(a: AnyShape, b: AnyShape) -> bool:
    if a is UNKNOWN_RANK or b is UNKNOWN_RANK:
        return True
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def merge_shapes(a: AnyShape, b: AnyShape) -> AnyShape:
    """The most specific shape compatible with both; raises ShapeError when they conflict."""
    if a is UNKNOWN_RANK:
        return b
    if b is UNKNOWN_RANK:
        return a
    if not shapes_compatible(a, b):
        raise ShapeError(f"shapes {format_shape(a)} and {format_shape(b)} are incompatible")
    return tuple(x if x is not None else y for x, y in zip(a, b))


def most_general(a: AnyShape, b: AnyShape) -> AnyShape:
    """Keeps the dims on which ``a`` and ``b`` agree; others become unknown.

    Shapes of different (or unknown) ranks generalize to `UNKNOWN_RANK`, as TF1's
    ``most_specific_compatible_shape``.
    """
    if a is UNKNOWN_RANK or b is UNKNOWN_RANK or len(a) != len(b):
        return UNKNOWN_RANK
    return tuple(x if x == y else None for x, y in zip(a, b))


def broadcast_shapes(shapes: Iterable[AnyShape]) -> AnyShape:
    """NumPy broadcasting over static shapes; unknown dims stay unknown unless the other side is > 1.

    Any operand of unknown rank makes the result's rank unknown (the kernel broadcasts at run time
    and NumPy reports a mismatch there).
    """
    shapes = list(shapes)
    if len(shapes) == 2 and shapes[0] == shapes[1] and shapes[0] is not UNKNOWN_RANK and None not in shapes[0]:
        return shapes[0]  # the common case, decided without the general walk
    if any(s is UNKNOWN_RANK for s in shapes):
        return UNKNOWN_RANK
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


def normalize_axis(axis: int, rank: int | None, what: str = "axis") -> int:
    """Maps a possibly negative axis into ``[0, rank)``; ShapeError if out of range or the rank
    is unknown (``None``)."""
    if not isinstance(axis, int) and not hasattr(axis, "__index__"):
        raise ShapeError(f"{what} must be an int, got {axis!r}")
    if rank is None:
        raise ShapeError(f"{what} {axis} needs the tensor's rank, which is unknown", fix=_RANK_FIX)
    axis = int(axis)
    if not -rank <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for a tensor of rank {rank}",
                         fix=f"use an {what} in [{-rank}, {rank})")
    return axis + rank if axis < 0 else axis
