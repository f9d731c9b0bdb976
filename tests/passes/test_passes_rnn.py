"""Passes on RNN graphs from `gr.nn`: the issue's acceptance checks, TF's numbers, every configuration."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import graphrnn as gr
from graphrnn import nest
from graphrnn.nn import rnn_cell
from graphrnn.passes import DEFAULT_PIPELINE, optimize
from graphrnn.testing.random_graphs import assert_pass_preserves, body_node_count, run_graph
from graphrnn.testing.tf_cases import build_case, case_ids, load_case

HOIST = ["hoist-input-projection", *DEFAULT_PIPELINE]
ALL_SINGLE = [["simplify"], ["fold"], ["transpose-elim"], ["matmul-layout"], ["cse"], ["licm"], ["dce"],
              ["hoist-input-projection"],
              ["hoist-input-projection-auto"]]


def _transposes(g: gr.Graph) -> int:
    return sum(1 for n in g.walk() if n.op == "Transpose")


def _rnn(kind: str, units: int = 8, depth: int = 5, seq: bool = False) -> tuple[gr.Graph, list[Any], dict]:
    """A dynamic_rnn graph of the given ``kind`` with small random weights loaded as Const-free variables."""
    g = gr.Graph()
    g.seed = 3
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, (3, 4, depth)).astype(np.float32)
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, None, depth], name="x")
        feeds: dict[Any, np.ndarray] = {x: xs}
        lengths = None
        if seq:
            lengths = gr.placeholder(gr.int32, [None], name="len")
            feeds[lengths] = np.array([4, 0, 2], np.int32)
        cell = rnn_cell.LSTMCell(units)
        if kind == "batch":
            out, st = gr.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=gr.float32)
            fetches = [out, st]
        elif kind == "time":
            feeds[x] = xs.transpose(1, 0, 2).copy()
            out, st = gr.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=gr.float32, time_major=True)
            fetches = [out, st]
        elif kind == "time_fed_transposed":
            out, st = gr.nn.dynamic_rnn(cell, gr.transpose(x, [1, 0, 2]), sequence_length=lengths,
                                        dtype=gr.float32, time_major=True)
            fetches = [gr.transpose(out, [1, 0, 2]), st]
        elif kind == "last_output":
            out, st = gr.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=gr.float32)
            fetches = [gr.transpose(out, [1, 0, 2])[-1]]
        else:
            raise ValueError(kind)
    return g, nest.flatten(fetches), feeds


def _variables(g: gr.Graph) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {v.op.attrs["var_name"]: rng.uniform(-0.5, 0.5, tuple(v.shape)).astype(np.float32)
            for v in g.get_collection("variables")}


@pytest.mark.parametrize("kind", ["batch", "time_fed_transposed", "last_output"])
@pytest.mark.parametrize("seq", [False, True])
def test_no_transpose_survives_the_default_pipeline(kind: str, seq: bool) -> None:
    g, fetches, feeds = _rnn(kind, seq=seq)
    assert _transposes(g) >= 1
    new, report = assert_pass_preserves(g, fetches, feeds, "default", _variables(g))
    assert _transposes(new) == 0, str(report)
    assert report.surviving_transposes == []


@pytest.mark.parametrize("seq", [False, True])
def test_batch_major_matches_time_major_node_count(seq: bool) -> None:
    gb, fb, _ = _rnn("batch", seq=seq)
    gt, ft, _ = _rnn("time", seq=seq)
    nb = optimize(gb, fb, feeds=[gb.get_operation_by_name("x").outputs[0]], verify=True)[0].node_count()
    nt = optimize(gt, ft, feeds=[gt.get_operation_by_name("x").outputs[0]], verify=True)[0].node_count()
    assert abs(nb - nt) <= 2, (nb, nt)


def test_batch_major_loop_reads_and_writes_along_axis_1() -> None:
    g, fetches, feeds = _rnn("batch")
    new, _, report = optimize(g, fetches, feeds=list(feeds), verify=True)
    body = next(n for n in new.walk() if n.op == "While").attrs["body"]
    assert {n.attrs["axis"] for n in body.nodes if n.op in ("TensorArrayRead", "TensorArrayWrite")} == {1}
    assert report.fired("sink_captured_transpose") == 1 and report.fired("relayout_loop_buffer") == 1


def test_blocked_loop_rewrite_is_explained() -> None:
    """A loop output read by something other than a transpose keeps its layout, and the report says why."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, None, 5], name="x")
        out, _ = gr.nn.dynamic_rnn(rnn_cell.BasicRNNCell(4), x, dtype=gr.float32)
        total = gr.reduce_sum(out) + gr.reduce_sum(gr.transpose(out, [1, 0, 2]) * 0.0)
        tm = gr.transpose(out, [1, 0, 2])
        prod = tm * tm[0]
    for fetch in (total, prod):
        new, _, report = optimize(g, [fetch, out], feeds=[x], verify=True)
        assert _transposes(new) >= 1
        assert all(b.reason for b in report.surviving_transposes) and report.surviving_transposes


def test_hoist_input_projection_leaves_only_recurrent_matmuls() -> None:
    g, fetches, feeds = _rnn("batch", units=8, depth=5)
    new, report = assert_pass_preserves(g, fetches, feeds, HOIST, _variables(g), per_iteration=False)
    body = next(n for n in new.walk() if n.op == "While").attrs["body"]
    mms = [n for n in body.walk() if n.op in ("MatMul", "BatchMatMulV2")]
    assert mms and all(n.inputs[0].type.shape[-1] == 8 for n in mms)
    assert report.fired("hoist_read_matmul") == 1
    assert any(n.op == "BatchMatMulV2" for n in new.nodes) and _transposes(new) == 0


