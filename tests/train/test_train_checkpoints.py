"""`graphrnn train --save/--resume`: an interrupted and resumed run ends where an uninterrupted one does."""

from __future__ import annotations

import argparse
import io
import os

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.apps import train as app

pytest.importorskip("sklearn")


def _args(**kw: object) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    app.add_train_arguments(p)
    ns = p.parse_args([])
    ns.quiet, ns.hidden = True, 8
    for k, v in kw.items():
        setattr(ns, k, v)
    return ns


def test_resumed_run_equals_uninterrupted_run_bit_for_bit(tmp_path):
    _, straight = app.train(_args(epochs=2, save=str(tmp_path / "a")), out=io.StringIO())
    app.train(_args(epochs=1, save=str(tmp_path / "b")), out=io.StringIO())
    log = io.StringIO()
    _, resumed = app.train(_args(epochs=2, resume=str(tmp_path / "b")), out=log)
    assert "resumed from" in log.getvalue()
    assert sorted(straight) == sorted(resumed)
    for k in straight:
        assert np.array_equal(straight[k], resumed[k]), k
    # one checkpoint per epoch; the resumed run kept saving into its folder
    names = sorted(p for p in os.listdir(tmp_path / "b") if p.endswith(".index"))
    assert len(names) == 2
    assert gr.train.latest_checkpoint(str(tmp_path / "b")) == gr.train.latest_checkpoint(str(tmp_path / "a")).replace(
        os.sep + "a" + os.sep, os.sep + "b" + os.sep)


def test_ctrl_c_saves_a_checkpoint_and_exits_130(tmp_path, monkeypatch, capsys):
    calls = {"n": 0}
    real_run = gr.Session.run

    def run(self, fetches, *a, **kw):
        if isinstance(fetches, list) and len(fetches) == 3:  # a training step
            calls["n"] += 1
            if calls["n"] == 6:
                raise KeyboardInterrupt
        return real_run(self, fetches, *a, **kw)

    monkeypatch.setattr(gr.Session, "run", run)
    assert app.run_train(_args(epochs=3, save=str(tmp_path))) == 130
    err = capsys.readouterr().err
    assert "interrupted at step 5" in err and "model.ckpt-5" in err
    assert int(gr.train.load_variable(str(tmp_path), "global_step")) == 5


def test_resume_refuses_a_model_of_another_size(tmp_path):
    app.train(_args(max_steps=2, save=str(tmp_path)), out=io.StringIO())
    with pytest.raises(gr.CheckpointError, match="shape"):
        app.train(_args(max_steps=4, hidden=9, resume=str(tmp_path)), out=io.StringIO())


def test_resume_from_an_empty_folder_is_an_error(tmp_path):
    with pytest.raises(gr.GraphError, match="no checkpoint"):
        app.train(_args(resume=str(tmp_path)), out=io.StringIO())


def test_save_to_a_path_that_is_a_file_is_a_checkpoint_error(tmp_path):
    target = tmp_path / "not a folder"
    target.write_text("x")
    with pytest.raises(gr.CheckpointError, match="cannot create the checkpoint folder"):
        app.train(_args(max_steps=1, save=str(target)), out=io.StringIO())
