"""NumPy kernels of the gradient-only ops of `graphrnn.autodiff.ops`.

The loop-tape kernels (StackPush, AccumulateAt, TensorArrayWriteGradInPlace) update their first
input in place. That is their contract: the gradient builder creates each such buffer privately
(StackNew, AccumulatorZerosLike, AccumulatorCopy) and threads it through exactly one reader at a
time, so no other value aliases it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel, simple
from graphrnn.backends.numpy.kernels_array import _np_key, dynamic_key, fail
from graphrnn.ir.graph import Node


def reduce_to_shape(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sums ``g`` over the dims that broadcasting added or stretched, so it has ``shape``."""
    g = np.asarray(g)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, (a, b) in enumerate(zip(g.shape, shape)) if b == 1 and a != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


simple("ReduceToShapeOf", lambda g, x: reduce_to_shape(g, np.shape(x)))
simple("BroadcastToShapeOf", lambda g, x: np.broadcast_to(g, np.shape(x)))
simple("ReshapeLike", lambda g, x: np.reshape(g, np.shape(x)))


def _keep_shape(xshape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else d for i, d in enumerate(xshape))


@kernel("ReduceGrad")
def _reduce_grad(node: Node, ctx: RunContext) -> Any:
    axes, mean = tuple(node.attrs["axis"]), node.attrs["mean"]

    def run(g: Any, x: Any) -> Any:
        shp = np.shape(x)
        out = np.broadcast_to(np.reshape(g, _keep_shape(shp, axes)), shp)
        if mean:
            n = int(np.prod([shp[a] for a in axes], dtype=np.int64))
            out = out / max(n, 1)
        return out.astype(np.asarray(g).dtype, copy=False)
    return run


@kernel("ReduceExtremumGrad")
def _extremum_grad(node: Node, ctx: RunContext) -> Any:
    axes = tuple(node.attrs["axis"])

    def run(g: Any, x: Any, y: Any) -> Any:
        shp = np.shape(x)
        keep = _keep_shape(shp, axes)
        hit = (x == np.reshape(y, keep)).astype(x.dtype)
        ties = hit.sum(axis=axes, keepdims=True)
        return hit * (np.reshape(g, keep) / ties)
    return run


@kernel("ReduceProdGrad")
def _prod_grad(node: Node, ctx: RunContext) -> Any:
    axes = tuple(node.attrs["axis"])

    def run(g: Any, x: Any) -> Any:
        shp = np.shape(x)
        rest = [i for i in range(len(shp)) if i not in axes]
        perm = rest + list(axes)
        xt = np.transpose(x, perm)
        flat = xt.reshape(xt.shape[:len(rest)] + (-1,))
        ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (left * right).reshape(xt.shape)
        gk = np.reshape(g, _keep_shape(shp, axes))
        return np.transpose(others, np.argsort(perm)) * gk
    return run


