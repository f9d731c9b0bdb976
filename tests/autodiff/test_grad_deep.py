"""Deep loop nests differentiate: correct gradients, a gradient graph linear in the depth, and a
500-deep nest at Python's default recursion limit (issue #10).

A D-deep nest: level k is ``while i < trips: y = level_{k-1}(y)``; the innermost level computes
``tanh(y * w) + 0.1 * y`` with ``w`` captured from the top (a variable or a placeholder).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.autodiff.check import check_gradients
from graphrnn.ir.trampoline import run_nested
from graphrnn.ir.verify import verify
from graphrnn.testing.recursion import DEFAULT_LIMIT, recursion_limit


def nest(x: gr.Tensor, w: gr.Tensor, trips: Sequence[int | Callable[[gr.Tensor], gr.Tensor]]) -> gr.Tensor:
    """``len(trips)`` nested loops around ``x``; ``trips[k]`` is level k's trip count (outermost
    first), or a function of the enclosing level's counter (ragged inner trip counts)."""
    def level(k: int, y: gr.Tensor, outer_i: gr.Tensor | None) -> gr.Tensor:
        if k == len(trips):
            return gr.tanh(y * w) + 0.1 * y
        t = trips[k]
        n = t(outer_i) if callable(t) else t

        def body(i: gr.Tensor, v: gr.Tensor) -> tuple:
            return i + 1, level(k + 1, v, i)
        return gr.while_loop(lambda i, v: i < n, body, [gr.constant(0), y])[1]
    return level(0, x, None)


def cond_nest(x: gr.Tensor, w: gr.Tensor, depth: int, trips: int = 2) -> gr.Tensor:
    """``depth`` loops, each body a cond whose true branch holds the next loop (the first trip
    goes down the nest, the others double the value)."""
    def level(k: int, y: gr.Tensor) -> gr.Tensor:
        if k == depth:
            return gr.tanh(y * w)

        def body(i: gr.Tensor, v: gr.Tensor) -> tuple:
            return i + 1, gr.cond(i < 1, lambda: level(k + 1, v), lambda: v * 0.5)
        return gr.while_loop(lambda i, v: i < trips, body, [gr.constant(0), y])[1]
    return level(0, x)


