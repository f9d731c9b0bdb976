"""Constant folding (the ``fold`` pass): evaluate pure nodes whose inputs are all constants.

Folding runs the NumPy interpreter's own kernel for the node (`KERNELS`), so a folded value is
bit-for-bit what the run would compute. It folds only
- pure, non-stateful nodes without subgraphs (never Placeholder, VariableV2, Dropout, ...),
- whose output types are fully known and whose results have exactly those shapes and dtypes
  (so no type downstream changes),
- whose inputs and outputs stay under ``MAX_ELEMENTS`` elements each (a folded constant lives in
  the graph; a 100 MB constant is worse than the op that makes it).
A kernel that raises (e.g. an integer division by zero) leaves the node alone: the error then
happens at run time, with the user's line, as without optimization.
``Shape(x)`` folds without constant inputs when ``x``'s static shape is fully known.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graphrnn.backends.numpy import kernels as _kernels  # noqa: F401 - fills KERNELS
from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import KERNELS
from graphrnn.ir.graph import Value
from graphrnn.passes.rebuild import Writer, const_value
from graphrnn.passes.rewrite import Match, Rule, on

MAX_ELEMENTS = 1 << 16
# Ops whose value is not a function of their inputs' values alone, or that only make a buffer.
_NEVER = frozenset({"Const", "Placeholder", "TensorArrayNew", "TensorArrayNewAxis"})


def _fits(shape: Sequence[int | None]) -> bool:
    if None in shape:  # an unknown dim, or an unknown rank (UNKNOWN_RANK contains None)
        return False
    return int(np.prod(shape, dtype=np.int64)) <= MAX_ELEMENTS


def fold_constant(m: Match, w: Writer) -> Sequence[Value] | None:
    """f(const...) = const(f(...)) for pure f, evaluated with the interpreter's kernel"""
    if m.op in _NEVER or not m.inputs or m.op not in KERNELS:
        return None
    arrays = [const_value(v) for v in m.inputs]
    if any(a is None or a.size > MAX_ELEMENTS for a in arrays):
        return None
    if not all(_fits(v.type.shape) for v in m.node.outputs):
        return None
    try:
        # Folding computes what the run would compute (inf/nan included); NumPy's warnings about it
        # would point at this file, not at the user's line, so they are not shown here.
        with np.errstate(all="ignore"):
            out = KERNELS[m.op](m.node, RunContext())(*arrays)
    except Exception:  # noqa: BLE001 - the run reports it, with the user's line
        return None
    outs = out if len(m.node.outputs) > 1 else (out,)
    result = []
    for i, (arr, v) in enumerate(zip(outs, m.node.outputs)):
        a = np.asarray(arr)
        if a.shape != v.type.shape or a.dtype != v.type.dtype.np:
            return None
        result.append(w.const(a, m.node, keep_name=i == 0))
    return result


@on("Shape")
def shape_of_static(m: Match, w: Writer) -> Sequence[Value] | None:
    """shape(x) = const(static shape of x) when it is fully known"""
    (x,) = m.inputs
    if not x.type.has_rank or any(d is None for d in x.type.shape):
        return None
    return (w.const(np.array(x.type.shape, dtype=m.type.dtype.np), m.node, keep_name=True),)


FOLD_RULES: tuple[Rule, ...] = (shape_of_static, fold_constant)