@kernel("ConcatGrad")
def _concat_grad(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs["axis"]

    def run(g: Any, *xs: Any) -> Any:
        cuts = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
        parts = tuple(np.split(g, cuts, axis=axis))
        return parts if len(parts) != 1 else parts[0]
    return run


@kernel("SliceGrad")
def _slice_grad(node: Node, ctx: RunContext) -> Any:
    begin = node.attrs["begin"]

    def run(g: Any, x: Any) -> Any:
        out = np.zeros(np.shape(x), np.asarray(g).dtype)
        out[tuple(slice(b, b + d) for b, d in zip(begin, np.shape(g)))] = g
        return out
    return run


@kernel("StridedSliceDynamicGrad")
def _strided_dynamic_grad(node: Node, ctx: RunContext) -> Any:
    key = dynamic_key(node.attrs["spec"])

    def run(g: Any, x: Any, *bounds: Any) -> Any:
        out = np.zeros(np.shape(x), np.asarray(g).dtype)
        out[key(bounds)] = g
        return out
    return run


@kernel("StridedSliceGrad")
def _strided_grad(node: Node, ctx: RunContext) -> Any:
    key = _np_key(node.attrs["spec"])

    def run(g: Any, x: Any) -> Any:
        out = np.zeros(np.shape(x), np.asarray(g).dtype)
        out[key] = g
        return out
    return run


@kernel("PadGrad")
def _pad_grad(node: Node, ctx: RunContext) -> Any:
    pads = node.attrs["paddings"]
    return lambda g, x: np.asarray(g)[tuple(slice(a, a + d) for (a, _), d in zip(pads, np.shape(x)))]


@kernel("TileGrad")
def _tile_grad(node: Node, ctx: RunContext) -> Any:
    mult = node.attrs["multiples"]

    def run(g: Any, x: Any) -> Any:
        shp = np.shape(x)
        folded: list[int] = []
        for m, d in zip(mult, shp):
            folded += [m, d]
        return np.asarray(g).reshape(folded).sum(axis=tuple(range(0, 2 * len(shp), 2)))
    return run


@kernel("GatherGrad")
def _gather_grad(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs["axis"]

    def run(x: Any, idx: Any, g: Any) -> Any:
        shp = np.shape(x)
        out = np.zeros(shp, np.asarray(g).dtype)
        idx = np.asarray(idx)
        if np.any((idx < 0) | (idx >= shp[axis])):
            raise fail(node, f"gather index out of range [0, {shp[axis]}) in the gradient")
        moved = np.moveaxis(out, axis, 0)  # a view: adding into it fills ``out``
        gm = np.moveaxis(np.asarray(g), list(range(axis, axis + idx.ndim)), list(range(idx.ndim)))
        np.add.at(moved, idx, gm)
        return out
    return run


def _row_key(axis: int, i: Any) -> tuple[Any, ...]:
    return (slice(None),) * axis + (int(i),)


@kernel("TensorArrayWriteGrad")
def _ta_write_grad(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)

    def run(g: Any, i: Any) -> Any:
        key = _row_key(axis, i)
        row = np.array(g[key], copy=True)
        rest = np.array(g, copy=True)
        rest[key] = 0
        return row, rest
    return run


@kernel("TensorArrayWriteGradInPlace")
def _ta_write_grad_inplace(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)

    def run(g: Any, i: Any) -> Any:
        key = _row_key(axis, i)
        row = np.array(g[key], copy=True)
        g[key] = 0
        return row, g
    return run


@kernel("StackNew")
def _stack_new(node: Node, ctx: RunContext) -> Any:
    t = node.attrs["type"]
    elem = tuple(0 if d is None else d for d in t.shape[1:])
    dt = t.dtype.np
    known = None not in t.shape[1:]

    def run(capacity: Any) -> np.ndarray:
        cap = max(int(capacity), 0)
        # Unknown element dims: a zero-size array whose first dim still records the capacity; the
        # first push allocates it with the real element shape.
        return np.empty((cap, *elem), dt) if known else np.zeros((cap, *elem), dt)
    return run


def _ragged(stack: np.ndarray, filled: int, cap: int) -> np.ndarray:
    """The stack as a 1-D object array of its first ``filled`` entries (copies), room for ``cap``."""
    out = np.empty(max(cap, filled + 1), object)
    for k in range(filled):
        out[k] = np.array(stack[k], copy=True)
    return out


@kernel("StackPush")
def _stack_push(node: Node, ctx: RunContext) -> Any:
    """stack[i] = v. A stack is one array ``[capacity, *shape]`` while every pushed value has the
    same shape; when a value's shape differs from earlier ones (a carry whose shape changes per
    iteration, an activation of a growing prefix), the stack becomes a 1-D object array of
    per-iteration copies (ragged), which `StackRead` reads the same way."""
    def run(stack: np.ndarray, i: Any, v: Any) -> np.ndarray:
        i = int(i)
        v = np.asarray(v)
        cap = stack.shape[0]
        ragged = stack.dtype == object or v.dtype == object  # v: a ragged stack of an inner loop
        if not ragged and stack.shape[1:] != v.shape:
            if i == 0:  # the first push fixes unknown dims
                stack = np.empty((max(cap, 1), *v.shape), stack.dtype)
            else:  # earlier entries have another shape
                ragged = True
        if ragged:
            if stack.dtype != object:
                stack = _ragged(stack, i, cap)
            elif i >= cap:
                stack = np.concatenate([stack, np.empty(max(cap, i + 1 - cap), object)])
            stack[i] = np.array(v, copy=True)
            return stack
        if i >= cap:
            # Doubling keeps the total copying O(T) over T pushes (amortized O(1) per push).
            new = np.empty((max(2 * cap, i + 1), *v.shape), stack.dtype)
            new[:cap] = stack
            stack = new
        stack[i] = v
        return stack
    return run


@kernel("StackRead")
def _stack_read(node: Node, ctx: RunContext) -> Any:
    return lambda stack, i: stack[int(i)]


simple("AccumulatorZerosLike", lambda x: np.zeros(np.shape(x), np.asarray(x).dtype))
simple("AccumulatorCopy", lambda x: np.array(x, copy=True))


@kernel("AccumulateAt")
def _accumulate_at(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)

    def run(acc: np.ndarray, i: Any, v: Any) -> np.ndarray:
        acc[_row_key(axis, i)] += v
        return acc
    return run


def _sparse_xent_grad(labels: Any, logits: Any) -> Any:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=-1, keepdims=True)
    n = logits.shape[-1]
    lab = np.asarray(labels)
    if lab.size and (lab.min() < 0 or lab.max() >= n):
        raise ValueError(f"label out of range [0, {n})")
    np.put_along_axis(p, lab[..., None].astype(np.intp), np.take_along_axis(p, lab[..., None].astype(np.intp),
                                                                           axis=-1) - 1, axis=-1)
    return p


simple("SparseXentGrad", _sparse_xent_grad)


# One fresh buffer, then in place, with the constant 1 typed once per node (np.result_type costs
# ~1us per call). np.asarray: for 0-d inputs NumPy returns a scalar, which cannot be written into.
@kernel("SigmoidGrad")
def _sigmoid_grad(node: Node, ctx: RunContext) -> Any:
    one = node.outputs[0].dtype.np.type(1)

    def run(y: Any, g: Any) -> Any:
        out = np.asarray(np.subtract(one, y))
        out *= y
        out *= g
        return out
    return run


@kernel("TanhGrad")
def _tanh_grad(node: Node, ctx: RunContext) -> Any:
    one = node.outputs[0].dtype.np.type(1)

    def run(y: Any, g: Any) -> Any:
        out = np.asarray(np.multiply(y, y))
        np.subtract(one, out, out=out)
        out *= g
        return out
    return run


@kernel("Replay")
def _replay(node: Node, ctx: RunContext) -> Any:
    k = node.attrs["n_out"]
    if k == 1:
        return lambda *xs: xs[-1]
    return lambda *xs: tuple(xs[len(xs) - k:])


@kernel("TapePack")
def _tape_pack(node: Node, ctx: RunContext) -> Any:
    """A 0-d object array holding the tuple (NumPy would turn a bare tuple of arrays into one
    array). It references the packed arrays, no copy: they are a finished loop's outputs, which no
    kernel updates in place afterwards (the pack is one more reader, so none is donated)."""
    def run(*xs: Any) -> np.ndarray:
        box = np.empty((), object)
        box[()] = xs
        return box
    return run


@kernel("TapeUnpack")
def _tape_unpack(node: Node, ctx: RunContext) -> Any:
    single = len(node.outputs) == 1
    return lambda box: box[()][0] if single else box[()]

