"""Generates summary_tf1.json: what TF1's summary ops return, to compare graphrnn's against.

Run offline with TensorFlow installed (tests never import it):
    /tmp/tfvenv/bin/python tests/data/summary/make_summary.py

Each case records the op's inputs, the node name and tag TF gives it, and the serialized Summary
(base64) that running it returns. The graph below is rebuilt step by step by the test with
``import graphrnn as tf`` (same calls, same order), so names and tags must match too.
"""

import base64
import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
rng = np.random.RandomState(7)
ARRAYS = {
    "arange": np.arange(6, dtype=np.float32).reshape(2, 3),
    "normal": rng.normal(0.0, 3.0, size=(50,)).astype(np.float64),
    "with_zeros_and_negatives": np.array([0.0, -0.0, -1.5, 2.25, 0.0, -1e-13, 1e-13, 7.0], dtype=np.float32),
    "one_value": np.array([[3.0]], dtype=np.float32),
    "empty": np.zeros((0, 4), dtype=np.float32),
    "ints": np.array([1, 1, 2, 3, 5, 8, 13, -21], dtype=np.int32),
    "huge": np.array([1e30, -1e30, 1e-30], dtype=np.float64),
}
SCALARS = {"f32": (np.float32, 2.5), "f64_third": (np.float64, 1.0 / 3.0), "i32": (np.int32, 7),
           "f32_nan": (np.float32, float("nan"))}


def main() -> None:
    cases = []
    g = tf.Graph()
    with g.as_default():
        feeds, ops = {}, []
        for key, arr in ARRAYS.items():
            ph = tf.placeholder(tf.as_dtype(arr.dtype), arr.shape, name=f"in_{key}")
            feeds[ph] = arr
            s = tf.summary.histogram(key, ph)
            ops.append(("histogram", key, s, None))
        with tf.name_scope("train"):
            for key, (dt, v) in SCALARS.items():
                ph = tf.placeholder(dt, [], name=f"in_{key}")
                feeds[ph] = dt(v)
                s = tf.summary.scalar(key, ph)
                ops.append(("scalar", key, s, None))
            again = tf.summary.scalar("f32", ph)
            ops.append(("scalar", "f32_nan", again, "second summary named f32 in scope train"))
        fam = tf.summary.scalar("acc", feeds_key(feeds, "train/in_f32"), family="metrics")
        ops.append(("scalar", "f32", fam, "family"))
        merged = tf.summary.merge_all()
        named = tf.summary.merge([ops[0][2], fam], name="two")
        with tf.Session() as sess:
            values = sess.run([o[2] for o in ops] + [merged, named], feeds)
    for (kind, key, t, note), v in zip(ops, values[:len(ops)]):
        cases.append({"kind": kind, "input": key, "node": t.op.name, "note": note,
                      "summary_b64": base64.b64encode(v).decode()})
    out = {
        "arrays": {k: {"dtype": str(a.dtype), "shape": list(a.shape), "data": a.ravel().tolist()}
                   for k, a in ARRAYS.items()},
        "scalars": {k: {"dtype": np.dtype(dt).name, "value": None if v != v else v} for k, (dt, v) in SCALARS.items()},
        "cases": cases,
        "merge_all": {"node": merged.op.name, "summary_b64": base64.b64encode(values[-2]).decode()},
        "merge_named": {"node": named.op.name, "summary_b64": base64.b64encode(values[-1]).decode()},
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "summary_tf1.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path, len(cases), "cases")


def feeds_key(feeds, name):
    return next(p for p in feeds if p.op.name == name)


if __name__ == "__main__":
    main()
