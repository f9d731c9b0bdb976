"""``gr.contrib.rnn``: TF1's ``tf.contrib.rnn`` aliases of the RNN library (same objects as ``gr.nn``),
``static_state_saving_rnn`` and a minimal variable-backed `StateSaver` for it."""

from graphrnn.contrib.cells_attention import AttentionCellWrapper
from graphrnn.contrib.cells_grid import BidirectionalGridLSTMCell, GridLSTMCell
from graphrnn.contrib.cells_layernorm import LayerNormBasicLSTMCell
from graphrnn.contrib.cells_nas import NASCell
from graphrnn.contrib.cells_timefreq import TimeFreqLSTMCell
from graphrnn.contrib.rnn_wrappers import EmbeddingWrapper, InputProjectionWrapper, OutputProjectionWrapper
from graphrnn.contrib.state_saver import StateSaver
from graphrnn.nn.bidirectional import bidirectional_dynamic_rnn, static_bidirectional_rnn
from graphrnn.nn.rnn import dynamic_rnn, static_rnn
from graphrnn.nn.rnn_cell import (
    BasicLSTMCell,
    BasicRNNCell,
    CoupledInputForgetGateLSTMCell,
    DropoutWrapper,
    GRUCell,
    LSTMBlockCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
)
from graphrnn.nn.state_saving import static_state_saving_rnn

__all__ = ["BasicLSTMCell", "BasicRNNCell", "CoupledInputForgetGateLSTMCell", "DropoutWrapper", "GRUCell",
           "LSTMBlockCell", "LSTMCell", "LSTMStateTuple", "MultiRNNCell", "ResidualWrapper", "RNNCell",
           "static_rnn", "dynamic_rnn", "static_bidirectional_rnn", "bidirectional_dynamic_rnn",
           "static_state_saving_rnn", "StateSaver", "EmbeddingWrapper", "InputProjectionWrapper",
           "OutputProjectionWrapper", "NASCell", "LayerNormBasicLSTMCell",
           "AttentionCellWrapper", "TimeFreqLSTMCell", "GridLSTMCell",
           "BidirectionalGridLSTMCell"]

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
