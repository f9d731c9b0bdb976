"""Kernels of the check ops: Assert and CheckNumerics (graphrnn.ops.checks), with TF1's messages, and
EnsureShape (graphrnn.ops.set_shape)."""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.ir.builder import format_source
from graphrnn.ir.errors import InvalidArgumentError
from graphrnn.ir.graph import Node


def format_element(v: Any) -> str:
    """One entry as TF1's C++ prints it: floats in the shortest of %.6g/%.9g (float32) or
    %.15g/%.17g (float64) that reads back exactly, integers and bools as numbers."""
    if isinstance(v, (np.floating, float)):
        digits = (6, 9) if isinstance(v, np.float32) or np.asarray(v).dtype == np.float32 else (15, 17)
        if not np.isfinite(v):
            return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
        short = f"%.{digits[0]}g" % v
        return short if type(v)(float(short)) == v else f"%.{digits[1]}g" % v
    if isinstance(v, (np.bool_, bool)):
        return "1" if v else "0"
    return str(v)


def summarize(value: Any, n: int) -> str:
    """TF1's ``Tensor::SummarizeValue(n)``: the first n entries (all for n < 0), space-separated,
    each row of a matrix in brackets (``[1 2 3][4...]``), then "..." if entries were left out."""
    arr = np.asarray(value)
    flat = arr.reshape(-1)
    limit = flat.size if n < 0 else min(n, flat.size)
    if arr.ndim == 0:
        text = " ".join(format_element(v) for v in flat[:limit])
    else:
        parts: list[str] = []
        _print_dim(0, arr.shape, limit, flat, [0], parts)
        text = "".join(parts)
    return text + ("..." if flat.size > limit else "")


def _print_dim(dim: int, shape: tuple[int, ...], limit: int, flat: Any, index: list[int], out: list[str]) -> None:
    """TF1's ``PrintOneDim``: the innermost dim prints entries, outer dims wrap each row in
    brackets; printing stops after ``limit`` entries ("..." inside a cut row)."""
    if index[0] >= limit:
        return
    if dim == len(shape) - 1:
        for i in range(shape[dim]):
            if index[0] >= limit:
                if dim != 0:
                    out.append("...")
                return
            if i > 0:
                out.append(" ")
            out.append(format_element(flat[index[0]]))
            index[0] += 1
        return
    for _ in range(shape[dim]):
        opened = index[0] < limit
        if opened:
            out.append("[")
        _print_dim(dim + 1, shape, limit, flat, index, out)
        if index[0] < limit or opened:
            out.append("]")


@kernel("Assert")
def _assert(node: Node, ctx: RunContext) -> Any:
    template, n = node.attrs["template"], node.attrs["summarize"]

    def run(cond: Any, *data: Any) -> None:
        if bool(np.all(cond)):
            return None
        values = iter(data)
        items = [t if t is not None else summarize(next(values), n) for t in template]
        raise InvalidArgumentError("assertion failed: " + " ".join(f"[{i}]" for i in items), op="Assert",
                                   node=node.name, source=format_source(node.source),
                                   fix="the data printed above broke the condition asserted at that line")
    return run


@kernel("CheckNumerics")
def _check_numerics(node: Node, ctx: RunContext) -> Any:
    message = node.attrs["message"]

    def run(x: Any) -> None:
        arr = np.asarray(x)
        has_inf, has_nan = bool(np.isinf(arr).any()), bool(np.isnan(arr).any())
        if not (has_inf or has_nan):
            return None
        what = "Inf and NaN" if has_inf and has_nan else ("Inf" if has_inf else "NaN")
        raise InvalidArgumentError(f"{message} : Tensor had {what} values", op="CheckNumerics", node=node.name,
                                   source=format_source(node.source),
                                   fix="find where the values first go bad (check_numerics on the inputs), "
                                       "e.g. a log of 0, a division by 0 or a too large learning rate")
    return run


@kernel("EnsureShape")
def _ensure_shape(node: Node, ctx: RunContext) -> Any:
    """Returns its input if its shape fits attr ``shape`` (None dims match any size)."""
    want = node.attrs["shape"]

    def run(x: Any) -> Any:
        got = np.shape(x)
        if want is not None and (len(got) != len(want) or any(w is not None and w != d for w, d in zip(want, got))):
            shown = "[" + ",".join("?" if w is None else str(w) for w in want) + "]"
            raise InvalidArgumentError(f"Shape of tensor {node.inputs[0].name} {list(got)} is not compatible with "
                                       f"expected shape {shown}.", op="EnsureShape", node=node.name,
                                       source=format_source(node.source),
                                       fix="the value does not have the shape promised by set_shape/ensure_shape "
                                           "at that line: fix the shape or the data")
        return x
    return run
