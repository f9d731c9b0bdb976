"""``gr.nn``: TF1's ``tf.nn`` — the op-level functions (activations, softmax, losses, dropout...) and
the RNN library (``gr.nn.rnn_cell`` cells, `static_rnn`, `dynamic_rnn`, the bidirectional drivers)."""

from graphrnn.nn import rnn_cell
from graphrnn.nn.bidirectional import SharedCellWarning, bidirectional_dynamic_rnn, static_bidirectional_rnn
from graphrnn.nn.rnn import dynamic_rnn, static_rnn
from graphrnn.nn.rnn_gates import gate_histories, rnn_gates
from graphrnn.nn.state_saving import static_state_saving_rnn
from graphrnn.ops.nn import (
    bias_add,
    dropout,
    elu,
    embedding_lookup,
    l2_loss,
    l2_normalize,
    log_softmax,
    relu,
    relu6,
    sigmoid,
    sigmoid_cross_entropy_with_logits,
    softmax,
    softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2,
    softplus,
    sparse_softmax_cross_entropy_with_logits,
    tanh,
    xw_plus_b,
)
from graphrnn.ops.tf1_conveniences import leaky_relu

__all__ = ["rnn_cell", "static_rnn", "dynamic_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn",
           "SharedCellWarning", "relu", "relu6", "elu", "softplus", "sigmoid", "tanh", "softmax", "log_softmax",
           "softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits", "l2_loss",
           "l2_normalize", "bias_add", "xw_plus_b", "embedding_lookup", "dropout", "static_state_saving_rnn",
           "rnn_gates", "gate_histories", "leaky_relu"]

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
