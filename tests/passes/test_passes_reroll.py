"""``reroll``: unrolled steps become one While with the same numbers, a node count that does not
grow with T, gradients that still work, and reasons when it refuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.passes import optimize


def _run(g: gr.Graph, fetches: list[Any], feeds: dict[Any, np.ndarray], opt: Any) -> tuple[list[Any], dict]:
    with gr.Session(graph=g, optimize=opt) as sess:
        sess.run(gr.global_variables_initializer()) if False else None
        init = [n for n in g.nodes if n.op == "VarInit"]
        if init:
            sess.run(init)
        vals = sess.run(fetches, feeds)
        return list(vals), dict(sess._ctx.variables)


def _static_model(t_steps: int, cell_fn: Callable[[], Any], seq_len: bool = False, batch: int | None = 3
                  ) -> tuple[gr.Graph, list[Any], dict[Any, np.ndarray]]:
    g = gr.Graph()
    rng = np.random.RandomState(t_steps)
    with g.as_default():
        x = gr.placeholder(gr.float32, [batch, t_steps, 2], name="x")
        feeds: dict[Any, np.ndarray] = {x: rng.randn(3, t_steps, 2).astype(np.float32)}
        kw: dict[str, Any] = {}
        if seq_len:
            lens = gr.placeholder(gr.int32, [batch], name="lens")
            feeds[lens] = np.array([t_steps, 1, max(0, t_steps - 2)], np.int32)
            kw["sequence_length"] = lens
        outs, state = gr.nn.static_rnn(cell_fn(), gr.unstack(x, t_steps, axis=1), dtype=gr.float32, **kw)
    return g, [*outs, *gr.nest.flatten(state)], feeds


def _check_same(g: gr.Graph, fetches: list[Any], feeds: dict[Any, np.ndarray]) -> Any:
    ref, _ = _run(g, fetches, feeds, False)
    got, _ = _run(g, fetches, feeds, ["reroll"])
    for a, b in zip(ref, got):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    new, _, report = optimize(g, fetches, pipeline=["reroll"], feeds=list(feeds), verify=True)
    return new, report


def test_static_lstm_with_sequence_length_rerolls_to_one_while() -> None:
    g, fetches, feeds = _static_model(6, lambda: gr.nn.rnn_cell.BasicLSTMCell(4), seq_len=True)
    new, report = _check_same(g, fetches, feeds)
    assert [n.op for n in new.nodes].count("While") == 1
    assert report.fired("reroll") == 1
    assert "6 steps" in str(report)


def test_node_count_does_not_grow_with_steps() -> None:
    counts = []
    for t in (3, 9, 20):
        g, fetches, feeds = _static_model(t, lambda: gr.nn.rnn_cell.GRUCell(3), seq_len=True)
        new, _ = _check_same(g, fetches, feeds)
        counts.append(new.node_count(nested=True))
    assert counts[0] == counts[1] == counts[2]


def test_multi_layer_cells_reroll() -> None:
    g, fetches, feeds = _static_model(
        5, lambda: gr.nn.rnn_cell.MultiRNNCell([gr.nn.rnn_cell.BasicLSTMCell(3), gr.nn.rnn_cell.GRUCell(2)]))
    new, report = _check_same(g, fetches, feeds)
    assert report.fired("reroll") == 1
    assert sum(n.op == "While" for n in new.nodes) == 1


def test_bidirectional_pair_rerolls_both_directions() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 4, 3], name="x")
        outs, sf, sb = gr.nn.static_bidirectional_rnn(gr.nn.rnn_cell.GRUCell(3), gr.nn.rnn_cell.GRUCell(3),
                                                      gr.unstack(x, 4, axis=1), dtype=gr.float32)
    feeds = {x: np.random.RandomState(0).randn(2, 4, 3).astype(np.float32)}
    new, report = _check_same(g, [*outs, sf, sb], feeds)
    assert report.fired("reroll") == 2
    assert sum(n.op == "While" for n in new.nodes) == 2


def _ptb_loop(steps: int) -> tuple[gr.Graph, list[Any], dict[Any, np.ndarray]]:
    """TF1's PTB model: a Python loop calling the cell on ``inputs[:, t, :]`` with reuse_variables()."""
    g = gr.Graph()
    with g.as_default():
        ids = gr.placeholder(gr.int32, [2, steps], name="ids")
        emb = gr.get_variable("embedding", [10, 3])
        inputs = gr.nn.embedding_lookup(emb, ids)
        cell = gr.nn.rnn_cell.BasicLSTMCell(4)
        state = cell.zero_state(2, gr.float32)
        outputs = []
        with gr.variable_scope("RNN"):
            for t in range(steps):
                if t > 0:
                    gr.get_variable_scope().reuse_variables()
                out, state = cell(inputs[:, t, :], state)
                outputs.append(out)
        loss = gr.reduce_sum(gr.concat(outputs, 1) ** 2)
    feeds = {ids: np.random.RandomState(1).randint(0, 10, (2, steps)).astype(np.int32)}
    return g, [loss, state.c], feeds


