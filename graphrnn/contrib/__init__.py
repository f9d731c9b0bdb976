"""``gr.contrib``: the TF1 ``tf.contrib`` names the classic RNN programs use (``contrib.rnn``,
``contrib.layers``, ``contrib.seq2seq.sequence_loss``, ``contrib.legacy_seq2seq``)."""

from graphrnn.contrib import layers, legacy_seq2seq, rnn, seq2seq

__all__ = ["layers", "legacy_seq2seq", "rnn", "seq2seq"]
