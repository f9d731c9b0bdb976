"""Neural-network ops (TF1's `tf.nn`): activations, softmax, losses, bias_add, dropout, embedding.

Numerically delicate ops (softmax, log_softmax, the two softmax cross-entropies) are single ops
whose kernels subtract the max first; simple compositions (sigmoid cross-entropy, l2_loss,
l2_normalize, xw_plus_b) are built from existing ops so autodiff needs no extra rules.

Dropout is the one random op: "Dropout" is STATEFUL (never folded, deduplicated or hoisted) and
draws from the session's per-node stream seeded by attr ``seed`` = derive_seed(graph seed, op
seed, node name), so a program gives the same masks on every run of the program.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import ALLOCATES, ELEMENTWISE, PURE, STATEFUL, register
from graphrnn.ir.types import TensorType, format_shape, normalize_axis, shapes_compatible
from graphrnn.ops.array import axis_arg, norm_or_raw, op_context, static_value, stop_gradient
from graphrnn.ops.array_index import gather
from graphrnn.ops.convert import convert_like, convert_to_tensor, int_arg
from graphrnn.ops.initializers import derive_seed
from graphrnn.ops.math import (
    abs,
    add,
    exp,
    log1p,
    maximum,
    multiply,
    negative,
    rsqrt,
    sigmoid,
    subtract,
    tanh,
)
from graphrnn.ops.math_reduce import matmul, reduce_sum
from graphrnn.ops.rules import Attrs, Types, require_float, require_int, same_dtype

_EW = (PURE, ELEMENTWISE, ALLOCATES)


def _numeric_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    if types[0].dtype.is_bool:
        raise DTypeError("activations need numbers, got bool", fix="cast with gr.cast(x, gr.float32)")
    return (types[0],)


def _float_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    require_float(types[0])
    return (types[0],)


register("Relu", _numeric_rule, "max(x, 0)", traits=_EW, num_inputs=1)
register("Relu6", _numeric_rule, "min(max(x, 0), 6)", traits=_EW, num_inputs=1)
register("Elu", _float_rule, "x if x > 0 else exp(x) - 1", traits=_EW, num_inputs=1)
register("Softplus", _float_rule, "log(1 + exp(x)), computed stably", traits=_EW, num_inputs=1)


def relu(features: Any, name: str | None = None) -> Value:
    """TF1 `tf.nn.relu`."""
    return builder.add_op("Relu", [convert_to_tensor(features)], {}, name=name or "Relu")


def relu6(features: Any, name: str | None = None) -> Value:
    """TF1 `tf.nn.relu6`."""
    return builder.add_op("Relu6", [convert_to_tensor(features)], {}, name=name or "Relu6")


def elu(features: Any, name: str | None = None) -> Value:
    """TF1 `tf.nn.elu`."""
    return builder.add_op("Elu", [convert_to_tensor(features)], {}, name=name or "Elu")


def softplus(features: Any, name: str | None = None) -> Value:
    """TF1 `tf.nn.softplus`."""
    return builder.add_op("Softplus", [convert_to_tensor(features)], {}, name=name or "Softplus")


# --- softmax -------------------------------------------------------------------------------------


def _softmax_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    (t,) = types
    require_float(t, "softmax logits")
    if not t.has_rank and attrs["axis"] == -1:
        return (t,)  # the last axis of logits of unknown rank (TF1 allows it; NumPy checks rank >= 1)
    if t.rank == 0:
        raise ShapeError("softmax needs logits of rank >= 1, got a scalar")
    normalize_axis(attrs["axis"], t.rank)
    return (t,)


register("Softmax", _softmax_rule, "exp(x) / sum(exp(x)) along attr 'axis' (max subtracted first)",
         traits=(PURE, ALLOCATES), num_inputs=1)
register("LogSoftmax", _softmax_rule, "x - logsumexp(x) along attr 'axis'", traits=(PURE, ALLOCATES),
         num_inputs=1)


def _softmax_like(op: str, logits: Any, axis: Any, dim: Any, name: str | None) -> Value:
    x = convert_to_tensor(logits)
    a = axis if axis is not None else (dim if dim is not None else -1)
    return builder.add_op(op, [x], {"axis": norm_or_raw(axis_arg(a), x.type.rank)}, name=name or op)


@op_context("Softmax")
def softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Value:
    """TF1 `tf.nn.softmax` (``dim`` is TF1's alias of ``axis``; default the last axis)."""
    return _softmax_like("Softmax", logits, axis, dim, name)


@op_context("LogSoftmax")
def log_softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Value:
    """TF1 `tf.nn.log_softmax`."""
    return _softmax_like("LogSoftmax", logits, axis, dim, name)


# --- cross-entropies -----------------------------------------------------------------------------


def _softmax_xent_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    labels, logits = types
    d = same_dtype(types, "labels and logits")
    require_float(logits, "logits")
    if labels.rank != logits.rank or any(a is not None and b is not None and a != b
                                         for a, b in zip(labels.shape, logits.shape)):
        raise ShapeError(f"labels {format_shape(labels.shape)} and logits {format_shape(logits.shape)} must "
                         "have the same shape", fix="one-hot encode labels, or use "
                         "sparse_softmax_cross_entropy_with_logits for class indices")
    if logits.rank == 0:
        raise ShapeError("logits must have rank >= 1")
    axis = normalize_axis(attrs["axis"], logits.rank)
    shp = tuple(a if a is not None else b for a, b in zip(logits.shape, labels.shape))
    return (TensorType(d, shp[:axis] + shp[axis + 1:]),)


register("SoftmaxCrossEntropyWithLogits", _softmax_xent_rule,
         "-sum(labels * log_softmax(logits)) along attr 'axis': one loss per example",
         traits=(PURE, ALLOCATES), num_inputs=2)


@op_context("SoftmaxCrossEntropyWithLogits")
def softmax_cross_entropy_with_logits_v2(_sentinel: Any = None, labels: Any = None, logits: Any = None,
                                         dim: int = -1, name: str | None = None, axis: Any = None) -> Value:
    """TF1 `tf.nn.softmax_cross_entropy_with_logits_v2`: per-example loss; gradients reach labels."""
    if _sentinel is not None or labels is None or logits is None:
        raise GraphError("call softmax_cross_entropy_with_logits with named arguments labels=..., logits=...")
    lg = convert_to_tensor(logits)
    lb = convert_like(labels, lg)
    a = axis if axis is not None else dim
    return builder.add_op("SoftmaxCrossEntropyWithLogits", [lb, lg],
                          {"axis": norm_or_raw(axis_arg(a), lg.type.rank)},
                          name=name or "softmax_cross_entropy_with_logits")


@op_context("SoftmaxCrossEntropyWithLogits")
def softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None, logits: Any = None,
                                      dim: int = -1, name: str | None = None, axis: Any = None) -> Value:
    """TF1 `tf.nn.softmax_cross_entropy_with_logits` (v1): like v2, but no gradient reaches the labels."""
    if _sentinel is not None or labels is None or logits is None:
        raise GraphError("call softmax_cross_entropy_with_logits with named arguments labels=..., logits=...")
    lg = convert_to_tensor(logits)
    return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(convert_like(labels, lg)), logits=lg,
                                                dim=dim, name=name, axis=axis)