def test_python_loop_with_reuse_variables_as_in_ptb() -> None:
    counts = []
    for steps in (4, 11):
        g, fetches, feeds = _ptb_loop(steps)
        new, report = _check_same(g, fetches, feeds)
        assert report.fired("reroll") == 1
        assert f"{steps} steps" in str(report)
        # the per-step slices inputs[:, t, :] became one transpose read row by row
        assert not any(n.op in ("StridedSlice", "Pack") for n in new.nodes)
        counts.append(new.node_count(nested=True))
    assert counts[0] == counts[1]


def test_gradients_taken_after_rerolling_match() -> None:
    g, fetches, feeds = _static_model(4, lambda: gr.nn.rnn_cell.BasicRNNCell(3), seq_len=True)
    with g.as_default():
        loss = gr.reduce_sum(gr.stack(fetches[:4]) ** 2)
        kernel = next(v for v in gr.trainable_variables() if "kernel" in v.name)
        (ref_grad,) = gr.gradients(loss, [kernel])
    (ref,), variables = _run(g, [ref_grad], feeds, False)
    new, mapping, report = optimize(g, [loss, kernel.value()], pipeline=["reroll"], feeds=list(feeds), verify=True)
    assert report.fired("reroll") == 1
    with new.as_default():
        (grad,) = gr.gradients(mapping[loss], [mapping[kernel.value()]])
    with gr.Session(graph=new, optimize=False) as sess:
        sess._ctx.variables.update(variables)
        got = sess.run(grad, {mapping[k]: v for k, v in feeds.items()})
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_refuses_when_steps_differ_and_says_why() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 3], name="x")
        w = gr.get_variable("w", [3, 3])
        h = x
        for t in range(4):
            h = gr.tanh(gr.matmul(h, w)) if t != 2 else gr.sigmoid(gr.matmul(h, w))
    new, _, report = optimize(g, [h], pipeline=["reroll"], feeds=[x], verify=True)
    assert report.fired("reroll") == 0
    reasons = [b.reason for rec in report.records for b in rec.blocked]
    assert any("steps differ" in r for r in reasons), reasons


def test_refuses_when_a_step_reads_an_older_step() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 3], name="x")
        w = gr.get_variable("w", [3, 3])
        hs = [x, x]
        for _ in range(4):
            hs.append(gr.tanh(gr.matmul(hs[-1], w)) + hs[-2])
    _, _, report = optimize(g, [hs[-1]], pipeline=["reroll"], feeds=[x], verify=True)
    reasons = [b.reason for rec in report.records for b in rec.blocked]
    assert report.fired("reroll") == 0
    assert any("another step's intermediate" in r for r in reasons), reasons


@settings(max_examples=8, deadline=None)
@given(t=st.integers(2, 7), seq=st.booleans(), batch_known=st.booleans())
def test_property_reroll_preserves_values(t: int, seq: bool, batch_known: bool) -> None:
    g, fetches, feeds = _static_model(t, lambda: gr.nn.rnn_cell.BasicLSTMCell(2), seq_len=seq,
                                      batch=3 if batch_known else None)
    _check_same(g, fetches, feeds)


def test_cli_show_static_with_reroll() -> None:
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-m", "graphrnn.cli", "show", "--mode", "static", "--steps", "6", "--units",
                        "3", "--input-size", "2", "--optimize", "--pipeline", "reroll"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "reroll:" in p.stdout and "6 steps" in p.stdout and "While[" in p.stdout


def test_passes_are_exported() -> None:
    assert gr.passes.reroll is not None and gr.passes.unroll is not None
    assert {"reroll", "unroll"} <= set(gr.passes.PASSES)
