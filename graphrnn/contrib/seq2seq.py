"""``gr.contrib.seq2seq``: TF 1.15's ``tf.contrib.seq2seq.sequence_loss``.

The weighted cross-entropy of a batch of sequences, with TF 1.15's reductions:

- the per-symbol loss ``crossent[b, t] = softmax_loss_function(targets[b, t], logits[b, t]) * weights[b, t]``
  (sparse softmax cross-entropy by default);
- per axis (timesteps = axis 1, batch = axis 0) one of: *average* (``sum(crossent) / sum(weights)``),
  *sum_over* (``sum(crossent) / count_nonzero(weights)``: the mean over the weighted symbols) or
  neither (the axis is kept). Both *average* flags give a scalar, both *sum_over* flags too; one axis
  reduced gives a vector over the other axis, none gives ``[batch, time]``. Divisions are
  ``div_no_nan``: an all-zero weight slice gives 0, not NaN.

Where TF 1.15 silently ignores a flag (an *average* on one axis with a *sum_over* on the other: the
*average* wins and the other axis is kept) graphrnn gives TF's numbers and warns with
`IgnoredSumOverWarning`. Bad ranks, dtypes and incompatible static shapes are `GraphError`s.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.types import format_shape
from graphrnn.ops.array import reshape, stack
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import ones_like, shape, zeros_like
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import cast, divide, equal, multiply, not_equal, where
from graphrnn.ops.math_reduce import reduce_sum
from graphrnn.ops.nn import sparse_softmax_cross_entropy_with_logits
from graphrnn.ops.state import Variable

__all__ = ["sequence_loss", "IgnoredSumOverWarning"]


class IgnoredSumOverWarning(UserWarning):
    """An ``average_across_*`` flag with the other axis's ``sum_over_*`` flag: TF 1.15 ignores the sum."""


def _where() -> str:
    return builder.format_source(builder.source_location())


def div_no_nan(x: Value, y: Value) -> Value:
    """``x / y`` where ``y != 0``, else 0 (TF's ``div_no_nan``). The division never sees a zero, so
    neither the value nor the gradient holds an inf or a NaN where ``y == 0``."""
    zero = equal(y, zeros_like(y))
    return where(zero, zeros_like(x), divide(x, where(zero, ones_like(y), y)))


def count_nonzero(x: Value, axis: Any = None, dtype: dtypes.DType = dtypes.float64) -> Value:
    """The number of non-zero entries of ``x`` along ``axis`` (all axes when None), as ``dtype``."""
    return reduce_sum(cast(not_equal(x, zeros_like(x)), dtype), axis=axis)


def _weights_like(weights: Any, logits: Value) -> Value:
    """Weights given as data (a NumPy array, a list) take the logits' float dtype; tensors keep theirs
    (a mismatch is reported by `_check_args`)."""
    if isinstance(weights, (Value, Variable)):
        return convert_to_tensor(weights)
    return convert_to_tensor(weights, logits.dtype if logits.dtype.is_floating else None)


def _check_args(logits: Value, targets: Value, weights: Value, flags: dict[str, bool],
                softmax_loss_function: Any) -> None:
    for t, rank, what in ((logits, 3, "[batch_size, sequence_length, num_classes]"),
                          (targets, 2, "[batch_size, sequence_length]"),
                          (weights, 2, "[batch_size, sequence_length]")):
        if t.type.rank != rank:
            name = "logits" if t is logits else "targets" if t is targets else "weights"
            raise ShapeError(f"sequence_loss: {name} must be a {what} tensor, got '{t.name}' of shape "
                             f"{format_shape(t.type.shape)}", op="sequence_loss", source=_where(),
                             fix="sequence_loss takes batch-major tensors; stack a list of steps with "
                                 "gr.stack(steps, axis=1), or use gr.contrib.legacy_seq2seq.sequence_loss for lists")
    bt = logits.type.shape[:2]
    for t, name in ((targets, "targets"), (weights, "weights")):
        if any(a is not None and b is not None and a != b for a, b in zip(bt, t.type.shape)):
            raise ShapeError(f"sequence_loss: {name} has shape {format_shape(t.type.shape)} but logits "
                             f"{format_shape(logits.type.shape)} give [batch, time] = {format_shape(bt)}",
                             op="sequence_loss", source=_where(),
                             fix=f"give {name} one entry per (batch row, time step) of the logits")
    if not logits.dtype.is_floating:
        raise DTypeError(f"sequence_loss: logits must be floating point, got {logits.dtype.name}",
                         op="sequence_loss", source=_where(), fix="cast the logits: gr.cast(logits, gr.float32)")
    if weights.dtype is not logits.dtype:
        raise DTypeError(f"sequence_loss: weights must have the logits' dtype {logits.dtype.name}, got "
                         f"{weights.dtype.name}", op="sequence_loss", source=_where(),
                         fix=f"cast the weights: gr.cast(weights, gr.{logits.dtype.name})")
    if softmax_loss_function is None and not targets.dtype.is_integer:
        raise DTypeError(f"sequence_loss: targets must be integer class ids, got {targets.dtype.name}",
                         op="sequence_loss", source=_where(),
                         fix="pass class indices (gr.argmax of one-hot targets), as int32 or int64")
    if softmax_loss_function is not None and not callable(softmax_loss_function):
        raise GraphError(f"sequence_loss: softmax_loss_function must be callable (labels=, logits=), got "
                         f"{softmax_loss_function!r}", op="sequence_loss", source=_where(),
                         fix="pass a function f(labels=..., logits=...) returning one loss per row, or None")
    for axis in ("timesteps", "batch"):
        avg, total = flags[f"average_across_{axis}"], flags[f"sum_over_{axis}"]
        if avg and total:
            raise GraphError(f"sequence_loss: average_across_{axis} and sum_over_{axis} cannot both be True",
                             op="sequence_loss", source=_where(),
                             fix=f"average_across_{axis} divides by the total weight, sum_over_{axis} by the "
                                 "number of non-zero weights: choose one")