def _sparse_xent_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    labels, logits = types
    require_int(labels, "sparse labels")
    require_float(logits, "logits")
    if not (labels.has_rank and logits.has_rank):
        # TF1's tests feed labels from a placeholder without a shape: the result has the shape of the
        # logits without their class dim (or the labels' shape); the kernel checks them at run time.
        if logits.has_rank:
            if logits.rank < 1:
                raise ShapeError("logits must have a class dim, got a scalar")
            return (TensorType(logits.dtype, logits.shape[:-1]),)
        return (TensorType(logits.dtype, labels.shape),)
    if logits.rank != labels.rank + 1 or any(
            a is not None and b is not None and a != b for a, b in zip(labels.shape, logits.shape[:-1])):
        raise ShapeError(f"labels {format_shape(labels.shape)} must have the shape of logits "
                         f"{format_shape(logits.shape)} without its last (class) dim",
                         fix="pass class indices of shape [batch], not one-hot rows")
    shp = tuple(a if a is not None else b for a, b in zip(labels.shape, logits.shape[:-1]))
    return (TensorType(logits.dtype, shp),)


register("SparseSoftmaxCrossEntropyWithLogits", _sparse_xent_rule,
         "-log_softmax(logits)[label] per example; labels outside [0, classes) fail at run time",
         traits=(PURE, ALLOCATES), num_inputs=2)


