"""FileWriter writes event files TensorBoard reads: read back here with our own TFRecord reader
(checksums checked) and tensorboardX's Event proto."""

import os
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as tf
from graphrnn.export.tensorboard_graph import to_graph_def
from graphrnn.summary import protos
from graphrnn.testing.event_files import event_files, read_events, read_records

pytest.importorskip("tensorboardX")


def _rnn_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, None, 3], name="x")
        cell = tf.nn.rnn_cell.BasicRNNCell(4)
        _, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(state), name="mse")
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("state", state)
        merged = tf.summary.merge_all()
    return g, x, merged


def test_summaries_and_graph_round_trip(tmp_path):
    g, x, merged = _rnn_graph()
    writer = tf.summary.FileWriter(str(tmp_path), g)
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: np.full((2, 5, 3), 0.1 * step, np.float32)}), step)
    writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="manual", simple_value=0.75)]), global_step=np.int64(9))
    writer.flush()
    writer.close()
    (path,) = event_files(str(tmp_path))
    assert os.path.basename(path).startswith("events.out.tfevents.")
    events = read_events(path)
    assert events[0].file_version == "brain.Event:2"
    assert events[1].HasField("graph_def")
    summaries = [e for e in events if e.HasField("summary")]
    assert [e.step for e in summaries] == [0, 1, 2, 9]
    assert all(e.wall_time > 1e9 for e in events)
    tags = [[v.tag for v in e.summary.value] for e in summaries]
    assert tags[:3] == [["loss", "state"]] * 3 and tags[3] == ["manual"]
    assert summaries[3].summary.value[0].simple_value == 0.75
    histo = summaries[1].summary.value[1].histo
    assert histo.num == 8.0 and sum(histo.bucket) == 8.0 and histo.min <= histo.max


def test_graph_def_nests_loop_bodies_and_references_real_nodes(tmp_path):
    g, _, _ = _rnn_graph()
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_graph(g)
    (path,) = event_files(str(tmp_path))
    (event,) = [e for e in read_events(path) if e.HasField("graph_def")]
    gd = tf.GraphDef()
    gd.ParseFromString(event.graph_def)
    names = [n.name for n in gd.node]
    assert len(names) == len(set(names))
    by_name = {n.name: n for n in gd.node}
    assert by_name["rnn/while"].op == "While"
    assert by_name["rnn/while/body/basic_rnn_cell/MatMul"].op == "MatMul"
    assert by_name["rnn/while/cond/Less"].op == "Less"
    assert by_name["x"].attr["dtype"].type == 1  # DT_FLOAT
    assert [d.size for d in by_name["x"].attr["_output_shapes"].list.shape[0].dim] == [-1, -1, 3]
    assert by_name["rnn/while/body/basic_rnn_cell/MatMul"].attr["_source"].s.decode().startswith(__file__ + ":")
    # Every input names a node of the GraphDef; the body's params are fed by the While's inputs.
    for n in gd.node:
        for i in n.input:
            assert i.lstrip("^").split(":")[0] in by_name, (n.name, i)
    args = [n for n in gd.node if n.op == "_Arg" and n.name.startswith("rnn/while/body/")]
    assert [a.input[0] for a in args] == list(by_name["rnn/while"].input[:len(args)])
    assert any(i.startswith("^rnn/while/body/_retval_") for i in by_name["rnn/while"].input)
    # The graph's own nodes are all there (the top level keeps its names).
    assert {n.name for n in g.get_operations()} <= set(names)


def test_graph_def_of_cond_and_control_dependencies():
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        a = tf.placeholder(tf.float32, [2], name="a")
        out = tf.cond(p, lambda: a * 2.0, lambda: a - 1.0, name="choose")
        with tf.control_dependencies([out]):
            tf.no_op(name="after")
    gd = to_graph_def(g)
    by_name = {n.name: n for n in gd.node}
    (if_name,) = [n.name for n in gd.node if n.op == "If"]
    branch_nodes = [n for n in gd.node if n.name.startswith(if_name + "/")]
    assert {n.name.split("/")[1] for n in branch_nodes} >= {"then_branch", "else_branch"}
    for n in gd.node:
        for i in n.input:
            assert i.lstrip("^").split(":")[0] in by_name, (n.name, i)
    assert f"^{if_name}" in by_name["after"].input
    args = [n for n in branch_nodes if n.op == "_Arg"]
    assert args and all(n.input[0] == "a" for n in args)  # the predicate is not a branch param
    with pytest.raises(tf.GraphError, match="top-level graph"):
        to_graph_def(g.get_operation_by_name(if_name).attrs["then_branch"])


