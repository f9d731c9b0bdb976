"""NumPy kernels of the array ops (graphrnn.ops.array, array_shape, array_index).

Factories read attrs and static input ranks once and return a small closure; nothing is decided
per call that can be decided per node. View-returning kernels (transpose, reshape, slicing,
unstack...) are fine because kernels never mutate inputs; those ops do not claim ALLOCATES.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.ir.builder import format_source
from graphrnn.ir.errors import ExecutionError
from graphrnn.ir.graph import Node


def fail(node: Node, message: str, fix: str | None = None) -> ExecutionError:
    """A run-time error naming the node, its op and the user's line that created it."""
    return ExecutionError(message, op=node.op, node=node.name, source=format_source(node.source), fix=fix)


def _identity(x: Any) -> Any:
    return x


def _multi(node: Node, fn: Any) -> Any:
    """Multi-output kernels return a tuple, except with one output, where the plan wants the array."""
    if len(node.outputs) != 1:
        return fn
    return lambda *xs: fn(*xs)[0]


# --- graphrnn.ops.array ----------------------------------------------------------------------------

@kernel("ConcatV2")
def _concat(node: Node, ctx: Any) -> Any:
    axis = node.attrs["axis"]
    return lambda *xs: np.concatenate(xs, axis=axis)


def _fixed_split(node: Node, axis: int, sizes: list[int]) -> Any:
    """A split kernel for static piece sizes: the slicing keys are built once (np.split costs
    7-20us per call)."""
    pre = (slice(None),) * axis
    ends = np.cumsum(sizes).tolist()
    keys = [(*pre, slice(e - s, e)) for s, e in zip(sizes, ends)]
    return _multi(node, lambda x: tuple(x[key] for key in keys))


