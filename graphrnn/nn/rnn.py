"""The unidirectional drivers: `static_rnn` (T unrolled cell copies) and `dynamic_rnn` (one While).

Both follow TF1's ``tf.nn`` semantics and return ``(outputs, final_state)``:
- default variable scope ``rnn`` (a plain name, as in TF1: a second, different cell under the
  same default scope collides and `get_variable` raises a `ScopeError` naming both sites);
- ``sequence_length``: for ``t >= len[b]`` the output row is exactly zero and the state row is
  copied through (a per-row ``Select``), so row b's final state is its state after ``len[b]`` steps
  and a zero-length row keeps the initial state. Values outside ``[0, T]`` or a vector of the
  wrong size raise `ExecutionError` at run time (TF1 does not check);
- nested inputs, outputs and states (LSTMStateTuple, MultiRNNCell tuples, user tuples) are
  handled leaf by leaf through `graphrnn.nest`.

`dynamic_rnn` emits exactly one `While` node whatever T: its time-major inputs are TensorArrays made
by `unstack` (the buffer is the input itself) and read at ``time`` in the body; the outputs are
written at ``time`` into TensorArrays of ``element_shape=[batch, output_size]`` and stacked after
the loop. With ``sequence_length`` the loop stops after ``min(T, max(1, max(len)))`` steps (TF1's
bound); the steps it skips keep the buffers' zeros. Batch-major inputs are transposed with
``perm (1, 0, 2)`` before and after (plain `Transpose` nodes that passes may cancel).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphrnn import nest
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.gc_pause import pausing_gc
from graphrnn.ir.graph import Value
from graphrnn.ir.types import format_shape
from graphrnn.nn.cells_base import RNNCell, _dims, batch_dim, require_cell
from graphrnn.nn.checks import check_sequence_length, check_static_steps
from graphrnn.nn.rnn_gates import record_gates, remember
from graphrnn.ops.array import transpose, unstack
from graphrnn.ops.array_shape import zeros
from graphrnn.ops.control_flow import while_loop
from graphrnn.ops.convert import constant, convert_to_tensor
from graphrnn.ops.math import add, greater_equal, less, maximum, minimum, where
from graphrnn.ops.math_reduce import reduce_max
from graphrnn.ops.state import FEED_HINTS, variable_scope
from graphrnn.ops.tensor_array import TensorArray


def check_cell(cell: Any, what: str = "cell") -> None:
    """See `graphrnn.nn.cells_base.require_cell`."""
    require_cell(cell, what)


def _swap_batch_time(x: Value) -> Value:
    """[B, T, ...] <-> [T, B, ...]; rank-2 inputs are refused (an RNN step needs [B, depth])."""
    if x.type.rank is None or x.type.rank < 3:  # None: a rank unknown while building
        raise ShapeError(f"RNN inputs must have rank >= 3 ([batch, time, depth]), got '{x.name}' of shape "
                         f"{format_shape(x.type.shape)}",
                         fix="add the feature axis, e.g. gr.expand_dims(x, -1), or gr.reshape an input of "
                             "unknown rank to [batch, time, depth]")
    return transpose(x, [1, 0, *range(2, x.type.rank)])


def initial_state_for(cell: RNNCell, initial_state: Any, batch: Any, dtype: Any) -> Any:
    if initial_state is not None:
        flat = [convert_to_tensor(s) for s in nest.flatten(initial_state)]
        if len(flat) == len(nest.flatten(cell.state_size)):
            # A plain (c, h) tuple for an LSTM cell becomes an LSTMStateTuple, as the loop carries it.
            return nest.pack_sequence_as(cell.state_size, flat)
        raise GraphError(f"initial_state has {len(flat)} tensors but {type(cell).__name__}'s state_size "
                         f"{cell.state_size!r} has {len(nest.flatten(cell.state_size))}",
                         fix="pass a state shaped like cell.zero_state(batch, dtype)")
    if dtype is None:
        raise DTypeError("the RNN needs dtype=... when no initial_state is given",
                         fix="pass dtype=gr.float32 (the dtype of the inputs), or an initial_state")
    return cell.zero_state(batch, dtype)


def _state_dtype(state: Any) -> dtypes.DType:
    return nest.flatten(state)[0].dtype


def rnn_step(time: Any, sequence_length: Value, zero_output: Any, state: Any,
             call_cell: Callable[[], tuple[Any, Any]]) -> tuple[Any, Any]:
    """One step with TF1's length masking: rows with ``time >= len`` get zero outputs and keep their state."""
    output, new_state = call_cell()
    try:
        nest.assert_same_structure(state, new_state)
    except ValueError as e:
        raise GraphError(f"the cell returned a state whose structure differs from its input state: {e}",
                         fix="return the new state with the structure of state_size (e.g. an LSTMStateTuple)") from None
    done = greater_equal(convert_to_tensor(time, dtypes.int32), sequence_length)  # [B] bool
    output = nest.map_structure(lambda z, o: where(done, z, o), zero_output, output)
    new_state = nest.map_structure(lambda old, new: where(done, old, new), state, new_state)
    return output, new_state


