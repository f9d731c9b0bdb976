"""`gr.train.Saver` and the checkpoint functions: TF1's files in, TF1's files out, exact resumption."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.io.tensor_bundle import BundleReader

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "checkpoints")


def _tf_fixture_model(dtype):
    """The model tests/data/checkpoints/make_checkpoints.py trains in TF, built with graphrnn."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(dtype, [None, 3], name="x")
        y = gr.placeholder(dtype, [None, 1], name="y")
        h = gr.tanh(gr.layers.dense(x, 4))
        pred = gr.layers.dense(h, 1)
        loss = gr.reduce_mean(gr.square(pred - y))
        step = gr.train.get_or_create_global_step()
        train = gr.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        saver = gr.train.Saver()
    return g, x, y, train, saver


@pytest.mark.parametrize("tag,dtype,tol", [("adam_f32", gr.float32, 2e-6), ("adam_f64", gr.float64, 1e-12)])
def test_tensorflow_checkpoint_restores_and_training_continues_as_in_tf(tmp_path, tag, dtype, tol):
    ref = np.load(os.path.join(DATA, f"{tag}.npz"))
    folder = tmp_path / tag
    shutil.copytree(os.path.join(DATA, tag), folder)
    prefix = gr.train.latest_checkpoint(str(folder))
    assert prefix == os.path.join(str(folder), "model.ckpt-3")
    g, x, y, train, saver = _tf_fixture_model(dtype)
    names = {v.op.name for v in gr.global_variables(g)}
    assert names == {k[4:] for k in ref.files if k.startswith("var/")}  # slots, beta powers, global_step
    with gr.Session(graph=g) as sess:
        saver.restore(sess, prefix)
        for v in gr.global_variables(g):
            got, want = sess.run(v), ref["var/" + v.op.name]
            assert np.asarray(got).dtype == want.dtype, v.op.name  # beta powers stay float32 in f64 models
            np.testing.assert_array_equal(got, want)
        for _ in range(2):
            sess.run(train, {x: ref["x"], y: ref["y"]})
        for v in gr.global_variables(g):
            np.testing.assert_allclose(sess.run(v), ref["next/" + v.op.name], rtol=tol, atol=tol, err_msg=v.op.name)


def test_saved_checkpoint_is_what_tensorflow_would_read(tmp_path):
    """Writing back what was restored from TF's file gives TF's file, byte for byte."""
    g, *_, saver = _tf_fixture_model(gr.float32)
    src = os.path.join(DATA, "adam_f32", "model.ckpt-3")
    with gr.Session(graph=g) as sess:
        saver.restore(sess, src)
        out = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=3)
    assert out == str(tmp_path / "model.ckpt-3")
    for suffix in (".index", ".data-00000-of-00001"):
        with open(src + suffix, "rb") as f, open(out + suffix, "rb") as h:
            assert f.read() == h.read(), suffix
    with open(tmp_path / "checkpoint") as f:
        assert f.read().splitlines()[0] == f'model_checkpoint_path: "{out}"'


_RESUME = textwrap.dedent("""
    import sys
    import numpy as np
    import graphrnn as gr

    def build():
        g = gr.Graph()
        with g.as_default():
            gr.set_random_seed(5)
            x = gr.placeholder(gr.float32, [None, 4, 3], name="x")
            y = gr.placeholder(gr.int32, [None], name="y")
            out, state = gr.nn.dynamic_rnn(gr.nn.rnn_cell.LSTMCell(5), x, dtype=gr.float32)
            logits = gr.layers.dense(state.h, 3)
            loss = gr.reduce_mean(gr.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            step = gr.train.get_or_create_global_step()
            train = gr.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
        return g, x, y, train

    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 4, 3)).astype(np.float32)
    Y = rng.integers(0, 3, 6).astype(np.int32)
    mode, folder, out = sys.argv[1], sys.argv[2], sys.argv[3]
    g, x, y, train = build()
    with gr.Session(graph=g) as sess:
        saver = gr.train.Saver()
        if mode == "first":
            sess.run(gr.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: X, y: Y})
            saver.save(sess, folder + "/model.ckpt", global_step=gr.train.get_global_step(g))
        else:
            saver.restore(sess, gr.train.latest_checkpoint(folder))
        for _ in range(3):
            sess.run(train, {x: X, y: Y})
        np.savez(out, **{v.op.name: sess.run(v) for v in gr.global_variables(g)})
""")


def test_training_resumes_bit_for_bit_in_another_process(tmp_path):
    script = tmp_path / "resume.py"
    script.write_text(_RESUME)
    env = dict(os.environ, PYTHONHASHSEED="0")
    for mode in ("first", "second"):
        subprocess.run([sys.executable, str(script), mode, str(tmp_path), str(tmp_path / f"{mode}.npz")],
                       check=True, env=env, timeout=120)
    a, b = np.load(tmp_path / "first.npz"), np.load(tmp_path / "second.npz")
    assert sorted(a.files) == sorted(b.files) and "global_step" in a.files and "beta1_power" in a.files
    assert int(a["global_step"]) == 6
    for k in a.files:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k


def _small_graph():
    g = gr.Graph()
    with g.as_default():
        a = gr.get_variable("a", [2, 3], initializer=gr.ones_initializer())
        b = gr.get_variable("scope/b", [3], dtype=gr.float64, initializer=gr.zeros_initializer())
    return g, a, b