@kernel("Split")
def _split(node: Node, ctx: Any) -> Any:
    axis, n = node.attrs["axis"], node.attrs["num_split"]
    pre = (slice(None),) * axis
    dim = node.inputs[0].type.shape[axis]
    if dim is not None:  # static: the shape rule checked that n divides it
        return _fixed_split(node, axis, [dim // n] * n)

    def run(x: np.ndarray) -> tuple[np.ndarray, ...]:
        d = x.shape[axis]
        if d % n:
            raise fail(node, f"cannot split axis {axis} of size {d} (shape {x.shape}) into {n} equal parts")
        k = d // n
        return tuple(x[(*pre, slice(i * k, (i + 1) * k))] for i in range(n))
    return _multi(node, run)


@kernel("SplitV")
def _split_v(node: Node, ctx: Any) -> Any:
    axis, sizes = node.attrs["axis"], node.attrs["size_splits"]
    known = sum(s for s in sizes if s != -1)
    free = sizes.index(-1) if -1 in sizes else None
    dim = node.inputs[0].type.shape[axis]
    if free is None and dim is not None and dim == known and min(sizes, default=0) >= 0:
        return _fixed_split(node, axis, list(sizes))

    def run(x: np.ndarray) -> tuple[np.ndarray, ...]:
        dim = x.shape[axis]
        real = list(sizes)
        if free is not None:
            real[free] = dim - known
        if sum(real) != dim or min(real, default=0) < 0:
            raise fail(node, f"size_splits {list(sizes)} do not fit axis {axis} of size {dim} "
                             f"(shape {x.shape})")
        return tuple(np.split(x, np.cumsum(real[:-1]), axis=axis))
    return _multi(node, run)


@kernel("Pack")
def _pack(node: Node, ctx: Any) -> Any:
    axis = node.attrs["axis"]
    if axis == 0:
        return lambda *xs: np.array(xs)  # 5x faster than np.stack on small inputs
    key = (slice(None),) * axis + (None,)
    return lambda *xs: np.concatenate([x[key] for x in xs], axis=axis)


@kernel("Unpack")
def _unpack(node: Node, ctx: Any) -> Any:
    axis, num = node.attrs["axis"], node.attrs["num"]

    def run(x: np.ndarray) -> tuple[np.ndarray, ...]:
        if x.shape[axis] != num:
            raise fail(node, f"unstack expected {num} entries along axis {axis}, got shape {x.shape}")
        return tuple(np.moveaxis(x, axis, 0)) if axis else tuple(x)
    return _multi(node, run)


@kernel("Transpose")
def _transpose(node: Node, ctx: Any) -> Any:
    perm = node.attrs["perm"]
    if perm == tuple(range(len(perm))):
        return _identity
    if perm == (1, 0):  # a matrix: materialized, as BLAS multiplies contiguous operands fastest
        return lambda x: np.ascontiguousarray(x.T)
    return lambda x: x.transpose(perm)


@kernel("Reshape")
def _reshape(node: Node, ctx: Any) -> Any:
    shape = node.attrs["shape"]

    def run(x: np.ndarray) -> np.ndarray:
        try:
            return x.reshape(shape)
        except ValueError:
            raise fail(node, f"cannot reshape an array of shape {x.shape} ({x.size} elements) to "
                             f"{list(shape)}") from None
    return run


@kernel("ReshapeDynamic")
def _reshape_dynamic(node: Node, ctx: Any) -> Any:
    def run(x: np.ndarray, shape: np.ndarray) -> np.ndarray:
        try:
            return x.reshape(tuple(shape.tolist()))
        except ValueError:
            raise fail(node, f"cannot reshape an array of shape {x.shape} ({x.size} elements) to "
                             f"{shape.tolist()}") from None
    return run


@kernel("ExpandDims")
def _expand_dims(node: Node, ctx: Any) -> Any:
    key = (slice(None),) * node.attrs["axis"] + (None,)  # a view; np.expand_dims is 10x slower
    return lambda x: x[key]


@kernel("Squeeze")
def _squeeze(node: Node, ctx: Any) -> Any:
    dims = node.attrs["squeeze_dims"]

    def run(x: np.ndarray) -> np.ndarray:
        try:
            return np.squeeze(x, axis=dims)
        except ValueError:
            raise fail(node, f"cannot squeeze dims {list(dims)} of an array of shape {x.shape}") from None
    return run


@kernel("Identity")
def _identity_k(node: Node, ctx: Any) -> Any:
    return _identity


@kernel("StopGradient")
def _stop_gradient(node: Node, ctx: Any) -> Any:
    return _identity


# --- graphrnn.ops.array_shape ----------------------------------------------------------------------

@kernel("Shape")
def _shape(node: Node, ctx: Any) -> Any:
    dt = node.attrs["out_type"].np
    return lambda x: np.array(x.shape, dtype=dt)


@kernel("Size")
def _size(node: Node, ctx: Any) -> Any:
    dt = node.attrs["out_type"].np.type
    return lambda x: dt(x.size)


@kernel("Rank")
def _rank(node: Node, ctx: Any) -> Any:
    r = node.inputs[0].type.rank
    if r is None:  # a tensor of unknown rank: read it from the array
        return lambda x: np.int32(np.ndim(x))
    r32 = np.int32(r)
    return lambda x: r32


@kernel("Fill")
def _fill(node: Node, ctx: Any) -> Any:
    def run(dims: np.ndarray, value: Any) -> np.ndarray:
        shp = tuple(dims.tolist())
        if any(d < 0 for d in shp):
            raise fail(node, f"fill dims {list(shp)} contain a negative size")
        return np.full(shp, value, dtype=np.asarray(value).dtype)
    return run


@kernel("ZerosLike")
def _zeros_like(node: Node, ctx: Any) -> Any:
    return lambda x: np.zeros(np.shape(x), dtype=x.dtype)


@kernel("OnesLike")
def _ones_like(node: Node, ctx: Any) -> Any:
    return lambda x: np.ones(np.shape(x), dtype=x.dtype)


@kernel("Range")
def _range(node: Node, ctx: Any) -> Any:
    dt = node.outputs[0].dtype.np

    def run(start: Any, limit: Any, delta: Any) -> np.ndarray:
        if delta == 0:
            raise fail(node, "range's delta must not be 0")
        return np.arange(start, limit, delta, dtype=dt)
    return run


@kernel("Tile")
def _tile(node: Node, ctx: Any) -> Any:
    m = node.attrs["multiples"]
    return lambda x: np.tile(x, m)


@kernel("Pad")
def _pad(node: Node, ctx: Any) -> Any:
    p, mode, cv = node.attrs["paddings"], node.attrs["mode"], node.attrs["constant_values"]
    if mode == "CONSTANT":
        return lambda x: np.pad(x, p, mode="constant", constant_values=cv)
    np_mode = mode.lower()
    return lambda x: np.pad(x, p, mode=np_mode)


@kernel("OneHot")
def _one_hot(node: Node, ctx: Any) -> Any:
    a = node.attrs
    dt = a["dtype"].np
    on, off = np.asarray(a["on_value"], dt), np.asarray(a["off_value"], dt)
    positions = np.arange(a["depth"])
    rank_in = node.inputs[0].type.rank
    axis = rank_in if a["axis"] == -1 else a["axis"]

    def run(indices: np.ndarray) -> np.ndarray:
        hot = np.asarray(indices)[..., None] == positions  # out-of-range rows are all off, like TF1
        out = np.where(hot, on, off)
        return out if axis == rank_in else np.moveaxis(out, -1, axis)
    return run


@kernel("SequenceMask")
def _sequence_mask(node: Node, ctx: Any) -> Any:
    dt = node.attrs["dtype"].np

    def with_max(lengths: np.ndarray, maxlen: Any = None) -> np.ndarray:
        m = int(maxlen) if maxlen is not None else (int(lengths.max()) if lengths.size else 0)
        if m < 0:
            raise fail(node, f"sequence_mask maxlen must be >= 0, got {m}")
        mask = np.arange(m) < np.asarray(lengths)[..., None]
        return mask if dt == np.bool_ else mask.astype(dt)
    return with_max


# --- graphrnn.ops.array_index ----------------------------------------------------------------------

@kernel("Slice")
def _slice(node: Node, ctx: Any) -> Any:
    begin, size = node.attrs["begin"], node.attrs["size"]
    idx = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))
    static = node.inputs[0].type.shape
    if None not in static:
        return lambda x: x[idx]
    need = tuple(b + max(s, 0) for b, s in zip(begin, size))

    def checked(x: np.ndarray) -> np.ndarray:
        if any(n > d for n, d in zip(need, x.shape)):
            raise fail(node, f"slice begin {list(begin)} size {list(size)} is out of range for "
                             f"shape {x.shape}")
        return x[idx]
    return checked


