"""TF1's other `tf.Variable` arguments: accepted where TF1's behaviour is graphrnn's, clean errors elsewhere."""

from __future__ import annotations

import pytest

import graphrnn as gr


def test_collections_replace_the_global_collection_as_in_tf1():
    g = gr.Graph()
    with g.as_default():
        w = gr.Variable(gr.zeros([2]), collections=["mine"], name="w")
        u = gr.Variable(1.0, collections=[gr.GraphKeys.GLOBAL_VARIABLES, "mine"], trainable=False)
        assert gr.global_variables() == [u]
        assert gr.get_collection("mine") == [w, u]
        assert gr.trainable_variables() == [w]  # trainable=True still adds TRAINABLE_VARIABLES


def test_hints_are_accepted_and_unsupported_modes_are_refused():
    g = gr.Graph()
    with g.as_default():
        v = gr.Variable(gr.zeros([2]), validate_shape=True, caching_device="/cpu:0", use_resource=False, name="v")
        assert v.op.name == "v"
        with pytest.raises(gr.ShapeError, match="validate_shape"):
            gr.Variable(1.0, validate_shape=False)
        with pytest.raises(gr.GraphError, match="constraint"):
            gr.Variable(1.0, constraint=lambda x: x)
        with pytest.raises(gr.GraphError, match="unexpected keyword argument 'bogus'"):
            gr.Variable(1.0, bogus=1)
        with pytest.raises(gr.GraphError, match="list of collection names"):
            gr.Variable(1.0, collections="mine")