def test_max_to_keep_and_state_file(tmp_path):
    g, a, b = _small_graph()
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        saver = gr.train.Saver(max_to_keep=2)
        paths = [saver.save(sess, str(tmp_path / "m"), global_step=s) for s in (10, 20, 30, 40)]
    assert saver.last_checkpoints == paths[2:]
    assert not gr.train.checkpoint_exists(paths[0]) and not gr.train.checkpoint_exists(paths[1])
    assert all(gr.train.checkpoint_exists(p) for p in paths[2:])
    state = gr.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == paths[3] and state.all_model_checkpoint_paths == paths[2:]
    assert gr.train.latest_checkpoint(str(tmp_path)) == paths[3]
    assert gr.train.list_variables(str(tmp_path)) == [("a", [2, 3]), ("scope/b", [3])]
    np.testing.assert_array_equal(gr.train.load_variable(str(tmp_path), "a:0"), np.ones((2, 3), np.float32))
    reader = gr.train.load_checkpoint(paths[3])
    assert reader.has_tensor("scope/b") and reader.get_variable_to_dtype_map()["scope/b"] == gr.float64


def test_relative_folder_writes_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpt")
    g, *_ = _small_graph()
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        gr.train.Saver().save(sess, "ckpt/model", global_step=1)
    with open("ckpt/checkpoint") as f:
        assert f.read() == 'model_checkpoint_path: "model-1"\nall_model_checkpoint_paths: "model-1"\n'
    assert gr.train.latest_checkpoint("ckpt") == os.path.join("ckpt", "model-1")


def test_var_list_dict_renames_and_subsets(tmp_path):
    g, a, b = _small_graph()
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        path = gr.train.Saver({"renamed": a}).save(sess, str(tmp_path / "m"))
    assert BundleReader(path).names() == ["renamed"]


def test_restore_is_all_or_nothing_and_errors_are_clear(tmp_path):
    g, a, b = _small_graph()
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        only_a = gr.train.Saver([a]).save(sess, str(tmp_path / "only_a"))
        sess.run(a.assign(gr.fill([2, 3], 7.0)))
        # 'a' is present in the file, 'scope/b' is not: nothing may change
        with pytest.raises(gr.CheckpointError, match="scope/b not found"):
            gr.train.Saver().restore(sess, only_a)
        np.testing.assert_array_equal(sess.run(a), np.full((2, 3), 7.0))
        with pytest.raises(gr.CheckpointError, match="not a valid checkpoint"):
            gr.train.Saver().restore(sess, str(tmp_path / "nothing"))
        with pytest.raises(gr.CheckpointError, match="None"):
            gr.train.Saver().restore(sess, None)
        with pytest.raises(gr.CheckpointError, match="doesn't exist"):
            gr.train.Saver().save(sess, str(tmp_path / "no" / "such" / "dir" / "m"))
        with pytest.raises(gr.CheckpointError, match="Session"):
            gr.train.Saver().save("not a session", str(tmp_path / "m"))
        with pytest.raises(gr.CheckpointError, match="global_step"):
            gr.train.Saver().save(sess, str(tmp_path / "m"), global_step="ten")
    g2 = gr.Graph()
    with g2.as_default():
        a2 = gr.get_variable("a", [3, 2])
        with gr.Session(graph=g2) as sess:
            with pytest.raises(gr.CheckpointError, match="shape"):
                gr.train.Saver([a2]).restore(sess, only_a)
    g3 = gr.Graph()
    with g3.as_default():
        a3 = gr.get_variable("a", [2, 3], dtype=gr.float64)
        with gr.Session(graph=g3) as sess:
            with pytest.raises(gr.CheckpointError, match="float32"):
                gr.train.Saver([a3]).restore(sess, only_a)
            with pytest.raises(gr.CheckpointError, match="uninitialized"):
                gr.train.Saver([a3]).save(sess, str(tmp_path / "m"))


def test_saver_arguments_are_checked():
    g, a, b = _small_graph()
    with g.as_default():
        for kwargs in ({"var_list": [1]}, {"var_list": "a"}, {"max_to_keep": -1}, {"max_to_keep": 2.5},
                       {"keep_checkpoint_every_n_hours": 0}, {"sharded": True}, {"var_list": [a, a]}):
            with pytest.raises(gr.GraphError):
                gr.train.Saver(**kwargs)
    with gr.Graph().as_default(), pytest.raises(gr.CheckpointError, match="no variables"):
        gr.train.Saver()


def test_unreadable_state_file_is_ignored_with_a_warning(tmp_path):
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: oops\n")
    with pytest.warns(RuntimeWarning, match="ignored"):
        assert gr.train.get_checkpoint_state(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_bytes(b"\xff\xfe")
    with pytest.warns(RuntimeWarning):
        assert gr.train.latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone-1"\n')
    with pytest.warns(RuntimeWarning, match="couldn't find"):
        assert gr.train.latest_checkpoint(str(tmp_path)) is None
    assert gr.train.get_checkpoint_state(str(tmp_path / "empty")) is None


def test_state_file_escapes_round_trip(tmp_path):
    from graphrnn.train.checkpoint_state import CheckpointState, parse_text, to_text
    s = CheckpointState('we"ird\\näme\n', ['we"ird\\näme\n'])
    assert parse_text(to_text(s)) == s


def test_killed_training_leaves_a_restorable_latest_checkpoint():
    """SIGKILL at random moments of a save loop: the newest checkpoint named by the state file always
    restores with its step's values; an overwritten prefix is whole or a clean error."""
    from graphrnn.testing.durability import kill_during_save
    outcomes = kill_during_save(trials=2, kind="checkpoint", seed=3)
    assert set(outcomes) <= {"intact", "intact_same_prefix_refused"}, outcomes


def test_corrupted_checkpoints_never_give_wrong_values():
    from graphrnn.testing.durability import fuzz_checkpoint
    outcomes = fuzz_checkpoint(os.path.join(DATA, "adam_f64", "model.ckpt-3"), cases=200, seed=1)
    assert set(outcomes) <= {"clean_error", "unchanged"}, outcomes
    assert outcomes["clean_error"] >= 180
