"""A TF-written checkpoint that also holds tensors graphrnn cannot load (a string variable, a
partitioned variable's slices) still restores its numeric variables, as in TF1; those tensors are
listed like TF's ``list_variables`` lists them, and only reading one is a `CheckpointError`.
Fixture: tests/data/checkpoints/mixed (generator make_mixed.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import graphrnn as tf
from graphrnn.ir.errors import CheckpointError

MIXED = os.path.join(os.path.dirname(__file__), "..", "data", "checkpoints", "mixed", "model.ckpt")


def test_listed_as_tf_lists_them() -> None:
    assert tf.train.list_variables(MIXED) == [("global_step", []), ("name", []), ("part", [4, 2]), ("w", [2, 3])]
    reader = tf.train.NewCheckpointReader(MIXED)
    dtypes = reader.get_variable_to_dtype_map()
    assert (dtypes["w"], dtypes["global_step"], dtypes["name"], dtypes["part"]) == (
        tf.float32, tf.int64, tf.string, tf.float32)
    assert b"name (string) []" in reader.debug_string()


def test_numeric_variables_restore_beside_them() -> None:
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.zeros((2, 3), np.float32), name="w")
        step = tf.Variable(np.int64(0), name="global_step")
        with tf.Session() as sess:
            tf.train.Saver([w, step]).restore(sess, MIXED)
            np.testing.assert_array_equal(sess.run(w), np.arange(6, dtype=np.float32).reshape(2, 3))
            assert sess.run(step) == 7
    np.testing.assert_array_equal(tf.train.load_variable(MIXED, "w:0"), np.arange(6).reshape(2, 3))


@pytest.mark.parametrize("name, why", [("name", "dtype string"), ("part", "partitioned variable")])
def test_reading_an_unloadable_tensor_is_a_checkpoint_error(name: str, why: str) -> None:
    with pytest.raises(CheckpointError, match=why):
        tf.train.load_variable(MIXED, name)
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.zeros((2, 3), np.float32), name="w")
        part = tf.Variable(np.zeros((4, 2), np.float32), name="part")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver = tf.train.Saver([w, part] if name == "part" else {"w": w, "name": part})
            with pytest.raises(CheckpointError, match="cannot be restored"):
                saver.restore(sess, MIXED)
            np.testing.assert_array_equal(sess.run(w), np.zeros((2, 3)))  # all or nothing
