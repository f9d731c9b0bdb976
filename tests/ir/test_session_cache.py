"""The Session's plan cache: growing graphs keep their plans, rewrites invalidate precisely, LRU bound,
and per-thread run reports."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import graphrnn as gr


def test_adding_nodes_between_runs_does_not_recompile() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None], name="x")
        y = gr.reduce_sum(x * 2.0)
    with gr.Session(graph=g) as sess:
        for step in range(20):
            assert sess.run(y, {x: np.ones(3, np.float32)}) == 6.0
            with g.as_default():
                gr.reduce_mean(x + float(step))  # e.g. an eval op built inside the training loop
        info = sess.plan_cache_info()
        assert (info.misses, info.hits, info.invalidations) == (1, 19, 0)


def _loop_graph():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        _, h = gr.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, gr.tanh(h) * 1.5), [gr.constant(0), x])
        loss = gr.reduce_sum(h)
        other = gr.reduce_sum(x * 3.0)
    return g, x, loss, other


def test_a_rewrite_of_a_node_in_the_plan_recompiles_and_others_stay() -> None:
    g, x, loss, other = _loop_graph()
    feed = {x: np.array([0.1, 0.2], np.float32)}
    with gr.Session(graph=g) as sess:
        before = sess.run(loss, feed)
        sess.run(other, feed)
        version = g.version
        with g.as_default():
            (dx,) = gr.gradients(loss, [x])  # instruments the forward While in place
        assert g.version > version
        assert sess.run(loss, feed) == pytest.approx(before)
        sess.run(other, feed)
        info = sess.plan_cache_info()
        assert info.invalidations == 1  # the loop's plan; `other` never read the While
        assert info.misses == 3 and info.hits == 1
        assert sess.run(dx, feed).shape == (2,)


def test_cache_stays_bounded_over_many_distinct_fetches() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [], name="x")
        outs = [x + float(i) for i in range(1000)]
    with gr.Session(graph=g, optimize=False) as sess:
        for i, o in enumerate(outs):
            assert sess.run(o, {x: 1.0}) == 1.0 + i
        info = sess.plan_cache_info()
        assert info.size == info.capacity == 64
        assert info.evictions == 1000 - 64 and info.misses == 1000
    with gr.Session(graph=g, optimize=False, plan_cache_size=3) as sess:
        for o in [outs[0], outs[1], outs[2], outs[0], outs[3], outs[0], outs[1]]:
            sess.run(o, {x: 0.0})
        info = sess.plan_cache_info()
        # outs[0] is used again before outs[3] arrives, so outs[1] is the one evicted (LRU, not FIFO)
        assert (info.size, info.hits, info.misses, info.evictions) == (3, 2, 5, 2)


def test_each_thread_sees_its_own_last_run_report() -> None:
    g = gr.Graph()
    with g.as_default():
        n = gr.placeholder(gr.int32, [], name="n")
        _, count = gr.while_loop(lambda i, c: i < n, lambda i, c: (i + 1, c + 1), [gr.constant(0), gr.constant(0)],
                                 name="loop")
    sess = gr.Session(graph=g, optimize=False)
    barrier = threading.Barrier(2)
    seen: dict[int, list[int]] = {3: [], 11: []}

    def work(trips: int) -> None:
        barrier.wait()
        for _ in range(200):
            assert sess.run(count, {n: trips}) == trips
            seen[trips].append(sess.last_run_report.while_iterations["loop"])

    threads = [threading.Thread(target=work, args=(k,)) for k in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen[3] == [3] * 200 and seen[11] == [11] * 200
    assert sess.last_run_report.while_iterations == {}  # this thread ran nothing


def test_a_training_loop_that_builds_eval_ops_compiles_each_fetch_once() -> None:
    """dynamic_rnn + Adam (optimized, with the gradient's loop tape): nodes appended every step
    leave both plans (initializer, step) valid."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 4, 3], name="x")
        out, _ = gr.nn.dynamic_rnn(gr.nn.rnn_cell.LSTMCell(4), x, dtype=gr.float32)
        loss = gr.reduce_mean(out * out)
        step = gr.train.AdamOptimizer(0.01).minimize(loss)
        init = gr.global_variables_initializer()
    with gr.Session(graph=g) as sess:
        sess.run(init)
        losses = []
        for i in range(4):
            losses.append(sess.run([step, loss], {x: np.ones((2, 4, 3), np.float32)})[1])
            with g.as_default():
                gr.reduce_sum(out) + float(i)
        info = sess.plan_cache_info()
        assert (info.misses, info.hits, info.invalidations) == (2, 3, 0)
        assert losses[-1] < losses[0]
