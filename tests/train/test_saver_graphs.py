"""A Saver used with a Session of another graph is a `CheckpointError` (TF1 runs the Saver's own ops
in the Session, which fails there), not a save or restore of that graph's same-named variables; and
saves from several threads keep the ``checkpoint`` state file naming only checkpoints that exist."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.ir.errors import CheckpointError


def test_saver_of_another_graph_is_refused(tmp_path) -> None:
    g1, g2 = gr.Graph(), gr.Graph()
    with g1.as_default():
        gr.Variable(np.ones((2,), np.float32), name="a")
        saver = gr.train.Saver()
        s1 = gr.Session()
        s1.run(gr.global_variables_initializer())
        prefix = saver.save(s1, str(tmp_path / "m"))
    with g2.as_default():
        other = gr.Variable(np.zeros((3,), np.float32), name="a")  # same name, other shape
        s2 = gr.Session()
        s2.run(gr.global_variables_initializer())
    with pytest.raises(CheckpointError, match="not in this Session's graph"):
        saver.save(s2, str(tmp_path / "other"))
    with pytest.raises(CheckpointError, match="not in this Session's graph"):
        saver.restore(s2, prefix)
    np.testing.assert_array_equal(s2.run(other), np.zeros(3))
    assert not (tmp_path / "other.index").exists()


def test_concurrent_saves_keep_the_state_file_consistent(tmp_path, monkeypatch) -> None:
    import graphrnn.train.saver as saver_module
    write_state = saver_module.update_checkpoint_state

    delays = iter(np.random.default_rng(0).uniform(0, 0.004, 1000))

    named_missing: list[str] = []

    def slow_write_state(save_dir, latest, all_paths, **kwargs):  # threads interleave here, shuffled
        time.sleep(next(delays))
        named_missing.extend(p for p in all_paths if not gr.train.checkpoint_exists(p))
        return write_state(save_dir, latest, all_paths, **kwargs)
    monkeypatch.setattr(saver_module, "update_checkpoint_state", slow_write_state)
    g = gr.Graph()
    with g.as_default():
        gr.Variable(np.ones((20, 20), np.float32), name="v")
        sess = gr.Session()
        sess.run(gr.global_variables_initializer())
        saver = gr.train.Saver(max_to_keep=2)
        errors: list[BaseException] = []

        def saves(thread: int) -> None:
            try:
                for i in range(10):
                    saver.save(sess, str(tmp_path / "m"), global_step=thread * 100 + i)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
        threads = [threading.Thread(target=saves, args=(t,)) for t in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert named_missing == []  # no state file written named a checkpoint already deleted
    state = gr.train.get_checkpoint_state(str(tmp_path))
    assert state is not None and len(state.all_model_checkpoint_paths) == 2
    assert all(gr.train.checkpoint_exists(p) for p in state.all_model_checkpoint_paths)
    assert state.model_checkpoint_path == state.all_model_checkpoint_paths[-1]
    assert [os.path.join(str(tmp_path), os.path.basename(p)) for p in saver.last_checkpoints] == \
        state.all_model_checkpoint_paths
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".index")) == \
        sorted(os.path.basename(p) + ".index" for p in state.all_model_checkpoint_paths)
