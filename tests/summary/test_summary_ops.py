"""Summary ops against TF1: names, tags and the exact serialized Summary bytes (fixtures made by
tests/data/summary/make_summary.py), plus the ops' errors and their place in the IR."""

import base64
import json
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as tf
from graphrnn.ir.verify import verify
from graphrnn.summary.buckets import DBL_MAX, DEFAULT_LIMITS, histogram_fields

pytest.importorskip("tensorboardX")

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "data", "summary", "summary_tf1.json")


def _load():
    with open(FIXTURE) as f:
        return json.load(f)


def _parse(data: bytes):
    s = tf.Summary()
    s.ParseFromString(data)
    return s


def _build_like_tf1(d):
    """The fixture's graph, built with the same calls in the same order."""
    g = tf.Graph()
    feeds, ops = {}, []
    with g.as_default():
        for key, a in d["arrays"].items():
            arr = np.array(a["data"], dtype=a["dtype"]).reshape(a["shape"])
            ph = tf.placeholder(tf.as_dtype(arr.dtype), arr.shape, name=f"in_{key}")
            feeds[ph] = arr
            ops.append(tf.summary.histogram(key, ph))
        with tf.name_scope("train"):
            for key, s in d["scalars"].items():
                ph = tf.placeholder(tf.as_dtype(s["dtype"]), [], name=f"in_{key}")
                feeds[ph] = np.array(math.nan if s["value"] is None else s["value"], dtype=s["dtype"])
                ops.append(tf.summary.scalar(key, ph))
            ops.append(tf.summary.scalar("f32", ph))
        f32 = next(p for p in feeds if p.op.name == "train/in_f32")
        ops.append(tf.summary.scalar("acc", f32, family="metrics"))
        merged = tf.summary.merge_all()
        named = tf.summary.merge([ops[0], ops[-1]], name="two")
    return g, feeds, ops, merged, named


def test_names_tags_and_bytes_match_tf1():
    d = _load()
    g, feeds, ops, merged, named = _build_like_tf1(d)
    verify(g)
    assert [o.op.name for o in ops] == [c["node"] for c in d["cases"]]
    assert merged.op.name == d["merge_all"]["node"] and named.op.name == d["merge_named"]["node"]
    with tf.Session(graph=g) as sess:
        got = sess.run(ops + [merged, named], feeds)
    want = [c["summary_b64"] for c in d["cases"]] + [d["merge_all"]["summary_b64"], d["merge_named"]["summary_b64"]]
    for data, b64, node in zip(got, want, [o.op.name for o in ops] + ["merge_all", "two"]):
        assert isinstance(data, bytes)
        expected = base64.b64decode(b64)
        assert data == expected, f"{node}:\n{_parse(data)}\n!=\n{_parse(expected)}"


def test_scalar_summary_values_and_tags_in_scopes():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [], name="x")
        with tf.name_scope("train"):
            s = tf.summary.scalar("loss", x * 2.0)
        plain = tf.summary.scalar("bad name!", x)  # TF1 cleans illegal characters
    with tf.Session(graph=g) as sess:
        a, b = sess.run([s, plain], {x: 1.25})
    (v,) = _parse(a).value
    assert (v.tag, v.simple_value) == ("train/loss", 2.5)
    assert _parse(b).value[0].tag == "bad_name_"
    assert g.get_collection("summaries") == [s, plain]


def test_collections_argument_and_merge_all_scope_filter():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
        with tf.name_scope("a"):
            sa = tf.summary.scalar("v", x)
        with tf.name_scope("b"):
            sb = tf.summary.scalar("v", x, collections=["mine"])
        assert g.get_collection("summaries") == [sa]
        assert g.get_collection("mine") == [sb]
        assert tf.summary.merge_all("nothing_here") is None
        only_a = tf.summary.merge_all(scope="a")
        mine = tf.summary.merge_all("mine", name="m")
    assert mine.op.name == "m/m"
    with tf.Session(graph=g) as sess:
        ra, rm = sess.run([only_a, mine])
    assert [v.tag for v in _parse(ra).value] == ["a/v"]
    assert [v.tag for v in _parse(rm).value] == ["b/v"]


