"""The ``gr.nn.rnn_cell`` namespace (TF1's ``tf.nn.rnn_cell``): cells, wrappers and state tuples."""

from graphrnn.nn.cells_base import LSTMStateTuple, RNNCell
from graphrnn.nn.cells_basic import BasicRNNCell, GRUCell
from graphrnn.nn.cells_lstm import BasicLSTMCell, CoupledInputForgetGateLSTMCell, LSTMBlockCell, LSTMCell
from graphrnn.nn.wrappers import DropoutWrapper, MultiRNNCell, ResidualWrapper

__all__ = ["RNNCell", "LSTMStateTuple", "BasicRNNCell", "GRUCell", "BasicLSTMCell", "LSTMCell", "LSTMBlockCell",
           "CoupledInputForgetGateLSTMCell", "MultiRNNCell", "DropoutWrapper", "ResidualWrapper"]

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
