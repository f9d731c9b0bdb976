"""A TF1-style seq2seq program, written as a TF1 user would (``import graphrnn as tf``): learn to
reverse a sequence of 4 symbols.

The graph is built at module level (in its own ``tf.Graph``, so other tests' default graph stays
clean): a GRU encoder (`tf.contrib.rnn.static_rnn` on one-hot symbols), an
`embedding_rnn_decoder` fed the shifted targets while training and its own greedy predictions
(``feed_previous=True``, the same variables) for inference, an output projection, the legacy
`sequence_loss`, and `AdamOptimizer(...).minimize`. The training loop feeds one list of placeholders
per step through ``feed_dict`` and prints the loss, as TF1 tutorials did.
"""

from __future__ import annotations

import numpy as np

import graphrnn as tf

VOCAB, STEPS, BATCH, HIDDEN, EMBED = 6, 4, 32, 32, 8
GO = 0  # symbol 0 starts the decoder; the data uses symbols 1..5
seq2seq = tf.contrib.legacy_seq2seq

graph = tf.Graph()
with graph.as_default():
    tf.set_random_seed(1234)
    encoder_inputs = [tf.placeholder(tf.int32, [None], name=f"encoder{t}") for t in range(STEPS)]
    decoder_inputs = [tf.placeholder(tf.int32, [None], name=f"decoder{t}") for t in range(STEPS)]
    targets = [tf.placeholder(tf.int32, [None], name=f"target{t}") for t in range(STEPS)]
    target_weights = [tf.ones_like(t, dtype=tf.float32) for t in targets]

    with tf.variable_scope("reverser"):
        enc_cell = tf.contrib.rnn.GRUCell(HIDDEN)
        _, enc_state = tf.contrib.rnn.static_rnn(enc_cell, [tf.one_hot(x, VOCAB) for x in encoder_inputs],
                                                 dtype=tf.float32, scope="encoder")
        proj_w = tf.get_variable("proj_w", [HIDDEN, VOCAB])
        proj_b = tf.get_variable("proj_b", [VOCAB], initializer=tf.zeros_initializer())
        dec_cell = tf.contrib.rnn.GRUCell(HIDDEN)
        outputs, _ = seq2seq.embedding_rnn_decoder(decoder_inputs, enc_state, dec_cell, VOCAB, EMBED,
                                                   output_projection=(proj_w, proj_b))
        logits = [tf.matmul(o, proj_w) + proj_b for o in outputs]
        loss = seq2seq.sequence_loss(logits, targets, target_weights)

    with tf.variable_scope("reverser", reuse=True):
        greedy_outputs, _ = seq2seq.embedding_rnn_decoder(decoder_inputs, enc_state, dec_cell, VOCAB, EMBED,
                                                          output_projection=(proj_w, proj_b), feed_previous=True)
        predictions = [tf.argmax(tf.matmul(o, proj_w) + proj_b, 1) for o in greedy_outputs]

    # The same loss from the batch-major contrib.seq2seq.sequence_loss.
    batch_major_loss = tf.contrib.seq2seq.sequence_loss(tf.stack(logits, axis=1), tf.stack(targets, axis=1),
                                                        tf.stack(target_weights, axis=1))
    train_op = tf.train.AdamOptimizer(0.02).minimize(loss)
    init = tf.global_variables_initializer()


def make_batch(rng: np.random.Generator) -> dict:
    seq = rng.integers(1, VOCAB, size=(BATCH, STEPS))
    rev = seq[:, ::-1]
    dec = np.concatenate([np.full((BATCH, 1), GO), rev[:, :-1]], axis=1)
    feed = {}
    for t in range(STEPS):
        feed[encoder_inputs[t]] = seq[:, t]
        feed[decoder_inputs[t]] = dec[:, t]
        feed[targets[t]] = rev[:, t]
    return feed


def main(train_steps: int = 100) -> dict:
    rng = np.random.default_rng(0)
    history = []
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        test_feed = make_batch(np.random.default_rng(99))
        first, first_batch_major = sess.run([loss, batch_major_loss], test_feed)
        for step in range(train_steps):
            _, l = sess.run([train_op, loss], make_batch(rng))
            history.append(l)
            if step % 25 == 0:
                print(f"step {step}, loss {l:.4f}")
        last = sess.run(loss, test_feed)
        greedy = np.stack(sess.run(predictions, test_feed), axis=1)
    reversed_targets = np.stack([test_feed[t] for t in targets], axis=1)
    accuracy = float((greedy == reversed_targets).mean())
    print(f"loss on held-out batch: {first:.4f} -> {last:.4f}, greedy accuracy {accuracy:.2f}")
    return {"first": first, "first_batch_major": first_batch_major, "last": last, "history": history,
            "greedy_accuracy": accuracy}


def test_reverser_trains_and_its_loss_falls(capsys) -> None:
    result = main()
    printed = capsys.readouterr().out
    assert "step 0, loss" in printed and "held-out" in printed
    # Untrained: about log(5 symbols); the two sequence_loss flavours agree (all weights are 1).
    assert 1.2 < result["first"] < 2.5
    np.testing.assert_allclose(result["first"], result["first_batch_major"], rtol=1e-5)
    assert result["last"] < 0.5 * result["first"]
    assert np.mean(result["history"][-10:]) < np.mean(result["history"][:10])
    assert result["greedy_accuracy"] > 0.8  # the greedy decoder (feed_previous=True) shares the weights


if __name__ == "__main__":
    main()