def gradient_nodes(depth: int, build: Callable[..., gr.Tensor] = nest, *args: object) -> int:
    """Nodes (nested bodies included) that gr.gradients adds to a ``depth``-deep nest, its loop
    tapes included."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        w = gr.Variable(np.ones(2, np.float32), name="w")
        loss = gr.reduce_sum(build(x, w, [2] * depth) if build is nest else build(x, w, depth))
        before = g.node_count()
        gr.gradients(loss, [x, w])
    return g.node_count() - before


@pytest.mark.parametrize("optimize", [False, True])
def test_three_deep_nest_matches_finite_differences(optimize: bool) -> None:
    """Three levels, trip counts 2, 3 and a ragged one (the middle counter + 1)."""
    rs = np.random.RandomState(0)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        w = gr.placeholder(gr.float64, [2], name="w")
        y = nest(x, w, [2, 3, lambda i: i + 1])
        loss = gr.reduce_sum(y * np.array([1.0, -2.0]))
        feed = {x: rs.randn(2) * 0.5, w: rs.randn(2) * 0.5}
        with gr.Session(graph=g, optimize=optimize) as sess:
            err, sym, _ = check_gradients(sess, loss, [x, w], feed)
        verify(g)
    assert err < 1e-7 and np.all(np.abs(sym[1]) > 1e-3)


def test_variable_captured_at_the_innermost_level() -> None:
    """The gradient of a variable read only by the innermost loop body, against central differences
    (the variable loaded with each nudged value)."""
    wv = np.array([0.3, -0.7])
    g = gr.Graph()
    with g.as_default():
        x = gr.constant(np.array([0.5, 0.25]))
        w = gr.Variable(wv, dtype=gr.float64, name="w")
        loss = gr.reduce_sum(nest(x, w, [2, 2, 2]))
        (gw,) = gr.gradients(loss, [w])
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            got = sess.run(gw)
            num = np.zeros(2)
            for k in range(2):
                for sign in (1, -1):
                    nudged = wv.copy()
                    nudged[k] += sign * 1e-6
                    w.load(nudged, sess)
                    num[k] += sign * float(sess.run(loss)) / 2e-6
    np.testing.assert_allclose(got, num, atol=1e-7)


def test_gradient_graph_grows_linearly_with_depth() -> None:
    """Each level adds the same number of nodes (forward tape and backward loop): it used to be
    ~3.3·D² in all, each backward body holding a copy of the whole inner nest."""
    n8, n16, n32 = (gradient_nodes(d) for d in (8, 16, 32))
    assert n32 - n16 == 2 * (n16 - n8)  # exactly affine in D
    per_level = (n16 - n8) / 8
    assert per_level < 40 and n32 < 40 * 32 + 100, (n8, n16, n32)


@pytest.mark.parametrize("optimize", [False, True])
def test_loops_alternating_with_conds_match_finite_differences(optimize: bool) -> None:
    rs = np.random.RandomState(1)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        w = gr.placeholder(gr.float64, [2], name="w")
        loss = gr.reduce_sum(cond_nest(x, w, 3, trips=3) * np.array([0.5, 1.5]))
        feed = {x: rs.randn(2) * 0.5, w: rs.randn(2) * 0.5}
        with gr.Session(graph=g, optimize=optimize) as sess:
            err, sym, _ = check_gradients(sess, loss, [x, w], feed)
        verify(g)
    assert err < 1e-7 and np.all(np.abs(sym[1]) > 1e-3)


def test_loop_and_cond_nest_grows_linearly_with_depth() -> None:
    """A cond between the levels: its gradient replays the loop inside it from the cond's exported
    pack (it used to copy the whole nest below it: quadratic)."""
    n8, n16, n32 = (gradient_nodes(d, cond_nest) for d in (8, 16, 32))
    assert n32 - n16 == 2 * (n16 - n8)
    assert (n16 - n8) / 8 < 50, (n8, n16, n32)


# One nest level: (trip count, a cond between this level and the next, trips += enclosing counter).
LEVEL = st.tuples(st.integers(0, 2), st.booleans(), st.booleans())


def mixed_nest(x: gr.Tensor, w: gr.Tensor, spec: Sequence[tuple[int, bool, bool]]) -> gr.Tensor:
    def level(k: int, y: gr.Tensor, outer_i: gr.Tensor | None) -> gr.Tensor:
        if k == len(spec):
            return gr.tanh(y * w) + 0.3 * y
        trips, use_cond, ragged = spec[k]
        n = outer_i + trips if ragged and outer_i is not None else trips

        def body(i: gr.Tensor, v: gr.Tensor) -> tuple:
            if use_cond:
                return i + 1, gr.cond(i < 1, lambda: level(k + 1, v, i), lambda: v * 0.7 + w)
            return i + 1, level(k + 1, v, i)
        return gr.while_loop(lambda i, v: i < n, body, [gr.constant(0), y])[1]
    return level(0, x, None)


@settings(max_examples=6, deadline=None)
@given(st.lists(LEVEL, min_size=1, max_size=3), st.integers(0, 2**16))
def test_mixed_nests_match_finite_differences(spec: list[tuple[int, bool, bool]], seed: int) -> None:
    """Any nest of loops (zero trips included, ragged inner trip counts) and conds between levels:
    the symbolic gradient matches central differences, unoptimized and optimized (the second
    gradient reuses the tapes the first recorded)."""
    rs = np.random.RandomState(seed)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        w = gr.placeholder(gr.float64, [2], name="w")
        loss = gr.reduce_sum(mixed_nest(x, w, spec) * np.array([1.0, -0.5]))
        feed = {x: rs.randn(2) * 0.5, w: rs.randn(2) * 0.5}
        for optimize in (False, True):
            with gr.Session(graph=g, optimize=optimize) as sess:
                err, _, _ = check_gradients(sess, loss, [x, w], feed)
            assert err < 1e-7, (spec, optimize, err)


def test_loop_tapes_do_not_grow_with_depth() -> None:
    """Every loop of the nest carries the same number of values after differentiation: a nested
    loop's whole tape is stored as one packed value per iteration, not one stack per stack."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        w = gr.placeholder(gr.float32, [2], name="w")
        gr.gradients(gr.reduce_sum(nest(x, w, [2] * 12)), [x, w])
    loops = [n for n in g.walk() if n.op == "While"]
    carries = {n.attrs["n_carry"] for n in loops}
    assert len(loops) == 24 and max(carries) <= 6, sorted(carries)