def _zero_output(cell: RNNCell, batch: Any, dtype: dtypes.DType) -> Any:
    return nest.map_structure(lambda s: zeros([batch, *_dims(s)], dtype), cell.output_size)


def _guard_unstacked(inputs: list[Any]) -> list[Any]:
    """If the inputs are exactly the outputs of one `unstack` of a tensor whose unstacked axis is
    unknown, unstack it again after a `CheckStaticSteps`, so another length fed is a clear error."""
    first = inputs[0]
    node = first.node if isinstance(first, Value) else None
    if node is None or node.op != "Unpack" or len(node.outputs) != len(inputs):
        return inputs
    if any(not isinstance(x, Value) or x.node is not node or x.index != k for k, x in enumerate(inputs)):
        return inputs
    src, axis = node.inputs[0], node.attrs["axis"]
    if src.type.shape[axis] is not None:
        if src.node is not None and src.node.op == "Placeholder":
            # A fixed length: the Session rejects another one when fed; say why and what to use instead.
            builder.get_default_graph().add_to_collection(FEED_HINTS, (src, (
                f"this static_rnn was unrolled for {len(inputs)} time steps (axis {axis} of '{src.name}'); "
                "to run other lengths build the model with gr.nn.dynamic_rnn")))
        return inputs
    # A control dependency, not a data edge: the check runs first, and gradients flow as before.
    check = check_static_steps(src, axis, len(inputs))
    with builder.control_dependencies([check.node]):
        return unstack(src, num=len(inputs), axis=axis)


