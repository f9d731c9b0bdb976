"""Ops that only gradient graphs use (kernels in `graphrnn.backends.numpy.kernels_autodiff`).

Shape helpers (pure): ``ReduceToShapeOf(g, x)`` sums a broadcast gradient back to ``x``'s run-time
shape; ``BroadcastToShapeOf(g, x)`` is the reverse; ``ReshapeLike(g, x)``; ``ReduceGrad(g, x)``
(attrs ``axis``, ``keep_dims``, ``mean``) spreads a reduction's gradient over its input;
``ReduceExtremumGrad(g, x, y)`` (max/min: shared equally among ties, as TF); ``ReduceProdGrad``;
``ConcatGrad(g, *xs)`` splits by the inputs' run-time sizes; ``SliceGrad``/``StridedSliceGrad``/
``PadGrad``/``TileGrad`` scatter or fold a gradient back into the input's shape; ``GatherGrad``
adds rows into zeros (repeated indices accumulate); ``TensorArrayWriteGrad(g, i)`` returns
``(g[i], g with row i zeroed)``.

Loop tape ops (the While gradient; see `graphrnn.autodiff.while_grad`). These are STATEFUL so
that no pass merges, folds or moves them: their kernels update private buffers in place, which
is safe because the gradient builder gives every such buffer exactly one reader at a time.
- ``StackNew(capacity)``: an empty per-iteration stack with room for ``capacity`` pushes (the
  loop's trip bound when it is known, else 0); past it, the capacity doubles (O(1) amortized push).
- ``StackPush(stack, i, v)``: ``stack[i] = v`` (in place), returns the stack.
- ``StackRead(stack, i)``: ``stack[i]`` (pure: the stack is complete when the backward loop runs).
- ``AccumulatorZerosLike(x)`` / ``AccumulatorCopy(x)``: a fresh private buffer.
- ``AccumulateAt(acc, i, v)``: ``acc[i] += v`` along ``axis`` in place (sparse TensorArray reads).
- ``TensorArrayWriteGradInPlace(g, i)``: like ``TensorArrayWriteGrad`` but zeroes ``g[i]`` in place.
- ``TapePack(*xs)``: one opaque `TAPE` scalar holding the tuple ``xs`` (a nested loop's outputs,
  its own tape included); ``TapeUnpack(t)`` (attr ``types``): the values back. An enclosing loop's
  tape stores a nested loop in one stack of these, not one stack per output of the nested loop:
  otherwise level d of a D-deep nest would carry a stack for every stack of the levels inside it
  (O(D²) tape nodes and copies in all).
None of them is differentiated again (no second-order gradients through loops): they are marked
NON_DIFFERENTIABLE.
"""

from __future__ import annotations

import numpy as np

from graphrnn.ir import dtypes
from graphrnn.ir.dtypes import DType
from graphrnn.ir.errors import DTypeError, ShapeError
from graphrnn.ir.registry import ALLOCATES, NON_DIFFERENTIABLE, PURE, STATEFUL, register
from graphrnn.ir.types import TensorType, format_shape
from graphrnn.ops.rules import Attrs, Types, require_int

# The dtype of a packed loop tape: at run time a 0-d object array holding a tuple of arrays. Only
# the gradient builder makes such values (never fed, never an input of a user op); its name is
# known to `dtypes.as_dtype` so that a saved gradient graph loads.
TAPE = DType("tape", np.object_, "tape")
dtypes._BY_NAME.setdefault(TAPE.name, TAPE)  # not in _BY_NP: object arrays stay gr.string

_ND = (PURE, NON_DIFFERENTIABLE)
_TAPE = (STATEFUL, NON_DIFFERENTIABLE)