@op_context("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None, logits: Any = None,
                                             name: str | None = None) -> Value:
    """TF1 `tf.nn.sparse_softmax_cross_entropy_with_logits` (int labels; classes on the last axis)."""
    if _sentinel is not None or labels is None or logits is None:
        raise GraphError("call sparse_softmax_cross_entropy_with_logits with labels=..., logits=...")
    return builder.add_op("SparseSoftmaxCrossEntropyWithLogits",
                          [convert_to_tensor(labels), convert_to_tensor(logits)], {},
                          name=name or "SparseSoftmaxCrossEntropyWithLogits")


def sigmoid_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None, logits: Any = None,
                                      name: str | None = None) -> Value:
    """TF1 `tf.nn.sigmoid_cross_entropy_with_logits`: max(x, 0) - x * z + log(1 + exp(-|x|))."""
    if _sentinel is not None or labels is None or logits is None:
        raise GraphError("call sigmoid_cross_entropy_with_logits with labels=..., logits=...")
    with builder.name_scope(name or "logistic_loss"):
        x = convert_to_tensor(logits)
        z = convert_like(labels, x)
        if not shapes_compatible(x.type.shape, z.type.shape):  # TF1: labels.shape.merge_with(logits.shape)
            raise ShapeError(f"logits {format_shape(x.type.shape)} and labels {format_shape(z.type.shape)} must "
                             "have the same shape", op="SigmoidCrossEntropyWithLogits",
                             source=builder.format_source(builder.source_location()),
                             fix="give one label per logit (no broadcasting, as in TF1)")
        return add(subtract(relu(x), multiply(x, z)), log1p(exp(negative(abs(x)))), name="logistic_loss")


