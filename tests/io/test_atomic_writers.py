"""Every writer in graphrnn goes through the atomic writer: a failure at the last moment (the rename)
leaves the previous file byte-identical and no temporary file behind."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import graphrnn as gr
from graphrnn import datasets
from graphrnn.export.dot import render


def _graph():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3], name="x")
        gr.tanh(x, name="y")
    return g


def _fail_rename(monkeypatch):
    def boom(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", boom)


def _writers(tmp_path: Path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        import common  # benchmarks/common.py
    finally:
        sys.path.pop(0)
    return {
        "graph.dot": lambda p: render(_graph(), str(p)),
        "images.idx": lambda p: datasets.write_idx(p, np.arange(6, dtype=np.uint8).reshape(2, 3)),
        "images.idx.gz": lambda p: datasets.write_idx(p, np.arange(6, dtype=np.uint8).reshape(2, 3)),
        "bench.json": lambda p: common.write_json(p, {"a": 1}),
    }


@pytest.mark.parametrize("name", ["graph.dot", "images.idx", "images.idx.gz", "bench.json"])
def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch, name):
    write = _writers(tmp_path)[name]
    path = tmp_path / name
    path.write_bytes(b"previous contents")
    _fail_rename(monkeypatch)
    with pytest.raises(OSError):
        write(path)
    assert path.read_bytes() == b"previous contents"
    assert os.listdir(tmp_path) == [name]
    monkeypatch.undo()
    write(path)
    assert path.read_bytes() != b"previous contents"


def test_failed_checkpoint_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    g = gr.Graph()
    with g.as_default():
        v = gr.get_variable("v", [3], initializer=gr.ones_initializer())
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        saver = gr.train.Saver()
        first = saver.save(sess, str(tmp_path / "m"))
        before = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}
        sess.run(v.assign([5.0, 6.0, 7.0]))
        _fail_rename(monkeypatch)
        with pytest.raises(gr.CheckpointError, match="No space left"):
            saver.save(sess, str(tmp_path / "m"))
    assert {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)} == before
    np.testing.assert_array_equal(gr.train.load_variable(first, "v"), np.ones(3, np.float32))
