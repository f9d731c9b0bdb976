"""``gr.contrib``: the TF1 ``tf.contrib`` names the classic RNN programs use (``contrib.rnn``,
``contrib.layers``, ``contrib.seq2seq.sequence_loss``, ``contrib.legacy_seq2seq``)."""

from graphrnn.contrib import layers, legacy_seq2seq, rnn, seq2seq

__all__ = ["layers", "legacy_seq2seq", "rnn", "seq2seq"]

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
