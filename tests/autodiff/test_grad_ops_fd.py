"""Finite-difference checks (float64) of every op's gradient rule, over small random shapes.

Each case builds ``loss = sum(f(*xs) * R)`` for fed float64 placeholders (R fixed random weights)
and compares `gr.gradients` with central differences. Inputs are drawn away from the kinks of
piecewise ops (relu at 0, clip bounds, max ties) so the differences are meaningful.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.autodiff.check import check_gradients
from graphrnn.ir.verify import verify

Shapes = Callable[[Any, tuple[int, int, int]], list[tuple[int, ...]]]


def _pos(a: np.ndarray) -> np.ndarray:
    return np.abs(a) + 0.5


def _away(a: np.ndarray) -> np.ndarray:
    """Values at least 0.2 away from 0 (kinks of relu/abs/where)."""
    return np.sign(a + 1e-9) * (np.abs(a) + 0.2)


def _bcast(draw: Any, d: tuple[int, int, int]) -> list[tuple[int, ...]]:
    a, b, _ = d
    return draw(st.sampled_from([[(a, b), (a, b)], [(a, b), (b,)], [(a, 1), (1, b)], [(a, b), ()], [(1,), (a, b)]]))


def _one(draw: Any, d: tuple[int, int, int]) -> list[tuple[int, ...]]:
    return [(d[0], d[1])]


def _three(draw: Any, d: tuple[int, int, int]) -> list[tuple[int, ...]]:
    return [d]


def _loss(out: Any, seed: int) -> gr.Tensor:
    outs = out if isinstance(out, (list, tuple)) else [out]
    rs = np.random.RandomState(seed)
    terms = [gr.reduce_sum(o * gr.constant(rs.randn(*o.shape.as_list()), dtype=gr.float64)) for o in outs]
    return gr.add_n(terms) if len(terms) > 1 else terms[0]


def _mm(ta: bool, tb: bool) -> tuple[Shapes, Callable[..., Any]]:
    def shapes(draw: Any, d: tuple[int, int, int]) -> list[tuple[int, ...]]:
        m, k, n = d
        return [(k, m) if ta else (m, k), (n, k) if tb else (k, n)]
    return shapes, lambda a, b: gr.matmul(a, b, transpose_a=ta, transpose_b=tb)


# name -> (shapes, fn, input transform)
CASES: dict[str, tuple[Shapes, Callable[..., Any], Callable[[np.ndarray], np.ndarray] | None]] = {
    "Add": (_bcast, gr.add, None),
    "Sub": (_bcast, gr.subtract, None),
    "Mul": (_bcast, gr.multiply, None),
    "RealDiv": (_bcast, gr.divide, _pos),
    "Maximum": (_bcast, gr.maximum, None),
    "Minimum": (_bcast, gr.minimum, None),
    "Pow": (_bcast, gr.pow, _pos),
    "SquaredDifference": (_bcast, gr.squared_difference, None),
    "FloorMod": (lambda draw, d: [(d[0], d[1])], lambda x: gr.mod(x, 1.7), lambda a: np.abs(a) * 0.3 + 0.1),
    "Neg": (_one, gr.negative, None),
    "Abs": (_one, gr.abs, _away),
    "Square": (_one, gr.square, None),
    "Tanh": (_one, gr.tanh, None),
    "Sigmoid": (_one, gr.sigmoid, None),
    "Exp": (_one, gr.exp, None),
    "Log": (_one, gr.log, _pos),
    "Log1p": (_one, gr.log1p, _pos),
    "Sqrt": (_one, gr.sqrt, _pos),
    "Rsqrt": (_one, gr.rsqrt, _pos),
    "Reciprocal": (_one, gr.reciprocal, _pos),
    "Relu": (_one, gr.nn.relu, _away),
    "Relu6": (_one, gr.nn.relu6, lambda a: _away(a) * 3),
    "Elu": (_one, gr.nn.elu, _away),
    "Softplus": (_one, gr.nn.softplus, None),
    "Softmax": (_three, lambda x: gr.nn.softmax(x, axis=1), None),
    "LogSoftmax": (_three, gr.nn.log_softmax, None),
    "Identity": (_one, gr.identity, None),
    "Cast": (_one, lambda x: gr.cast(gr.cast(x, gr.float32), gr.float64) * 0 + gr.cast(x, gr.float64), None),
    "Select": (lambda draw, d: [(d[0], d[1])] * 2, lambda x, y: gr.where(x > 0, x * 2.0, y), _away),
    "SelectRows": (lambda draw, d: [(d[0],), (d[0], d[1]), (d[0], d[1])],
                   lambda c, x, y: gr.where(c > 0, x, y) * gr.reduce_sum(c), _away),
    "ClipByValue": (_one, lambda x: gr.clip_by_value(x, -0.25, 0.25) * gr.clip_by_value(x, -9.0, 9.0),
                    lambda a: np.where(np.abs(np.abs(a) - 0.25) < 0.05, a + 0.2, a)),
    "ClipByValueBounds": (lambda draw, d: [(d[0], d[1]), (), (d[1],)], lambda x, lo, hi: gr.clip_by_value(x, lo, hi),
                          lambda a: a),
    "MatMul": (*_mm(False, False), None),
    "MatMulTA": (*_mm(True, False), None),
    "MatMulTB": (*_mm(False, True), None),
    "MatMulTATB": (*_mm(True, True), None),
    "BatchMatMulV2": (lambda draw, d: [(2, d[0], d[1]), (d[1], d[2])], gr.matmul, None),
    "AddN": (lambda draw, d: [(d[0], d[1])] * 3, lambda *xs: gr.add_n(list(xs)), None),
    "Sum": (_three, lambda x: gr.reduce_sum(x, axis=[0, 2]), None),
    "SumKeep": (_three, lambda x: gr.reduce_sum(x, axis=1, keepdims=True), None),
    "SumAll": (_three, gr.reduce_sum, None),
    "Mean": (_three, lambda x: gr.reduce_mean(x, axis=[1]), None),
    "Max": (_three, lambda x: gr.reduce_max(x, axis=2), None),
    "Min": (_three, lambda x: gr.reduce_min(x, axis=[0, 1], keepdims=True), None),
    "Prod": (_three, lambda x: gr.reduce_prod(x, axis=[1]), None),
    "ConcatV2": (lambda draw, d: [(d[0], d[1]), (d[0], d[2])], lambda a, b: gr.concat([a, b], 1), None),
    "Split": (lambda draw, d: [(d[0], 2 * d[1])], lambda x: gr.split(x, 2, axis=1)[0], None),
    "SplitV": (lambda draw, d: [(d[0], d[1] + 2)], lambda x: gr.split(x, [2, -1], axis=1), None),
    "Pack": (lambda draw, d: [(d[0], d[1])] * 2, lambda a, b: gr.stack([a, b], axis=1), None),
    "Unpack": (_three, lambda x: gr.unstack(x, axis=1)[:-1] or [x], None),
    "Transpose": (_three, lambda x: gr.transpose(x, [2, 0, 1]), None),
    "Reshape": (_three, lambda x: gr.reshape(x, [-1]), None),
    "ExpandDims": (_one, lambda x: gr.expand_dims(x, 1), None),
    "Squeeze": (lambda draw, d: [(d[0], 1, d[1])], lambda x: gr.squeeze(x, [1]), None),
    "Slice": (_three, lambda x: gr.slice(x, [0, 0, 0], [1, -1, 1]), None),
    "StridedSlice": (_three, lambda x: x[..., ::-1, None, 0], None),
    "GatherV2": (_three, lambda x: gr.gather(x, [0, 0, x.shape[1] - 1], axis=1), None),
    "GatherScalar": (_three, lambda x: gr.gather(x, gr.constant(0), axis=2), None),
    "GatherMixed": (_three, lambda x: gr.gather(x, gr.constant(0), axis=0) * 2.0 + gr.reduce_sum(x * x, 0), None),
    "ReverseV2": (_three, lambda x: gr.reverse(x, [0, 2]), None),
    "ReverseSequence": (lambda draw, d: [(d[0], 3, d[1])],
                        lambda x: gr.reverse_sequence(x, gr.constant(np.arange(x.shape[0]) % 4, gr.int32), 1, 0), None),
    "Fill": (lambda draw, d: [()], lambda v: gr.fill([2, 3], v), None),
    "Tile": (_one, lambda x: gr.tile(x, [2, 3]), None),
    "Pad": (_one, lambda x: gr.pad(x, [[1, 0], [2, 1]]), None),
    "SoftmaxCrossEntropyWithLogits": (
        lambda draw, d: [(d[0], d[1] + 1)] * 2,
        lambda lab, lg: gr.nn.softmax_cross_entropy_with_logits_v2(labels=gr.nn.softmax(lab), logits=lg), None),
    "SparseSoftmaxCrossEntropyWithLogits": (
        lambda draw, d: [(d[0], d[1] + 1)],
        lambda lg: gr.nn.sparse_softmax_cross_entropy_with_logits(
            labels=gr.constant(np.arange(lg.shape[0]) % lg.shape[1], gr.int32), logits=lg), None),
    "BiasAdd": (lambda draw, d: [(d[0], d[1], d[2]), (d[2],)], gr.nn.bias_add, None),
    "TensorArray": (lambda draw, d: [(3, d[0]), (d[0],)],
                    # Each index written once (TF1 refuses a second write): a shorter unstack leaves
                    # index 2 free.
                    lambda buf, v: gr.TensorArray(gr.float64, size=3).unstack(buf[:2]).write(2, v * 2.0).read(2)
                    + gr.TensorArray(gr.float64, size=3).unstack(buf[1:]).write(2, v).stack(), None),
}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_rule_matches_finite_differences(case: str, data: Any) -> None:
    shapes_fn, fn, transform = CASES[case]
    dims = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    shapes = shapes_fn(data.draw, dims)
    seed = data.draw(st.integers(0, 2**16))
    rs = np.random.RandomState(seed)
    values = [rs.randn(*s) for s in shapes]
    if transform is not None:
        values = [transform(v) for v in values]
    optimize = data.draw(st.booleans())
    g = gr.Graph()
    with g.as_default():
        xs = [gr.placeholder(gr.float64, list(s), name=f"x{i}") for i, s in enumerate(shapes)]
        loss = _loss(fn(*xs), seed)
        with gr.Session(graph=g, optimize=optimize) as sess:
            err, got, num = check_gradients(sess, loss, xs, dict(zip(xs, values)))
        verify(g)
    assert err < 1e-6, (case, shapes, err, got, num)


def test_unknown_dims_broadcast_at_run_time() -> None:
    """With unknown dims, the broadcast reduction is decided by `ReduceToShapeOf` at run time."""
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float64, [None, None], name="a")
        b = gr.placeholder(gr.float64, [None, None], name="b")
        flat = gr.reshape(a * b + a, gr.stack([gr.shape(a * b)[0], -1]))  # ReshapeDynamic
        loss = gr.reduce_sum(gr.tanh(flat) * gr.reduce_mean(flat, axis=1, keepdims=True))
        rs = np.random.RandomState(1)
        with gr.Session(graph=g) as sess:
            for sa, sb in [((2, 3), (1, 3)), ((2, 1), (2, 4)), ((1, 1), (3, 2))]:
                feed = {a: rs.randn(*sa), b: rs.randn(*sb)}
                err, got, _ = check_gradients(sess, loss, [a, b], feed)
                assert err < 1e-6
                assert got[0].shape == sa and got[1].shape == sb


def test_dropout_gradient_uses_the_drawn_mask() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [4, 50], name="x")
        y = gr.nn.dropout(x, keep_prob=0.5, seed=3)
        r = np.random.RandomState(0).randn(4, 50)
        (gx,) = gr.gradients(gr.reduce_sum(y * r), [x])
        xv = _away(np.random.RandomState(1).randn(4, 50))
        with gr.Session(graph=g, optimize=False) as sess:
            yv, gv = sess.run([y, gx], {x: xv})
    mask = (yv != 0)
    assert 0 < mask.mean() < 1
    np.testing.assert_allclose(gv, r * mask / 0.5)