@pytest.mark.parametrize("depth,hoisted", [(5, False), (40, True)])
def test_default_pipeline_hoists_wide_inputs_only(depth: int, hoisted: bool) -> None:
    """The cost model: hoist x_t @ W_x ([B, I] @ [I, 4H]) in the default pipeline only when I >= 4H."""
    g, fetches, feeds = _rnn("batch", units=8, depth=depth)
    new, report = assert_pass_preserves(g, fetches, feeds, "default", _variables(g))
    assert (report.fired("hoist_read_matmul") == 1) == hoisted
    body = next(n for n in new.walk() if n.op == "While").attrs["body"]
    assert all(n.inputs[0].type.shape[-1] == 8 for n in body.nodes if n.op == "MatMul") == hoisted


def test_hoist_batches_static_rnn_matmuls() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 6, 5], name="x")
        outs, st = gr.nn.static_rnn(rnn_cell.BasicLSTMCell(8), gr.unstack(x, axis=1), dtype=gr.float32)
    feeds = {x: np.random.default_rng(2).uniform(-1, 1, (3, 6, 5)).astype(np.float32)}
    new, report = assert_pass_preserves(g, [*outs, st.c], feeds, HOIST, _variables(g))
    assert sum(1 for n in new.nodes if n.op == "BatchMatMulV2") == 1
    assert report.fired("batch_unstacked_matmul") == 6
    assert all(n.inputs[0].type.shape[-1] == 8 for n in new.nodes if n.op == "MatMul")


def test_default_pipeline_shrinks_static_rnn() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 10, 5], name="x")
        outs, st = gr.nn.static_rnn(rnn_cell.LSTMCell(8, use_peepholes=True), gr.unstack(x, axis=1),
                                    dtype=gr.float32)
    feeds = {x: np.random.default_rng(2).uniform(-1, 1, (3, 10, 5)).astype(np.float32)}
    new, report = assert_pass_preserves(g, [outs[-1], st.c], feeds, "default", _variables(g))
    # One forget-bias constant per step and the duplicated zero-state subgraph merge (CSE).
    assert new.node_count() <= g.node_count() - 15, str(report)
    assert report.fired("merge_common_subexpression") >= 9


CONFIGS = {
    "gru_seq": lambda: rnn_cell.GRUCell(6),
    "basic_rnn": lambda: rnn_cell.BasicRNNCell(6),
    "lstm_peep_proj": lambda: rnn_cell.LSTMCell(6, use_peepholes=True, num_proj=4, cell_clip=1.0),
    "multi": lambda: rnn_cell.MultiRNNCell([rnn_cell.LSTMCell(5), rnn_cell.GRUCell(4)]),
    "dropout_keep1": lambda: rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(5), output_keep_prob=1.0),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("driver", ["dynamic", "dynamic_time_major", "bidirectional", "static"])
def test_rnn_configurations_are_preserved(name: str, driver: str) -> None:
    g = gr.Graph()
    rng = np.random.default_rng(4)
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 4, 3], name="x")
        lengths = gr.placeholder(gr.int32, [None], name="len")
        feeds = {x: rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32), lengths: np.array([3, 4], np.int32)}
        if driver == "dynamic":
            out, st = gr.nn.dynamic_rnn(CONFIGS[name](), x, sequence_length=lengths, dtype=gr.float32)
        elif driver == "dynamic_time_major":
            out, st = gr.nn.dynamic_rnn(CONFIGS[name](), gr.transpose(x, [1, 0, 2]), dtype=gr.float32,
                                        time_major=True)
        elif driver == "bidirectional":
            out, st = gr.nn.bidirectional_dynamic_rnn(CONFIGS[name](), CONFIGS[name](), x, sequence_length=lengths,
                                                      dtype=gr.float32)
        else:
            out, st = gr.nn.static_rnn(CONFIGS[name](), gr.unstack(x, axis=1), sequence_length=lengths,
                                       dtype=gr.float32)
    fetches = nest.flatten([out, st])
    vs = _variables(g)
    for pipeline in ("default", HOIST):
        assert_pass_preserves(g, fetches, feeds, pipeline, vs, per_iteration=pipeline == "default")


@pytest.mark.parametrize("pipeline", ALL_SINGLE, ids=lambda p: p[0])
def test_each_pass_on_a_batch_major_lstm(pipeline: list[str]) -> None:
    g, fetches, feeds = _rnn("batch", seq=True)
    assert_pass_preserves(g, fetches, feeds, pipeline, _variables(g),
                          per_iteration=pipeline != ["hoist-input-projection"])


@pytest.mark.parametrize("case_id", case_ids())
def test_tf_reference_numbers_after_optimization(case_id: str) -> None:
    case = load_case(case_id)
    cg = build_case(case, static_shapes=False)
    want = case.section("out")
    tol = case.tolerance
    for spec in (True, HOIST):
        with gr.Session(graph=cg.graph, optimize=spec) as sess:
            cg.load_variables(sess)
            got = sess.run(cg.outputs, cg.feed)
        for key, value in got.items():
            np.testing.assert_allclose(value, want[key], rtol=tol.get("rtol", 1e-6), atol=tol.get("atol", 1e-6),
                                       err_msg=f"{case_id} {key} with optimize={spec}")


def test_loops_do_no_more_work_per_iteration_after_default() -> None:
    g, fetches, feeds = _rnn("batch", seq=True)
    new, _, _ = optimize(g, fetches, feeds=list(feeds), verify=True)
    assert body_node_count(new) <= body_node_count(g)
    a = run_graph(g, fetches, feeds, False, _variables(g))
    b = run_graph(g, fetches, feeds, True, _variables(g))
    for u, v in zip(a, b):
        np.testing.assert_allclose(v, u, rtol=1e-5, atol=1e-6)
