"""``unroll``: counted loops run k body copies per iteration (+ a remainder loop), small known trip
counts are inlined; the values are those of the loop as built."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.passes import optimize


def _run(g: gr.Graph, fetches: list[Any], feeds: dict[Any, Any], opt: Any) -> list[Any]:
    with gr.Session(graph=g, optimize=opt) as sess:
        init = [n for n in g.nodes if n.op == "VarInit"]
        if init:
            sess.run(init)
        return list(sess.run(fetches, feeds))


def _check(g: gr.Graph, fetches: list[Any], feeds: dict[Any, Any]) -> Any:
    ref = _run(g, fetches, feeds, False)
    got = _run(g, fetches, feeds, ["unroll"])
    for a, b in zip(ref, got):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    new, _, report = optimize(g, fetches, pipeline=["unroll"], feeds=list(feeds), verify=True)
    return new, report


def _loop(n_fed: bool) -> tuple[gr.Graph, list[Any], Any]:
    g = gr.Graph()
    with g.as_default():
        n = gr.placeholder(gr.int32, [], name="n") if n_fed else gr.constant(5)
        x = gr.placeholder(gr.float32, [3], name="x")
        _, y, s = gr.while_loop(lambda i, y, s: i < n, lambda i, y, s: (i + 1, y * 0.9 + 1.0, s + y),
                                [gr.constant(0), x, gr.zeros([3])])
    return g, [y, s], (n, x)


@settings(max_examples=10, deadline=None)
@given(trips=st.integers(0, 11))
def test_remainder_loop_gives_the_same_values_for_any_trip_count(trips: int) -> None:
    g, fetches, (n, x) = _loop(True)
    new, report = _check(g, fetches, {n: trips, x: np.arange(3, dtype=np.float32)})
    assert report.fired("unroll") == 1
    assert sum(m.op == "While" for m in new.nodes) == 2


def test_small_known_trip_count_is_inlined() -> None:
    g, fetches, (_, x) = _loop(False)
    new, report = _check(g, fetches, {x: np.ones(3, np.float32)})
    assert report.fired("unroll_full") == 1
    assert not any(m.op == "While" for m in new.walk())


def test_dynamic_rnn_unrolled_matches() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 7, 3], name="x")
        out, st_ = gr.nn.dynamic_rnn(gr.nn.rnn_cell.GRUCell(4), x, dtype=gr.float32)
    _, report = _check(g, [out, st_], {x: np.random.RandomState(0).randn(2, 7, 3).astype(np.float32)})
    assert report.fired("unroll") + report.fired("unroll_full") == 1


def test_uncounted_loop_is_left_alone() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [], name="x")
        r = gr.while_loop(lambda v: v < 100.0, lambda v: v * 2.0 + 1.0, [x])
    new, report = _check(g, [r], {x: 1.0})
    assert report.fired("unroll") == 0 and report.fired("unroll_full") == 0