@pausing_gc
def static_rnn(cell: RNNCell, inputs: Sequence[Any], initial_state: Any = None, dtype: Any = None,
               sequence_length: Any = None, scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``static_rnn``: ``inputs`` is a Python list of T tensors ``[B, I]`` (or nested structures);
    returns ``(outputs list of T [B, O], final_state)``. The cell is called T times under one
    variable scope, reusing its variables after the first step, so the graph grows linearly in T."""
    check_cell(cell)
    if not isinstance(inputs, (list, tuple)) or nest.is_namedtuple(inputs):
        raise GraphError("static_rnn's inputs must be a Python list of [batch, depth] tensors, one per step",
                         fix="unstack a [batch, time, depth] tensor with gr.unstack(x, T, axis=1), or use "
                             "gr.nn.dynamic_rnn for a tensor input")
    if not inputs:
        raise GraphError("static_rnn's inputs must not be empty")
    inputs = _guard_unstacked([nest.map_structure(convert_to_tensor, x) for x in inputs])
    with variable_scope(scope if scope is not None else "rnn") as varscope:
        first = nest.flatten(inputs[0])[0]
        # Rank 1 ([batch] ids) is allowed as in TF1, for EmbeddingWrapper; other cells then ask for rank 2.
        if first.type.rank is None or first.type.rank < 1:  # None: a rank unknown while building
            raise ShapeError(f"static_rnn's inputs must be [batch, depth] tensors (or [batch] ids for an "
                             f"EmbeddingWrapper), got shape {format_shape(first.type.shape)}")
        batch = batch_dim(first)
        state = initial_state_for(cell, initial_state, batch, dtype)
        seq = None
        if sequence_length is not None:
            seq = check_sequence_length(sequence_length, len(inputs), batch)
            zero_output = _zero_output(cell, batch, _state_dtype(state))
        outputs = []
        for time, inp in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()

            def call_cell(inp: Any = inp, state: Any = state) -> tuple[Any, Any]:
                return cell(inp, state)
            if seq is not None:
                output, state = rnn_step(time, seq, zero_output, state, call_cell)
            else:
                output, state = call_cell()
            outputs.append(output)
        return outputs, state


def dynamic_rnn(cell: RNNCell, inputs: Any, sequence_length: Any = None, initial_state: Any = None,
                dtype: Any = None, parallel_iterations: int | None = None, swap_memory: bool = False,
                time_major: bool = False, scope: Any = None) -> tuple[Any, Any]:
    """TF1 ``dynamic_rnn``: ``inputs`` ``[B, T, I]`` (``[T, B, I]`` with ``time_major``), a NumPy array,
    or a nested structure of those; returns ``(outputs [B, T, O] (or [T, B, O]), final_state)``.
    Builds one `While` node; ``parallel_iterations`` (default 32) and ``swap_memory`` are recorded on it."""
    check_cell(cell)
    flat_input = [convert_to_tensor(x) for x in nest.flatten(inputs)]
    if not flat_input:
        raise GraphError("dynamic_rnn needs at least one input tensor")
    with variable_scope(scope if scope is not None else "rnn"):
        if not time_major:
            flat_input = [_swap_batch_time(x) for x in flat_input]
        x0 = flat_input[0]
        if x0.type.rank is None or x0.type.rank < 3:
            raise ShapeError(f"dynamic_rnn's time-major inputs must be [time, batch, depth], got shape "
                             f"{format_shape(x0.type.shape)}")
        time_steps = batch_dim(x0, 0)
        batch = batch_dim(x0, 1)
        state = initial_state_for(cell, initial_state, batch, dtype)
        seq = None
        if sequence_length is not None:
            seq = check_sequence_length(sequence_length, time_steps, batch)
        outputs, final_state = _dynamic_loop(cell, nest.pack_sequence_as(inputs, flat_input), flat_input,
                                             time_steps, batch, state, seq,
                                             32 if parallel_iterations is None else parallel_iterations,
                                             swap_memory)
        if not time_major:
            outputs = nest.map_structure(_swap_batch_time, outputs)
        return outputs, final_state


def _dynamic_loop(cell: RNNCell, inputs: Any, flat_input: list[Value], time_steps: Any, batch: Any,
                  state: Any, seq: Value | None, parallel_iterations: int,
                  swap_memory: bool) -> tuple[Any, Any]:
    """The While loop of `dynamic_rnn` on time-major inputs; returns time-major outputs."""
    dtype = _state_dtype(state)
    b_static = batch if isinstance(batch, int) else None
    time_steps = convert_to_tensor(time_steps, dtypes.int32)  # one node shared by the arrays and the bound
    input_tas = [TensorArray(x.dtype, size=time_steps, name="input_ta").unstack(x) for x in flat_input]
    out_sizes = nest.flatten(cell.output_size)
    output_tas = [TensorArray(dtype, size=time_steps, element_shape=[b_static, *_dims(s)], name="output_ta")
                  for s in out_sizes]
    time = constant(0, dtypes.int32, name="time")
    if seq is not None:
        zero_output = _zero_output(cell, batch, dtype)
        # TF1's bound: at least one step (so every output buffer is written once), at most T.
        loop_bound = minimum(time_steps, maximum(1, reduce_max(seq)))
    else:
        loop_bound = time_steps
    bound = convert_to_tensor(loop_bound, dtypes.int32)

    def cond(t: Value, tas: list[TensorArray], st: Any) -> Value:
        return less(t, bound)

    def body(t: Value, tas: list[TensorArray], st: Any) -> tuple[Any, ...]:
        x_t = nest.pack_sequence_as(inputs, [ta.read(t) for ta in input_tas])

        def call_cell() -> tuple[Any, Any]:
            return cell(x_t, st)
        first = len(builder.current_graph().nodes)  # the cell's nodes follow: their gates are named
        if seq is not None:
            out, new_state = rnn_step(t, seq, zero_output, st, call_cell)
        else:
            out, new_state = call_cell()
        gates.update(record_gates(builder.current_graph(), first, new_state))
        flat_out = nest.flatten(out)
        if len(flat_out) != len(tas):
            raise GraphError(f"{type(cell).__name__} returned {len(flat_out)} outputs but its output_size "
                             f"has {len(tas)} leaves", fix="make output_size describe what call() returns")
        tas = [ta.write(t, o) for ta, o in zip(tas, flat_out)]
        return add(t, 1), tas, new_state

    gates: dict[str, Value] = {}
    _, final_tas, final_state = while_loop(cond, body, (time, output_tas, state),
                                           parallel_iterations=parallel_iterations, swap_memory=swap_memory)
    remember(nest.flatten(final_state)[0].node, gates)  # for gr.nn.rnn_gates (loop tracing)
    outputs = nest.pack_sequence_as(cell.output_size, [ta.stack() for ta in final_tas])
    return outputs, final_state

