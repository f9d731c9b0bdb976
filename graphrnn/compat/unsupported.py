"""TF1 names graphrnn does not support (yet), each with what to use instead: the one list.

``gr`` and its TF1 submodules (``gr.nn``, ``gr.train``, ``gr.layers``, ``gr.contrib`` and its
modules) install `module_getattr` as their module ``__getattr__``. Looking up a missing name then
raises `UnsupportedTF1NameError` when the name is TF1's (it is in `UNSUPPORTED`), with the
alternative; otherwise a plain ``AttributeError`` with a did-you-mean. Both are AttributeErrors, so
``hasattr(gr, name)`` stays False and ``getattr(gr, name, default)`` returns the default.

``docs/tf1_unsupported.md`` is rendered from the same list (`render_markdown`; regenerate it with
``python docs/make_tf1_unsupported.py``); a test checks the file is current and that no listed
name exists in graphrnn (a name that gets implemented must leave the list).

Invariant: keys are TF1 paths relative to ``tf`` ("FIFOQueue", "train.batch", "contrib.crf"); a
key names either a missing attribute of an existing graphrnn module or a whole missing submodule.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Callable
from typing import Any

from graphrnn.ir.errors import GraphError

_FEED = "read the data in Python (NumPy) and feed batches with Session.run(..., feed_dict={...})"
_LOOP = "write the loop with gr.while_loop and a gr.TensorArray (one While node, differentiable)"
_OPT = "use gr.train.AdamOptimizer, MomentumOptimizer or GradientDescentOptimizer"
_SCHEDULE = "compute the learning rate in Python each step and feed it through a scalar gr.placeholder"
_SAVE = "save the graph with graphrnn.ir.serialize.save(graph, path) and the weights with gr.train.Saver"
_CONV = "graphrnn targets recurrent networks and has no convolutions; flatten the input and use gr.layers.dense"
_POOL = "use gr.reduce_max / gr.reduce_mean over the pooled axes"
_NORM = "normalize by hand: gr.nn.moments is not there either; use gr.reduce_mean and gr.square over the axes"
_CELL = "use a cell of gr.nn.rnn_cell (BasicRNNCell, GRUCell, BasicLSTMCell, LSTMCell) or gr.contrib.rnn"
_SPARSE = "use dense tensors (gr.one_hot, gr.gather) instead of sparse ones"
_STRING = "graphrnn has no string ops: process text in Python and feed integer ids"
_EAGER = "graphrnn runs graphs only: build the graph, then evaluate with gr.Session().run"
_SERVE = "graphrnn runs in-process only: use gr.Session; export with graphrnn.ir.serialize"

# name (relative to tf) -> what to use instead. Sorted by area, then name, in the rendered table.
UNSUPPORTED: dict[str, str] = {
    # --- input pipelines: queues, readers, tf.data ------------------------------------------------
    "FIFOQueue": _FEED,
    "PaddingFIFOQueue": _FEED,
    "RandomShuffleQueue": _FEED + " (shuffle with numpy.random.permutation)",
    "PriorityQueue": _FEED,
    "QueueBase": _FEED,
    "train.batch": _FEED,
    "train.shuffle_batch": _FEED + " (shuffle with numpy.random.permutation)",
    "train.batch_join": _FEED,
    "train.shuffle_batch_join": _FEED,
    "train.maybe_batch": _FEED,
    "train.string_input_producer": _FEED,
    "train.range_input_producer": "slice with tensor bounds, x[:, i * n:(i + 1) * n], with i a fed scalar, "
                                  "as the PTB reader does, or " + _FEED,
    "train.input_producer": _FEED,
    "train.slice_input_producer": _FEED,
    "train.limit_epochs": "loop over epochs in Python",
    "train.start_queue_runners": "not needed: feed batches with Session.run(..., feed_dict={...})",
    "train.QueueRunner": _FEED,
    "train.add_queue_runner": _FEED,
    "train.Coordinator": "not needed without queue runners: loop over the batches in Python",
    "TextLineReader": _FEED,
    "TFRecordReader": _FEED,
    "FixedLengthRecordReader": _FEED,
    "WholeFileReader": _FEED,
    "ReaderBase": _FEED,
    "read_file": _FEED,
    "decode_csv": "parse CSV with numpy.loadtxt or the csv module, then feed",
    "decode_raw": "decode with numpy.frombuffer, then feed",
    "parse_example": _FEED,
    "parse_single_example": _FEED,
    "FixedLenFeature": _FEED,
    "VarLenFeature": _FEED,
    "python_io": _FEED,
    "data": "tf.data is not supported: iterate over NumPy batches in Python and feed them",
    "contrib.data": "iterate over NumPy batches in Python and feed them",
    "contrib.training": "bucket and batch sequences in Python (pad with numpy), and feed sequence_length",
    # --- sessions, hooks, distribution -----------------------------------------------------------------
    "train.Supervisor": "use gr.Session with gr.train.Saver, and a Python training loop",
    "train.MonitoredTrainingSession": "use gr.Session with gr.train.Saver, and a Python training loop",
    "train.MonitoredSession": "use gr.Session",
    "train.SingularMonitoredSession": "use gr.Session",
    "train.SessionRunHook": "call your code between Session.run calls in the training loop",
    "train.StopAtStepHook": "stop the Python training loop at the step you want",
    "train.LoggingTensorHook": "fetch the tensors in Session.run and print them",
    "train.CheckpointSaverHook": "call gr.train.Saver().save(...) every N steps in the training loop",
    "train.Scaffold": "use gr.Session and gr.global_variables_initializer()",
    "train.Server": _SERVE,
    "train.ClusterSpec": _SERVE,
    "train.replica_device_setter": _SERVE,
    "train.SyncReplicasOptimizer": _OPT,
    "distribute": _SERVE,
    # --- meta graphs, serving ----------------------------------------------------------------------
    "train.import_meta_graph": "load a graph saved with graphrnn.ir.serialize.save using serialize.load",
    "train.export_meta_graph": _SAVE,
    "train.write_graph": _SAVE,
    "saved_model": _SAVE,
    "estimator": "write the model function as a graph and train it with gr.Session and an optimizer",
    "contrib.estimator": "write the model as a graph and train it with gr.Session and an optimizer",
    "contrib.learn": "write the model as a graph and train it with gr.Session and an optimizer",
    "contrib.predictor": _SERVE,
    "lite": _SERVE,
    "tpu": _SERVE,
    "contrib.tpu": _SERVE,
    # --- high-level APIs and eager ------------------------------------------------------------------
    "keras": "use gr.layers.dense and the gr.nn.rnn_cell cells with gr.nn.dynamic_rnn",
    "contrib.keras": "use gr.layers.dense and the gr.nn.rnn_cell cells with gr.nn.dynamic_rnn",
    "feature_column": "build the input tensors yourself (gr.one_hot, gr.nn.embedding_lookup)",
    "contrib.slim": "use gr.layers.dense, gr.variable_scope and the gr.train optimizers",
    "contrib.framework": "use gr.variable_scope / gr.get_variable / gr.global_variables",
    "contrib.eager": _EAGER,
    "enable_eager_execution": _EAGER,
    "executing_eagerly": _EAGER + " (always False)",
    "function": _EAGER,
    "autograph": "write loops with gr.while_loop and branches with gr.cond",
    "py_func": "compute it in Python between Session.run calls, or express it with graphrnn ops",
    "py_function": "compute it in Python between Session.run calls, or express it with graphrnn ops",
    "numpy_function": "compute it in Python between Session.run calls, or express it with graphrnn ops",
    "custom_gradient": "graphrnn's gradient rules are per op (graphrnn/autodiff/rules_*.py); "
                       "compose existing ops or use gr.stop_gradient",
    "RegisterGradient": "graphrnn's gradient rules are per op (graphrnn/autodiff/rules_*.py)",
    "load_op_library": "graphrnn runs NumPy kernels: register a new op in graphrnn/ops with a kernel",
    "make_template": "use gr.variable_scope(scope, reuse=gr.AUTO_REUSE) around the function body",
    "test": "use pytest (or unittest) with numpy.testing",
    "errors": "catch gr.GraphError and its subclasses (ShapeError, FeedError, ExecutionError, ...)",
    "profiler": "see session.last_run_report, or time Session.run",
    # --- higher-order functions and control flow -------------------------------------------------
    "map_fn": _LOOP,
    "scan": _LOOP,
    "foldl": _LOOP,
    "foldr": _LOOP,
    "case": "nest gr.cond calls",
    "switch_case": "nest gr.cond calls",
    # --- optimizers and schedules -----------------------------------------------------------------
    "train.FtrlOptimizer": _OPT,
    "train.ProximalAdagradOptimizer": _OPT,
    "contrib.opt": _OPT,
    "train.exponential_decay": _SCHEDULE,
    "train.piecewise_constant": _SCHEDULE,
    "train.polynomial_decay": _SCHEDULE,
    "train.natural_exp_decay": _SCHEDULE,
    "train.inverse_time_decay": _SCHEDULE,
    "train.cosine_decay": _SCHEDULE,
    "train.noisy_linear_cosine_decay": _SCHEDULE,
    # --- losses and metrics --------------------------------------------------------------------------
    "losses": "use gr.nn.sparse_softmax_cross_entropy_with_logits / softmax_cross_entropy_with_logits "
              "and gr.reduce_mean",
    "metrics": "compute the metric in the graph, e.g. gr.reduce_mean(gr.cast(gr.equal(pred, labels), gr.float32))",
    "contrib.metrics": "compute the metric in the graph with gr.reduce_mean / gr.equal",
    "nn.sampled_softmax_loss": "use the full gr.nn.sparse_softmax_cross_entropy_with_logits",
    "nn.nce_loss": "use the full gr.nn.sparse_softmax_cross_entropy_with_logits",
    "nn.ctc_loss": "not supported: graphrnn has no CTC; use per-step cross-entropy with sequence masks",
    "nn.ctc_greedy_decoder": "take gr.argmax over the classes and collapse repeats in Python",
    "nn.ctc_beam_search_decoder": "decode in Python from the logits fetched with Session.run",
    "nn.weighted_cross_entropy_with_logits": "weight gr.nn.sigmoid_cross_entropy_with_logits by hand",
    "nn.log_poisson_loss": "write it with gr.exp and gr.log",
    "contrib.crf": "not supported: use per-step softmax cross-entropy",
    # --- convolution, pooling, normalization --------------------------------------------------------
    "nn.conv1d": _CONV,
    "nn.conv2d": _CONV,
    "nn.conv3d": _CONV,
    "nn.conv2d_transpose": _CONV,
    "nn.depthwise_conv2d": _CONV,
    "nn.separable_conv2d": _CONV,
    "nn.atrous_conv2d": _CONV,
    "nn.convolution": _CONV,
    "nn.max_pool": _POOL,
    "nn.avg_pool": _POOL,
    "nn.pool": _POOL,
    "nn.batch_normalization": _NORM,
    "nn.fused_batch_norm": _NORM,
    "nn.moments": "use gr.reduce_mean(x, axes) and gr.reduce_mean(gr.square(x - mean), axes)",
    "nn.local_response_normalization": _NORM,
    "nn.lrn": _NORM,
    "layers.conv1d": _CONV,
    "layers.conv2d": _CONV,
    "layers.conv3d": _CONV,
    "layers.conv2d_transpose": _CONV,
    "layers.separable_conv2d": _CONV,
    "layers.max_pooling1d": _POOL,
    "layers.max_pooling2d": _POOL,
    "layers.average_pooling1d": _POOL,
    "layers.average_pooling2d": _POOL,
    "layers.batch_normalization": _NORM,
    "layers.Conv2D": _CONV,
    "layers.MaxPooling2D": _POOL,
    "layers.BatchNormalization": _NORM,
    "contrib.layers.conv2d": _CONV,
    "contrib.layers.batch_norm": _NORM,
    "contrib.layers.max_pool2d": _POOL,
    "image": "graphrnn has no image ops: preprocess images with NumPy and feed them",
    "contrib.image": "graphrnn has no image ops: preprocess images with NumPy and feed them",
    "audio": "process audio with NumPy and feed it",
    "signal": "compute spectra with numpy.fft and feed them",
    "spectral": "compute spectra with numpy.fft and feed them",
    # --- other nn ops --------------------------------------------------------------------------------
    "nn.top_k": "fetch the scores and use numpy.argsort, or gr.argmax for k = 1",
    "nn.in_top_k": "for k = 1 compare gr.argmax(logits, 1) with the labels",
    "nn.raw_rnn": "use gr.nn.dynamic_rnn, or gr.while_loop with a TensorArray",
    "nn.embedding_lookup_sparse": "use gr.nn.embedding_lookup on dense ids",
    "nn.safe_embedding_lookup_sparse": "use gr.nn.embedding_lookup on dense ids",
    "nn.selu": "write it with gr.where(x > 0, x, alpha * (gr.exp(x) - 1)) * scale",
    "nn.swish": "write it as x * gr.sigmoid(x)",
    "nn.dilation2d": _CONV,
    "nn.ctc_unique_labels": "not supported: graphrnn has no CTC",
    # --- RNN cells and drivers ----------------------------------------------------------------------
    "nn.rnn_cell.DeviceWrapper": "graphrnn runs on one device: use the wrapped cell itself",
    "contrib.rnn.DeviceWrapper": "graphrnn runs on one device: use the wrapped cell itself",
    "contrib.rnn.GRUBlockCell": _CELL + " (GRUCell computes the same function)",
    "contrib.rnn.GRUBlockCellV2": _CELL + " (GRUCell computes the same function)",
    "contrib.rnn.LSTMBlockFusedCell": "use gr.contrib.rnn.LSTMBlockCell with gr.nn.dynamic_rnn",
    "contrib.rnn.UGRNNCell": _CELL,
    "contrib.rnn.IntersectionRNNCell": _CELL,
    "contrib.rnn.PhasedLSTMCell": _CELL,
    "contrib.rnn.HighwayWrapper": "use gr.nn.rnn_cell.ResidualWrapper, or write the gate in a custom cell",
    "contrib.rnn.ConvLSTMCell": _CONV,
    "contrib.rnn.Conv2DLSTMCell": _CONV,
    "contrib.rnn.GLSTMCell": _CELL,
    "contrib.rnn.SRUCell": _CELL,
    "contrib.rnn.IndRNNCell": _CELL,
    "contrib.rnn.IndyLSTMCell": _CELL,
    "contrib.rnn.stack_bidirectional_dynamic_rnn": "stack gr.nn.bidirectional_dynamic_rnn calls, each in its own "
                                                   "gr.variable_scope, concatenating the outputs",
    "contrib.rnn.stack_bidirectional_rnn": "stack gr.nn.static_bidirectional_rnn calls, each in its own "
                                           "gr.variable_scope",
    "contrib.cudnn_rnn": "use gr.contrib.rnn.LSTMBlockCell or gr.nn.rnn_cell.LSTMCell with gr.nn.dynamic_rnn",
    "contrib.grid_rnn": _CELL,
    # --- sparse, ragged, strings ------------------------------------------------------------------
    "SparseTensor": _SPARSE,
    "SparseTensorValue": _SPARSE,
    "sparse_placeholder": _SPARSE,
    "sparse": _SPARSE,
    "sparse_tensor_to_dense": _SPARSE,
    "sparse_to_dense": _SPARSE,
    "IndexedSlices": "graphrnn's gather gradients are dense; use the gradients as they are",
    "ragged": "pad sequences with numpy and pass sequence_length to the RNN drivers",
    "RaggedTensor": "pad sequences with numpy and pass sequence_length to the RNN drivers",
    "strings": _STRING,
    "string_split": _STRING,
    "string_to_number": _STRING,
    "as_string": _STRING,
    "regex_replace": _STRING,
    "decode_base64": _STRING,
    "encode_base64": _STRING,
    "contrib.lookup": _STRING,
    # --- array ops graphrnn lacks ----------------------------------------------------------------
    "gather_nd": "use gr.gather along one axis (flatten the indexed axes with gr.reshape first)",
    "scatter_nd": "build the result with gr.one_hot and a product, or with gr.where",
    "boolean_mask": "use gr.where, or multiply by the mask (gr.sequence_mask lengths) and reduce",
    "dynamic_partition": "use gr.gather with indices computed in Python",
    "dynamic_stitch": "use gr.gather with indices computed in Python",
    "unique": "compute unique values in Python (numpy.unique) and feed them",
    "segment_sum": "use gr.one_hot(segment_ids) and a matmul",
    "unsorted_segment_sum": "use gr.one_hot(segment_ids) and a matmul",
    "segment_mean": "use gr.one_hot(segment_ids), a matmul and a division by the counts",
    "einsum": "use gr.matmul with gr.transpose / gr.reshape",
    "tensordot": "use gr.matmul with gr.transpose / gr.reshape",
    "cumsum": "use gr.while_loop, or a matmul with a triangular constant",
    "cumprod": "use gr.while_loop with a running product",
    "histogram_fixed_width": "compute histograms with numpy.histogram on fetched values",
    "bincount": "use gr.reduce_sum(gr.one_hot(x, depth), 0)",
    "meshgrid": "build the grids with gr.tile and gr.reshape (or numpy, then gr.constant)",
    "linalg": "use gr.matmul; other linear algebra is not supported",
    "matrix_inverse": "not supported: graphrnn has no linear solvers",
    "matrix_determinant": "not supported: graphrnn has no linear solvers",
    "svd": "not supported: graphrnn has no linear solvers",
    "fft": "compute it with numpy.fft and feed the result",
    "contrib.distributions": "write the log-densities with graphrnn ops (gr.log, gr.square, ...)",
    "distributions": "write the log-densities with graphrnn ops (gr.log, gr.square, ...)",
    "contrib.timeseries": "model the series with gr.nn.dynamic_rnn",
    "contrib.tensorboard": "log with Python (the fetched values) instead",
    "contrib.quantize": "not supported: graphrnn computes in float32/float64",
    # --- common TF1 conveniences not there yet -------------------------------------------------------
    "math": "use the ops at the top level: gr.exp, gr.log, gr.reduce_sum, gr.maximum, ...",
    "initializers": "use the gr.*_initializer functions (gr.zeros_initializer(), gr.glorot_uniform_initializer(), ...)",
    "norm": "use gr.sqrt(gr.reduce_sum(gr.square(x), axis)) (the Euclidean norm)",
    "broadcast_to": "add zeros of the target shape (x + gr.zeros(shape)) or use gr.tile",
    "count_nonzero": "use gr.reduce_sum(gr.cast(gr.not_equal(x, 0), gr.int64), axis)",
    "is_nan": "use gr.not_equal(x, x) (NaN is the only value not equal to itself)",
    "is_inf": "use gr.equal(gr.abs(x), float('inf'))",
    "is_finite": "use gr.check_numerics(x, message) to fail on NaN/inf, or gr.less(gr.abs(x), float('inf'))",
    "Print": "fetch the tensor with sess.run and print it in Python (or add it to a tf.summary)",
    "report_uninitialized_variables": "compare gr.global_variables() with sess.variables (the initialized ones)",
    "is_variable_initialized": "check var.op.attrs['var_name'] in sess.variables",
}


class UnsupportedTF1NameError(GraphError, AttributeError):
    """A TF1 name that graphrnn does not support (yet); the message says what to use instead.

    Also an ``AttributeError``: ``hasattr`` is False and ``getattr(mod, name, default)`` works.
    """


def _tf_path(module_name: str) -> str:
    """``graphrnn.contrib.rnn`` -> ``contrib.rnn``; ``graphrnn`` -> ``""``."""
    return module_name.partition(".")[2] if "." in module_name else ""


def lookup(module_name: str, name: str) -> str | None:
    """The alternative for TF1 name ``name`` missing from graphrnn module ``module_name``, if listed."""
    prefix = _tf_path(module_name)
    return UNSUPPORTED.get(f"{prefix}.{name}" if prefix else name)


def _did_you_mean(module: Any, name: str) -> str:
    candidates = [n for n in dir(module) if not n.startswith("_")]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.75)
    if not close:
        lowered = {c.lower(): c for c in candidates}  # TF1 spelling differences: GRUcell, Lstmcell
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def module_getattr(module_name: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module_name``: explains TF1 names that graphrnn lacks."""
    def __getattr__(name: str) -> Any:
        alternative = None if name.startswith("_") else lookup(module_name, name)
        if alternative is not None:
            prefix = _tf_path(module_name)
            tf_name = f"tf.{prefix}.{name}" if prefix else f"tf.{name}"
            raise UnsupportedTF1NameError(f"{tf_name} is a TF1 name that graphrnn does not support yet",
                                          fix=alternative)
        module = sys.modules.get(module_name)
        hint = "" if name.startswith("_") or module is None else _did_you_mean(module, name)
        raise AttributeError(f"module '{module_name}' has no attribute '{name}'{hint}")
    return __getattr__


