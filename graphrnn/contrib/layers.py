"""``gr.contrib.layers``: TF1's ``tf.contrib.layers.fully_connected``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphrnn.ir.graph import Value
from graphrnn.layers import affine
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.nn import relu
from graphrnn.ops.state import variable_scope

_RELU: Any = relu


def fully_connected(inputs: Any, num_outputs: int, activation_fn: Callable[[Any], Any] | None = _RELU,
                    normalizer_fn: Any = None, normalizer_params: Any = None, weights_initializer: Any = None,
                    weights_regularizer: Any = None, biases_initializer: Any = None,
                    biases_regularizer: Any = None, reuse: Any = None, variables_collections: Any = None,
                    outputs_collections: Any = None, trainable: bool = True, scope: Any = None) -> Value:
    """TF1 ``fully_connected``: ``activation_fn(x @ weights + biases)``, ReLU by default, variables
    ``<scope or fully_connected[_k]>/weights`` (glorot uniform, TF1's xavier default) and ``/biases``
    (zeros). ``normalizer_fn`` replaces the biases, as in TF1: ``normalizer_fn(x @ weights,
    **normalizer_params)``. Regularizers and collections are accepted and not applied."""
    x = convert_to_tensor(inputs)
    with variable_scope(scope, default_name="fully_connected", reuse=reuse):
        y = affine(x, num_outputs, None, normalizer_fn is None, "weights", "biases", weights_initializer,
                   biases_initializer, trainable, "fully_connected")
        if normalizer_fn is not None:
            y = normalizer_fn(y, **(normalizer_params or {}))
        return activation_fn(y) if activation_fn is not None else y

from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
