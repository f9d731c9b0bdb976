"""Hypothesis: every pass and the default pipeline on random graphs with loops (the interpreter as oracle)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graphrnn.passes import PASSES
from graphrnn.testing.random_graphs import assert_pass_preserves, random_graph


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n_ops=st.integers(3, 14))
def test_default_pipeline_on_random_graphs(seed: int, n_ops: int) -> None:
    g, feeds, fetches = random_graph(seed, n_ops=n_ops)
    assert_pass_preserves(g, fetches, feeds, "default")


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), which=st.sampled_from(sorted(PASSES)))
def test_each_pass_on_random_graphs(seed: int, which: str) -> None:
    g, feeds, fetches = random_graph(seed, n_ops=8)
    assert_pass_preserves(g, fetches, feeds, [which], per_iteration=which != "hoist-input-projection")


def test_random_graphs_exercise_the_rules() -> None:
    """The generator is worth its name: over a few seeds, the loop and transpose rules all fire."""
    from graphrnn.passes import optimize
    fired: set[str] = set()
    for seed in range(40):
        g, feeds, fetches = random_graph(seed, n_ops=10)
        _, _, report = optimize(g, fetches, feeds=list(feeds), verify=True)
        fired |= {r.rule for r in report.rewrites()}
    assert {"hoist_invariant", "sink_captured_transpose", "relayout_loop_buffer", "compose_transpose_pair",
            "mul_by_one", "fold_constant", "merge_common_subexpression", "remove_dead_node",
            "narrow_split_matmul"} <= fired, fired


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_hoist_then_default_on_random_graphs(seed: int) -> None:
    g, feeds, fetches = random_graph(seed, n_ops=10)
    assert_pass_preserves(g, fetches, feeds, ["hoist-input-projection", "default"], per_iteration=False)


def test_deep_chains_need_no_recursion() -> None:
    """Passes walk graphs with worklists: a 6,000-node chain (deeper than Python's recursion limit)."""
    import numpy as np

    import graphrnn as gr
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        y = x
        for i in range(3000):
            y = gr.identity(y * 1.0) if i % 2 else gr.tanh(y)
    assert g.node_count() > 5000
    new, _ = assert_pass_preserves(g, [y], {x: np.array([0.5, -0.5], np.float32)}, "default")
    assert new.node_count() == 1501  # the placeholder and the 1,500 tanh
