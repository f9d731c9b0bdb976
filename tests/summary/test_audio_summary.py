"""tf.summary.audio against TF1 (fixtures by tests/data/summary/make_audio_summary.py): node names
and the exact serialized Summary (WAV bytes included)."""

import base64
import json
import os

import numpy as np
import pytest

import graphrnn as tf

pytest.importorskip("tensorboardX")

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "data", "summary", "audio_summary_tf1.json")


def test_audio_summaries_match_tf1():
    with open(FIXTURE) as f:
        cases = json.load(f)["cases"]
    g = tf.Graph()
    feeds, ops = {}, []
    with g.as_default():
        for case in cases:
            arr = np.array(case["data"], dtype=np.float32).reshape(case["shape"])
            ph = tf.placeholder(tf.float32, arr.shape, name=f"in_{case['name']}")
            feeds[ph] = arr
            ops.append(tf.summary.audio(case["name"], ph, case["sample_rate"], max_outputs=case["max_outputs"]))
    assert [o.op.name for o in ops] == [c["node"] for c in cases]
    with tf.Session(graph=g) as sess:
        got = sess.run(ops, feeds)
    for case, data in zip(cases, got):
        assert data == base64.b64decode(case["summary_b64"]), case["name"]


def test_audio_summary_errors():
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(tf.ShapeError, match=r"\[batch, frames\]"):
            tf.summary.audio("a", tf.placeholder(tf.float32, [4]), 8000)
        with pytest.raises(tf.DTypeError, match="float32"):
            tf.summary.audio("b", tf.placeholder(tf.float64, [1, 4]), 8000)
        with pytest.raises(tf.GraphError, match="sample_rate must be > 0"):
            tf.summary.audio("c", tf.placeholder(tf.float32, [1, 4]), 0)
        rate = tf.placeholder(tf.float32, [], name="rate")
        s = tf.summary.audio("d", tf.placeholder(tf.float32, [1, 0], name="clip"), rate)
    with tf.Session(graph=g) as sess:
        with pytest.raises(tf.ExecutionError, match="sample_rate must be > 0"):
            sess.run(s, {"clip:0": np.zeros((1, 0), np.float32), rate: -1.0})
        with pytest.raises(tf.ExecutionError, match="at least one frame"):
            sess.run(s, {"clip:0": np.zeros((1, 0), np.float32), rate: 8000.0})
