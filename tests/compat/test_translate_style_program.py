"""A TF1 translate-tutorial-style program (``import graphrnn as tf``): an attention seq2seq model with
buckets, written the way TF1's ``seq2seq_model.py`` was: one list of placeholders per position, padded
batches, ``tf.contrib.legacy_seq2seq.model_with_buckets`` over ``embedding_attention_seq2seq``, and
per bucket ``tf.gradients`` -> ``tf.clip_by_global_norm`` -> ``apply_gradients``.

The toy task reverses a sequence of 2-4 symbols; the decoder reads ``GO`` + the reversed sequence and
must output the reversed sequence then ``EOS``. The graph is built at module level in its own graph.
"""

from __future__ import annotations

import numpy as np

import graphrnn as tf

PAD, GO, EOS = 0, 1, 2
VOCAB, HIDDEN, EMBED, BATCH = 8, 24, 8, 16
BUCKETS = [(3, 4), (4, 5)]  # (encoder length, decoder length): input + EOS fits the decoder

graph = tf.Graph()
with graph.as_default():
    tf.set_random_seed(42)
    enc_len, dec_len = BUCKETS[-1]
    encoder_inputs = [tf.placeholder(tf.int32, [None], name=f"encoder{i}") for i in range(enc_len)]
    decoder_inputs = [tf.placeholder(tf.int32, [None], name=f"decoder{i}") for i in range(dec_len + 1)]
    target_weights = [tf.placeholder(tf.float32, [None], name=f"weight{i}") for i in range(dec_len + 1)]
    targets = [decoder_inputs[i + 1] for i in range(dec_len)]  # the decoder inputs shifted by one
    cell = tf.contrib.rnn.GRUCell(HIDDEN)

    def seq2seq_f(encoder_inputs, decoder_inputs):
        return tf.contrib.legacy_seq2seq.embedding_attention_seq2seq(
            encoder_inputs, decoder_inputs, cell, num_encoder_symbols=VOCAB, num_decoder_symbols=VOCAB,
            embedding_size=EMBED, feed_previous=False, dtype=tf.float32)

    outputs, losses = tf.contrib.legacy_seq2seq.model_with_buckets(
        encoder_inputs, decoder_inputs, targets, target_weights, BUCKETS, seq2seq_f)
    params = tf.trainable_variables()
    opt = tf.train.AdamOptimizer(0.02)
    updates = []
    for b in range(len(BUCKETS)):
        gradients = tf.gradients(losses[b], params)
        clipped, norm = tf.clip_by_global_norm(gradients, 5.0)
        updates.append(opt.apply_gradients(zip(clipped, params)))
    init = tf.global_variables_initializer()


def get_batch(rng: np.random.Generator, bucket_id: int) -> dict:
    """TF1's get_batch: encoder inputs reversed and padded, decoder inputs GO + target + EOS, padded."""
    encoder_size, decoder_size = BUCKETS[bucket_id]
    enc, dec = [], []
    for _ in range(BATCH):
        n = int(rng.integers(2, encoder_size + 1))
        seq = list(rng.integers(3, VOCAB, size=n))
        enc.append(list(reversed(seq + [PAD] * (encoder_size - n))))  # TF1 reverses the padded input
        out = seq[::-1] + [EOS]
        dec.append([GO] + out + [PAD] * (decoder_size - len(out) - 1))
    feed = {}
    for i in range(encoder_size):
        feed[encoder_inputs[i]] = np.array([e[i] for e in enc], np.int32)
    for i in range(decoder_size):
        feed[decoder_inputs[i]] = np.array([d[i] for d in dec], np.int32)
        # A weight of 0 for PAD targets (and for the last decoder input, which has no target).
        feed[target_weights[i]] = np.array([0.0 if i == decoder_size - 1 or d[i + 1] == PAD else 1.0
                                            for d in dec], np.float32)
    feed[decoder_inputs[decoder_size]] = np.zeros(BATCH, np.int32)
    return feed


def main(steps: int = 60) -> dict:
    rng = np.random.default_rng(0)
    first, last = {}, {}
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        held_out = [get_batch(np.random.default_rng(7 + b), b) for b in range(len(BUCKETS))]
        for b in range(len(BUCKETS)):
            first[b] = sess.run(losses[b], held_out[b])
        for step in range(steps):
            b = step % len(BUCKETS)
            _, loss = sess.run([updates[b], losses[b]], get_batch(rng, b))
            if step % 20 == 0:
                print(f"step {step} bucket {b} loss {loss:.4f}")
        for b in range(len(BUCKETS)):
            last[b] = sess.run(losses[b], held_out[b])
    print("held-out loss per bucket:", {b: (round(float(first[b]), 3), round(float(last[b]), 3)) for b in first})
    return {"first": first, "last": last}


def test_bucketed_attention_model_trains_in_every_bucket(capsys) -> None:
    result = main()
    assert "bucket 0 loss" in capsys.readouterr().out
    for b in range(len(BUCKETS)):
        assert result["first"][b] > 1.5  # about log(8) untrained
        assert result["last"][b] < 0.6 * result["first"][b], (b, result)


if __name__ == "__main__":
    main()
