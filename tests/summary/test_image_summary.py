"""tf.summary.image against TF1 (fixtures by tests/data/summary/make_image_summary.py): tags, sizes,
colorspace and the decoded pixels; plus our PNG encoder against an independent decoder."""

import base64
import json
import math
import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graphrnn as tf
from graphrnn.summary.png import encode_png

pytest.importorskip("tensorboardX")

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "data", "summary", "image_summary_tf1.json")


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit gray/RGB/RGBA PNG decoder with all five row filters (libpng, TF's encoder, uses them)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0
    c = {0: 1, 2: 3, 6: 4}[color]
    raw = zlib.decompress(idat)
    stride = w * c
    out = np.zeros((h, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(h):
        f, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int64)
        row = np.zeros(stride, dtype=np.int64)
        for x in range(stride):
            a = row[x - c] if x >= c else 0
            b = prev[x]
            cc = prev[x - c] if x >= c else 0
            if f == 0:
                pred = 0
            elif f == 1:
                pred = a
            elif f == 2:
                pred = b
            elif f == 3:
                pred = (a + b) // 2
            else:
                p = a + b - cc
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else cc)
            row[x] = (line[x] + pred) & 0xFF
        out[y], prev = row, row
    return out.astype(np.uint8).reshape(h, w, c)


def _cases():
    with open(FIXTURE) as f:
        return json.load(f)["cases"]


def _array(case):
    vals = [float(n) if n is not None else d for d, n in zip(case["data"], case["nonfinite"])]
    vals = [math.nan if v is None else v for v in vals]
    return np.array(vals, dtype=np.float64).astype(case["dtype"]).reshape(case["shape"])


def test_image_summaries_match_tf1():
    cases = _cases()
    g = tf.Graph()
    feeds, ops = {}, []
    with g.as_default():
        for case in cases:
            arr = _array(case)
            ph = tf.placeholder(tf.as_dtype(arr.dtype), arr.shape, name=f"in_{case['name']}")
            feeds[ph] = arr
            ops.append(tf.summary.image(case["name"], ph, max_outputs=case["max_outputs"]))
    assert [o.op.name for o in ops] == [c["node"] for c in cases]
    with tf.Session(graph=g) as sess:
        got = sess.run(ops, feeds)
    for case, data in zip(cases, got):
        ours, theirs = tf.Summary(), tf.Summary()
        ours.ParseFromString(data)
        theirs.ParseFromString(base64.b64decode(case["summary_b64"]))
        assert [v.tag for v in ours.value] == [v.tag for v in theirs.value], case["name"]
        for a, b in zip(ours.value, theirs.value):
            assert (a.image.height, a.image.width, a.image.colorspace) == (
                b.image.height, b.image.width, b.image.colorspace)
            np.testing.assert_array_equal(decode_png(a.image.encoded_image_string),
                                          decode_png(b.image.encoded_image_string), err_msg=f"{case['name']} {a.tag}")


def test_image_summary_errors():
    g = tf.Graph()
    with g.as_default():
        with pytest.raises(tf.ShapeError, match="1, 3 or 4 channels"):
            tf.summary.image("a", tf.placeholder(tf.float32, [1, 2, 2, 2]))
        with pytest.raises(tf.DTypeError, match="float16/32/64"):
            tf.summary.image("b", tf.placeholder(tf.int32, [1, 2, 2, 1]))
        with pytest.raises(tf.GraphError, match="max_outputs"):
            tf.summary.image("c", tf.placeholder(tf.float32, [1, 2, 2, 1]), max_outputs=0)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 6), st.sampled_from([1, 3, 4]))))
def test_png_round_trips(pixels):
    np.testing.assert_array_equal(decode_png(encode_png(pixels)), pixels)