def test_500_deep_nest_at_the_default_recursion_limit() -> None:
    """gr.gradients, the default passes and the interpreter handle a 500-deep nest with Python's
    default recursion limit (one trip per level: the value is tanh(x * w) + 0.1 x)."""
    depth = 500
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float64, [2], name="x")
        w = gr.placeholder(gr.float64, [2], name="w")
        with recursion_limit(20_000):  # the nest is built by this test's own recursive Python
            loss = gr.reduce_sum(nest(x, w, [1] * depth))
        with recursion_limit(DEFAULT_LIMIT):
            gx, gw = gr.gradients(loss, [x, w])
            xv, wv = np.array([0.3, -0.2]), np.array([0.5, 0.8])
            with gr.Session(graph=g) as sess:  # optimized (the default pipeline)
                lv, gxv, gwv = sess.run([loss, gx, gw], {x: xv, w: wv})
            assert sys.getrecursionlimit() == DEFAULT_LIMIT  # the interpreter restored it
    t = np.tanh(xv * wv)
    np.testing.assert_allclose(lv, np.sum(t + 0.1 * xv))
    np.testing.assert_allclose(gxv, wv * (1 - t * t) + 0.1)
    np.testing.assert_allclose(gwv, xv * (1 - t * t))


def test_room_for_deep_loops_is_shared_by_threads_and_given_back() -> None:
    """The While kernel's `stack_room`: the process-wide limit stays at the largest room a running
    deep loop needs (this thread's or another's) and returns to the old limit after the last."""
    import threading

    from graphrnn.backends.numpy.kernels_control import stack_room
    with recursion_limit(DEFAULT_LIMIT):
        with stack_room(10):  # shallow: untouched
            assert sys.getrecursionlimit() == DEFAULT_LIMIT
        with stack_room(500):
            mine = sys.getrecursionlimit()
            assert mine >= 4 * 500
            seen: list[int] = []

            def other() -> None:
                with stack_room(900):
                    seen.append(sys.getrecursionlimit())
            t = threading.Thread(target=other)
            t.start()
            t.join()
            assert seen[0] >= 4 * 900 and sys.getrecursionlimit() == mine
        assert sys.getrecursionlimit() == DEFAULT_LIMIT


def test_trampoline_runs_deep_chains_and_routes_errors() -> None:
    """`run_nested`: a 20,000-deep chain of steps needs no recursion; an exception raised deep
    inside reaches the nearest step that handles it, and the ``finally`` blocks on the way run."""
    unwound: list[int] = []

    def count(k: int) -> object:
        if k == 0:
            return 0
        return (yield count(k - 1)) + 1

    def fail(k: int) -> object:
        try:
            if k == 0:
                raise KeyError("deep")
            return (yield fail(k - 1))
        finally:
            unwound.append(k)

    def catch() -> object:
        try:
            yield fail(50)
        except KeyError:
            return "caught"

    assert run_nested(count(20_000)) == 20_000
    assert run_nested(catch()) == "caught"
    assert unwound == list(range(51))
