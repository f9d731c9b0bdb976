"""graphrnn: a small graph compiler for recurrent networks with a TensorFlow-1-style API.

``import graphrnn as gr`` (or ``as tf``) gives the TF1 names: graphs and sessions, placeholders,
variables, ops, control flow, ``gr.nn`` RNN cells and drivers, gradients and optimizers.
See DESIGN.md in the repository for the architecture.
"""

from graphrnn import debugging, nest
from graphrnn.config import ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata, RunOptions
from graphrnn.ir.builder import (
    control_dependencies,
    get_default_graph,
    name_scope,
    reset_default_graph,
)
from graphrnn.ir.device import DeviceSpec, device
from graphrnn.ir.dtypes import DType, as_dtype, bool_, float16, float32, float64, int32, int64, string
from graphrnn.ir.errors import (
    CheckpointError,
    DTypeError,
    ExecutionError,
    FeedError,
    FetchError,
    GraphError,
    InvalidArgumentError,
    PassError,
    ScopeError,
    SerializationError,
    ShapeError,
    VerifyError,
)
from graphrnn.ir.graph import Graph, IdentityComparisonWarning, Node, Value
from graphrnn.ir.types import TensorShape, TensorType
from graphrnn.ops import overloads as _overloads  # noqa: E402,F401 - installs tensor operators

# The op families: each module lists its public TF1 names in __all__.
from graphrnn.ops.array import *  # noqa: E402,F403
from graphrnn.ops.array_index import *  # noqa: E402,F403
from graphrnn.ops.array_shape import *  # noqa: E402,F403

# TF1's collections (tf.GraphKeys, tf.get_collection...) and variable updates (tf.assign...).
from graphrnn.ops.assign import assign, assign_add, assign_sub  # noqa: E402

# TF1's run-time checks: tf.Assert, tf.assert_*, tf.check_numerics (also as gr.debugging.*).
from graphrnn.ops.checks import *  # noqa: E402,F403
from graphrnn.ops.collections import (  # noqa: E402
    GraphKeys,
    add_to_collection,
    add_to_collections,
    get_collection,
    get_collection_ref,
)
from graphrnn.ops.control_flow import cond, while_loop
from graphrnn.ops.convert import constant, convert_to_tensor
from graphrnn.ops.initializers import (
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    ones_initializer,
    orthogonal_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    truncated_normal_initializer,
    zeros_initializer,
)
from graphrnn.ops.math import *  # noqa: E402,F403
from graphrnn.ops.math_reduce import *  # noqa: E402,F403
from graphrnn.ops.random import *  # noqa: E402,F403
from graphrnn.ops.set_shape import ensure_shape  # noqa: E402
from graphrnn.ops.state import (
    AUTO_REUSE,
    Variable,
    VariableScope,
    get_variable,
    get_variable_scope,
    global_variables,
    global_variables_initializer,
    group,
    no_op,
    placeholder,
    set_random_seed,
    trainable_variables,
    variable_scope,
    variables_initializer,
)
from graphrnn.ops.tensor_array import TensorArray
from graphrnn.ops.tf1_conveniences import *  # noqa: E402,F403
from graphrnn.session import InteractiveSession, Session, SessionArgumentError, SessionError, get_default_session

bool = bool_  # noqa: A001 - TF1 spells it gr.bool
Tensor = Value
Operation = Node
initialize_all_variables = global_variables_initializer
newaxis = None  # TF1's tf.newaxis: x[tf.newaxis, i] inserts a dim, as x[None, i] does

__version__ = "0.1.0"

# --- subpackages ---
from graphrnn import contrib, export, layers, nn, passes, summary, train
from graphrnn.autodiff import gradients
from graphrnn.passes.trace import trace  # loop tracing: marks a loop-body value (RunOptions(trace=True))

# TF1's tf.summary (TensorBoard files via the tensorboardX extra) and platform modules.
from graphrnn.platform import app, flags, gfile
from graphrnn.platform import tf_logging as logging
from graphrnn.platform.tf_logging import get_logger
from graphrnn.summary.proto_alias import Event, GraphDef, HistogramProto, SessionLog, Summary

# isort: split
# TF1 names graphrnn lacks raise UnsupportedTF1NameError saying what to use instead (one list).
from graphrnn.compat.unsupported import UnsupportedTF1NameError  # noqa: E402
from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
