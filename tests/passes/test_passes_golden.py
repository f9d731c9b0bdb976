"""Golden before/after text (``str(graph)``) for each rewrite rule, plus the interpreter as oracle.

Each case builds a small graph, runs one pass, and checks: the named rule fired, the optimized
text equals ``golden/<rule>.txt`` (regenerate with GRAPHRNN_REGEN_GOLDEN=1 and review the diff),
and the numbers are unchanged (`assert_pass_preserves`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.ir import builder
from graphrnn.testing.random_graphs import assert_pass_preserves

GOLDEN = Path(__file__).parent / "golden"
F32 = gr.float32


def _x(shape: list[int | None] = [2, 3], name: str = "x") -> gr.Tensor:  # noqa: B006
    return gr.placeholder(F32, shape, name=name)


def _arr(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


Case = Callable[[], tuple[list[Any], dict[Any, np.ndarray]]]


def mul_by_one() -> Any:
    x = _x()
    return [gr.tanh(x * 1.0)], {x: _arr((2, 3))}


def add_zero() -> Any:
    x = _x()
    return [gr.tanh(gr.add(gr.zeros([2, 3]), x) - 0.0)], {x: _arr((2, 3))}


def drop_identity() -> Any:
    x = _x()
    return [gr.tanh(gr.identity(gr.identity(x)))], {x: _arr((2, 3))}


def reshape_chain() -> Any:
    x = _x()
    return [gr.tanh(gr.reshape(gr.reshape(x, [3, 2]), [6]))], {x: _arr((2, 3))}


def drop_noop_reshape() -> Any:
    x = _x([None, 3])
    return [gr.tanh(gr.reshape(x, [-1, 3]))], {x: _arr((2, 3))}


def single_input_concat() -> Any:
    x = _x()
    return [gr.tanh(builder.add_op("ConcatV2", [x], {"axis": 1}))], {x: _arr((2, 3))}


def double_negation() -> Any:
    x = _x()
    return [gr.tanh(gr.negative(gr.negative(x)))], {x: _arr((2, 3))}


def select_constant_mask() -> Any:
    x, y = _x(name="x"), _x(name="y")
    return [gr.where(np.ones((2, 3), bool), x, y)], {x: _arr((2, 3)), y: _arr((2, 3), 1)}


def squeeze_expand_dims() -> Any:
    x = _x()
    return [gr.tanh(gr.squeeze(gr.expand_dims(x, 1), [1]))], {x: _arr((2, 3))}


def fold_constant() -> Any:
    x = _x()
    c = gr.tanh(gr.constant(np.arange(6, dtype=np.float32).reshape(2, 3)) * 0.5)
    return [x + c], {x: _arr((2, 3))}


def shape_of_static() -> Any:
    x = _x()
    return [gr.shape(x)[1] + 1], {x: _arr((2, 3))}


def drop_identity_transpose() -> Any:
    x = _x()
    return [gr.tanh(gr.transpose(x, [0, 1]))], {x: _arr((2, 3))}


def compose_transpose_pair() -> Any:
    x = _x([2, 3, 4])
    a = gr.transpose(gr.transpose(x, [1, 0, 2]), [1, 0, 2])
    b = gr.transpose(gr.transpose(x, [1, 2, 0]), [1, 0, 2])
    return [gr.tanh(a), b], {x: _arr((2, 3, 4))}


def transpose_of_constant() -> Any:
    x = _x([3, 2])
    return [x + gr.transpose(gr.constant(_arr((2, 3))), [1, 0])], {x: _arr((3, 2))}


def push_transpose_into_elementwise() -> Any:
    x = _x()
    y = gr.transpose(gr.tanh(gr.transpose(x, [1, 0])) * 2.0, [1, 0])
    z = gr.transpose(gr.transpose(x, [1, 0]) + gr.constant(_arr((3, 2))), [1, 0])
    return [gr.transpose(gr.tanh(gr.transpose(x, [1, 0])), [1, 0]), y, z], {x: _arr((2, 3))}


def matmul_of_transpose() -> Any:
    x = _x([2, 3, 4])
    w = gr.constant(_arr((4, 5)))
    return [gr.tanh(gr.matmul(gr.transpose(x, [1, 0, 2]), w))], {x: _arr((2, 3, 4))}


def shape_of_transpose() -> Any:
    x = _x([None, None, 4])
    return [gr.shape(gr.transpose(x, [1, 0, 2])) + 1], {x: _arr((2, 3, 4))}


def index_constant_gather() -> Any:
    x = _x([None, None, 4])
    return [gr.shape(gr.transpose(x, [1, 0, 2]))[0] + 1], {x: _arr((2, 3, 4))}


def index_transpose() -> Any:
    x = _x([2, 3, 4])
    return [gr.tanh(gr.transpose(x, [1, 0, 2])[-1])], {x: _arr((2, 3, 4))}


def gather_scalar_from_transpose() -> Any:
    x = _x([2, 3, 4])
    i = gr.placeholder(gr.int32, [], name="i")
    return [gr.tanh(gr.gather(gr.transpose(x, [1, 0, 2]), i))], {x: _arr((2, 3, 4)), i: np.int32(2)}


def read_through_transpose() -> Any:
    x = _x([2, 3, 4])
    ta = gr.TensorArray(F32, flow=gr.transpose(x, [1, 0, 2]))
    return [gr.tanh(ta.read(1)), ta.size() + 0], {x: _arr((2, 3, 4))}


def _loop(x: Any, batch_major_out: bool) -> Any:
    xt = gr.transpose(x, [1, 0, 2])
    steps = gr.shape(xt)[0]
    w = gr.constant(_arr((4, 4), 3))
    buf = gr.TensorArray(F32, size=steps, element_shape=[None, 4])

    def body(t: Any, h: Any, ta: Any) -> Any:
        h2 = gr.tanh(gr.matmul(h, w) + gr.TensorArray(F32, flow=xt).read(t))
        return t + 1, h2, ta.write(t, h2)

    h0 = gr.zeros([2, 4])
    _, h, ta = gr.while_loop(lambda t, h, ta: t < steps, body, [gr.constant(0), h0, buf])
    return gr.transpose(ta.stack(), [1, 0, 2]), h


def sink_captured_transpose() -> Any:
    x = _x([2, None, 4])
    out, h = _loop(x, True)
    return [h], {x: _arr((2, 3, 4))}


def relayout_loop_buffer() -> Any:
    x = _x([2, None, 4])
    out, h = _loop(x, True)
    return [out], {x: _arr((2, 3, 4))}


def merge_common_subexpression() -> Any:
    x = _x()
    a = gr.tanh(x) * gr.constant(2.0)
    b = gr.tanh(x) * gr.constant(2.0)
    return [a + b], {x: _arr((2, 3))}


def remove_dead_loop_values() -> Any:
    x = _x()
    _, a, _b = gr.while_loop(lambda i, a, b: i < 3, lambda i, a, b: (i + 1, gr.tanh(a), b * 2.0),
                             [gr.constant(0), x, x])
    return [a], {x: _arr((2, 3))}


def hoist_invariant() -> Any:
    x, y = _x(name="x"), _x(name="y")
    _, a = gr.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * gr.tanh(y * 0.5) + gr.constant(1.0)),
                         [gr.constant(0), x])
    return [a], {x: _arr((2, 3)), y: _arr((2, 3), 1)}


def _projection_loop() -> Any:
    x = _x([3, 2, 4])                                  # time-major [T, B, I]
    w = gr.constant(_arr((7, 3), 5))

    def body(t: Any, h: Any) -> Any:
        x_t = gr.TensorArray(F32, flow=x).read(t)
        return t + 1, gr.tanh(gr.matmul(gr.concat([x_t, h], 1), w))

    _, h = gr.while_loop(lambda t, h: t < 3, body, [gr.constant(0), gr.zeros([2, 3])])
    return [h], {x: _arr((3, 2, 4))}


def split_input_matmul() -> Any:
    return _projection_loop()


def hoist_read_matmul() -> Any:
    return _projection_loop()


def batch_unstacked_matmul() -> Any:
    x = _x([2, 3, 4])
    w = gr.constant(_arr((4, 5), 6))
    return [gr.tanh(gr.matmul(x_t, w)) for x_t in gr.unstack(x, axis=1)], {x: _arr((2, 3, 4))}


def narrow_split_matmul() -> Any:
    a, wt = _x([None, 4], "a"), _x([4, 6], "w")
    _, right = gr.split(gr.matmul(a, wt), [2, 4], axis=1)  # the left piece is never read
    return [gr.tanh(right)], {a: _arr((3, 4)), wt: _arr((4, 6), 1)}


def pretranspose_weight() -> Any:
    a = _x([None, 4], "a")
    return [gr.matmul(a, gr.constant(_arr((6, 4), 1)), transpose_b=True)], {a: _arr((3, 4))}


def replay_is_saved_values() -> Any:
    x = _x([2, 3])
    _, h = gr.while_loop(lambda i, h: i < 2, lambda i, h: (i + 1, gr.sigmoid(h)), [gr.constant(0), x])
    return gr.gradients(gr.reduce_sum(h), [x]), {x: _arr((2, 3))}


CASES: dict[str, tuple[Case, Any]] = {
    "mul_by_one": (mul_by_one, ["simplify"]), "add_zero": (add_zero, ["simplify"]),
    "drop_identity": (drop_identity, ["simplify"]), "reshape_chain": (reshape_chain, ["simplify"]),
    "drop_noop_reshape": (drop_noop_reshape, ["simplify"]),
    "single_input_concat": (single_input_concat, ["simplify"]),
    "double_negation": (double_negation, ["simplify"]),
    "select_constant_mask": (select_constant_mask, ["simplify"]),
    "squeeze_expand_dims": (squeeze_expand_dims, ["simplify"]),
    "fold_constant": (fold_constant, ["fold"]), "shape_of_static": (shape_of_static, ["fold"]),
    "drop_identity_transpose": (drop_identity_transpose, ["transpose-elim"]),
    "compose_transpose_pair": (compose_transpose_pair, ["transpose-elim"]),
    "transpose_of_constant": (transpose_of_constant, ["transpose-elim"]),
    "push_transpose_into_elementwise": (push_transpose_into_elementwise, ["transpose-elim"]),
    "matmul_of_transpose": (matmul_of_transpose, ["transpose-elim"]),
    "shape_of_transpose": (shape_of_transpose, ["transpose-elim"]),
    "index_constant_gather": (index_constant_gather, ["transpose-elim"]),
    "index_transpose": (index_transpose, ["transpose-elim"]),
    "gather_scalar_from_transpose": (gather_scalar_from_transpose, ["transpose-elim"]),
    "read_through_transpose": (read_through_transpose, ["transpose-elim"]),
    "sink_captured_transpose": (sink_captured_transpose, ["transpose-elim"]),
    "relayout_loop_buffer": (relayout_loop_buffer, ["transpose-elim"]),
    "merge_common_subexpression": (merge_common_subexpression, ["cse"]),
    "remove_dead_loop_values": (remove_dead_loop_values, ["dce"]),
    "hoist_invariant": (hoist_invariant, ["licm"]),
    "split_input_matmul": (split_input_matmul, ["hoist-input-projection"]),
    "hoist_read_matmul": (hoist_read_matmul, ["hoist-input-projection"]),
    "batch_unstacked_matmul": (batch_unstacked_matmul, ["hoist-input-projection"]),
    "narrow_split_matmul": (narrow_split_matmul, ["matmul-layout"]),
    "pretranspose_weight": (pretranspose_weight, ["matmul-layout"]),
    "replay_is_saved_values": (replay_is_saved_values, ["simplify"]),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_golden(rule: str) -> None:
    make, pipeline = CASES[rule]
    g = gr.Graph()
    with g.as_default():
        fetches, feeds = make()
    new, report = assert_pass_preserves(g, fetches, feeds, pipeline)
    assert report.fired(rule) >= 1, f"{rule} did not fire:\n{report}"
    text = f"# before\n{g}\n# after {pipeline}\n{new}\n"
    path = GOLDEN / f"{rule}.txt"
    if os.environ.get("GRAPHRNN_REGEN_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"golden text of {rule} changed; diff against {path}"


def test_folding_a_division_by_zero_gives_inf_without_a_numpy_warning():
    """The run computes inf as TF1 does; folding it early must not print NumPy's warning from fold.py."""
    import warnings

    import numpy as np

    import graphrnn as gr
    g = gr.Graph()
    with g.as_default():
        y = gr.constant(1.0) / gr.constant(0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with gr.Session() as sess:
                assert np.isinf(sess.run(y))