def l2_loss(t: Any, name: str | None = None) -> Value:
    """TF1 `tf.nn.l2_loss`: sum(t ** 2) / 2."""
    with builder.name_scope(name or "L2Loss"):
        x = convert_to_tensor(t)
        return multiply(reduce_sum(multiply(x, x)), convert_like(0.5, x), name="L2Loss")


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None,
                 dim: Any = None) -> Value:
    """TF1 `tf.nn.l2_normalize`: x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    with builder.name_scope(name or "l2_normalize"):
        t = convert_to_tensor(x)
        a = axis if axis is not None else dim
        sq = reduce_sum(multiply(t, t), a, keepdims=True)
        return multiply(t, rsqrt(maximum(sq, convert_like(epsilon, t))), name="l2_normalize")


# --- bias_add / xw_plus_b / embedding_lookup ------------------------------------------------------


def _bias_add_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    v, b = types
    d = same_dtype(types, "value and bias")
    if b.rank != 1:
        raise ShapeError(f"bias must be 1-D, got {format_shape(b.shape)}")
    if v.rank < 2:
        raise ShapeError(f"bias_add needs a value of rank >= 2, got {format_shape(v.shape)}")
    c = 1 if attrs["data_format"] == "NCHW" else v.rank - 1
    if None not in (v.shape[c], b.shape[0]) and v.shape[c] != b.shape[0]:
        raise ShapeError(f"bias {format_shape(b.shape)} must match the channel dim {c} of value "
                         f"{format_shape(v.shape)}")
    return (TensorType(d, tuple(b.shape[0] if i == c and s is None else s for i, s in enumerate(v.shape))),)


register("BiasAdd", _bias_add_rule, "value + bias along the channel dim (last, or 1 for NCHW)",
         traits=(PURE, ALLOCATES), num_inputs=2)


def bias_add(value: Any, bias: Any, data_format: str | None = None, name: str | None = None) -> Value:
    """TF1 `tf.nn.bias_add` (data_format "NHWC"/None: last dim; "NCHW": dim 1)."""
    v = convert_to_tensor(value)
    fmt = "NCHW" if data_format is not None and data_format.startswith("NC") else "NHWC"
    return builder.add_op("BiasAdd", [v, convert_like(bias, v)], {"data_format": fmt}, name=name or "BiasAdd")


def xw_plus_b(x: Any, weights: Any, biases: Any, name: str | None = None) -> Value:
    """TF1 `tf.nn.xw_plus_b`: matmul(x, weights) + biases."""
    with builder.name_scope(name or "xw_plus_b"):
        return bias_add(matmul(x, weights), biases, name="xw_plus_b")


@op_context("GatherV2")
def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod", name: str | None = None,
                     validate_indices: bool = True, max_norm: Any = None) -> Value:
    """TF1 `tf.nn.embedding_lookup` for one (unpartitioned) params tensor: gather rows by id."""
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise GraphError("embedding_lookup over partitioned params is not supported",
                             fix="concat the partitions into one [vocab, dim] variable")
        params = params[0]
    if max_norm is not None:
        raise GraphError("embedding_lookup(max_norm=...) is not supported")
    return gather(params, ids, name=name or "embedding_lookup")


# --- dropout -------------------------------------------------------------------------------------


def _dropout_rule(types: Types, attrs: Attrs) -> tuple[TensorType, ...]:
    x, kp = types
    require_float(x, "dropout's x")
    if kp.dtype is not x.dtype:
        raise DTypeError(f"keep_prob must have x's dtype {x.dtype.name}, got {kp.dtype.name}",
                         fix=f"make the keep_prob placeholder {x.dtype.name}")
    if kp.rank != 0:
        raise ShapeError(f"keep_prob must be a scalar, got {format_shape(kp.shape)}")
    ns = attrs["noise_shape"]
    if ns is not None:
        if len(ns) != x.rank or any(n is not None and n != 1 and d is not None and n != d
                                    for n, d in zip(ns, x.shape)):
            raise ShapeError(f"noise_shape {list(ns)} must broadcast to x's shape {format_shape(x.shape)}",
                             fix="use x's dims or 1 per dim")
    mask = x.shape if ns is None else tuple(d if n is None else n for n, d in zip(ns, x.shape))
    return (x, TensorType(x.dtype, mask))


register("Dropout", _dropout_rule,
         "(x * m, m) with m = Bernoulli(keep_prob) / keep_prob of shape attr noise_shape (None: x's)",
         traits=(STATEFUL, ALLOCATES), num_inputs=2)


@op_context("Dropout")
def dropout(x: Any, keep_prob: Any = None, noise_shape: Any = None, seed: int | None = None,
            name: str | None = None, rate: Any = None) -> Value:
    """TF1 `tf.nn.dropout`. A constant keep_prob of 1 returns ``x`` itself (TF1's fast path);
    ``keep_prob`` may be a scalar tensor (a placeholder), checked to lie in (0, 1] at run time.
    ``noise_shape`` entries may be None or a tensor: both mean x's dim at run time (TF1 fills
    None the same way; a tensor entry is assumed to be ``shape(x)[i]``, its only common use)."""
    if (keep_prob is None) == (rate is None):
        raise GraphError("dropout needs exactly one of keep_prob and rate")
    t = convert_to_tensor(x)
    if seed is not None:
        seed = int_arg(seed, "seed")
    if rate is not None:
        rv = static_value(rate)
        if rv is not None and (rv.ndim != 0 or rv.dtype.kind not in "iuf"):
            raise GraphError(f"rate must be a scalar number in [0, 1), got {rv.tolist()!r}")
        keep_prob = (1.0 - float(rv) if rv is not None
                     else subtract(convert_like(1.0, t), convert_like(rate, t)))
    kv = static_value(keep_prob)
    if kv is not None:
        if kv.ndim != 0 or kv.dtype.kind not in "iuf" or not 0.0 < float(kv) <= 1.0:
            raise GraphError(f"keep_prob must be a scalar in (0, 1], got {kv.tolist()!r}",
                             fix="keep_prob = 1 - rate; rate=0 (keep_prob=1) disables dropout")
        if float(kv) == 1.0:
            return t
    kp = convert_like(keep_prob, t)
    ns: tuple[int | None, ...] | None = None
    if noise_shape is not None:
        if isinstance(noise_shape, Value):
            from graphrnn.ops.array import static_dims
            ns = static_dims(noise_shape)
        elif isinstance(noise_shape, (list, tuple)):
            ns = tuple(None if d is None or isinstance(d, Value) else int_arg(d, "noise_shape", minimum=0)
                       for d in noise_shape)
        else:
            raise ShapeError(f"noise_shape must be a list of dims, got {noise_shape!r}",
                             fix="pass e.g. noise_shape=[batch, 1] (None for x's dim)")
    node = builder.add_node("Dropout", [t, kp], {"noise_shape": ns, "op_seed": seed, "seed": 0},
                            name=name or "dropout")
    node.attrs["seed"] = derive_seed(builder.get_default_graph().seed, seed, node.name)
    return node.outputs[0]


__all__ = ["relu", "relu6", "elu", "softplus", "sigmoid", "tanh", "softmax", "log_softmax",
           "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits", "l2_loss",
           "l2_normalize", "bias_add", "xw_plus_b", "embedding_lookup", "dropout"]
