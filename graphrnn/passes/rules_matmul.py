"""Matrix-product layout rules (the ``matmul-layout`` pass).

Both rules make a product cheaper without changing a number: each output element is the same
sum of the same products, in the same order.

- ``narrow_split_matmul``: a product split along its columns, some of whose pieces nothing reads,
  only computes the columns that are read: ``split(a @ W, [n1, n2])`` with piece 1 dead becomes
  ``a @ W[:, n1:]``. Backpropagation makes this shape everywhere: the gradient of
  ``concat([x_t, h]) @ W`` w.r.t. the concat is ``dgates @ W^T``, split into ``dx_t`` and
  ``dh``; a training step reads ``dh`` only (the gradient w.r.t. the input data is not needed),
  so the product shrinks from ``I + H`` to ``H`` columns (the MNIST LSTM: 156 -> 128).
- ``pretranspose_weight``: ``a @ W^T`` with ``W`` a variable, a constant or a subgraph param
  (captured weights in a loop body; a carried matrix would pay one copy per iteration, small next
  to the product for 16 rows or more), or a slice of one, becomes ``a @ transpose(W)``: the NumPy
  backend materializes a rank-2 transpose, and OpenBLAS multiplies by a contiguous ``[N, K]``
  matrix ~12% faster than by a transposed view (measured on the LSTM's backward products). CSE
  then shares the transpose between the steps of an unrolled graph and LICM moves it in front of
  a loop, so it runs once per run.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphrnn.ir.graph import Value
from graphrnn.passes.rebuild import Writer
from graphrnn.passes.rewrite import Match, Rule, on

# Below this many rows of `a` the extra transpose copy of W costs more than the product saves.
MIN_ROWS_FOR_PRETRANSPOSE = 16
_WEIGHT_OPS = frozenset({"VariableV2", "Const"})


def _split_sizes(m: Match) -> list[int] | None:
    """The static column sizes of a last-axis split of a rank-2 value, or None."""
    (x, *_) = m.inputs
    if x.type.rank != 2 or m.attrs["axis"] % 2 != 1:
        return None
    dim = x.type.shape[1]
    if m.op == "Split":
        n = m.attrs["num_split"]
        return None if dim is None or dim % n else [dim // n] * n
    sizes = list(m.attrs["size_splits"])
    return sizes if dim is not None and -1 not in sizes and sum(sizes) == dim else None


@on("Split", "SplitV")
def narrow_split_matmul(m: Match, w: Writer) -> Sequence[Value] | None:
    """split(a @ W, sizes)[i] for the read pieces i in lo..hi = (a @ W[:, c_lo:c_hi]) split likewise"""
    (x,) = m.inputs
    mm = x.node
    if mm is None or mm.op != "MatMul" or mm.attrs.get("transpose_a") or m.uses(x) != 1 or mm.control_inputs:
        return None
    if mm.name in w.ctx.pinned:  # fetched as a target or tied by a control edge: it runs anyway
        return None
    sizes = _split_sizes(m)
    if sizes is None:
        return None
    read = [i for i in range(len(sizes)) if m.out_uses(i) > 0]
    if not read or len(read) == len(sizes):
        return None
    lo, hi = read[0], read[-1] + 1  # the read pieces' column range (dead pieces inside it stay)
    start, stop = sum(sizes[:lo]), sum(sizes[:hi])
    if stop - start == sum(sizes):
        return None
    a, wt = mm.inputs
    tb = bool(mm.attrs.get("transpose_b"))
    spec = (("slice", start, stop, None),) if tb else (("slice", None, None, None), ("slice", start, stop, None))
    w_cols = w.emit("StridedSlice", [wt], {"spec": spec}, like=mm).outputs[0]
    narrow = w.emit("MatMul", [a, w_cols], dict(mm.attrs), like=mm, base=f"{mm.name}/narrowed").outputs[0]
    kept = sizes[lo:hi]
    if len(kept) == 1:
        pieces: list[Value] = [narrow]
    else:
        pieces = list(w.emit("SplitV", [narrow], {"axis": 1, "size_splits": tuple(kept)}, like=m.node).outputs)
    # The unread pieces still need values of their types: a split of the old product, which
    # nothing reads, so `Writer.cleanup` removes it (and the old product with it).
    unread = w.emit(m.op, [x], dict(m.attrs), like=m.node).outputs
    return [pieces[i - lo] if lo <= i < hi else unread[i] for i in range(len(sizes))]


def _invariant_weight(v: Value) -> bool:
    """A variable, a constant or a subgraph param (a captured weight), possibly sliced."""
    while v.node is not None and v.node.op == "StridedSlice":
        v = v.node.inputs[0]
    return v.node is None or v.node.op in _WEIGHT_OPS


@on("MatMul")
def pretranspose_weight(m: Match, w: Writer) -> Sequence[Value] | None:
    """a @ W^T = a @ transpose(W), W a variable, constant or loop-invariant param"""
    if not m.attrs.get("transpose_b") or m.attrs.get("transpose_a"):
        return None
    a, wt = m.inputs
    rows = a.type.shape[0] if a.type.rank == 2 else None
    if wt.type.rank != 2 or not _invariant_weight(wt) or (rows is not None and rows < MIN_ROWS_FOR_PRETRANSPOSE):
        return None
    t = w.emit("Transpose", [wt], {"perm": (1, 0)}, like=m.node, base=f"{m.node.name}/weight_transposed")
    attrs = {**m.attrs, "transpose_b": False}
    return w.emit("MatMul", [a, t.outputs[0]], attrs, like=m.node, keep_name=True).outputs


MATMUL_RULES: tuple[Rule, ...] = (narrow_split_matmul, pretranspose_weight)
