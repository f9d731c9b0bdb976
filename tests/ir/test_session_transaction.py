"""A Session.run that raises leaves every variable as it was before that run (all-or-nothing steps)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.backends.numpy.context import RunContext


def _two_variable_step(optimize: bool = True):
    """A GradientDescent step over a and b whose update of b fails at run time when the fed
    gradient of b has the wrong length (after a's update has run: a is updated first)."""
    g = gr.Graph()
    with g.as_default():
        a = gr.Variable(np.ones(3, np.float32), name="a")
        b = gr.Variable(np.ones(3, np.float32), name="b")
        ga = gr.placeholder(gr.float32, [3], name="ga")
        gb = gr.placeholder(gr.float32, [None], name="gb")
        step = gr.train.GradientDescentOptimizer(0.5).apply_gradients([(ga, a), (gb, b)])
        init = gr.global_variables_initializer()
    sess = gr.Session(graph=g, optimize=optimize)
    sess.run(init)
    return sess, a, b, ga, gb, step


@pytest.mark.parametrize("optimize", [True, False])
def test_failing_optimizer_step_changes_no_variable(optimize: bool) -> None:
    sess, a, b, ga, gb, step = _two_variable_step(optimize)
    with pytest.raises(gr.ExecutionError):
        sess.run(step, {ga: np.full(3, 2.0, np.float32), gb: np.ones(2, np.float32)})
    np.testing.assert_array_equal(sess.run(a), np.ones(3))
    np.testing.assert_array_equal(sess.run(b), np.ones(3))
    sess.run(step, {ga: np.full(3, 2.0, np.float32), gb: np.full(3, 4.0, np.float32)})  # a good step still works
    np.testing.assert_array_equal(sess.run([a, b]), [np.zeros(3), np.full(3, -1.0)])


def test_the_failure_really_comes_after_the_first_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the rollback, a would have changed: the test above tests the journal, not luck."""
    sess, a, b, ga, gb, step = _two_variable_step(optimize=False)
    monkeypatch.setattr(RunContext, "rollback", lambda self, journal: None)
    with pytest.raises(gr.ExecutionError):
        sess.run(step, {ga: np.full(3, 2.0, np.float32), gb: np.ones(2, np.float32)})
    np.testing.assert_array_equal(sess.run(a), np.zeros(3))


def test_failing_initializer_leaves_no_half_initialized_variables() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.Variable(np.ones(2, np.float32), name="a")
        n = gr.placeholder(gr.int32, [], name="n")
        with gr.control_dependencies([a.initializer]):
            bad = gr.gather(gr.constant([1.0, 2.0]), n)
        b = gr.Variable(gr.reshape(bad, [1]), name="b")
        init = gr.group(a.initializer, b.initializer)
    with gr.Session(graph=g, optimize=False) as sess:
        with pytest.raises(gr.GraphError):
            sess.run(init, {n: 5})
        assert "a" not in sess.variables and "b" not in sess.variables
        sess.run(init, {n: 1})
        assert sess.run(b)[0] == 2.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=8))
def test_variables_follow_only_the_runs_that_succeeded(steps: list[tuple[bool, bool, bool]]) -> None:
    """Each step adds 1 to a chosen subset of {a, b} and then maybe fails; the variables always
    equal the sum over the steps that succeeded."""
    g = gr.Graph()
    with g.as_default():
        a = gr.Variable(0.0, name="a")
        b = gr.Variable(0.0, name="b")
        i = gr.placeholder(gr.int32, [], name="i")
        ops = {}
        for use_a in (False, True):
            for use_b in (False, True):
                ups = ([a.assign_add(1.0)] if use_a else []) + ([b.assign_add(1.0)] if use_b else [])
                with gr.control_dependencies(ups):
                    check = gr.gather(gr.constant([0.0]), i)  # fails unless i == 0
                ops[use_a, use_b] = gr.group(*ups, check)
        init = gr.global_variables_initializer()
    want = {"a": 0.0, "b": 0.0}
    with gr.Session(graph=g, optimize=False) as sess:
        sess.run(init)
        for use_a, use_b, fail in steps:
            if fail:
                with pytest.raises(gr.ExecutionError):
                    sess.run(ops[use_a, use_b], {i: 3})
            else:
                sess.run(ops[use_a, use_b], {i: 0})
                want["a"] += use_a
                want["b"] += use_b
            assert sess.run([a, b]) == [want["a"], want["b"]]


def test_rollback_keeps_another_threads_later_write() -> None:
    """A run restores only what it wrote itself, and not over a value another thread stored since."""
    ctx = RunContext()
    old, mine, theirs = (np.array(v) for v in (1.0, 2.0, 3.0))
    ctx.write_variable("x", old)
    ctx.write_variable("y", old)
    outer = ctx.begin_journal()
    ctx.write_variable("x", mine)
    ctx.write_variable("y", mine)
    t = threading.Thread(target=ctx.write_variable, args=("x", theirs))  # no journal on that thread
    t.start()
    t.join()
    ctx.rollback(ctx.end_journal(outer, succeeded=False))
    assert ctx.variables["x"] is theirs and ctx.variables["y"] is old


def test_failing_runs_on_one_thread_do_not_undo_another_threads_steps() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.Variable(0.0, name="a")
        b = gr.Variable(0.0, name="b")
        i = gr.placeholder(gr.int32, [], name="i")
        inc_a = a.assign_add(1.0)
        with gr.control_dependencies([b.assign_add(1.0)]):
            bad_b = gr.gather(gr.constant([0.0]), i)
        init = gr.global_variables_initializer()
    sess = gr.Session(graph=g, optimize=False)
    sess.run(init)
    n = 200
    errors: list[BaseException] = []

    def good() -> None:
        for _ in range(n):
            sess.run(inc_a)

    def failing() -> None:
        for _ in range(n):
            try:
                sess.run(bad_b, {i: 7})
            except gr.ExecutionError:
                continue
            errors.append(AssertionError("the bad run did not fail"))

    threads = [threading.Thread(target=good), threading.Thread(target=failing)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sess.run([a, b]) == [float(n), 0.0]
