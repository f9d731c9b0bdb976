"""gr.ConfigProto and friends: TF1's fields and defaults, strict checking, what a Session does with them."""

from __future__ import annotations

import json
import os
import sys
import warnings

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.backends.numpy import blas_threads
from graphrnn.config import ConfigError, Message
from graphrnn.session import SessionError

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "data", "config", "tf1_messages.json")) as _f:
    TF = json.load(_f)  # written by tests/data/config/make_config.py from TensorFlow's own messages

# Fields TensorFlow added after 1.15 (the fixture comes from a newer TensorFlow).
AFTER_TF1 = {"pluggable_device_options", "share_cluster_devices_in_session", "session_metadata", "cpu_global_jit"}
# graphrnn's own fields beside TF1's (loop-value tracing, graphrnn.passes.trace).
GRAPHRNN_ONLY = {"RunOptions": {"trace"}, "RunMetadata": {"traces"}}
MESSAGES = {name: getattr(gr, name) for name in
            ("ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunOptions", "RunMetadata")}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_fields_defaults_and_enums_are_tf1s(name: str) -> None:
    cls, ref = MESSAGES[name], TF[name]
    assert set(cls.FIELDS) - GRAPHRNN_ONLY.get(name, set()) == set(ref["fields"]) - AFTER_TF1
    msg = cls()
    for field, spec in ref["fields"].items():
        if "default" in spec and field in cls.FIELDS:
            got = getattr(msg, field)
            assert got == spec["default"] and type(got) is type(spec["default"]), field
    for const, value in ref["enums"].items():
        assert getattr(cls, const) == value


def test_typical_tf1_configs() -> None:
    config = gr.ConfigProto(allow_soft_placement=True, log_device_placement=False, device_count={"GPU": 0},
                            intra_op_parallelism_threads=1, inter_op_parallelism_threads=2,
                            gpu_options=gr.GPUOptions(per_process_gpu_memory_fraction=0.4))
    config.gpu_options.allow_growth = True  # nested messages exist from the start, as in protobuf
    config.device_count["CPU"] = 1
    config.graph_options.optimizer_options.opt_level = gr.OptimizerOptions.L0
    assert config.gpu_options.allow_growth and config.gpu_options.per_process_gpu_memory_fraction == 0.4
    assert config.device_count == {"GPU": 0, "CPU": 1}
    assert gr.ConfigProto().gpu_options is not gr.ConfigProto().gpu_options
    copy = gr.ConfigProto()
    copy.CopyFrom(config)
    assert copy == config and copy.gpu_options is not config.gpu_options
    copy.gpu_options.allow_growth = False
    assert copy != config
    text = str(config)
    assert "allow_soft_placement: true" in text and "allow_growth: true" in text and "opt_level: -1" in text
    assert "log_device_placement" not in text  # defaults are not shown, as in protobuf's text format
    assert str(gr.ConfigProto()) == ""


@pytest.mark.parametrize("make", [
    lambda: gr.ConfigProto(intra_op_threads=1),
    lambda: gr.ConfigProto(intra_op_parallelism_threads=1.5),
    lambda: gr.ConfigProto(intra_op_parallelism_threads="2"),
    lambda: gr.ConfigProto(allow_soft_placement="yes"),
    lambda: gr.ConfigProto(device_count=["GPU"]),
    lambda: gr.ConfigProto(device_count={"GPU": 0.5}),
    lambda: gr.ConfigProto(gpu_options={"allow_growth": True}),
    lambda: gr.ConfigProto(device_filters="/job:ps"),
    lambda: gr.GPUOptions(per_process_gpu_memory_fraction="half"),
    lambda: gr.GPUOptions(visible_device_list=0),
    lambda: gr.RunOptions(trace_level=7),
    lambda: gr.OptimizerOptions(opt_level=True),
])
def test_bad_fields_are_refused_at_once(make) -> None:
    with pytest.raises(ConfigError) as err:
        make()
    assert isinstance(err.value, gr.GraphError) and err.value.fix
    assert isinstance(err.value, ValueError) and isinstance(err.value, TypeError)  # what TF1 raises varies


def test_enum_fields_take_names_and_values() -> None:
    assert gr.RunOptions(trace_level="FULL_TRACE").trace_level == gr.RunOptions.FULL_TRACE == 3
    config = gr.ConfigProto()
    with pytest.raises(ConfigError):
        config.no_such_field = 1
    assert isinstance(config, Message)