def test_small_constants_carry_their_values():
    g = tf.Graph()
    with g.as_default():
        tf.constant([1.5, -2.0], name="small")
        tf.constant(np.arange(6, dtype=np.int64).reshape(2, 3), name="ints")
        tf.constant(np.ones(17, np.float32), name="big")
        tf.constant(np.array([1.0, 0.5], np.float16), name="half")
    by_name = {n.name: n for n in to_graph_def(g).node}
    small = by_name["small"].attr["value"].tensor
    assert list(small.float_val) == [1.5, -2.0] and [d.size for d in small.tensor_shape.dim] == [2]
    assert list(by_name["ints"].attr["value"].tensor.int64_val) == [0, 1, 2, 3, 4, 5]
    assert "value" not in by_name["big"].attr and by_name["big"].attr["dtype"].type == 1
    assert list(by_name["half"].attr["value"].tensor.half_val) == [0x3C00, 0x3800]


def test_closed_writer_is_a_logged_noop_and_reopen_starts_a_new_file(tmp_path, caplog):
    w = tf.summary.FileWriter(str(tmp_path), filename_suffix=".a")
    w.close()
    size = os.path.getsize(w.path)
    with caplog.at_level("WARNING", logger="graphrnn"):
        w.add_summary(tf.Summary(value=[tf.Summary.Value(tag="t", simple_value=1.0)]), 1)
    assert os.path.getsize(w.path) == size
    assert "closed FileWriter" in caplog.text
    first = w.path
    w.reopen()
    w.add_session_log(tf.SessionLog(status=tf.SessionLog.START), 0)
    w.close()
    assert w.path != first and len(event_files(str(tmp_path))) == 2
    assert read_events(w.path)[1].session_log.status == tf.SessionLog.START


def test_two_writers_in_one_second_do_not_clobber(tmp_path):
    a = tf.summary.FileWriter(str(tmp_path))
    b = tf.summary.FileWriter(str(tmp_path))
    a.add_summary(tf.Summary(value=[tf.Summary.Value(tag="a", simple_value=1.0)]))
    b.add_summary(tf.Summary(value=[tf.Summary.Value(tag="b", simple_value=2.0)]))
    a.close()
    b.close()
    files = event_files(str(tmp_path))
    assert len(files) == 2
    assert sorted(len(read_records(f)) for f in files) == [2, 2]


def test_flush_policy_max_queue(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path), max_queue=2, flush_secs=3600)
    s = tf.Summary(value=[tf.Summary.Value(tag="t", simple_value=1.0)])
    w.add_summary(s, 1)
    w.add_summary(s, 2)  # the second pending event flushes
    assert len(read_records(w.path)) == 3
    w.close()


def test_writer_errors(tmp_path):
    g, x, merged = _rnn_graph()
    w = tf.summary.FileWriter(str(tmp_path))
    with pytest.raises(tf.summary.SummaryWriterError, match="run it first"):
        w.add_summary(merged)
    with pytest.raises(tf.summary.SummaryWriterError, match="not a serialized Summary"):
        w.add_summary(b"\x0a\xff\x01")
    with pytest.raises(tf.summary.SummaryWriterError, match="global_step must be an integer"):
        w.add_summary(tf.Summary(), 2.5)
    with pytest.raises(tf.summary.SummaryWriterError, match="not both"):
        w.add_graph(g, graph_def=tf.GraphDef())
    with pytest.raises(tf.summary.SummaryWriterError, match="takes a gr.Graph"):
        w.add_graph("graph")
    w.close()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(tf.summary.SummaryWriterError, match="cannot create an event file"):
        tf.summary.FileWriter(str(blocker / "sub"))


