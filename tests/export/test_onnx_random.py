"""Random graphs (graphrnn.testing.random_graphs: elementwise math, matmuls, splits, transposes, While
loops with captures and TensorArrays): onnxruntime equals the interpreter on every one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.export.onnx import to_onnx
from graphrnn.testing.random_graphs import random_graph

from .onnx_helpers import run_onnx


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_ops=st.integers(3, 14))
def test_random_graph_runs_the_same_in_onnxruntime(seed: int, n_ops: int) -> None:
    g, feeds, fetches = random_graph(seed, n_ops=n_ops)
    with gr.Session(graph=g) as sess:
        want = sess.run(fetches, feeds)
        ex = to_onnx(sess, fetches, list(feeds))
    got = run_onnx(ex, {p.op.name: v for p, v in feeds.items()})
    assert len(got) == len(want)
    for w, o in zip(want, got):
        assert o.dtype == w.dtype and o.shape == w.shape
        np.testing.assert_allclose(o, w, rtol=1e-5, atol=1e-5)