# --- the rendered table ------------------------------------------------------------------------------

DOC_PATH = "docs/tf1_unsupported.md"


def render_markdown() -> str:
    """``docs/tf1_unsupported.md``: every listed name with its alternative, by module."""
    lines = ["# TF1 names graphrnn does not support (yet)", "",
             "Generated from `graphrnn/compat/unsupported.py` by `python docs/make_tf1_unsupported.py`;",
             "do not edit by hand. Using one of these names raises `gr.UnsupportedTF1NameError` (a",
             "`GraphError` and an `AttributeError`) whose message gives the alternative below.", ""]
    by_module: dict[str, list[str]] = {}
    for key in UNSUPPORTED:
        module, _, _ = key.rpartition(".")
        by_module.setdefault(module, []).append(key)
    for module in sorted(by_module, key=lambda m: (m != "", m)):
        lines += [f"## `tf.{module}`" if module else "## `tf`", "", "| TF1 name | use instead |", "|---|---|"]
        for key in sorted(by_module[module], key=str.lower):
            alternative = UNSUPPORTED[key].replace("|", "\\|")  # a table cell
            lines.append(f"| `tf.{key}` | {alternative} |")
        lines.append("")
    lines.append(f"{len(UNSUPPORTED)} names.")
    return "\n".join(lines) + "\n"


def resolve_module(module: str) -> Any:
    """The graphrnn module for TF1 path ``module`` ("" -> graphrnn), or None if it does not exist."""
    try:
        return importlib.import_module("graphrnn" + (f".{module}" if module else ""))
    except ImportError:
        return None
