"""TF1 contrib's ``AttentionCellWrapper``: a cell that attends over a sliding window of its own last
``attn_length`` outputs (Bahdanau-style scoring, as in TF 1.x's ``contrib/rnn/python/ops/rnn_cell.py``).

State: ``(cell_state, attns [B, A], attn_states [B, L*A])`` with ``A = attn_size`` (default the
cell's output size) and ``L = attn_length``; with ``state_is_tuple=False`` the three concatenated
(then the wrapped cell's own state must be a single tensor, as TF1 requires). Output: ``[B, A]``.

One step, in TF1's order (variables in the wrapper's scope ``attention_cell_wrapper``, created in
this order; kernels use the scope's default initializer, biases start at zero):
1. ``x' = [x, attns] @ kernel + bias`` with ``kernel [I+A, input_size]`` (``input_size`` defaults
   to the input depth I);
2. the wrapped cell runs on ``x'`` inside the wrapper's scope (``attention_cell_wrapper/<cell>/...``);
3. attention, scope ``attention``: the window ``H [B, L, A]`` goes through a 1x1 convolution
   ``attn_w [1, 1, A, V]`` (``V = attn_vec_size``, default A), the query (the new cell state's
   leaves concatenated) through ``kernel [S, V]``/``bias [V]``; scores
   ``s[b, l] = sum_v attn_v[v] * tanh(H W + query W_q)``, ``a = softmax(s)`` over the window, and
   the new ``attns = sum_l a[b, l] H[b, l]``;
4. ``output = [cell_output, attns] @ attn_output_projection/kernel [O+A, A] + bias [A]``;
5. the window drops its oldest entry and appends ``output``.

Beyond TF1: ``attn_w``/``attn_v`` take the inputs' dtype (TF1 creates them without a dtype, so a
float64 model fails there unless the variable scope sets one); the 1x1 convolution is written as a
matmul, the same numbers.
"""

from __future__ import annotations

from typing import Any

from graphrnn import nest
from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import RNNCell, bias, input_depth, linear, require_cell, units_arg, weight
from graphrnn.ops.array import concat, reshape, split
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import expand_dims
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import add, multiply, tanh
from graphrnn.ops.math_reduce import matmul, reduce_sum
from graphrnn.ops.nn import softmax
from graphrnn.ops.state import variable_scope

__all__ = ["AttentionCellWrapper"]


def _projection(args: list[Value], size: int, owner: RNNCell) -> Value:
    """TF1's ``_Linear(args, size, True)`` in the current scope: ``kernel`` then zero ``bias``
    (``owner`` names the cell in shape errors)."""
    d = args[0].dtype
    depth = sum(input_depth(a, owner) for a in args)
    return linear(args, weight("kernel", [depth, size], d), bias("bias", size, d))


class AttentionCellWrapper(RNNCell):
    """TF1 ``tf.contrib.rnn.AttentionCellWrapper(cell, attn_length, attn_size=None, attn_vec_size=None,
    input_size=None, state_is_tuple=True, reuse=None)``; see the module docstring."""

    def __init__(self, cell: RNNCell, attn_length: int, attn_size: int | None = None,
                 attn_vec_size: int | None = None, input_size: int | None = None, state_is_tuple: bool = True,
                 reuse: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, reuse=reuse, **kwargs)
        require_cell(cell, "AttentionCellWrapper's cell")
        src = builder.format_source(builder.source_location())
        if nest.is_sequence(cell.state_size) and not state_is_tuple:
            raise GraphError(f"AttentionCellWrapper(state_is_tuple=False) needs a cell whose state is one "
                             f"tensor, but {type(cell).__name__}'s state is {cell.state_size}", source=src,
                             fix="pass state_is_tuple=True (the default), or a cell with state_is_tuple=False")
        self._cell = cell
        self._attn_length = units_arg(attn_length, "attn_length")
        self._attn_size = units_arg(attn_size if attn_size is not None else cell.output_size, "attn_size")
        self._attn_vec_size = (units_arg(attn_vec_size, "attn_vec_size") if attn_vec_size is not None
                               else self._attn_size)
        self._input_size = units_arg(input_size, "input_size") if input_size is not None else None
        self._state_is_tuple = bool(state_is_tuple)

    @property
    def wrapped_cell(self) -> RNNCell:
        return self._cell

    @property
    def state_size(self) -> Any:
        sizes = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return sizes if self._state_is_tuple else sum(int(s) for s in sizes)

    @property
    def output_size(self) -> int:
        return self._attn_size

    def call(self, inputs: Any, state: Any) -> tuple[Value, Any]:
        x = convert_to_tensor(inputs)
        a_size, length = self._attn_size, self._attn_length
        if self._state_is_tuple:
            cell_state, attns, window = state
            attns, window = convert_to_tensor(attns), convert_to_tensor(window)
        else:
            cell_state, attns, window = split(convert_to_tensor(state),
                                              [int(self._cell.state_size), a_size, a_size * length], axis=1)
        window = reshape(window, [-1, length, a_size])
        proj_size = self._input_size if self._input_size is not None else input_depth(x, self)
        cell_input = _projection([x, attns], proj_size, self)
        cell_output, new_cell_state = self._cell(cell_input, cell_state)
        query = concat([convert_to_tensor(s) for s in nest.flatten(new_cell_state)], 1) \
            if self._state_is_tuple else convert_to_tensor(new_cell_state)
        new_attns = self._attention(query, window, x.dtype)
        with variable_scope("attn_output_projection"):
            output = _projection([convert_to_tensor(cell_output), new_attns], a_size, self)
        # Slide the window: drop the oldest entry, append this step's output.
        new_window = reshape(concat([getitem(window, (slice(None), slice(1, None))), expand_dims(output, 1)], 1),
                             [-1, length * a_size])
        new_state: Any = (new_cell_state, new_attns, new_window)
        if not self._state_is_tuple:
            new_state = concat([convert_to_tensor(s) for s in new_state], 1)
        return output, new_state

    def _attention(self, query: Value, window: Value, d: Any) -> Value:
        """The new attention read-out ``[B, A]`` over ``window [B, L, A]`` (step 3 of the docstring)."""
        a_size, v_size, length = self._attn_size, self._attn_vec_size, self._attn_length
        with variable_scope("attention"):
            attn_w = weight("attn_w", [1, 1, a_size, v_size], d)
            attn_v = weight("attn_v", [v_size], d)
            # A 1x1 convolution over [B, L, 1, A] is a matmul of the rows by attn_w[0, 0].
            features = reshape(matmul(reshape(window, [-1, a_size]), reshape(attn_w, [a_size, v_size])),
                               [-1, length, v_size])
            y = expand_dims(_projection([query], v_size, self), 1)  # [B, 1, V]
            scores = reduce_sum(multiply(attn_v, tanh(add(features, y))), axis=[2])  # [B, L]
            weights = softmax(scores)
            return reduce_sum(multiply(expand_dims(weights, 2), window), axis=[1])
