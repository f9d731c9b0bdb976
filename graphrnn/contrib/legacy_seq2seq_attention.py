"""TF 1.15's attention decoders of ``tf.contrib.legacy_seq2seq`` (re-exported there):
`attention_decoder`, `embedding_attention_decoder`, `embedding_attention_seq2seq`.

`attention_decoder` (scope ``attention_decoder``), per head ``a`` and step ``i``, as TF 1.15 computes it:

- ``hidden_features[a] = attention_states @ AttnW_a`` (TF1's 1x1 ``conv2d``; the variable keeps TF1's
  shape ``[1, 1, A, A]``), ``AttnV_a [A]``;
- ``x = linear([input_i] + attns, input_size)`` (variables ``kernel``, ``bias`` in the decoder's scope),
  ``cell_output, state = cell(x, state)``;
- ``attention(state)``: the query is the state (an LSTM's ``concat(c, h)``); per head, under
  ``Attention_a``: ``y = linear(query, A)``, ``s = sum_k V_a * tanh(hidden_features[a] + y)``,
  ``p = softmax(s)`` over the attention length, ``d = sum_l p[:, l] * attention_states[:, l]``;
- ``output = linear([cell_output] + attns, output_size)`` under ``AttnOutputProjection``.

``attns`` start as zeros, or as ``attention(initial_state)`` with ``initial_state_attention``.
A ``loop_function`` feeds back outputs as in `rnn_decoder`. Variables are created in TF1's order:
``AttnW_a``/``AttnV_a``, then step 0's ``kernel``/``bias``, the cell, ``Attention_a`` and
``AttnOutputProjection``; later steps reuse them. ``linear`` kernels have ``sum of input depths`` rows
(TF1's ``core_rnn_cell._linear``), biases start at zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphrnn import nest
from graphrnn.contrib.legacy_seq2seq import (
    LoopFunction,
    _check_loop_function,
    _check_projection,
    _check_state,
    _cond_decoders,
    _embedding_encoder,
    _extract_argmax_and_embed,
    _feed_previous_pred,
    _integer_ids,
    _step_list,
    _where,
    copy_cell,
)
from graphrnn.contrib.rnn_wrappers import OutputProjectionWrapper
from graphrnn.ir import dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.types import format_shape
from graphrnn.nn.cells_base import RNNCell, _dims
from graphrnn.nn.rnn import check_cell
from graphrnn.ops.array import concat, reshape, stack
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import expand_dims, shape, zeros
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.initializers import zeros_initializer
from graphrnn.ops.math import multiply, tanh
from graphrnn.ops.math_reduce import matmul, reduce_sum
from graphrnn.ops.nn import bias_add, embedding_lookup, softmax
from graphrnn.ops.state import get_variable, get_variable_scope, variable_scope

__all__ = ["attention_decoder", "embedding_attention_decoder", "embedding_attention_seq2seq"]


def _linear(args: list[Value], output_size: int) -> Value:
    """TF1's ``core_rnn_cell._linear(args, output_size, bias=True)``: ``concat(args, 1) @ kernel + bias``
    with ``kernel [sum of depths, output_size]`` and ``bias`` (zeros) in the current variable scope."""
    depths = [a.type.shape[1] if a.type.rank == 2 else None for a in args]
    if None in depths:
        bad = args[depths.index(None)]
        raise ShapeError(f"attention_decoder: '{bad.name}' of shape {format_shape(bad.type.shape)} must be "
                         "[batch, depth] with a known depth", source=_where(),
                         fix="give the decoder inputs and the cell's output a static last dimension")
    dtype = args[0].dtype
    kernel = get_variable("kernel", [sum(depths), output_size], dtype=dtype).value()
    b = get_variable("bias", [output_size], dtype=dtype, initializer=zeros_initializer()).value()
    return bias_add(matmul(args[0] if len(args) == 1 else concat(args, 1), kernel), b)


def _check_attention_args(attention_states: Value, num_heads: Any, op: str) -> None:
    if isinstance(num_heads, bool) or not isinstance(num_heads, int) or num_heads < 1:
        raise GraphError(f"{op}: num_heads must be an int >= 1, got {num_heads!r}", op=op, source=_where(),
                         fix="use num_heads=1, or rnn_decoder for a decoder without attention")
    if attention_states.type.rank != 3 or attention_states.type.shape[2] is None:
        raise ShapeError(f"{op}: attention_states must be [batch, attn_length, attn_size] with a known "
                         f"attn_size, got '{attention_states.name}' of shape "
                         f"{format_shape(attention_states.type.shape)}", op=op, source=_where(),
                         fix="stack the encoder outputs on axis 1: gr.stack(encoder_outputs, axis=1)")


def attention_decoder(decoder_inputs: Sequence[Any], initial_state: Any, attention_states: Any, cell: RNNCell,
                      output_size: int | None = None, num_heads: int = 1, loop_function: LoopFunction | None = None,
                      dtype: Any = None, scope: Any = None,
                      initial_state_attention: bool = False) -> tuple[list[Value], Any]:
    """TF1 ``attention_decoder``: ``(outputs list of [B, output_size], final state)``; see the module
    docstring. ``attention_states`` is ``[B, attn_length, attn_size]`` (``attn_size`` static)."""
    op = "attention_decoder"
    check_cell(cell)
    _check_loop_function(loop_function, op)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    att = convert_to_tensor(attention_states)
    _check_attention_args(att, num_heads, op)
    if output_size is None:
        output_size = cell.output_size
    if isinstance(output_size, bool) or not isinstance(output_size, int) or output_size <= 0:
        raise GraphError(f"{op}: output_size must be a positive int, got {output_size!r}", op=op, source=_where(),
                         fix="pass output_size=..., or a cell whose output_size is an int")
    state = _check_state(cell, initial_state, "initial_state", op)
    with variable_scope(scope or "attention_decoder", dtype=dtype) as vs:
        scope_dtype = vs.dtype or dtypes.float32
        if att.dtype is not scope_dtype:
            raise DTypeError(f"{op}: attention_states are {att.dtype.name} but the decoder's variables are "
                             f"{scope_dtype.name}", op=op, source=_where(),
                             fix=f"pass dtype=gr.{att.dtype.name} (or open the variable_scope with that dtype)")
        first = convert_to_tensor(nest.flatten(decoder_inputs[0])[0])
        batch = first.type.shape[0] if first.type.shape[0] is not None else getitem(shape(first), 0)
        attn_size = int(att.type.shape[2])
        length = att.type.shape[1] if att.type.shape[1] is not None else getitem(shape(att), 1)
        # TF1's 1x1 conv2d over [B, L, 1, A] is a matmul of the [B * L, A] rows with AttnW_a as [A, A].
        rows = reshape(att, [-1, attn_size])
        back = ([-1, length, attn_size] if isinstance(length, int)
                else stack([convert_to_tensor(-1), length, convert_to_tensor(attn_size)]))
        hidden_features, v = [], []
        for a in range(num_heads):
            k = get_variable(f"AttnW_{a}", [1, 1, attn_size, attn_size]).value()
            hidden_features.append(reshape(matmul(rows, reshape(k, [attn_size, attn_size])), back))
            v.append(get_variable(f"AttnV_{a}", [attn_size]).value())

        def attention(query: Any) -> list[Value]:
            flat = [convert_to_tensor(q) for q in nest.flatten(query)]
            q = flat[0] if len(flat) == 1 else concat(flat, 1)
            ds = []
            for a in range(num_heads):
                with variable_scope(f"Attention_{a}"):
                    y = expand_dims(_linear([q], attn_size), 1)                      # [B, 1, A]
                    s = reduce_sum(multiply(v[a], tanh(hidden_features[a] + y)), axis=2)  # [B, L]
                    p = softmax(s)
                    ds.append(reduce_sum(multiply(expand_dims(p, 2), att), axis=1))   # [B, A]
            return ds

        attns = [zeros([batch, attn_size], scope_dtype) for _ in range(num_heads)]
        if initial_state_attention:
            attns = attention(state)
        outputs: list[Value] = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                get_variable_scope().reuse_variables()
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            x_in = convert_to_tensor(inp)
            if x_in.type.rank != 2 or x_in.type.shape[1] is None:
                raise ShapeError(f"{op}: the input of step {i} must be [batch, depth] with a known depth, got "
                                 f"'{x_in.name}' of shape {format_shape(x_in.type.shape)}", op=op, source=_where(),
                                 fix="give the decoder inputs (or the loop_function's result) a static depth")
            x = _linear([x_in, *attns], int(x_in.type.shape[1]))
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:
                with variable_scope(get_variable_scope(), reuse=True):
                    attns = attention(state)
            else:
                attns = attention(state)
            with variable_scope("AttnOutputProjection"):
                output = _linear([convert_to_tensor(cell_output), *attns], output_size)
            if loop_function is not None:
                prev = output
            outputs.append(output)
    return outputs, state


def embedding_attention_decoder(decoder_inputs: Sequence[Any], initial_state: Any, attention_states: Any,
                                cell: RNNCell, num_symbols: int, embedding_size: int, num_heads: int = 1,
                                output_size: int | None = None, output_projection: tuple[Any, Any] | None = None,
                                feed_previous: bool = False, update_embedding_for_previous: bool = True,
                                dtype: Any = None, scope: Any = None,
                                initial_state_attention: bool = False) -> tuple[list[Value], Any]:
    """TF1 ``embedding_attention_decoder``: ``<scope or embedding_attention_decoder>/embedding``, then
    `attention_decoder` on the embedded symbols; ``feed_previous`` decodes greedily (the argmax of each
    output, after ``output_projection`` when given, embedded)."""
    op = "embedding_attention_decoder"
    check_cell(cell)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    if not isinstance(feed_previous, bool):
        raise GraphError(f"{op}: feed_previous must be a Python bool, got {feed_previous!r}", op=op,
                         source=_where(), fix="use embedding_attention_seq2seq, which accepts a bool tensor")
    ids = _integer_ids(decoder_inputs, "decoder_inputs", op)
    if output_size is None:
        output_size = cell.output_size
    with variable_scope(scope or "embedding_attention_decoder", dtype=dtype) as vs:
        projection = (None if output_projection is None
                      else _check_projection(output_projection, num_symbols, vs.dtype or dtypes.float32, op))
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop_function = (_extract_argmax_and_embed(embedding, projection, update_embedding_for_previous)
                         if feed_previous else None)
        emb_inp = [embedding_lookup(embedding, i) for i in ids]
        return attention_decoder(emb_inp, initial_state, attention_states, cell, output_size=output_size,
                                 num_heads=num_heads, loop_function=loop_function,
                                 initial_state_attention=initial_state_attention)


def embedding_attention_seq2seq(encoder_inputs: Sequence[Any], decoder_inputs: Sequence[Any], cell: RNNCell,
                                num_encoder_symbols: int, num_decoder_symbols: int, embedding_size: int,
                                encoder_cell: RNNCell | None = None, num_heads: int = 1,
                                output_projection: tuple[Any, Any] | None = None, feed_previous: Any = False,
                                dtype: Any = None, scope: Any = None,
                                initial_state_attention: bool = False) -> tuple[list[Value], Any]:
    """TF1 ``embedding_attention_seq2seq``: an `EmbeddingWrapper` encoder (``encoder_cell``, or a copy of
    ``cell``) whose outputs, stacked on axis 1, are the attention states of an
    `embedding_attention_decoder` (``cell`` in an `OutputProjectionWrapper` to ``num_decoder_symbols``
    unless ``output_projection`` is given). ``feed_previous`` may be a scalar bool tensor (`cond`)."""
    op = "embedding_attention_seq2seq"
    check_cell(cell)
    encoder_inputs = _step_list(encoder_inputs, "encoder_inputs", op)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    pred = _feed_previous_pred(feed_previous, op)
    with variable_scope(scope or "embedding_attention_seq2seq", dtype=dtype) as vs:
        dtype = vs.dtype or dtypes.float32
        encoder_outputs, encoder_state = _embedding_encoder(
            encoder_cell if encoder_cell is not None else copy_cell(cell), encoder_inputs, num_encoder_symbols,
            embedding_size, dtype)
        depth = _dims(cell.output_size)[0]
        attention_states = concat([reshape(e, [-1, 1, depth]) for e in encoder_outputs], 1)
        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols

        def decode(feed: bool, update: bool = False) -> tuple[list[Value], Any]:
            return embedding_attention_decoder(decoder_inputs, encoder_state, attention_states, cell,
                                               num_decoder_symbols, embedding_size, num_heads=num_heads,
                                               output_size=output_size, output_projection=output_projection,
                                               feed_previous=feed, update_embedding_for_previous=update,
                                               initial_state_attention=initial_state_attention)
        if pred is None:
            return decode(feed_previous, update=True)
        return _cond_decoders(pred, decode, len(decoder_inputs), encoder_state)
