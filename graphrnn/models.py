"""Small model builders shared by the `graphrnn` command and the benchmarks.

`build_rnn_model` builds the benchmark model: one RNN layer (``rnn``, ``gru`` or ``lstm`` cell, TF1
names and variables) over a ``[batch, steps, input_size]`` placeholder (``[steps, batch, input]``
when ``time_major``), unrolled (``static_rnn``: ``steps`` copies of the cell) or as one While node
(``dynamic_rnn``), with `graphrnn.nn`'s cells and drivers.

`optimize_graph` and `gradients_function` find the pass manager and autodiff if they are installed
and raise `FeatureUnavailable` (a `GraphError`) with a one-line message otherwise, so callers can
skip a column or fail cleanly.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from graphrnn import nest
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value

CELLS = ("rnn", "gru", "lstm", "nas", "layer_norm_lstm", "attention_lstm", "timefreq_lstm", "grid_lstm",
         "bidirectional_grid_lstm", "input_projection_gru", "output_projection_lstm", "embedding_gru")
MODES = ("static", "dynamic")


class FeatureUnavailable(GraphError):
    """A part of graphrnn this command needs (passes, gradients, training) is not installed yet."""


@dataclass
class ModelHandles:
    """What `build_rnn_model` built: the graph, its input, the RNN outputs/state and optional loss.

    ``outputs`` is a list of ``steps`` tensors ``[B, H]`` for ``static`` and one tensor (``[B, T, H]``,
    or ``[T, B, H]`` when time major) for ``dynamic``; ``state`` is the final state (an
    ``LSTMStateTuple`` for ``lstm``); ``last`` is the last step's output ``[B, H]``.
    """

    graph: Graph
    x: Value
    outputs: Any
    state: Any
    last: Value
    loss: Value | None
    cell: Any
    mode: str
    steps: int

    @property
    def fetches(self) -> list[Value]:
        """The values a forward run fetches: the final state's leaves (and the loss if any)."""
        leaves = [v for v in nest.flatten(self.state) if isinstance(v, Value)]
        return [*leaves, self.loss] if self.loss is not None else leaves