def _like_second(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    """Result has input 1's shape and input 0's dtype."""
    return (TensorType(types[0].dtype, types[1].shape),)


def _first(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return (types[0],)


def _concat_grad_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return tuple(TensorType(types[0].dtype, t.shape) for t in types[1:])


def _index_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_int(types[1], "index")
    if types[1].rank != 0:
        raise ShapeError(f"the index must be a scalar, got {format_shape(types[1].shape)}")
    buf = types[0]
    axis = attrs.get("axis", 0)
    if not buf.has_rank:  # a TensorArray whose element shape is set at run time
        return (TensorType(buf.dtype, None),)
    return (TensorType(buf.dtype, buf.shape[:axis] + buf.shape[axis + 1:]),)


def _write_grad_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (row,) = _index_rule(types, attrs)
    return (row, types[0])


def _stack_new_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_int(types[0], "stack capacity")
    return (attrs["type"],)


def _push_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_int(types[1], "stack index")
    return (types[0],)


def _gather_grad_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_int(types[1], "gather indices")
    return (TensorType(types[2].dtype, types[0].shape),)


register("ReduceToShapeOf", _like_second, "sums input 0 over broadcast dims down to input 1's shape", traits=_ND,
         num_inputs=2)
register("BroadcastToShapeOf", _like_second, "broadcasts input 0 to input 1's shape", traits=_ND, num_inputs=2)
register("ReshapeLike", _like_second, "input 0 reshaped to input 1's run-time shape", traits=_ND, num_inputs=2)
register("ReduceGrad", _like_second, "the gradient of Sum/Mean over attr 'axis' spread over input 1",
         traits=_ND, num_inputs=2)
register("ReduceExtremumGrad", _like_second, "the gradient of Max/Min: g where x == y, split among ties",
         traits=_ND, num_inputs=3)
register("ReduceProdGrad", _like_second, "the gradient of Prod over attr 'axis' (product of the others)",
         traits=_ND, num_inputs=2)
register("ConcatGrad", _concat_grad_rule, "splits input 0 along 'axis' by the sizes of inputs 1..n",
         traits=_ND)
register("SliceGrad", _like_second, "zeros of input 1's shape with input 0 at attr begin", traits=_ND,
         num_inputs=2)
register("StridedSliceGrad", _like_second, "zeros of input 1's shape with input 0 at key attr 'spec'",
         traits=_ND, num_inputs=2)
register("StridedSliceDynamicGrad", _like_second,
         "zeros of input 1's shape with input 0 at key attr 'spec', its tensor bounds inputs 2..n", traits=_ND)
register("PadGrad", _like_second, "input 0 with attr 'paddings' cut off", traits=_ND, num_inputs=2)
register("TileGrad", _like_second, "input 0 folded by attr 'multiples' and summed", traits=_ND, num_inputs=2)
register("GatherGrad", _gather_grad_rule,
         "zeros of input 0's shape with the rows of input 2 added at indices input 1 along 'axis'",
         traits=(*_ND, ALLOCATES), num_inputs=3)
register("TensorArrayWriteGrad", _write_grad_rule, "(g[i], g with row i zeroed) along 'axis'", traits=_ND,
         num_inputs=2)
register("TensorArrayWriteGradInPlace", _write_grad_rule,
         "(g[i], g with row i zeroed in place) along 'axis'", traits=_TAPE, num_inputs=2)
register("StackNew", _stack_new_rule, "an empty per-iteration stack of type attr 'type' with room for input 0 pushes",
         traits=_TAPE, num_inputs=1)
register("StackPush", _push_rule, "stack[i] = v in place (capacity doubles); returns the stack", traits=_TAPE,
         num_inputs=3)
register("StackRead", _index_rule, "stack[i]", traits=_ND, num_inputs=2)
register("AccumulatorZerosLike", _first, "a fresh private zero buffer of the input's shape", traits=_TAPE,
         num_inputs=1)
register("AccumulatorCopy", _first, "a fresh private copy of the input", traits=_TAPE, num_inputs=1)
register("AccumulateAt", _push_rule, "acc[i] += v in place along 'axis'; returns acc", traits=_TAPE,
         num_inputs=3)


def _pack_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return (TensorType(TAPE, ()),)


def _unpack_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    if types[0].dtype is not TAPE or types[0].rank != 0:
        raise DTypeError(f"TapeUnpack reads a packed loop tape (a tape scalar), got {types[0]}")
    return tuple(attrs["types"])


register("TapePack", _pack_rule, "one opaque tape value holding the tuple of its inputs", traits=_ND)
register("TapeUnpack", _unpack_rule, "the values a TapePack packed, of types attr 'types'", traits=_ND,
         num_inputs=1)


def _xent_grad_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_int(types[0], "sparse labels")
    return (types[1],)


def _replay_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    return tuple(types[len(types) - attrs["n_out"]:])


register("SigmoidGrad", _first, "g * y * (1 - y) for y = sigmoid(x), g = input 1 (one fused kernel)",
         traits=(*_ND, ALLOCATES), num_inputs=2)
register("TanhGrad", _first, "g * (1 - y^2) for y = tanh(x), g = input 1 (one fused kernel)",
         traits=(*_ND, ALLOCATES), num_inputs=2)
register("SparseXentGrad", _xent_grad_rule, "softmax(logits) - one_hot(labels) over the last axis",
         traits=_ND, num_inputs=2)
# A stateful node of a loop body, replayed in the backward loop: it returns its saved outputs (the
# last attr n_out inputs) and differentiates like the original op (attrs orig_op, orig_attrs).
register("Replay", _replay_rule, "outputs the saved outputs of a stateful op; differentiates like it",
         traits=(PURE,))


def stack_type(t: TensorType) -> TensorType:
    """The type of a stack of values of type ``t`` (the leading dim is the capacity)."""
    return TensorType(t.dtype, (None, *t.shape))

