"""Generates image_summary_tf1.json: what TF1's tf.summary.image returns for float images.

Run offline with TensorFlow installed (tests never import it):
    /tmp/tfvenv/bin/python tests/data/summary/make_image_summary.py

Each case stores the input images, max_outputs, the node name, and the serialized Summary (base64);
the test compares tags, sizes, colorspace and the decoded PNG pixels (PNG compression may differ).
"""

import base64
import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
rng = np.random.RandomState(3)
CASES = {
    "positive": (rng.uniform(0.0, 2.0, size=(2, 3, 4, 1)).astype(np.float32), 3),
    "signed_rgb": (rng.normal(0.0, 1.0, size=(3, 2, 5, 3)).astype(np.float32), 2),
    "rgba_double": (rng.uniform(-1.0, 3.0, size=(1, 4, 2, 4)).astype(np.float64), 1),
    "with_nan_inf": (np.array([[[[0.5], [np.nan]], [[np.inf], [1.0]]]], dtype=np.float32), 1),
    "all_zero": (np.zeros((1, 2, 2, 3), dtype=np.float32), 3),
    "tiny": (np.full((1, 1, 3, 1), 1e-7, dtype=np.float32), 1),
    "half": (rng.uniform(-2.0, 2.0, size=(2, 2, 3, 1)).astype(np.float16), 1),
}


def main() -> None:
    g = tf.Graph()
    out = {"cases": []}
    with g.as_default():
        feeds, ops = {}, []
        for key, (arr, k) in CASES.items():
            ph = tf.placeholder(tf.as_dtype(arr.dtype), arr.shape, name=f"in_{key}")
            feeds[ph] = arr
            ops.append((key, k, tf.summary.image(key, ph, max_outputs=k)))
        with tf.Session() as sess:
            values = sess.run([o[2] for o in ops], feeds)
    for (key, k, t), v in zip(ops, values):
        arr = CASES[key][0]
        out["cases"].append({
            "name": key, "max_outputs": k, "node": t.op.name,
            "dtype": str(arr.dtype), "shape": list(arr.shape),
            "data": [None if not np.isfinite(x) else float(x) for x in arr.ravel().astype(np.float64)],
            "nonfinite": [repr(float(x)) if not np.isfinite(x) else None for x in arr.ravel().astype(np.float64)],
            "summary_b64": base64.b64encode(v).decode(),
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image_summary_tf1.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
