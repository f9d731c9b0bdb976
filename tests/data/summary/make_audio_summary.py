"""Generates audio_summary_tf1.json: what TF1's tf.summary.audio returns (serialized Summary, base64).

Run offline with TensorFlow installed (tests never import it):
    /tmp/tfvenv/bin/python tests/data/summary/make_audio_summary.py
"""

import base64
import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
rng = np.random.RandomState(5)
CASES = {
    "mono_2d": (rng.uniform(-1.2, 1.2, size=(2, 7)).astype(np.float32), 8000.0, 3),
    "stereo": (rng.uniform(-1.0, 1.0, size=(3, 5, 2)).astype(np.float32), 16000.4, 2),
    "one": (np.array([[[0.5], [-0.25], [1.0], [-1.0], [0.0]]], dtype=np.float32), 0.3, 1),
    "rounding": (np.array([[0.5 / 32768, 1.5 / 32768, -0.5 / 32768, -2.5 / 32768]], dtype=np.float32), 22050.5, 1),
}


def main() -> None:
    g = tf.Graph()
    out = {"cases": []}
    with g.as_default():
        feeds, ops = {}, []
        for key, (arr, rate, k) in CASES.items():
            ph = tf.placeholder(tf.float32, arr.shape, name=f"in_{key}")
            feeds[ph] = arr
            ops.append((key, tf.summary.audio(key, ph, rate, max_outputs=k)))
        with tf.Session() as sess:
            values = sess.run([o[1] for o in ops], feeds)
    for (key, t), v in zip(ops, values):
        arr, rate, k = CASES[key]
        out["cases"].append({"name": key, "sample_rate": rate, "max_outputs": k, "node": t.op.name,
                             "shape": list(arr.shape), "data": arr.ravel().astype(np.float64).tolist(),
                             "summary_b64": base64.b64encode(v).decode()})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "audio_summary_tf1.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