def test_without_tensorboardx_summaries_are_empty_with_one_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(protos, "_loaded", None)
    monkeypatch.setattr(protos, "_missing", True)
    monkeypatch.setattr(protos, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = tf.Graph()
        with g.as_default():
            s = tf.summary.scalar("loss", tf.constant(1.0))
            h = tf.summary.histogram("h", tf.constant([1.0, 2.0]))
            m = tf.summary.merge_all()
        w = tf.summary.FileWriter(str(tmp_path / "logs"), g)
        with tf.Session(graph=g) as sess:
            assert sess.run([s, h, m]) == [b"", b"", b""]
            w.add_summary(sess.run(m), 1)
        w.flush()
        w.close()
    disabled = [c for c in caught if issubclass(c.category, tf.summary.SummariesDisabledWarning)]
    assert len(disabled) == 1 and "graphrnn[tensorboard]" in str(disabled[0].message)
    assert disabled[0].filename == __file__
    assert not os.path.exists(tmp_path / "logs")
    with pytest.raises(tf.GraphError, match="needs tensorboardX"):
        tf.Summary()
    assert not hasattr(tf.Summary, "Value")


def test_summary_file_is_readable_while_written(tmp_path):
    """TensorBoard tails the file during training: every flushed prefix is whole records."""
    w = tf.summary.FileWriter(str(tmp_path), max_queue=1)
    for step in range(5):
        w.add_summary(tf.Summary(value=[tf.Summary.Value(tag="t", simple_value=float(step))]), step)
        assert len(read_records(w.path)) == step + 2
    w.close()
    assert time.time() - os.path.getmtime(w.path) < 60


def test_file_writer_cache_shares_one_writer_per_logdir(tmp_path):
    g, _, _ = _rnn_graph()
    with g.as_default():
        a = tf.summary.FileWriterCache.get(str(tmp_path))
        assert tf.summary.FileWriterCache.get(str(tmp_path)) is a
    tf.summary.FileWriterCache.clear()
    (path,) = event_files(str(tmp_path))
    assert any(e.HasField("graph_def") for e in read_events(path))  # the default graph was written
    assert tf.summary.FileWriterCache.get(str(tmp_path / "other")) is not a
    tf.summary.FileWriterCache.clear()


def test_a_broken_tensorboardx_install_warns_once_when_summaries_run(tmp_path, monkeypatch):
    """tensorboardX is found but cannot be imported: nothing is said at build time, one warning at run."""
    import sys
    monkeypatch.setattr(protos, "_loaded", None)
    monkeypatch.setattr(protos, "_missing", False)
    monkeypatch.setattr(protos, "_warned", False)
    monkeypatch.setitem(sys.modules, "tensorboardX.proto.summary_pb2", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = tf.Graph()
        with g.as_default():
            s = tf.summary.scalar("loss", tf.constant(1.0))
        assert not caught
        with tf.Session(graph=g) as sess:
            assert sess.run(s) == b""
        w = tf.summary.FileWriter(str(tmp_path / "logs"))
        w.add_summary(b"")
        w.close()
    assert [c.category for c in caught] == [tf.summary.SummariesDisabledWarning]
    assert not os.path.exists(tmp_path / "logs")


@pytest.mark.parametrize("kwargs,match", [({"logdir": None}, "logdir must be a path"),
                                          ({"max_queue": 0}, "max_queue"), ({"flush_secs": "soon"}, "flush_secs"),
                                          ({"filename_suffix": 3}, "filename_suffix")])
def test_writer_arguments_are_checked(tmp_path, kwargs, match):
    args = {"logdir": str(tmp_path), **kwargs}
    with pytest.raises(tf.summary.SummaryWriterError, match=match):
        tf.summary.FileWriter(**args)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="abc/_-.xyz", min_size=1, max_size=12),
                          st.floats(allow_nan=False, width=32), st.integers(0, 2**40)), max_size=8))
def test_any_scalars_round_trip_through_the_event_file(tmp_path_factory, items):
    logdir = str(tmp_path_factory.mktemp("ev"))
    with tf.summary.FileWriter(logdir, max_queue=3) as w:
        for tag, value, step in items:
            w.add_summary(tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)]), step)
    (path,) = event_files(logdir)
    got = [(e.summary.value[0].tag, e.summary.value[0].simple_value, e.step) for e in read_events(path)[1:]]
    assert got == items
