"""NumPy kernels of graphrnn.ops.nn.

Softmax-family kernels subtract the max along the axis before exponentiating, so they neither
overflow nor lose the largest logit; results keep the logits' dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.kernel_registry import kernel, simple
from graphrnn.backends.numpy.kernels_array import fail
from graphrnn.ir.graph import Node


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def _relu6(x: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x, 0), 6)


def _elu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))  # min: no overflow warning for big x


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, x)


simple("Relu", _relu)
simple("Relu6", _relu6)
simple("Elu", _elu)
simple("Softplus", _softplus)


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


@kernel("Softmax")
def _softmax_k(node: Node, ctx: Any) -> Any:
    axis = node.attrs["axis"]

    def run(x: np.ndarray) -> np.ndarray:
        e = x - np.maximum.reduce(x, axis=axis, keepdims=True)
        np.exp(e, out=e)
        e /= np.add.reduce(e, axis=axis, keepdims=True)
        return e
    return run


@kernel("LogSoftmax")
def _log_softmax_k(node: Node, ctx: Any) -> Any:
    axis = node.attrs["axis"]
    return lambda x: _log_softmax(x, axis)


@kernel("SoftmaxCrossEntropyWithLogits")
def _softmax_xent(node: Node, ctx: Any) -> Any:
    axis = node.attrs["axis"]
    return lambda labels, logits: -np.sum(labels * _log_softmax(logits, axis), axis=axis)


@kernel("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent(node: Node, ctx: Any) -> Any:
    ranks_known = all(v.type.has_rank for v in node.inputs)

    def run(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
        lab = np.asarray(labels)
        if not ranks_known and (np.ndim(logits) < 1 or lab.shape != np.shape(logits)[:-1]):
            raise fail(node, f"labels of shape {lab.shape} must have the shape of logits {np.shape(logits)} "
                             "without its last (class) dim", fix="pass class indices of shape [batch]")
        n = logits.shape[-1]
        if lab.size and (lab.min() < 0 or lab.max() >= n):
            bad = lab[(lab < 0) | (lab >= n)].flat[0]
            raise fail(node, f"label {int(bad)} is out of range [0, {n}) for logits of shape {logits.shape}",
                       fix="labels must be class indices smaller than the number of classes")
        flat = logits.reshape(-1, n)
        z = flat - np.maximum.reduce(flat, axis=1, keepdims=True)
        lse = np.log(np.add.reduce(np.exp(z), axis=1))
        return (lse - z[np.arange(lse.shape[0]), lab.reshape(-1)]).reshape(lab.shape)
    return run


@kernel("BiasAdd")
def _bias_add(node: Node, ctx: Any) -> Any:
    if node.attrs["data_format"] != "NCHW":
        return np.add
    tail = (1,) * (node.inputs[0].type.rank - 2)
    return lambda v, b: v + b.reshape(b.shape + tail)


@kernel("Dropout")
def _dropout(node: Node, ctx: Any) -> Any:
    ns = node.attrs["noise_shape"]
    # The session's stream for this node (it advances across runs); a fresh seeded one otherwise.
    rng = ctx.rng_for(node) if ctx is not None else np.random.default_rng(node.attrs["seed"])

    def run(x: np.ndarray, keep_prob: Any) -> np.ndarray:
        if not 0 < keep_prob <= 1:
            raise fail(node, f"keep_prob must be in (0, 1], got {float(keep_prob)}",
                       fix="feed keep_prob = 1 - rate (1.0 at test time)")
        shape = x.shape if ns is None else tuple(x.shape[i] if d is None else d for i, d in enumerate(ns))
        # TF1's rule: keep where floor(keep_prob + u) == 1, u ~ U[0, 1).
        keep = rng.random(shape, dtype=np.float32) + keep_prob >= 1
        mask = keep.astype(x.dtype) / np.asarray(keep_prob, dtype=x.dtype)  # output 1: the gradient needs it
        return x * mask, mask
    return run
