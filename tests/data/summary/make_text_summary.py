"""Generates text_summary_tf1.json: what TF1's tf.summary.text returns (serialized Summary, base64).

Run offline with TensorFlow installed (tests never import it):
    /tmp/tfvenv/bin/python tests/data/summary/make_text_summary.py
"""

import base64
import json
import os

import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
CASES = [("config", "lr=0.1 **bold**", None), ("rows", [["a", "b"], ["c", "ü"]], None),
         ("config", "second one", "scope"), ("empty", "", None)]


def main() -> None:
    g = tf.Graph()
    ops = []
    with g.as_default():
        for name, text, scope in CASES:
            if scope:
                with tf.name_scope(scope):
                    ops.append(tf.summary.text(name, tf.constant(text)))
            else:
                ops.append(tf.summary.text(name, tf.constant(text)))
        with tf.Session() as sess:
            values = sess.run(ops)
    out = {"cases": [{"name": n, "text": t, "scope": s, "node": o.op.name, "summary_b64": base64.b64encode(v).decode()}
                     for (n, t, s), o, v in zip(CASES, ops, values)]}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "text_summary_tf1.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
