"""Generates ``mixed/model.ckpt``: a TF-written checkpoint that also holds tensors graphrnn cannot load
(run once, offline, like ``make_checkpoints.py``)::

    /tmp/tfvenv/bin/python tests/data/checkpoints/make_mixed.py

Its variables: ``w`` (float32 [2, 3], values 0..5), ``global_step`` (int64, 7), ``name`` (a string
variable, b"hello") and ``part`` (float32 [4, 2] of ones, saved by TF as two slices of a
partitioned variable). TF1 reads ``w`` and ``global_step`` from it whatever else it holds; the
tests check that graphrnn does too, and lists ``name`` and ``part`` as TF's ``list_variables`` does.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()
HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == "__main__":
    out = os.path.join(HERE, "mixed")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    g = tf.Graph()
    with g.as_default():
        v1.get_variable("w", initializer=np.arange(6, dtype=np.float32).reshape(2, 3))
        v1.get_variable("global_step", initializer=np.int64(7), trainable=False)
        v1.get_variable("name", initializer=tf.constant("hello"), trainable=False)
        v1.get_variable("part", shape=[4, 2], partitioner=v1.fixed_size_partitioner(2),
                        initializer=v1.ones_initializer())
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            v1.train.Saver().save(sess, os.path.join(out, "model.ckpt"), write_meta_graph=False,
                                  write_state=False)
        print(v1.train.list_variables(os.path.join(out, "model.ckpt")))