def make_cell(cell: str, units: int, input_size: int | None = None) -> Any:
    """A TF1 cell by short name: ``rnn`` BasicRNNCell, ``gru`` GRUCell, ``lstm`` LSTMCell (as TF1's figures);
    from ``gr.contrib.rnn``: ``nas`` NASCell, ``layer_norm_lstm`` LayerNormBasicLSTMCell,
    ``attention_lstm`` AttentionCellWrapper(LSTMCell, attn_length=4), ``timefreq_lstm``
    TimeFreqLSTMCell over slices of ``min(8, input_size)`` features shifted by half that
    (``input_size`` is the inputs' depth, default 8), ``grid_lstm`` GridLSTMCell over the same slices,
    ``bidirectional_grid_lstm`` BidirectionalGridLSTMCell over them; ``input_projection_gru`` /
    ``output_projection_lstm`` the projection wrappers around GRUCell / LSTMCell, ``embedding_gru``
    EmbeddingWrapper(GRUCell) over ``input_size`` ids (the model's input is then int32 ids)."""
    from graphrnn.contrib import rnn as contrib_rnn
    from graphrnn.nn import rnn_cell
    if cell == "nas":
        return contrib_rnn.NASCell(units)
    if cell == "layer_norm_lstm":
        return contrib_rnn.LayerNormBasicLSTMCell(units)
    if cell == "attention_lstm":
        return contrib_rnn.AttentionCellWrapper(rnn_cell.LSTMCell(units), 4)
    if cell == "timefreq_lstm":
        width = input_size if input_size is not None else 8
        feature = min(8, width)
        return contrib_rnn.TimeFreqLSTMCell(units, feature_size=feature, frequency_skip=max(1, feature // 2),
                                            input_size=width)
    if cell in ("grid_lstm", "bidirectional_grid_lstm"):
        width = input_size if input_size is not None else 8
        feature = min(8, width)
        skip = max(1, feature // 2)
        grid = contrib_rnn.GridLSTMCell if cell == "grid_lstm" else contrib_rnn.BidirectionalGridLSTMCell
        return grid(units, feature_size=feature, frequency_skip=skip,
                    num_frequency_blocks=[(width - feature) // skip + 1])
    if cell == "input_projection_gru":  # the inputs projected to `units` features first
        return contrib_rnn.InputProjectionWrapper(rnn_cell.GRUCell(units), units)
    if cell == "output_projection_lstm":  # the outputs projected to `units` features
        return contrib_rnn.OutputProjectionWrapper(rnn_cell.LSTMCell(units), units)
    if cell == "embedding_gru":  # ids in [0, input_size) embedded in min(units, 16) dims
        return contrib_rnn.EmbeddingWrapper(rnn_cell.GRUCell(units), embedding_classes=input_size or 28,
                                            embedding_size=min(units, 16))
    if cell == "rnn":
        return rnn_cell.BasicRNNCell(units)
    if cell == "gru":
        return rnn_cell.GRUCell(units)
    if cell == "lstm":
        return rnn_cell.LSTMCell(units)
    raise GraphError(f"unknown cell {cell!r}", fix=f"choose one of {', '.join(CELLS)}")


def build_rnn_model(cell: str = "lstm", mode: str = "static", steps: int = 28, units: int = 128,
                    input_size: int = 28, batch: int | None = None, time_major: bool = False,
                    with_loss: bool = False, graph: Graph | None = None,
                    dtype: dtypes.DType = dtypes.float32) -> ModelHandles:
    """Builds one RNN layer in ``graph`` (a new Graph by default); see the module docstring.

    ``with_loss`` adds ``loss = mean(last ** 2)``, a scalar that depends on every step, for gradients.
    """
    from graphrnn.nn.rnn import dynamic_rnn, static_rnn
    from graphrnn.ops.array import unstack
    from graphrnn.ops.math import square
    from graphrnn.ops.math_reduce import reduce_mean
    from graphrnn.ops.state import placeholder
    if mode not in MODES:
        raise GraphError(f"unknown mode {mode!r}", fix=f"choose one of {', '.join(MODES)}")
    if steps < 1 or units < 1 or input_size < 1:
        raise GraphError(f"steps, units and input_size must be >= 1, got {steps}, {units}, {input_size}")
    g = graph if graph is not None else Graph()
    with builder.as_default(g):
        if cell == "embedding_gru":  # one id per step: [batch, steps, 1] int32
            shape = [steps, batch, 1] if time_major else [batch, steps, 1]
            x = placeholder(dtypes.int32, shape, name="x")
        else:
            shape = [steps, batch, input_size] if time_major else [batch, steps, input_size]
            x = placeholder(dtype, shape, name="x")
        rnn_cell = make_cell(cell, units, input_size)
        if mode == "static":
            inputs = unstack(x, num=steps, axis=0 if time_major else 1)
            outputs, state = static_rnn(rnn_cell, inputs, dtype=dtype)
            last = outputs[-1]
        else:
            outputs, state = dynamic_rnn(rnn_cell, x, dtype=dtype, time_major=time_major)
            last = nest.flatten(state)[-1]  # h of an LSTMStateTuple, the state of rnn/gru
        loss = reduce_mean(square(last), name="loss") if with_loss else None
    return ModelHandles(g, x, outputs, state, last, loss, rnn_cell, mode, steps)


def optimize_graph(graph: Graph, fetches: list[Value | Node], pipeline: str = "default") -> tuple[Any, Any, Any]:
    """``graphrnn.passes.optimize(graph, fetches, pipeline)`` -> ``(graph, mapping, report)``."""
    fn = None
    for mod in ("graphrnn.passes", "graphrnn.passes.pipeline"):
        try:
            fn = getattr(importlib.import_module(mod), "optimize", None)
        except ImportError:
            fn = None
        if fn is not None:
            break
    if fn is None:
        raise FeatureUnavailable("graph optimization is not available yet (graphrnn.passes.optimize is missing)")
    return fn(graph, fetches, pipeline=pipeline)


def gradients_function() -> Any:
    """``gradients(ys, xs)`` from graphrnn's autodiff, or raises `FeatureUnavailable`."""
    for mod in ("graphrnn.autodiff", "graphrnn"):
        try:
            fn = getattr(importlib.import_module(mod), "gradients", None)
        except ImportError:
            fn = None
        if fn is not None:
            return fn
    raise FeatureUnavailable("gradients are not available yet (graphrnn.autodiff.gradients is missing)")
