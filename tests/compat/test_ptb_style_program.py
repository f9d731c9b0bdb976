"""A TF1 tutorial-style word-level language model whose reader is TF1's PTB reader with its queue
replaced by a fed step index: the corpus is a placeholder without a shape (TF1's tests write this),
the batches are slices with tensor bounds, and the loss falls. Only ``import graphrnn as tf`` and
the fed index differ from TF1's code (``tf.train.range_input_producer`` is a queue; graphrnn says so).
"""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as tf

BATCH_SIZE, NUM_STEPS, VOCAB, HIDDEN = 4, 6, 12, 24


def ptb_producer(raw_data: tf.Tensor, i: tf.Tensor, batch_size: int, num_steps: int) -> tuple:
    """TF1's models/tutorials/rnn/ptb/reader.py ptb_producer, with ``i`` fed instead of dequeued."""
    with tf.name_scope(None, "PTBProducer", [raw_data, batch_size, num_steps]):
        data_len = tf.size(raw_data)
        batch_len = data_len // batch_size
        data = tf.reshape(raw_data[0:batch_size * batch_len], [batch_size, batch_len])
        epoch_size = (batch_len - 1) // num_steps
        x = tf.strided_slice(data, [0, i * num_steps], [batch_size, (i + 1) * num_steps])
        x = tf.reshape(x, [batch_size, num_steps])  # TF1's reader: x.set_shape([batch_size, num_steps])
        y = tf.strided_slice(data, [0, i * num_steps + 1], [batch_size, (i + 1) * num_steps + 1])
        y = tf.reshape(y, [batch_size, num_steps])
        return x, y, epoch_size


def build_and_train(corpus: np.ndarray, epochs: int) -> tuple[list[float], int]:
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(7)
        raw_data = tf.placeholder(tf.int64, name="raw_data")  # no shape: any corpus length
        i = tf.placeholder(tf.int32, [], name="i")
        inputs, targets, epoch_size = ptb_producer(tf.cast(raw_data, tf.int32), i, BATCH_SIZE, NUM_STEPS)
        embedding = tf.get_variable("embedding", [VOCAB, HIDDEN], dtype=tf.float32)
        emb = tf.nn.embedding_lookup(embedding, inputs)
        cell = tf.nn.rnn_cell.BasicLSTMCell(HIDDEN, forget_bias=0.0)
        outputs, _ = tf.nn.dynamic_rnn(cell, emb, dtype=tf.float32)
        output = tf.reshape(outputs, [-1, HIDDEN])
        softmax_w = tf.get_variable("softmax_w", [HIDDEN, VOCAB], dtype=tf.float32)
        softmax_b = tf.get_variable("softmax_b", [VOCAB], dtype=tf.float32)
        logits = tf.reshape(tf.nn.xw_plus_b(output, softmax_w, softmax_b), [BATCH_SIZE, NUM_STEPS, VOCAB])
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits))
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    losses = []
    with tf.Session(graph=graph) as sess:
        sess.run(tf.global_variables_initializer())
        n = sess.run(epoch_size, {raw_data: corpus})
        for _ in range(epochs):
            total = 0.0
            for step in range(n):
                cost, _ = sess.run([loss, train_op], {raw_data: corpus, i: step})
                total += cost
            losses.append(total / n)
    return losses, int(n)


def test_ptb_style_program_learns_from_tensor_sliced_batches() -> None:
    rng = np.random.default_rng(0)
    # A corpus with structure to learn: runs of a word followed by its successor.
    words = np.concatenate([np.repeat(w % VOCAB, 2) for w in rng.integers(0, VOCAB, 80)])
    words = np.concatenate([words, (words + 1) % VOCAB]).astype(np.int64)
    losses, n = build_and_train(words, epochs=5)
    assert n == (len(words) // BATCH_SIZE - 1) // NUM_STEPS
    assert losses[0] > np.log(VOCAB) * 0.8  # starts near chance
    assert losses[-1] < 0.75 * losses[0], losses


def test_the_queue_the_reader_used_says_what_to_do_instead() -> None:
    with pytest.raises(tf.UnsupportedTF1NameError, match="tensor bounds"):
        tf.train.range_input_producer(10, shuffle=False)