def sequence_loss(logits: Any, targets: Any, weights: Any, average_across_timesteps: bool = True,
                  average_across_batch: bool = True, sum_over_timesteps: bool = False,
                  sum_over_batch: bool = False, softmax_loss_function: Callable[..., Any] | None = None,
                  name: str | None = None) -> Value:
    """TF 1.15 ``tf.contrib.seq2seq.sequence_loss``: ``logits [B, T, C]``, ``targets [B, T]`` (int),
    ``weights [B, T]`` (the logits' dtype). Returns a scalar, ``[B]``, ``[T]`` or ``[B, T]`` as the
    module docstring says. ``softmax_loss_function(labels=[B*T], logits=[B*T, C])`` replaces the
    sparse softmax cross-entropy; it is called with keyword arguments, as in TF."""
    logits, targets = convert_to_tensor(logits), convert_to_tensor(targets)
    weights = _weights_like(weights, logits)
    flags = {"average_across_timesteps": bool(average_across_timesteps),
             "average_across_batch": bool(average_across_batch),
             "sum_over_timesteps": bool(sum_over_timesteps), "sum_over_batch": bool(sum_over_batch)}
    _check_args(logits, targets, weights, flags, softmax_loss_function)
    avg_t, avg_b = flags["average_across_timesteps"], flags["average_across_batch"]
    sum_t, sum_b = flags["sum_over_timesteps"], flags["sum_over_batch"]
    if (avg_t and sum_b) or (avg_b and sum_t):
        kept = "sum_over_batch" if sum_b else "sum_over_timesteps"
        warnings.warn(f"sequence_loss: {kept}=True is ignored when the other axis is averaged (TF 1.15 does "
                      f"the same); the result keeps that axis. Created at {_where()}", IgnoredSumOverWarning,
                      stacklevel=2)
    with builder.name_scope(name or "sequence_loss"):
        c = logits.type.shape[2]
        num_classes: Any = c if c is not None else getitem(shape(logits), 2)
        flat_shape = [-1, c] if c is not None else stack([convert_to_tensor(-1), num_classes])
        logits_flat = reshape(logits, flat_shape)
        targets_flat = reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = sparse_softmax_cross_entropy_with_logits(labels=targets_flat, logits=logits_flat)
        else:
            crossent = convert_to_tensor(softmax_loss_function(labels=targets_flat, logits=logits_flat))
        crossent = multiply(crossent, reshape(weights, [-1]))
        if avg_t and avg_b:
            return div_no_nan(reduce_sum(crossent), reduce_sum(weights))
        if sum_t and sum_b:
            return div_no_nan(reduce_sum(crossent), count_nonzero(weights, dtype=crossent.dtype))
        bt = logits.type.shape[:2]
        bt_shape: Any = list(bt) if None not in bt else getitem(shape(logits), slice(0, 2))
        crossent = reshape(crossent, bt_shape)
        if avg_t or avg_b:
            axis = [0] if avg_b else [1]
            return div_no_nan(reduce_sum(crossent, axis=axis), reduce_sum(weights, axis=axis))
        if sum_t or sum_b:
            axis = [0] if sum_b else [1]
            return div_no_nan(reduce_sum(crossent, axis=axis),
                              count_nonzero(weights, axis=axis, dtype=crossent.dtype))
        return crossent

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
