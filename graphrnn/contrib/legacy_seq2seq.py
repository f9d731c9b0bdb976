"""``gr.contrib.legacy_seq2seq``: TF 1.15's ``tf.contrib.legacy_seq2seq`` decoders, models and losses.

Everything is unrolled (Python lists of per-step tensors, like `static_rnn`), with TF 1.15's
signatures, defaults, variable scopes and numbers:

- `rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None)`: scope
  ``rnn_decoder``; the cell is called once per step, reusing its weights after the first step. With a
  ``loop_function``, the input of step ``i > 0`` is ``loop_function(output[i-1], i)`` (built under
  ``variable_scope("loop_function", reuse=True)``) and only ``decoder_inputs[0]`` (the "GO" symbol)
  is read.
- `basic_rnn_seq2seq`: scope ``basic_rnn_seq2seq``; a copy of the cell (its own weights,
  ``.../rnn/<cell>``) encodes with `static_rnn`, then `rnn_decoder` decodes from the encoder's final
  state with the cell itself (``.../rnn_decoder/<cell>``).
- `tied_rnn_seq2seq`: one set of weights, ``combined_tied_rnn_seq2seq/<scope or tied_rnn_seq2seq>/<cell>``,
  shared by the encoder and the decoder.
- `embedding_rnn_decoder`: ``<scope or embedding_rnn_decoder>/embedding [num_symbols, embedding_size]``
  (the variable scope's dtype and initializer); integer decoder inputs are embedded with
  `embedding_lookup`; ``feed_previous=True`` decodes greedily with `_extract_argmax_and_embed`.
- `embedding_rnn_seq2seq`: an `EmbeddingWrapper` encoder (a copy of the cell) and an
  `embedding_rnn_decoder` (with an `OutputProjectionWrapper` unless ``output_projection`` is given);
  ``feed_previous`` may be a bool tensor (both decoders are built and `cond` picks one).
- `sequence_loss_by_example` (``[batch]``) and `sequence_loss` (a scalar): weighted sparse softmax
  cross-entropy over a list of steps; averaged over the total weight (``+ 1e-12``) and/or the batch.
- `embedding_tied_rnn_seq2seq` (one embedding, `tied_rnn_seq2seq`) and `one2many_rnn_seq2seq` (one
  encoder, a decoder per name under ``one2many_decoder_<name>``).
- `model_with_buckets`: one model per (encoder, decoder) length bucket, sharing variables, each with
  its loss.
- `attention_decoder`, `embedding_attention_decoder`, `embedding_attention_seq2seq`: see
  `graphrnn.contrib.legacy_seq2seq_attention`.

Where TF 1.15 fails with a Python error (or returns nothing useful), graphrnn raises a `GraphError`
subclass naming the argument, the user's line and a fix: lists of different lengths, an empty list,
a state that does not fit the cell, a ``loop_function`` whose result does not fit the cell's input,
an output projection of the wrong shape or dtype, float ids.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from graphrnn import nest
from graphrnn.contrib.rnn_wrappers import EmbeddingWrapper, OutputProjectionWrapper
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import format_shape
from graphrnn.nn.cells_base import RNNCell, _dims
from graphrnn.nn.rnn import check_cell, static_rnn
from graphrnn.ops.array import reshape, stop_gradient
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import expand_dims, shape
from graphrnn.ops.control_flow import cond
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import add, cast, divide, multiply
from graphrnn.ops.math_reduce import add_n, argmax, reduce_sum
from graphrnn.ops.nn import embedding_lookup, sparse_softmax_cross_entropy_with_logits, xw_plus_b
from graphrnn.ops.state import Variable, get_variable, get_variable_scope, variable_scope

__all__ = ["rnn_decoder", "basic_rnn_seq2seq", "tied_rnn_seq2seq", "embedding_rnn_decoder",
           "embedding_rnn_seq2seq", "embedding_tied_rnn_seq2seq", "one2many_rnn_seq2seq",
           "sequence_loss_by_example", "sequence_loss", "model_with_buckets",
           "attention_decoder", "embedding_attention_decoder", "embedding_attention_seq2seq"]

LoopFunction = Callable[[Any, int], Any]


def _where() -> str:
    return builder.format_source(builder.source_location())


def _check_loop_function(loop_function: Any, op: str) -> None:
    if loop_function is not None and not callable(loop_function):
        raise GraphError(f"{op}: loop_function must be callable as loop_function(prev_output, step), got "
                         f"{loop_function!r}", op=op, source=_where(),
                         fix="pass a function (prev, i) -> next input, or None to read decoder_inputs")


def _check_state(cell: RNNCell, state: Any, what: str, op: str) -> Any:
    """``state`` converted leaf by leaf, checked against ``cell.state_size`` (structure and last dims)."""
    if state is None:
        raise GraphError(f"{op}: {what} is None; the decoder starts from a given state", op=op, source=_where(),
                         fix="pass the encoder's final state, or cell.zero_state(batch_size, dtype)")
    sizes = nest.flatten(cell.state_size)
    leaves = [convert_to_tensor(s) for s in nest.flatten(state)]
    if len(leaves) != len(sizes):
        raise GraphError(f"{op}: {what} has {len(leaves)} tensors but {type(cell).__name__}'s state_size "
                         f"{cell.state_size!r} has {len(sizes)}", op=op, source=_where(),
                         fix="pass a state shaped like cell.zero_state(batch_size, dtype)")
    for leaf, size in zip(leaves, sizes):
        want = _dims(size)
        got = tuple(leaf.type.shape[1:]) if leaf.type.rank >= 1 else ()
        if leaf.type.rank != 1 + len(want) or any(g is not None and g != w for g, w in zip(got, want)):
            raise ShapeError(f"{op}: {what} has a tensor '{leaf.name}' of shape {format_shape(leaf.type.shape)}, "
                             f"but {type(cell).__name__} expects [batch, {', '.join(map(str, want))}]",
                             op=op, source=_where(), fix="pass a state shaped like cell.zero_state(batch_size, dtype)")
    return nest.pack_sequence_as(cell.state_size, leaves)


def _step_list(inputs: Any, what: str, op: str) -> list[Any]:
    if isinstance(inputs, (Value, Variable)) or not isinstance(inputs, (list, tuple)):
        raise GraphError(f"{op}: {what} must be a Python list of per-step tensors, got {inputs!r}",
                         op=op, source=_where(),
                         fix="unstack a [batch, time, ...] tensor with gr.unstack(x, axis=1)")
    if not inputs:
        raise GraphError(f"{op}: {what} is empty; a sequence needs at least one step", op=op, source=_where(),
                         fix=f"pass one tensor per time step in {what}")
    return list(inputs)


def _integer_ids(inputs: list[Any], what: str, op: str) -> list[Value]:
    ids = [convert_to_tensor(i) for i in inputs]
    for k, i in enumerate(ids):
        if not i.dtype.is_integer:
            raise DTypeError(f"{op}: {what}[{k}] must hold integer symbols, got {i.dtype.name}", op=op,
                             source=_where(), fix="feed int32 symbol ids of shape [batch]")
    return ids


def _graph_objects(obj: Any, memo: dict[int, Any], seen: set[int]) -> None:
    """Adds every graph object reachable from a cell's attributes to ``memo`` as itself, so a deep
    copy of the cell shares them (a `DropoutWrapper`'s keep_prob placeholder, a constant...)."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (Graph, Node, Value, Variable)):
        memo[id(obj)] = obj
    elif isinstance(obj, dict):
        for v in obj.values():
            _graph_objects(v, memo, seen)
    elif isinstance(obj, (list, tuple, set)):
        for v in obj:
            _graph_objects(v, memo, seen)
    elif hasattr(obj, "__dict__") and not callable(obj) or isinstance(obj, RNNCell):
        _graph_objects(vars(obj), memo, seen)


def copy_cell(cell: RNNCell) -> RNNCell:
    """A new cell of the same configuration that has not been built: calling it creates its own
    variables (TF1's ``copy.deepcopy(cell)`` in `basic_rnn_seq2seq`). Graph tensors the cell holds
    are shared, not copied."""
    memo: dict[int, Any] = {}
    _graph_objects(cell, memo, set())
    twin = copy.deepcopy(cell, memo)
    stack: list[Any] = [twin]
    seen: set[int] = set()
    while stack:  # every cell inside the copy (wrapped cells, MultiRNNCell layers) starts unbuilt
        c = stack.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        if isinstance(c, RNNCell):
            c._built_in = None
            stack.extend(v for v in vars(c).values())
        elif isinstance(c, (list, tuple)):
            stack.extend(c)
    return twin


def rnn_decoder(decoder_inputs: Iterable[Any], initial_state: Any, cell: RNNCell,
                loop_function: LoopFunction | None = None, scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``rnn_decoder``: ``(outputs list of [B, output_size], final state)``; see the module docstring.

    ``decoder_inputs`` may be any iterable (TF1's `embedding_rnn_decoder` passes a generator); it is
    read one step at a time, so step i's input is built just before step i."""
    op = "rnn_decoder"
    check_cell(cell)
    _check_loop_function(loop_function, op)
    if isinstance(decoder_inputs, (Value, Variable)) or not isinstance(decoder_inputs, Iterable):
        raise GraphError(f"{op}: decoder_inputs must be a Python list of [batch, depth] tensors, got "
                         f"{decoder_inputs!r}", op=op, source=_where(),
                         fix="unstack a [batch, time, depth] tensor with gr.unstack(x, axis=1)")
    state = _check_state(cell, initial_state, "initial_state", op)
    outputs: list[Any] = []
    with variable_scope(scope or "rnn_decoder"):
        prev = None
        first: Value | None = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
                _check_loop_output(inp, first, i)
            elif i == 0:
                first = nest.flatten(inp)[0] if nest.flatten(inp) else None
            if i > 0:
                get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    if not outputs:
        raise GraphError(f"{op}: decoder_inputs is empty; the decoder needs at least one step (the GO input)",
                         op=op, source=_where(), fix="pass one [batch, depth] tensor per decoder step")
    return outputs, state


def _check_loop_output(inp: Any, first: Any, i: int) -> None:
    """The loop_function's result must fit where a decoder input goes: same rank, depth and dtype."""
    leaves = nest.flatten(inp)
    if not leaves or first is None:
        return
    got = convert_to_tensor(leaves[0])
    want = convert_to_tensor(first)
    if got.type.rank != want.type.rank or (
            got.type.rank and None not in (got.type.shape[-1], want.type.shape[-1])
            and got.type.shape[-1] != want.type.shape[-1]):
        raise ShapeError(f"rnn_decoder: loop_function returned '{got.name}' of shape {format_shape(got.type.shape)} "
                         f"for step {i}, but the decoder inputs have shape {format_shape(want.type.shape)}",
                         op="rnn_decoder", source=_where(),
                         fix="make loop_function map an output [batch, output_size] to an input "
                             "[batch, input_size] (e.g. a projection, or an embedding of the argmax)")
    if got.dtype is not want.dtype:
        raise DTypeError(f"rnn_decoder: loop_function returned a {got.dtype.name} tensor for step {i}, but the "
                         f"decoder inputs are {want.dtype.name}", op="rnn_decoder", source=_where(),
                         fix=f"cast the loop_function's result to {want.dtype.name}")


def basic_rnn_seq2seq(encoder_inputs: Sequence[Any], decoder_inputs: Sequence[Any], cell: RNNCell,
                      dtype: Any = dtypes.float32, scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``basic_rnn_seq2seq``: encode with a copy of ``cell`` (own weights), decode with ``cell``
    from the encoder's final state. Returns ``(decoder outputs, decoder final state)``."""
    op = "basic_rnn_seq2seq"
    check_cell(cell)
    encoder_inputs = _step_list(encoder_inputs, "encoder_inputs", op)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    with variable_scope(scope or "basic_rnn_seq2seq"):
        enc_cell = copy_cell(cell)
        _, enc_state = static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, enc_state, cell)


def tied_rnn_seq2seq(encoder_inputs: Sequence[Any], decoder_inputs: Sequence[Any], cell: RNNCell,
                     loop_function: LoopFunction | None = None, dtype: Any = dtypes.float32,
                     scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``tied_rnn_seq2seq``: encoder and decoder share ``cell``'s one set of weights, under
    ``combined_tied_rnn_seq2seq/<scope or "tied_rnn_seq2seq">``."""
    op = "tied_rnn_seq2seq"
    check_cell(cell)
    _check_loop_function(loop_function, op)
    encoder_inputs = _step_list(encoder_inputs, "encoder_inputs", op)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    with variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, enc_state = static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, enc_state, cell, loop_function=loop_function, scope=scope)


def _extract_argmax_and_embed(embedding: Any, output_projection: tuple[Any, Any] | None = None,
                              update_embedding: bool = True) -> LoopFunction:
    """TF1's greedy ``loop_function``: project the previous output (``prev @ W + b`` when
    ``output_projection`` is given), take its argmax symbol and embed it. With
    ``update_embedding=False`` no gradient reaches the embedding through the fed-back symbols."""

    def loop_function(prev: Any, _: int) -> Value:
        if output_projection is not None:
            prev = xw_plus_b(prev, output_projection[0], output_projection[1])
        prev_symbol = argmax(prev, 1)  # no gradient flows through the ids
        emb_prev = embedding_lookup(embedding, prev_symbol)
        if not update_embedding:
            emb_prev = stop_gradient(emb_prev)
        return emb_prev

    return loop_function


def _check_projection(output_projection: Any, num_symbols: int, dtype: dtypes.DType,
                      op: str) -> tuple[Value, Value]:
    if not isinstance(output_projection, (list, tuple)) or len(output_projection) != 2:
        raise GraphError(f"{op}: output_projection must be a pair (W, b), got {output_projection!r}",
                         op=op, source=_where(), fix="pass (W [output_size, num_symbols], b [num_symbols]) or None")
    out = []
    for t, want, what in ((output_projection[0], 2, "W"), (output_projection[1], 1, "b")):
        v = t.value() if isinstance(t, Variable) else t
        if isinstance(v, Value) and v.dtype is not dtype:
            raise DTypeError(f"{op}: output_projection {what} is {v.dtype.name} but the variable scope's dtype "
                             f"is {dtype.name}", op=op, source=_where(),
                             fix=f"cast {what}, or open the decoder's variable_scope with dtype=gr.{v.dtype.name}")
        v = convert_to_tensor(v, dtype)
        last = v.type.shape[-1] if v.type.rank else None
        if v.type.rank != want or (last is not None and last != num_symbols):
            expected = "[output_size, num_symbols]" if want == 2 else "[num_symbols]"
            raise ShapeError(f"{op}: output_projection {what} must be {expected} with num_symbols={num_symbols}, "
                             f"got shape {format_shape(v.type.shape)}", op=op, source=_where(),
                             fix=f"make the projection end in num_symbols={num_symbols} columns")
        out.append(v)
    return out[0], out[1]


def embedding_rnn_decoder(decoder_inputs: Sequence[Any], initial_state: Any, cell: RNNCell, num_symbols: int,
                          embedding_size: int, output_projection: tuple[Any, Any] | None = None,
                          feed_previous: bool = False, update_embedding_for_previous: bool = True,
                          scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``embedding_rnn_decoder``: ``decoder_inputs`` are ``[batch]`` integer symbols, embedded with
    the variable ``embedding [num_symbols, embedding_size]``, then decoded by `rnn_decoder`.

    ``feed_previous=True`` reads only the first input ("GO") and feeds back the embedded argmax of
    each output (after ``output_projection``, when given); ``update_embedding_for_previous=False``
    then stops the gradient to the embedding through the fed-back symbols."""
    op = "embedding_rnn_decoder"
    check_cell(cell)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    for what, n in (("num_symbols", num_symbols), ("embedding_size", embedding_size)):
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise GraphError(f"{op}: {what} must be a positive Python int, got {n!r}", op=op, source=_where(),
                             fix=f"pass the {'vocabulary size' if what == 'num_symbols' else 'embedding width'}")
    if not isinstance(feed_previous, bool):
        raise GraphError(f"{op}: feed_previous must be a Python bool, got {feed_previous!r}", op=op,
                         source=_where(), fix="build two decoders (feed_previous=True and False) and choose "
                                              "between them with gr.cond if it must be decided at run time")
    ids = _integer_ids(decoder_inputs, "decoder_inputs", op)
    with variable_scope(scope or "embedding_rnn_decoder") as vs:
        dtype = vs.dtype or dtypes.float32
        projection = None if output_projection is None else _check_projection(output_projection, num_symbols,
                                                                               dtype, op)
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop_function = (_extract_argmax_and_embed(embedding, projection, update_embedding_for_previous)
                         if feed_previous else None)
        emb_inp = (embedding_lookup(embedding, i) for i in ids)
        return rnn_decoder(emb_inp, initial_state, cell, loop_function=loop_function)


def _feed_previous_pred(feed_previous: Any, op: str) -> Value | None:
    """None for a Python bool; the scalar bool tensor otherwise (TF1 then builds both decoders)."""
    if isinstance(feed_previous, bool):
        return None
    pred = feed_previous.value() if isinstance(feed_previous, Variable) else feed_previous
    if not isinstance(pred, Value) or not pred.dtype.is_bool or pred.type.rank not in (0, None):
        raise GraphError(f"{op}: feed_previous must be a Python bool or a scalar bool tensor, got {feed_previous!r}",
                         op=op, source=_where(),
                         fix="pass True/False, or a gr.placeholder(gr.bool, []) to choose at run time")
    return pred


def _cond_decoders(pred: Value, decode: Callable[[bool], tuple[list[Any], Any]], n: int,
                   state_structure: Any) -> tuple[list[Any], Any]:
    """TF1's run-time choice between the greedy decoder (built first, creating the variables) and the
    fed one (reusing them): one `cond` over the outputs and the flattened final state."""
    def branch(feed: bool) -> Callable[[], list[Any]]:
        def build() -> list[Any]:
            with variable_scope(get_variable_scope(), reuse=None if feed else True):
                outputs, state = decode(feed)
            return list(outputs) + nest.flatten(state)
        return build
    both = cond(pred, branch(True), branch(False))
    return list(both[:n]), nest.pack_sequence_as(state_structure, list(both[n:]))


def _embedding_encoder(cell: RNNCell, encoder_inputs: list[Any], num_encoder_symbols: int, embedding_size: int,
                       dtype: Any) -> tuple[list[Any], Any]:
    """`static_rnn` of ``EmbeddingWrapper(cell)`` over integer symbols (TF1's encoders of the embedding models)."""
    encoder_cell = EmbeddingWrapper(cell, embedding_classes=num_encoder_symbols, embedding_size=embedding_size)
    # TF1's static_rnn lets rank-1 inputs through for EmbeddingWrapper; graphrnn's wants [batch, depth],
    # so the ids go in as [batch, 1] columns (EmbeddingWrapper flattens them again: same numbers).
    ids = [convert_to_tensor(x) for x in encoder_inputs]
    ids = [expand_dims(x, 1) if x.type.rank == 1 else x for x in ids]
    return static_rnn(encoder_cell, ids, dtype=dtype)


def embedding_rnn_seq2seq(encoder_inputs: Sequence[Any], decoder_inputs: Sequence[Any], cell: RNNCell,
                          num_encoder_symbols: int, num_decoder_symbols: int, embedding_size: int,
                          output_projection: tuple[Any, Any] | None = None, feed_previous: Any = False,
                          dtype: Any = None, scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``embedding_rnn_seq2seq``: integer symbols in, decoder outputs out.

    Under ``<scope or embedding_rnn_seq2seq>`` (its dtype set to ``dtype`` when given): a copy of
    ``cell`` in an `EmbeddingWrapper` encodes (``rnn/embedding_wrapper/...``), then
    `embedding_rnn_decoder` decodes from the encoder's final state with ``cell`` itself, wrapped in an
    `OutputProjectionWrapper` to ``num_decoder_symbols`` when no ``output_projection`` is given.
    ``feed_previous`` may be a scalar bool tensor: both decoders are built (the greedy one first, the
    other reusing its variables, with ``update_embedding_for_previous=False``) and `cond` picks one."""
    op = "embedding_rnn_seq2seq"
    check_cell(cell)
    encoder_inputs = _step_list(encoder_inputs, "encoder_inputs", op)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    pred = _feed_previous_pred(feed_previous, op)
    with variable_scope(scope or "embedding_rnn_seq2seq") as vs:
        if dtype is not None:
            vs.dtype = dtypes.as_dtype(dtype)
        dtype = vs.dtype or dtypes.float32
        _, encoder_state = _embedding_encoder(copy_cell(cell), encoder_inputs, num_encoder_symbols, embedding_size,
                                              dtype)
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)

        def decode(feed: bool, update: bool = False) -> tuple[list[Any], Any]:
            return embedding_rnn_decoder(decoder_inputs, encoder_state, cell, num_decoder_symbols, embedding_size,
                                         output_projection=output_projection, feed_previous=feed,
                                         update_embedding_for_previous=update)
        if pred is None:
            return decode(feed_previous, update=True)
        return _cond_decoders(pred, decode, len(decoder_inputs), encoder_state)


def embedding_tied_rnn_seq2seq(encoder_inputs: Sequence[Any], decoder_inputs: Sequence[Any], cell: RNNCell,
                               num_symbols: int, embedding_size: int, num_decoder_symbols: int | None = None,
                               output_projection: tuple[Any, Any] | None = None, feed_previous: Any = False,
                               dtype: Any = None, scope: Any = None) -> tuple[list[Any], Any]:
    """TF1 ``embedding_tied_rnn_seq2seq``: one ``embedding [num_symbols, embedding_size]`` for encoder and
    decoder symbols, then `tied_rnn_seq2seq` (one set of cell weights) on the embedded steps; the
    outputs are over ``num_decoder_symbols`` (default ``num_symbols``) through an
    `OutputProjectionWrapper` unless ``output_projection`` is given. ``feed_previous`` feeds back the
    embedded argmax (a bool tensor builds both decoders and a `cond`)."""
    op = "embedding_tied_rnn_seq2seq"
    check_cell(cell)
    encoder_inputs = _step_list(encoder_inputs, "encoder_inputs", op)
    decoder_inputs = _step_list(decoder_inputs, "decoder_inputs", op)
    pred = _feed_previous_pred(feed_previous, op)
    with variable_scope(scope or "embedding_tied_rnn_seq2seq", dtype=dtype) as vs:
        dtype = vs.dtype or dtypes.float32
        projection = (None if output_projection is None
                      else _check_projection(output_projection, num_symbols, dtype, op))
        embedding = get_variable("embedding", [num_symbols, embedding_size], dtype=dtype)
        emb_encoder_inputs = [embedding_lookup(embedding, x)
                              for x in _integer_ids(encoder_inputs, "encoder_inputs", op)]
        emb_decoder_inputs = [embedding_lookup(embedding, x)
                              for x in _integer_ids(decoder_inputs, "decoder_inputs", op)]
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols if num_decoder_symbols is not None
                                           else num_symbols)

        def decode(feed: bool, update: bool = False) -> tuple[list[Any], Any]:
            loop_function = _extract_argmax_and_embed(embedding, projection, update) if feed else None
            return tied_rnn_seq2seq(emb_encoder_inputs, emb_decoder_inputs, cell, loop_function=loop_function,
                                    dtype=dtype)
        if pred is None:
            return decode(feed_previous, update=True)
        return _cond_decoders(pred, decode, len(decoder_inputs), cell.state_size)


def one2many_rnn_seq2seq(encoder_inputs: Sequence[Any], decoder_inputs_dict: dict[Any, Sequence[Any]],
                         enc_cell: RNNCell, dec_cells_dict: dict[Any, RNNCell], num_encoder_symbols: int,
                         num_decoder_symbols_dict: dict[Any, int], embedding_size: int, feed_previous: Any = False,
                         dtype: Any = None, scope: Any = None) -> tuple[dict[Any, list[Any]], dict[Any, Any]]:
    """TF1 ``one2many_rnn_seq2seq``: one `EmbeddingWrapper` encoder (``enc_cell`` itself), then per
    decoder name (in the dict's order) an `embedding_rnn_decoder` under ``one2many_decoder_<name>``
    with ``OutputProjectionWrapper(dec_cells_dict[name], num_decoder_symbols_dict[name])``.
    Returns ``(outputs by name, final state by name)``."""
    op = "one2many_rnn_seq2seq"
    check_cell(enc_cell, "enc_cell")
    encoder_inputs = _step_list(encoder_inputs, "encoder_inputs", op)
    for what, d in (("decoder_inputs_dict", decoder_inputs_dict), ("dec_cells_dict", dec_cells_dict),
                    ("num_decoder_symbols_dict", num_decoder_symbols_dict)):
        if not isinstance(d, dict):
            raise GraphError(f"{op}: {what} must be a dict keyed by decoder name, got {d!r}", op=op,
                             source=_where(), fix="e.g. {'fr': fr_inputs, 'de': de_inputs}")
    names = list(decoder_inputs_dict)
    for what, d in (("dec_cells_dict", dec_cells_dict), ("num_decoder_symbols_dict", num_decoder_symbols_dict)):
        if set(d) != set(names):
            raise GraphError(f"{op}: the keys of {what} {sorted(map(str, d))} differ from those of "
                             f"decoder_inputs_dict {sorted(map(str, names))}", op=op, source=_where(),
                             fix="give every decoder its inputs, its cell and its number of symbols")
    for name in names:
        check_cell(dec_cells_dict[name], f"dec_cells_dict[{name!r}]")
    pred = _feed_previous_pred(feed_previous, op)
    outputs_dict: dict[Any, list[Any]] = {}
    state_dict: dict[Any, Any] = {}
    with variable_scope(scope or "one2many_rnn_seq2seq", dtype=dtype) as vs:
        dtype = vs.dtype or dtypes.float32
        _, encoder_state = _embedding_encoder(enc_cell, encoder_inputs, num_encoder_symbols, embedding_size, dtype)
        for name in names:
            decoder_inputs = _step_list(decoder_inputs_dict[name], f"decoder_inputs_dict[{name!r}]", op)
            num_symbols = num_decoder_symbols_dict[name]
            with variable_scope("one2many_decoder_" + str(name)):
                dec_cell = OutputProjectionWrapper(dec_cells_dict[name], num_symbols)

                def decode(feed: bool, decoder_inputs: list[Any] = decoder_inputs, dec_cell: RNNCell = dec_cell,
                           num_symbols: int = num_symbols) -> tuple[list[Any], Any]:
                    return embedding_rnn_decoder(decoder_inputs, encoder_state, dec_cell, num_symbols,
                                                 embedding_size, feed_previous=feed)
                if pred is None:
                    outputs_dict[name], state_dict[name] = decode(feed_previous)
                else:
                    outputs_dict[name], state_dict[name] = _cond_decoders(pred, decode, len(decoder_inputs),
                                                                          encoder_state)
    return outputs_dict, state_dict


def _check_loss_lists(logits: Any, targets: Any, weights: Any, op: str) -> tuple[list[Value], list[Value],
                                                                                list[Value]]:
    lists = [_step_list(x, what, op) for x, what in ((logits, "logits"), (targets, "targets"),
                                                      (weights, "weights"))]
    if len({len(x) for x in lists}) != 1:
        raise GraphError(f"{op}: logits, targets and weights must have one entry per step, got lengths "
                         f"{len(lists[0])}, {len(lists[1])}, {len(lists[2])}", op=op, source=_where(),
                         fix="pass a weight of 0.0 for steps that should not count")
    lg, tg = ([convert_to_tensor(t) for t in x] for x in lists[:2])
    # Weights given as data (NumPy, lists, numbers) take the logits' float dtype; tensors keep theirs.
    wt = [convert_to_tensor(w) if isinstance(w, (Value, Variable)) or not l_.dtype.is_floating
          else convert_to_tensor(w, l_.dtype) for w, l_ in zip(lists[2], lg)]
    for k, (l_, w) in enumerate(zip(lg, wt)):
        if w.dtype is not l_.dtype:
            raise DTypeError(f"{op}: weights[{k}] is {w.dtype.name} but logits[{k}] is {l_.dtype.name}",
                             op=op, source=_where(), fix=f"cast the weights to {l_.dtype.name}")
    return lg, tg, wt


def sequence_loss_by_example(logits: Sequence[Any], targets: Sequence[Any], weights: Sequence[Any],
                             average_across_timesteps: bool = True,
                             softmax_loss_function: Callable[..., Any] | None = None,
                             name: str | None = None) -> Value:
    """TF1 ``sequence_loss_by_example``: ``sum_t crossent_t * weights_t`` per example ``[batch]``,
    divided by ``sum_t weights_t + 1e-12`` when ``average_across_timesteps``."""
    op = "sequence_loss_by_example"
    if softmax_loss_function is not None and not callable(softmax_loss_function):
        raise GraphError(f"{op}: softmax_loss_function must be callable (labels=, logits=), got "
                         f"{softmax_loss_function!r}", op=op, source=_where(),
                         fix="pass a function f(labels=..., logits=...) returning one loss per row, or None")
    lg, tg, wt = _check_loss_lists(logits, targets, weights, op)
    with builder.name_scope(name or "sequence_loss_by_example"):
        terms = []
        for logit, target, weight in zip(lg, tg, wt):
            if softmax_loss_function is None:
                # TF1 reshapes the targets to a vector: scalars and [batch, 1] columns are accepted.
                crossent = sparse_softmax_cross_entropy_with_logits(labels=reshape(target, [-1]), logits=logit)
            else:
                crossent = convert_to_tensor(softmax_loss_function(labels=target, logits=logit))
            terms.append(multiply(crossent, weight))
        log_perps = add_n(terms)
        if average_across_timesteps:
            total_size = add(add_n(wt), convert_to_tensor(1e-12, log_perps.dtype))  # all-0 weights: no 0/0
            log_perps = divide(log_perps, total_size)
    return log_perps


def sequence_loss(logits: Sequence[Any], targets: Sequence[Any], weights: Sequence[Any],
                  average_across_timesteps: bool = True, average_across_batch: bool = True,
                  softmax_loss_function: Callable[..., Any] | None = None, name: str | None = None) -> Value:
    """TF1 legacy ``sequence_loss``: the sum over the batch of `sequence_loss_by_example`, divided by
    the batch size (``shape(targets[0])[0]``) when ``average_across_batch``."""
    with builder.name_scope(name or "sequence_loss"):
        cost = reduce_sum(sequence_loss_by_example(logits, targets, weights,
                                                   average_across_timesteps=average_across_timesteps,
                                                   softmax_loss_function=softmax_loss_function))
        if not average_across_batch:
            return cost
        first = convert_to_tensor(targets[0])
        b = first.type.shape[0] if first.type.rank else None
        batch_size = (convert_to_tensor(b, cost.dtype) if b is not None
                      else cast(getitem(shape(first), 0), cost.dtype))
        return divide(cost, batch_size)


def model_with_buckets(encoder_inputs: Sequence[Any], decoder_inputs: Sequence[Any], targets: Sequence[Any],
                       weights: Sequence[Any], buckets: Sequence[tuple[int, int]],
                       seq2seq: Callable[[list[Any], list[Any]], tuple[list[Any], Any]],
                       softmax_loss_function: Callable[..., Any] | None = None, per_example_loss: bool = False,
                       name: str | None = None) -> tuple[list[list[Any]], list[Value]]:
    """TF1 ``model_with_buckets``: for each bucket ``(enc_len, dec_len)`` (in order), ``seq2seq`` on the
    first ``enc_len`` encoder and ``dec_len`` decoder inputs, all buckets sharing one set of variables
    (the first bucket creates them, the others reuse them), and its `sequence_loss` (or
    `sequence_loss_by_example` with ``per_example_loss``) over the first ``dec_len`` targets and
    weights. Returns ``(outputs per bucket, losses per bucket)``."""
    op = "model_with_buckets"
    if not callable(seq2seq):
        raise GraphError(f"{op}: seq2seq must be a function (encoder_inputs, decoder_inputs) -> (outputs, state), "
                         f"got {seq2seq!r}", op=op, source=_where(),
                         fix="e.g. seq2seq=lambda x, y: basic_rnn_seq2seq(x, y, cell)")
    lists = {what: _step_list(x, what, op) for what, x in (("encoder_inputs", encoder_inputs),
                                                           ("decoder_inputs", decoder_inputs),
                                                           ("targets", targets), ("weights", weights))}
    if not isinstance(buckets, (list, tuple)) or not buckets or not all(
            isinstance(b, (list, tuple)) and len(b) == 2 and all(isinstance(n, int) and n > 0 for n in b)
            for b in buckets):
        raise GraphError(f"{op}: buckets must be a non-empty list of (encoder length, decoder length) pairs of "
                         f"positive ints, got {buckets!r}", op=op, source=_where(),
                         fix="e.g. buckets=[(5, 10), (10, 15)], the largest last")
    enc_len, dec_len = max(b[0] for b in buckets), max(b[1] for b in buckets)
    for what, need in (("encoder_inputs", enc_len), ("decoder_inputs", dec_len), ("targets", dec_len),
                       ("weights", dec_len)):
        if len(lists[what]) < need:
            raise GraphError(f"{op}: {what} has {len(lists[what])} steps but a bucket needs {need}", op=op,
                             source=_where(), fix=f"pass at least {need} steps of {what} (pad with a PAD symbol "
                                                  "and weight 0)")
    losses: list[Value] = []
    outputs: list[list[Any]] = []
    with builder.name_scope(name or "model_with_buckets"):
        for j, (n_enc, n_dec) in enumerate(buckets):
            with variable_scope(get_variable_scope(), reuse=True if j > 0 else None):
                result = seq2seq(lists["encoder_inputs"][:n_enc], lists["decoder_inputs"][:n_dec])
                if not isinstance(result, (list, tuple)) or len(result) != 2:
                    raise GraphError(f"{op}: seq2seq must return (outputs, state), got {result!r}", op=op,
                                     source=_where(), fix="return what the legacy_seq2seq models return")
                bucket_outputs = result[0]
                outputs.append(bucket_outputs)
                loss_fn = sequence_loss_by_example if per_example_loss else sequence_loss
                losses.append(loss_fn(bucket_outputs, lists["targets"][:n_dec], lists["weights"][:n_dec],
                                      softmax_loss_function=softmax_loss_function))
    return outputs, losses


# The attention decoders live in their own module; they are part of this namespace, as in TF1. Missing TF1
# names get graphrnn.compat's explanation (the module __getattr__ below).
from graphrnn.compat.unsupported import module_getattr as _module_getattr  # noqa: E402
from graphrnn.contrib.legacy_seq2seq_attention import (  # noqa: E402
    attention_decoder,
    embedding_attention_decoder,
    embedding_attention_seq2seq,
)

__getattr__ = _module_getattr(__name__)  # a TF1 name graphrnn lacks: say what to use instead