def _np_key(spec: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for item in spec:
        kind = item[0]
        out.append(item[1] if kind == "int" else slice(*item[1:]) if kind == "slice"
                   else None if kind == "newaxis" else Ellipsis)
    return tuple(out)


@kernel("StridedSlice")
def _strided_slice(node: Node, ctx: Any) -> Any:
    key = _np_key(node.attrs["spec"])

    def run(x: np.ndarray) -> Any:
        try:
            return x[key]
        except IndexError as e:
            raise fail(node, f"index out of range for an array of shape {x.shape}: {e}") from None
    return run


def dynamic_key(spec: tuple[tuple[Any, ...], ...]) -> Any:
    """A function of the bound values (ints) giving the NumPy key of a StridedSliceDynamic spec."""
    def key(bounds: Any) -> tuple[Any, ...]:
        it = iter(bounds)
        out: list[Any] = []
        for item in spec:
            kind = item[0]
            if kind == "slice":
                start, stop = (int(next(it)) if b == "tensor" else b for b in item[1:3])
                out.append(slice(start, stop, item[3]))
            else:
                out.append(item[1] if kind == "int" else None if kind == "newaxis" else Ellipsis)
        return tuple(out)
    return key


@kernel("StridedSliceDynamic")
def _strided_slice_dynamic(node: Node, ctx: Any) -> Any:
    key = dynamic_key(node.attrs["spec"])

    def run(x: np.ndarray, *bounds: Any) -> Any:
        try:
            return x[key(bounds)]
        except IndexError as e:
            raise fail(node, f"index out of range for an array of shape {x.shape}: {e}") from None
    return run


@kernel("GatherV2")
def _gather(node: Node, ctx: Any) -> Any:
    axis = node.attrs["axis"]
    prefix = (slice(None),) * axis

    def bad(idx: np.ndarray, n: int, shape: tuple[int, ...]) -> ExecutionError:
        wrong = idx[(idx < 0) | (idx >= n)].flat[0] if np.ndim(idx) else idx
        return fail(node, f"gather index {int(wrong)} is out of range [0, {n}) for axis {axis} of params "
                          f"with shape {shape}", fix="keep indices within the gathered dim")

    if node.inputs[1].type.rank == 0:  # the common `t[i]` inside loops: a view, no copy
        def scalar(params: np.ndarray, i: Any) -> np.ndarray:
            n = params.shape[axis]
            if not 0 <= i < n:
                raise bad(np.asarray(i), n, params.shape)
            return params[(*prefix, int(i))]
        return scalar

    def run(params: np.ndarray, idx: np.ndarray) -> np.ndarray:
        n = params.shape[axis]
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise bad(idx, n, params.shape)
        return np.take(params, idx, axis=axis)
    return run


@kernel("ReverseV2")
def _reverse(node: Node, ctx: Any) -> Any:
    axes = node.attrs["axis"]
    if not axes:
        return _identity
    return lambda x: np.flip(x, axes)


@kernel("ReverseSequence")
def _reverse_sequence(node: Node, ctx: Any) -> Any:
    s, b = node.attrs["seq_dim"], node.attrs["batch_dim"]

    def run(x: np.ndarray, lens: np.ndarray) -> np.ndarray:
        t = x.shape[s]
        if lens.shape != (x.shape[b],):
            raise fail(node, f"seq_lengths of shape {lens.shape} do not match batch dim {x.shape[b]} "
                             f"of {x.shape}")
        if lens.size and (lens.min() < 0 or lens.max() > t):
            raise fail(node, f"seq_lengths {lens.tolist()} must be in [0, {t}] (the size of axis {s})")
        steps = np.arange(t)
        ln = lens[:, None]
        src = np.where(steps < ln, ln - 1 - steps, steps)        # [B, T]: source step per output step
        xm = np.moveaxis(x, (b, s), (0, 1))                        # [B, T, ...]
        out = xm[np.arange(x.shape[b])[:, None], src]
        return np.moveaxis(out, (0, 1), (b, s))
    return run