def test_errors_name_the_problem():
    g = tf.Graph()
    with g.as_default():
        v = tf.placeholder(tf.float32, [3], name="v")
        with pytest.raises(tf.ShapeError, match="scalar summary needs a scalar"):
            tf.summary.scalar("vector", v)
        with pytest.raises(tf.DTypeError, match="real number"):
            tf.summary.histogram("bools", tf.cast(v, tf.bool))
        with pytest.raises(tf.DTypeError, match="not a serialized summary"):
            tf.summary.merge([v])
        with pytest.raises(tf.GraphError, match="non-empty list"):
            tf.summary.merge([])
        h = tf.summary.histogram("h", v)
        dup = tf.summary.merge([tf.summary.scalar("s", v[0]), tf.summary.scalar("s", v[1], family=None)])
        same = tf.summary.merge([h, h])
    with tf.Session(graph=g) as sess:
        with pytest.raises(tf.ExecutionError, match="Nan in summary histogram for: h") as e:
            sess.run(h, {v: [1.0, float("nan"), 2.0]})
        assert e.value.node == "h"
        with pytest.raises(tf.ExecutionError, match="Infinity in summary histogram"):
            sess.run(h, {v: [1.0, float("inf"), 2.0]})
        sess.run(dup, {v: [1.0, 2.0, 3.0]})  # distinct tags s and s_1
        with pytest.raises(tf.ExecutionError, match="Duplicate tag h found in summary inputs"):
            sess.run(same, {v: [1.0, 2.0, 3.0]})


def test_summary_made_inside_a_loop_body_cannot_be_merged():
    g = tf.Graph()
    with g.as_default():
        def body(i, x):
            tf.summary.scalar("x", x)
            return i + 1, x * 2.0

        tf.while_loop(lambda i, x: i < 3, body, [tf.constant(0), tf.constant(1.0)])
        with pytest.raises(tf.GraphError, match="inside a while_loop/cond body") as e:
            tf.summary.merge_all(tf.GraphKeys.SUMMARIES)
    assert e.value.node == "while/x" and e.value.source.startswith(__file__)


def test_summary_ops_survive_the_passes_and_serialize():
    """Constant inputs: folding, CSE and LICM must leave the bytes as computed without passes."""
    g = tf.Graph()
    with g.as_default():
        c = tf.constant([1.0, 2.0, 3.0])
        s1 = tf.summary.histogram("c", c)
        s2 = tf.summary.scalar("m", tf.reduce_mean(c))
        m = tf.summary.merge_all()
    verify(g)
    with tf.Session(graph=g) as fast, tf.Session(graph=g, optimize=False) as plain:
        assert fast.run([s1, s2, m]) == plain.run([s1, s2, m])
    from graphrnn.ir.serialize import from_json, to_json
    g2 = from_json(to_json(g))
    assert str(g2) == str(g)
    assert "str[]" in str(g)


def test_gradients_ignore_summaries():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(2.0, name="w")
        loss = w * w
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("w", w)
        (grad,) = tf.gradients(loss, [w])
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(grad) == 4.0


def _tf1_histogram_reference(values):
    """TF1's Histogram::Add and EncodeToProto written as the plain loops of histogram.cc."""
    import bisect
    limits = list(DEFAULT_LIMITS)
    buckets = [0.0] * len(limits)
    lo, hi, num, total, squares = limits[-1], -DBL_MAX, 0.0, 0.0, 0.0
    for v in values:
        buckets[min(bisect.bisect_right(limits, v), len(limits) - 1)] += 1.0
        lo, hi = min(lo, v), max(hi, v)
        num += 1
        total += v
        squares += v * v
    out_l, out_b, i = [], [], 0
    while i < len(buckets):
        end, count = limits[i], buckets[i]
        i += 1
        if count <= 0.0:
            while i < len(buckets) and buckets[i] <= 0.0:
                end, count = limits[i], buckets[i]
                i += 1
        out_l.append(end)
        out_b.append(count)
    return lo, hi, num, total, squares, out_l, out_b


@settings(max_examples=50)
@given(st.lists(st.floats(min_value=-1e25, max_value=1e25, allow_nan=False, width=64), max_size=40))
def test_histogram_buckets_equal_tf1_loops(values):
    f = histogram_fields(np.array(values, dtype=np.float64))
    assert tuple(f) == _tf1_histogram_reference(values)


def test_bad_arguments_are_graph_errors():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
        with pytest.raises(tf.GraphError, match="name must be a string"):
            tf.summary.scalar(3, x)
        with pytest.raises(tf.GraphError, match="family must be a string"):
            tf.summary.scalar("a", x, family=3)
        with pytest.raises(tf.GraphError, match="wrap it in a list"):
            tf.summary.scalar("b", x, collections="mine")
        tf.summary.scalar("c", x)
        with pytest.raises(tf.GraphError, match="regular expression"):
            tf.summary.merge_all(scope="[")
