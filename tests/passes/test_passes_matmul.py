"""The ``matmul-layout`` pass: narrowed split products and pre-transposed weights, on random
shapes (hypothesis) and on the LSTM gradients it exists for."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.models import build_rnn_model
from graphrnn.passes import optimize
from graphrnn.testing.random_graphs import assert_pass_preserves


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), data=st.data(),
       transpose_b=st.booleans(), weight_is_const=st.booleans())
def test_narrow_split_matmul_on_random_splits(sizes: list[int], data: st.DataObject, transpose_b: bool,
                                              weight_is_const: bool) -> None:
    read = data.draw(st.sets(st.integers(0, len(sizes) - 1), min_size=1))
    rng = np.random.default_rng(len(sizes))
    n = sum(sizes)
    w_val = rng.uniform(-1, 1, (n, 5) if transpose_b else (5, n)).astype(np.float32)
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float32, [None, 5], name="a")
        feeds = {a: rng.uniform(-1, 1, (17, 5)).astype(np.float32)}
        if weight_is_const:
            wt = gr.constant(w_val)
        else:
            wt = gr.placeholder(gr.float32, w_val.shape, name="w")
            feeds[wt] = w_val
        pieces = gr.split(gr.matmul(a, wt, transpose_b=transpose_b), sizes, axis=1)
        fetches = [gr.tanh(pieces[i]) for i in sorted(read)]
    new, report = assert_pass_preserves(g, fetches, feeds, ["matmul-layout"])
    lo, hi = min(read), max(read) + 1
    narrows = (lo, hi) != (0, len(sizes))
    assert (report.fired("narrow_split_matmul") >= 1) == narrows
    widths = sorted(n.outputs[0].type.shape[1] for n in new.nodes if n.op == "MatMul")
    assert widths == [sum(sizes[lo:hi])]
    # a @ W^T with W a constant (or a slice of one) and unknown rows: the weight is pre-transposed.
    assert (report.fired("pretranspose_weight") >= 1) == (transpose_b and weight_is_const)


def test_pretranspose_needs_enough_rows() -> None:
    """The cost model: for a few rows the transpose copy would cost more than the product saves."""
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float32, [3, 4], name="a")
        y = gr.matmul(a, gr.constant(np.ones((6, 4), np.float32)), transpose_b=True)
    _, _, report = optimize(g, [y], pipeline=["matmul-layout"], feeds=[a])
    assert report.fired("pretranspose_weight") == 0


def test_transpose_of_a_matrix_is_materialized() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [3, 4], name="x")
        t = gr.transpose(x)
    with gr.Session(graph=g, optimize=False) as sess:
        out = sess.run(t, {x: np.arange(12, dtype=np.float32).reshape(3, 4)})
    assert out.flags.c_contiguous and out.shape == (4, 3) and out[1, 2] == 9


def _lstm_training_gradients(mode: str) -> tuple[gr.Graph, list, gr.Tensor]:
    m = build_rnn_model("lstm", mode, steps=5, units=8, input_size=3, with_loss=True)
    with m.graph.as_default():
        grads = gr.gradients(m.loss, gr.trainable_variables())
    return m.graph, [m.loss, *grads], m.x


def test_training_step_computes_no_input_gradient_product() -> None:
    """A training step's backward multiplies dgates by the recurrent rows of W only ([4H] -> H
    columns instead of I + H), with W transposed once for all steps, and no split remains."""
    for mode in ("static", "dynamic"):
        g, fetches, x = _lstm_training_gradients(mode)
        new, _, report = optimize(g, fetches, feeds=[x])
        products = [n for n in new.walk() if n.op == "MatMul" and n.inputs[0].type.shape[-1] == 32]
        assert products and all(n.outputs[0].type.shape[-1] == 8 for n in products), report
        assert not any(n.op == "SplitV" for n in new.walk())
        transposes = [n for n in new.walk() if n.op == "Transpose"]
        assert len(transposes) == 1 and transposes[0].graph is new  # shared (CSE) or hoisted (LICM)
        feed = {x: np.random.default_rng(0).uniform(-1, 1, (4, 5, 3)).astype(np.float32)}
        with gr.Session(graph=g, optimize=False) as s0, gr.Session(graph=g) as s1:
            s0.run(gr.global_variables_initializer())
            s1._ctx.variables.update(s0._ctx.variables)  # the same initial weights
            want, got = s0.run(fetches, feed), s1.run(fetches, feed)
        for a, b in zip(want, got):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def _split_product_graph(extra: str) -> tuple[gr.Graph, list, dict]:
    rng = np.random.default_rng(0)
    g = gr.Graph()
    with g.as_default():
        a = gr.placeholder(gr.float32, [None, 4], name="a")
        wt = gr.placeholder(gr.float32, [4, 6], name="w")
        product = gr.matmul(a, wt)
        _, right = gr.split(product, [2, 4], axis=1)
        out = gr.tanh(right)
        if extra == "duplicate":  # CSE merges it with `product`, which then has two readers
            out = out + gr.reduce_sum(gr.matmul(a, wt))
        elif extra == "control":  # `product` must run anyway
            with gr.control_dependencies([product.op]):
                out = gr.identity(out)
    feeds = {a: rng.uniform(-1, 1, (5, 4)).astype(np.float32), wt: rng.uniform(-1, 1, (4, 6)).astype(np.float32)}
    return g, [out], feeds


def test_narrowing_never_adds_a_product() -> None:
    """A product shared after CSE, or pinned by a control edge, stays whole (and is computed once)."""
    for extra in ("duplicate", "control"):
        g, fetches, feeds = _split_product_graph(extra)
        new, report = assert_pass_preserves(g, fetches, feeds, "default")
        widths = [n.outputs[0].type.shape[1] for n in new.nodes if n.op == "MatMul"]
        assert widths == [6], (extra, widths)
        assert report.fired("narrow_split_matmul") == 0
