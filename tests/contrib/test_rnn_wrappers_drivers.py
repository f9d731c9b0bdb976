"""The projection and embedding wrappers in every driver: static == dynamic (with sequence_length), both
bidirectional drivers agree, inside MultiRNNCell, as built and optimized, and gradients match finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.autodiff.check import check_gradients

B, T = 3, 4


def _cells(kind: str):
    if kind == "input_projection":
        return lambda: gr.contrib.rnn.InputProjectionWrapper(gr.nn.rnn_cell.GRUCell(3), 2, activation=gr.tanh)
    if kind == "output_projection":
        return lambda: gr.contrib.rnn.OutputProjectionWrapper(gr.nn.rnn_cell.LSTMCell(3), 2)
    if kind == "multi":
        return lambda: gr.nn.rnn_cell.MultiRNNCell([
            gr.contrib.rnn.InputProjectionWrapper(gr.nn.rnn_cell.GRUCell(3), 2),
            gr.contrib.rnn.OutputProjectionWrapper(gr.nn.rnn_cell.BasicRNNCell(3), 2)])
    raise AssertionError(kind)


@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("kind", ["input_projection", "output_projection", "multi"])
def test_static_dynamic_and_bidirectional_agree_with_gradients(kind, optimize):
    make = _cells(kind)
    rs = np.random.RandomState(0)
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(3)
        x = gr.placeholder(gr.float64, [None, T, 5], name="x")
        lengths = gr.placeholder(gr.int32, [None], name="lengths")
        with gr.variable_scope("m"):
            s_out, s_state = gr.nn.static_rnn(make(), gr.unstack(x, T, axis=1), sequence_length=lengths,
                                              dtype=gr.float64)
        with gr.variable_scope("m", reuse=True):
            d_out, d_state = gr.nn.dynamic_rnn(make(), x, sequence_length=lengths, dtype=gr.float64)
        with gr.variable_scope("bi"):
            bs_out, _, _ = gr.nn.static_bidirectional_rnn(make(), make(), gr.unstack(x, T, axis=1),
                                                          sequence_length=lengths, dtype=gr.float64)
        with gr.variable_scope("bi", reuse=True):
            (bd_fw, bd_bw), _ = gr.nn.bidirectional_dynamic_rnn(make(), make(), x, sequence_length=lengths,
                                                                dtype=gr.float64)
        loss = gr.reduce_sum(gr.square(d_out)) + gr.reduce_sum(gr.tanh(bd_bw))
        feed = {x: rs.randn(B, T, 5), lengths: [4, 2, 0]}
        with gr.Session(graph=g, optimize=optimize) as sess:
            sess.run(gr.global_variables_initializer())
            so, do, bs, bd = sess.run([gr.stack(s_out, axis=1), d_out, gr.stack(bs_out, axis=1),
                                       gr.concat([bd_fw, bd_bw], 2)], feed)  # TF1: static concatenates fw|bw
            np.testing.assert_allclose(so, do, atol=1e-12)
            np.testing.assert_allclose(bs, bd, atol=1e-12)
            for a, b in zip(gr.nest.flatten(sess.run(s_state, feed)), gr.nest.flatten(sess.run(d_state, feed))):
                np.testing.assert_allclose(a, b, atol=1e-12)
            assert np.all(do[2] == 0) and np.all(do[1, 2:] == 0)  # sequence_length zeroes the padding
            weights = [v.value() for v in gr.trainable_variables(g)]  # fed at their values: d loss / d weights too
            feed.update({w: sess.run(w) for w in weights})
            err, _, _ = check_gradients(sess, loss, [x, *weights], feed)
    assert err < 1e-6


def test_embedding_wrapper_in_static_rnn_with_id_inputs_and_in_dynamic_rnn():
    """TF1's static_rnn takes [batch] id tensors for an EmbeddingWrapper; dynamic_rnn takes [batch, time, 1]."""
    g = gr.Graph()
    with g.as_default():
        ids = gr.placeholder(gr.int32, [None, T], name="ids")
        lengths = gr.placeholder(gr.int32, [None])
        make = lambda: gr.contrib.rnn.EmbeddingWrapper(gr.nn.rnn_cell.GRUCell(3), embedding_classes=6,  # noqa: E731
                                                       embedding_size=2)
        with gr.variable_scope("e"):
            _, s_state = gr.nn.static_rnn(make(), gr.unstack(ids, T, axis=1), sequence_length=lengths,
                                          dtype=gr.float32)
        with gr.variable_scope("e", reuse=True):
            _, d_state = gr.nn.dynamic_rnn(make(), gr.expand_dims(ids, 2), sequence_length=lengths,
                                           dtype=gr.float32)
        assert [v.op.name for v in gr.trainable_variables(g)][0] == "e/rnn/embedding_wrapper/embedding"
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            feed = {ids: [[1, 2, 3, 4], [5, 0, 5, 0], [0, 0, 0, 0]], lengths: [4, 3, 1]}
            a, b = sess.run([s_state, d_state], feed)
    np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("kind", ["input_projection", "output_projection", "embedding"])
def test_each_wrapper_trains_until_its_loss_halves(kind):
    """A small sequence task: predict the sum of the inputs (for ids: how many are 1)."""
    rs = np.random.RandomState(1)
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(2)
        if kind == "embedding":
            x = gr.placeholder(gr.int32, [None, 5, 1])
            cell = gr.contrib.rnn.EmbeddingWrapper(gr.nn.rnn_cell.GRUCell(8), embedding_classes=3, embedding_size=4)
            data = rs.randint(0, 3, (32, 5, 1))
            target = (data == 1).sum(axis=(1, 2)).astype(np.float32)[:, None]
        else:
            x = gr.placeholder(gr.float32, [None, 5, 2])
            inner = gr.nn.rnn_cell.GRUCell(8) if kind == "input_projection" else gr.nn.rnn_cell.LSTMCell(8)
            cell = (gr.contrib.rnn.InputProjectionWrapper(inner, 4) if kind == "input_projection"
                    else gr.contrib.rnn.OutputProjectionWrapper(inner, 4))
            data = rs.randn(32, 5, 2).astype(np.float32)
            target = data.sum(axis=(1, 2))[:, None]
        y = gr.placeholder(gr.float32, [None, 1])
        out, _ = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32)
        loss = gr.reduce_mean(gr.square(gr.layers.dense(out[:, -1], 1) - y))
        train = gr.train.AdamOptimizer(0.03).minimize(loss)
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            feed = {x: data, y: target}
            first = sess.run(loss, feed)
            for _ in range(150):
                sess.run(train, feed)
            last = sess.run(loss, feed)
    assert last < first / 2, (first, last)


@pytest.mark.parametrize("cell", ["input_projection_gru", "output_projection_lstm", "embedding_gru"])
def test_graphrnn_show_accepts_the_wrappers(cell):
    import subprocess
    import sys
    for mode in ("static", "dynamic"):
        p = subprocess.run([sys.executable, "-m", "graphrnn", "show", "--cell", cell, "--mode", mode, "--steps", "3",
                            "--units", "4", "--input-size", "5"], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        assert "wrapper" in p.stdout
