"""The passes on deep loop nests: every pass rebuilds a nest hundreds deep at Python's default
recursion limit (nested bodies are rebuilt as trampolined steps, `graphrnn.ir.trampoline`) and the
result computes what the input does (issue #10); `test_grad_deep` runs the default pipeline
on a 500-deep gradient graph."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.passes import optimize
from graphrnn.passes.pipeline import PASSES
from graphrnn.testing.recursion import DEFAULT_LIMIT, recursion_limit


def busy_nest(x: gr.Tensor, w: gr.Tensor, depth: int, trips: int, draw: bool = False) -> tuple[gr.Tensor, gr.Tensor]:
    """``depth`` nested loops carrying ``(i, v, noise)``; each body gives every default pass work:
    a value invariant in it but not in the enclosing loop (licm moves it out one level), ``* 1.0``
    (simplify), a constant product (fold), a repeated tanh (cse) and a dead node (dce). With
    ``draw``, the innermost body adds a random draw to ``noise``, which nothing fetched reads (DCE
    must keep it: the loop as built draws every iteration)."""
    def level(k: int, v: gr.Tensor, noise: gr.Tensor, outer_i: gr.Tensor) -> tuple[gr.Tensor, gr.Tensor]:
        if k == depth:
            extra = gr.random_uniform([2], dtype=gr.float64, seed=1) if draw else gr.zeros([2], gr.float64)
            return gr.tanh(v * w), noise + extra

        def body(i: gr.Tensor, u: gr.Tensor, nz: gr.Tensor) -> tuple:
            inv = w * (outer_i + 1.0)                        # invariant here, not one level out: licm
            scale = gr.constant(0.5, gr.float64) * gr.constant(0.5, gr.float64)  # fold
            _ = u * 3.0                                      # dead: dce
            inner, nz2 = level(k + 1, u * 1.0, nz, gr.cast(i, gr.float64))  # * 1.0: simplify
            return i + 1, gr.tanh(inner) * scale + gr.tanh(inner) * inv * 0.01, nz2  # tanh twice: cse
        _, out, nz_out = gr.while_loop(lambda i, u, nz: i < trips, body, [gr.constant(0), v, noise])
        return out, nz_out
    return level(0, x, gr.zeros([2], gr.float64), gr.constant(0.0, gr.float64))


def _build(depth: int, trips: int, draw: bool = False) -> tuple[gr.Graph, gr.Tensor, gr.Tensor, gr.Tensor, gr.Tensor]:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        w = gr.placeholder(gr.float64, [2], name="w")
        with recursion_limit(20_000):  # the nest is built by this test's own recursive Python
            y, noise = busy_nest(x, w, depth, trips, draw)
    return g, x, w, y, noise


def _run(g: gr.Graph, fetch: gr.Tensor, feed: dict, optimize_it: bool) -> np.ndarray:
    with gr.Session(graph=g, optimize=optimize_it) as sess:
        return sess.run(fetch, feed)


@pytest.mark.parametrize("name", sorted(PASSES))
def test_each_pass_keeps_a_nest_s_values(name: str) -> None:
    g, x, w, y, _ = _build(depth=4, trips=2)
    feed = {x: np.array([0.3, -0.6]), w: np.array([0.9, 0.4])}
    want = _run(g, y, feed, False)
    new, mapping, report = optimize(g, [y], [name], feeds=[x, w], verify=True)
    with gr.Session(graph=new, optimize=False) as sess:
        got = sess.run(mapping[y], {mapping[x]: feed[x], mapping[w]: feed[w]})
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_default_pipeline_on_a_200_deep_nest_at_the_default_recursion_limit() -> None:
    """200 levels: with the old recursive rebuild (about 6 frames a level) this hit the limit."""
    depth = 200
    g, x, w, y, _ = _build(depth, trips=1)
    feed = {x: np.array([0.3, -0.6]), w: np.array([0.9, 0.4])}
    with recursion_limit(DEFAULT_LIMIT):
        want = _run(g, y, feed, False)
        new, mapping, report = optimize(g, [y], "default", feeds=[x, w])
        with gr.Session(graph=new, optimize=False) as sess:
            got = sess.run(mapping[y], {mapping[x]: feed[x], mapping[w]: feed[w]})
    np.testing.assert_allclose(got, want, rtol=1e-12)
    fired: dict[str, int] = {}
    for rec in report.records:
        for r in rec.rewrites:
            fired[r.rule] = fired.get(r.rule, 0) + 1
    # Every level was rewritten by each pass: nothing stopped part way down the nest.
    assert fired.get("hoist_invariant", 0) >= depth and fired.get("merge_common_subexpression", 0) >= depth
    assert fired.get("remove_dead_node", 0) >= depth, fired
    assert new.node_count() < g.node_count()


def test_dce_keeps_a_draw_deep_inside_a_nest() -> None:
    """The noise carry is unread, but the innermost body draws random numbers every iteration:
    DCE keeps it at every level (the effect analysis is memoized per subgraph, not skipped)."""
    g, x, w, y, noise = _build(depth=60, trips=1, draw=True)
    new, _, _ = optimize(g, [y], "default", feeds=[x, w])
    assert sum(n.op == "RandomUniform" for n in new.walk()) == 1
    assert sum(n.op == "While" for n in new.walk()) == 60
