"""tf.summary.text against TF1 (fixtures by tests/data/summary/make_text_summary.py): node names and
the exact serialized Summary; text given as Python text or as a fed string placeholder."""

import base64
import json
import os

import numpy as np
import pytest

import graphrnn as tf
from graphrnn.ir.serialize import from_json, to_json

pytest.importorskip("tensorboardX")

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "data", "summary", "text_summary_tf1.json")


def test_text_summaries_match_tf1():
    with open(FIXTURE, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    g = tf.Graph()
    ops = []
    with g.as_default():
        for case in cases:
            if case["scope"]:
                with tf.name_scope(case["scope"]):
                    ops.append(tf.summary.text(case["name"], case["text"]))
            else:
                ops.append(tf.summary.text(case["name"], case["text"]))
    assert [o.op.name for o in ops] == [c["node"] for c in cases]
    with tf.Session(graph=g) as sess:
        got = sess.run(ops)
    for case, data in zip(cases, got):
        assert data == base64.b64decode(case["summary_b64"]), case["name"]
    assert str(from_json(to_json(g))) == str(g)


def test_text_from_a_fed_string_placeholder_and_errors():
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.string, [2], name="text_in")
        s = tf.summary.text("lines", p)
        with pytest.raises(tf.DTypeError, match="string tensor"):
            tf.summary.text("bad", tf.constant(1.0))
        with pytest.raises(tf.GraphError, match="format it first"):
            tf.summary.text("bad2", [1, 2])
        with pytest.raises(tf.GraphError, match="UTF-8"):
            tf.summary.text("bad3", b"\xff\xfe")
    with tf.Session(graph=g) as sess:
        data = sess.run(s, {p: np.array([b"one", "two"], dtype=object)})
    value = tf.Summary.FromString(data).value[0]
    assert value.tag == "lines" and list(value.tensor.string_val) == [b"one", b"two"]
    assert value.metadata.plugin_data.plugin_name == "text"
