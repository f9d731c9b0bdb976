"""Offline check that TensorFlow restores a checkpoint graphrnn wrote (run by hand, not in CI).

    /tmp/tfvenv/bin/pip install networkx graphviz
    PYTHONPATH=. /tmp/tfvenv/bin/python tests/data/checkpoints/check_graphrnn_in_tf.py

graphrnn builds the model of make_checkpoints.py (two dense layers, Adam, global_step), trains it
3 steps and saves with ``gr.train.Saver``; TensorFlow (``tf.compat.v1``) builds the same model,
restores that checkpoint with ``tf.train.Saver().restore`` and trains 2 more steps; graphrnn does
the same 2 steps from its own session. The script prints the largest difference between the two
continuations for every variable (slots, beta powers and global_step included) and exits non-zero
if any exceeds 1e-6 (float32).
"""

from __future__ import annotations

import sys
import tempfile

import numpy as np
import tensorflow as tf

import graphrnn as gr

v1 = tf.compat.v1
v1.disable_eager_execution()

rng = np.random.default_rng(11)
X = rng.standard_normal((8, 3)).astype(np.float32)
Y = rng.standard_normal((8, 1)).astype(np.float32)


def model(lib, placeholder, dense):
    x = placeholder(lib.float32, [None, 3], name="x")
    y = placeholder(lib.float32, [None, 1], name="y")
    pred = dense(lib.tanh(dense(x, 4, "dense")), 1, "dense_1")
    loss = lib.reduce_mean(lib.square(pred - y))
    return x, y, loss


def tf_dense(x, units, name):
    with v1.variable_scope(name):
        k = v1.get_variable("kernel", [int(x.shape[-1]), units])
        b = v1.get_variable("bias", [units], initializer=v1.zeros_initializer())
    return tf.matmul(x, k) + b


with tempfile.TemporaryDirectory() as folder:
    g = gr.Graph()
    with g.as_default():
        x, y, loss = model(gr, gr.placeholder, lambda t, n, name: gr.layers.dense(t, n, name=name))
        step = gr.train.get_or_create_global_step()
        train = gr.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: X, y: Y})
            path = gr.train.Saver().save(sess, folder + "/model.ckpt", global_step=step)
            for _ in range(2):
                sess.run(train, {x: X, y: Y})
            ours = {v.op.name: sess.run(v) for v in gr.global_variables(g)}

    tg = tf.Graph()
    with tg.as_default():
        x, y, loss = model(tf, v1.placeholder, tf_dense)
        step = v1.train.get_or_create_global_step()
        train = v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        with v1.Session(graph=tg) as sess:
            v1.train.Saver().restore(sess, v1.train.latest_checkpoint(folder))
            for _ in range(2):
                sess.run(train, {x: X, y: Y})
            theirs = {v.op.name: sess.run(v) for v in v1.global_variables()}

worst = 0.0
assert sorted(ours) == sorted(theirs), (sorted(ours), sorted(theirs))
for name in sorted(ours):
    diff = float(np.max(np.abs(np.asarray(ours[name], np.float64) - np.asarray(theirs[name], np.float64))))
    worst = max(worst, diff)
    print(f"{name:24s} {np.asarray(theirs[name]).dtype!s:8s} max |graphrnn - TF| = {diff:.2e}")
print(f"TensorFlow {tf.__version__} restored {path}; worst difference {worst:.2e}")
sys.exit(0 if worst <= 1e-6 else 1)
