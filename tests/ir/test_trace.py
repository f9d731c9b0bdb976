"""Loop tracing: ``RunOptions(trace=...)`` returns the per-iteration history of loop-body values,
leaves the user's graph unchanged, and matches the static graph's per-step values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.passes.trace import TraceError


def _nested() -> tuple[gr.Graph, Any, dict[str, Any], Any]:
    g = gr.Graph()
    seen: dict[str, Any] = {}
    with g.as_default():
        x = gr.placeholder(gr.float32, [3], name="x")

        def body(i: Any, a: Any) -> Any:
            b = gr.trace(a * 2.0 + 1.0)
            seen["b"] = b

            def inner(j: Any, c: Any) -> Any:
                d = c + gr.cast(j, gr.float32)
                seen["d"] = d
                return j + 1, d
            _, c = gr.while_loop(lambda j, c: j < 2, inner, [gr.constant(0), b])
            return i + 1, c
        _, r = gr.while_loop(lambda i, a: i < 3, body, [gr.constant(0), x])
    return g, x, seen, r


@pytest.mark.parametrize("optimize", [False, True])
def test_nested_histories_and_graph_unchanged(optimize: bool) -> None:
    g, x, seen, r = _nested()
    before = str(g)
    md = gr.RunMetadata()
    with gr.Session(graph=g, optimize=optimize) as sess:
        feed = {x: np.ones(3, np.float32)}
        out, hb, hd = sess.run([r, seen["b"], seen["d"]], feed,
                               options=gr.RunOptions(trace=[seen["b"], seen["d"]]), run_metadata=md)
        plain = sess.run(r, feed)
    a, bs, ds = np.ones(3), [], []
    for _ in range(3):   # the loops in NumPy
        b = a * 2 + 1
        bs.append(b)
        inner = [b + 0, b + 1]
        ds.append(inner)
        a = inner[-1]
    np.testing.assert_allclose(hb, np.array(bs))
    np.testing.assert_allclose(hd, np.array(ds))
    assert hd.shape == (3, 2, 3)
    np.testing.assert_allclose(out, a)
    np.testing.assert_allclose(plain, a)
    assert set(md.traces) == {seen["b"].name, seen["d"].name}
    assert str(g) == before   # the user's graph is untouched


def test_trace_true_uses_marked_values() -> None:
    g, x, seen, r = _nested()
    md = gr.RunMetadata()
    with gr.Session(graph=g) as sess:
        sess.run(r, {x: np.zeros(3, np.float32)}, options=gr.RunOptions(trace=True), run_metadata=md)
    assert list(md.traces) == [seen["b"].name]
    assert md.traces[seen["b"].name].shape == (3, 3)


def test_untraced_run_compiles_no_trace_nodes() -> None:
    g, x, _, r = _nested()
    with gr.Session(graph=g) as sess:
        plan = sess.plan_for(r, [x])
    assert not any("/trace/" in n.name for n in plan.nodes)


def test_errors_name_the_problem() -> None:
    g, x, _, r = _nested()
    with gr.Session(graph=g) as sess:
        with pytest.raises(TraceError, match="not inside a while_loop body"):
            sess.run(r, {x: np.zeros(3, np.float32)}, options=gr.RunOptions(trace=[x]))
    with pytest.raises(gr.config.ConfigError):
        gr.RunOptions(trace="h")
    with g.as_default(), pytest.raises(TraceError):
        gr.trace(x)
    empty = gr.Graph()
    with empty.as_default():
        y = gr.placeholder(gr.float32, [])
        with gr.Session() as sess, pytest.raises(TraceError, match="marked"):
            sess.run(y, {y: 1.0}, options=gr.RunOptions(trace=True))


def _lstm_pair(t_steps: int, seq: bool) -> tuple[dict[str, np.ndarray], dict[str, list[np.ndarray]]]:
    """Gate histories of a dynamic_rnn and the same gates per step of a static_rnn (same weights)."""
    rng = np.random.RandomState(t_steps)
    xv = rng.randn(3, t_steps, 2).astype(np.float32)
    lens = np.array([t_steps, 1, max(1, t_steps - 1)], np.int32)
    dyn = gr.Graph()
    with dyn.as_default():
        x = gr.placeholder(gr.float32, [3, t_steps, 2])
        ln = gr.placeholder(gr.int32, [3])
        _, state = gr.nn.dynamic_rnn(gr.nn.rnn_cell.BasicLSTMCell(4), x, dtype=gr.float32,
                                     sequence_length=ln if seq else None)
        gates = gr.nn.rnn_gates(state)
    md = gr.RunMetadata()
    with gr.Session(graph=dyn) as sess:
        sess.run([n for n in dyn.nodes if n.op == "VarInit"])
        weights = dict(sess.variables)
        feed = {x: xv, ln: lens} if seq else {x: xv}
        sess.run(state, feed, options=gr.RunOptions(trace=list(gates.values())), run_metadata=md)
    hist = gr.nn.gate_histories(gates, md)
    stat = gr.Graph()
    with stat.as_default():
        x2 = gr.placeholder(gr.float32, [3, t_steps, 2])
        ln2 = gr.placeholder(gr.int32, [3])
        outs, _ = gr.nn.static_rnn(gr.nn.rnn_cell.BasicLSTMCell(4), gr.unstack(x2, t_steps, axis=1),
                                   dtype=gr.float32, sequence_length=ln2 if seq else None)
    splits = [n for n in stat.nodes if n.op == "Split"]
    # the state after each step: c is the carried (masked) Add_1 / Select; h is what static_rnn's
    # next step reads. Fetch the values the next step's cell reads, and the final state.
    with gr.Session(graph=stat) as sess:
        for k, v in weights.items():
            sess._ctx.variables[k] = v
        feed2 = {x2: xv, ln2: lens} if seq else {x2: xv}
        per_step = sess.run([[s.outputs[q] for q in range(4)] for s in splits], feed2)
        outputs = sess.run(outs, feed2)
    static = {name: [step[q] for step in per_step] for q, name in enumerate("ijfo")}
    static["outputs"] = outputs
    return hist, static


@settings(max_examples=4, deadline=None)
@given(t=st.integers(1, 5), seq=st.booleans())
def test_dynamic_rnn_gate_traces_equal_static_graph_steps(t: int, seq: bool) -> None:
    hist, static = _lstm_pair(t, seq)
    assert set(hist) == {"i", "j", "f", "o", "c", "h"}
    runs = hist["i"].shape[0]   # with sequence_length the loop stops after the longest sequence
    for name in "ijfo":
        np.testing.assert_allclose(hist[name], np.array(static[name][:runs]), rtol=1e-5, atol=1e-6)
    lens_max = runs
    for step in range(lens_max):
        # where a row is done, static_rnn outputs zeros and the carried h keeps its last value
        out = static["outputs"][step]
        live = np.any(out != 0, axis=1)
        np.testing.assert_allclose(hist["h"][step][live], out[live], rtol=1e-5, atol=1e-6)
