"""Generates the TensorFlow-written checkpoints the checkpoint tests read (run once, offline).

    python -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu==2.21.0
    /tmp/tfvenv/bin/python tests/data/checkpoints/make_checkpoints.py

It uses TF's V1 graph mode (``tf.compat.v1``: ``Saver`` writes the V2 checkpoint format, the one
TF 1.15 writes). What it makes, in this folder:

- ``adam_f32/``: a small float32 regression model (variables named as graphrnn's ``layers.dense``
  names them: ``dense/kernel``, ``dense/bias``, ``dense_1/kernel``, ``dense_1/bias``) trained with
  ``AdamOptimizer(0.01)`` and a ``global_step``; ``Saver(max_to_keep=2)`` saves after steps 1, 2
  and 3 (so step 1 is deleted and the ``checkpoint`` file lists steps 2 and 3).
  ``adam_f32.npz`` holds the inputs (``x``, ``y``), every variable's value at step 3
  (``var/<name>``) and the values after 2 more steps from the step-3 checkpoint (``next/<name>``).
- ``adam_f64/``: the same model in float64 (Adam's beta powers stay float32, as TF1 makes them);
  ``adam_f64.npz`` likewise.
- ``dtypes/model.ckpt``: one variable per dtype graphrnn has (float16/32/64, int32/64, bool), a
  scalar and an empty tensor; ``dtypes.npz`` their values (``var/<name>``).
- ``layout.json``: the byte layout facts the writer must reproduce (for the byte-identity test):
  for ``dtypes/model.ckpt``, the file sizes and the hex of the ``.index`` file.
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()
HERE = os.path.dirname(os.path.abspath(__file__))


def dense(x, units, name, dtype, rng):
    """``layers.dense`` with fixed initial values (so graphrnn can start from the same weights)."""
    with v1.variable_scope(name):
        k = v1.get_variable("kernel", initializer=rng.standard_normal((int(x.shape[-1]), units)).astype(dtype) * 0.5)
        b = v1.get_variable("bias", initializer=np.zeros(units, dtype))
    return tf.matmul(x, k) + b


def adam_case(tag: str, dtype: type) -> None:
    out = os.path.join(HERE, tag)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rng = np.random.default_rng(7)
    xv = rng.standard_normal((8, 3)).astype(dtype)
    yv = rng.standard_normal((8, 1)).astype(dtype)
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(dtype, [None, 3], name="x")
        y = v1.placeholder(dtype, [None, 1], name="y")
        h = tf.tanh(dense(x, 4, "dense", dtype, rng))
        pred = dense(h, 1, "dense_1", dtype, rng)
        loss = tf.reduce_mean(tf.square(pred - y))
        step = v1.train.get_or_create_global_step()
        train = v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        saver = v1.train.Saver(max_to_keep=2)
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: xv, y: yv})
                saver.save(sess, os.path.join(out, "model.ckpt"), global_step=step, write_meta_graph=False)
            names = [v.op.name for v in v1.global_variables()]
            at3 = dict(zip(names, sess.run(v1.global_variables())))
            for _ in range(2):
                sess.run(train, {x: xv, y: yv})
            at5 = dict(zip(names, sess.run(v1.global_variables())))
    arrays = {"x": xv, "y": yv}
    arrays.update({f"var/{k}": np.asarray(v) for k, v in at3.items()})
    arrays.update({f"next/{k}": np.asarray(v) for k, v in at5.items()})
    np.savez(os.path.join(HERE, f"{tag}.npz"), **arrays)
    # The state file holds absolute paths when given absolute ones: make them relative (TF1
    # writes relative paths when the checkpoint is in the state file's own folder).
    state = os.path.join(out, "checkpoint")
    with open(state) as f:
        text = f.read().replace(out + os.sep, "")
    with open(state, "w") as f:
        f.write(text)


def dtypes_case() -> dict:
    out = os.path.join(HERE, "dtypes")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    rng = np.random.default_rng(3)
    values = {
        "a/f16": rng.standard_normal((2, 3)).astype(np.float16),
        "a/f32": rng.standard_normal((3, 2)).astype(np.float32),
        "b/f64": rng.standard_normal((4,)).astype(np.float64),
        "b/i32": np.arange(-3, 3, dtype=np.int32).reshape(2, 3),
        "c/i64": np.array([2**40, -5], dtype=np.int64),
        "c/bool": np.array([True, False, True]),
        "d/scalar": np.float32(2.5),
        "d/empty": np.zeros((0, 3), np.float32),
    }
    g = tf.Graph()
    with g.as_default():
        for name, val in values.items():
            v1.get_variable(name, initializer=val, trainable=False)
        saver = v1.train.Saver()
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(out, "model.ckpt"), write_meta_graph=False, write_state=False)
    np.savez(os.path.join(HERE, "dtypes.npz"), **{f"var/{k}": v for k, v in values.items()})
    prefix = os.path.join(out, "model.ckpt")
    with open(prefix + ".index", "rb") as f:
        index = f.read()
    return {"dtypes/model.ckpt": {"index_hex": index.hex(),
                                  "data_size": os.path.getsize(prefix + ".data-00000-of-00001")}}


if __name__ == "__main__":
    adam_case("adam_f32", np.float32)
    adam_case("adam_f64", np.float64)
    layout = dtypes_case()
    with open(os.path.join(HERE, "layout.json"), "w") as f:
        json.dump(layout, f, indent=1)
    print("TensorFlow", tf.__version__, "wrote", sorted(os.listdir(HERE)))