def test_session_records_its_config_and_checks_types() -> None:
    config = gr.ConfigProto(allow_soft_placement=True)
    g = gr.Graph()
    with g.as_default():
        y = gr.constant(2.0) * 3.0
    with gr.Session(graph=g, config=config) as sess:
        assert sess.config is config
        opts, meta = gr.RunOptions(trace_level=gr.RunOptions.FULL_TRACE), gr.RunMetadata()
        assert sess.run(y, options=opts, run_metadata=meta) == 6.0
        with pytest.raises(SessionError):
            sess.run(y, options={"trace_level": 3})
        with pytest.raises(SessionError):
            sess.run(y, run_metadata=gr.RunOptions())
    with pytest.raises(SessionError) as err:
        gr.Session(graph=g, config={"allow_soft_placement": True})
    assert "ConfigProto" in str(err.value)


def test_log_device_placement_prints_each_compiled_node(capsys: pytest.CaptureFixture[str]) -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [], name="x")
        y = gr.multiply(x, 2.0, name="y")
    with gr.Session(graph=g, config=gr.ConfigProto(log_device_placement=True), optimize=False) as sess:
        sess.run(y, {x: 1.0})
        sess.run(y, {x: 2.0})  # the cached plan is not logged again
    err = capsys.readouterr().err
    assert err.count("y: (Mul): /job:localhost/replica:0/task:0/device:CPU:0") == 1


needs_blas = pytest.mark.skipif(not blas_threads.blas_thread_counts(), reason="threadpoolctl finds no BLAS library")


@needs_blas
def test_blas_cap_takes_the_smallest_active_cap_and_restores() -> None:
    own = blas_threads.blas_thread_counts()
    with blas_threads.blas_thread_cap(2):
        assert blas_threads.current_cap() == 2
        with blas_threads.blas_thread_cap(1):
            assert blas_threads.blas_thread_counts() == [1] * len(own)
        assert blas_threads.blas_thread_counts() == [2] * len(own)
    assert blas_threads.current_cap() is None and blas_threads.blas_thread_counts() == own


@needs_blas
def test_intra_op_threads_cap_blas_during_the_sessions_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int | None] = []
    real = blas_threads._apply
    monkeypatch.setattr(blas_threads, "_apply", lambda cap: (seen.append(cap), real(cap)))
    g = gr.Graph()
    with g.as_default():
        a = gr.constant(np.ones((8, 8), np.float32))
        y = gr.reduce_sum(gr.matmul(a, a))
    with gr.Session(graph=g, config=gr.ConfigProto(intra_op_parallelism_threads=1)) as sess:
        assert sess.run(y) == 512.0
    with gr.Session(graph=g) as sess:  # no cap asked for: BLAS is left alone
        sess.run(y)
    assert seen == [1, None]


def test_without_threadpoolctl_a_warning_once_and_no_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # makes the import fail
    monkeypatch.setattr(blas_threads, "_libs", None)
    monkeypatch.setattr(blas_threads, "_warned", False)
    g = gr.Graph()
    with g.as_default():
        y = gr.constant(1.0) + 1.0
    with pytest.warns(RuntimeWarning, match="threadpoolctl"):
        with gr.Session(graph=g, config=gr.ConfigProto(intra_op_parallelism_threads=1)) as sess:
            assert sess.run(y) == 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with gr.Session(graph=g, config=gr.ConfigProto(intra_op_parallelism_threads=1)) as sess:
            assert sess.run(y) == 2.0
    monkeypatch.setattr(blas_threads, "_libs", None)  # let later tests find the real libraries


def test_a_traced_run_fills_step_stats_with_every_node_of_its_plan() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [3], name="x")
        _, h = gr.while_loop(lambda i, h: i < 4, lambda i, h: (i + 1, gr.tanh(h)), [0, x], name="loop")
        y = gr.reduce_sum(h, name="y")
    feed = {x: np.ones(3, np.float32)}
    with gr.Session(graph=g, optimize=False) as sess:
        plain = gr.RunMetadata()
        sess.run(y, feed, run_metadata=plain)  # no trace asked for: nothing collected
        assert plain.step_stats == gr.RunMetadata().step_stats
        meta = gr.RunMetadata()
        value = sess.run(y, feed, options=gr.RunOptions(trace_level=gr.RunOptions.FULL_TRACE), run_metadata=meta)
        assert value == sess.run(y, feed)
        (dev,) = meta.step_stats.dev_stats
        assert dev.device == "/job:localhost/replica:0/task:0/device:CPU:0"
        plan = sess.plan_for(y, [x])
        assert [s.node_name for s in dev.node_stats] == [n.name for n in plan.nodes]
        starts = [s.all_start_nanos for s in dev.node_stats]
        assert starts == sorted(starts) and all(s.all_end_rel_nanos >= 0 for s in dev.node_stats)
        loop = next(s for s in dev.node_stats if s.node_name == "loop")
        assert loop.timeline_label.startswith("loop = While(")
        # the traced plan is cached next to the plain one, and a traced run without metadata is plain
        sess.run(y, feed, options=gr.RunOptions(trace_level=gr.RunOptions.SOFTWARE_TRACE))
        assert sess.plan_cache_info().misses == 2
