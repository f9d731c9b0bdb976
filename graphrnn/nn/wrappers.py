"""Cell combinators: `MultiRNNCell`, `DropoutWrapper`, `ResidualWrapper` (TF1 semantics).

- MultiRNNCell stacks layers; layer k runs under ``variable_scope("cell_<k>")`` inside the
  multi-cell's own scope (``multi_rnn_cell``); its state is the tuple of the layers' states.
  Beyond TF1: the same cell object listed twice is refused at construction (TF1 fails later with a
  MatMul shape error, or silently shares one kernel between layers when depth == units).
- Wrappers add no variable scope of their own: they call the wrapped cell with the caller's
  scope, so ``DropoutWrapper(LSTMCell(6))`` keeps ``rnn/lstm_cell/kernel``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from graphrnn import nest
from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Value
from graphrnn.nn.cells_base import LSTMStateTuple, RNNCell, _dims, activation_arg, number_arg, require_cell
from graphrnn.ops.array import concat, split
from graphrnn.ops.array_shape import ones
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.math import add, multiply
from graphrnn.ops.nn import dropout
from graphrnn.ops.state import variable_scope


class MultiRNNCell(RNNCell):
    """TF1 ``MultiRNNCell(cells, state_is_tuple=True)``: layer k's output is layer k+1's input."""

    def __init__(self, cells: Sequence[RNNCell], state_is_tuple: bool = True, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if not isinstance(cells, (list, tuple)):
            raise GraphError(f"MultiRNNCell needs a list of cells, got {cells!r}",
                             fix="pass a list, e.g. MultiRNNCell([LSTMCell(n) for _ in range(layers)])")
        cells = list(cells)
        if not cells:
            raise GraphError("MultiRNNCell needs at least one cell")
        seen: dict[int, int] = {}
        for k, c in enumerate(cells):
            require_cell(c, f"MultiRNNCell layer {k}")
            if id(c) in seen:
                raise GraphError(
                    f"MultiRNNCell got the same {type(c).__name__} object as layer {seen[id(c)]} and layer {k}; "
                    "each layer needs its own cell instance (with its own weights). A list built as "
                    "`[cell] * n` repeats one object n times",
                    fix="build one cell per layer, e.g. MultiRNNCell([LSTMCell(n) for _ in range(layers)])")
            seen[id(c)] = k
        self._cells = cells
        self._state_is_tuple = bool(state_is_tuple)

    @property
    def cells(self) -> list[RNNCell]:
        return list(self._cells)

    @property
    def state_size(self) -> Any:
        sizes = tuple(c.state_size for c in self._cells)
        if self._state_is_tuple:
            return sizes
        return sum(sum(_dims(s)[0] for s in nest.flatten(size)) for size in sizes)

    @property
    def output_size(self) -> Any:
        return self._cells[-1].output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        if self._state_is_tuple:
            with builder.name_scope(type(self).__name__ + "ZeroState"):
                return tuple(c.zero_state(batch_size, dtype) for c in self._cells)
        return super().zero_state(batch_size, dtype)

    def _layer_states(self, state: Any) -> list[Any]:
        if self._state_is_tuple:
            if not isinstance(state, (tuple, list)) or len(state) != len(self._cells):
                raise GraphError(f"MultiRNNCell with {len(self._cells)} layers expects a tuple of "
                                 f"{len(self._cells)} layer states, got {state!r}")
            return list(state)
        widths = [int(sum(_dims(s)[0] for s in nest.flatten(c.state_size))) for c in self._cells]
        return list(split(convert_to_tensor(state), widths, axis=1))

    def call(self, inputs: Any, state: Any) -> tuple[Any, Any]:
        cur = inputs
        new_states = []
        for k, (cell, layer_state) in enumerate(zip(self._cells, self._layer_states(state))):
            with variable_scope(f"cell_{k}"):
                cur, s = cell(cur, layer_state)
            new_states.append(s)
        if self._state_is_tuple:
            return cur, tuple(new_states)
        return cur, concat([convert_to_tensor(s) for s in new_states], 1)


class _Wrapper(RNNCell):
    """A cell that delegates to ``cell`` and adds no variable scope of its own."""

    def __init__(self, cell: RNNCell, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        require_cell(cell, f"{type(self).__name__}'s cell")
        self._cell = cell

    @property
    def wrapped_cell(self) -> RNNCell:
        return self._cell

    @property
    def state_size(self) -> Any:
        return self._cell.state_size

    @property
    def output_size(self) -> Any:
        return self._cell.output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        return self._cell.zero_state(batch_size, dtype)


def _keep_all(p: Any) -> bool:
    return isinstance(p, (int, float)) and float(p) == 1.0


def _default_state_filter(substate: Any) -> Any:
    """TF1's default: never drop out the memory ``c`` of an LSTMStateTuple, drop everything else."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


class DropoutWrapper(_Wrapper):
    """TF1 ``DropoutWrapper(cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
    variational_recurrent=False, input_size=None, dtype=None, seed=None,
    dropout_state_filter_visitor=None)``.

    Without ``variational_recurrent`` each call (each time step) draws new masks. With it, one mask
    per tensor is drawn per run, shape ``[1, depth]`` (TF1's: shared by the batch rows and all steps),
    made when the wrapper is constructed: ``dtype`` is then required, and ``input_size`` too when
    ``input_keep_prob < 1``. A seed makes each mask reproducible (salted per kind and leaf).
    """

    def __init__(self, cell: RNNCell, input_keep_prob: Any = 1.0, output_keep_prob: Any = 1.0,
                 state_keep_prob: Any = 1.0, variational_recurrent: bool = False, input_size: Any = None,
                 dtype: Any = None, seed: int | None = None,
                 dropout_state_filter_visitor: Callable[[Any], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(cell, **kwargs)
        for what, p in (("input", input_keep_prob), ("output", output_keep_prob), ("state", state_keep_prob)):
            if not hasattr(p, "_as_graph_value") and not isinstance(p, Value):
                p = number_arg(p, f"{what}_keep_prob")  # a Python number, or a scalar tensor (checked at run time)
                if not 0.0 < p <= 1.0:
                    raise GraphError(f"DropoutWrapper {what}_keep_prob must lie in (0, 1], got {p}")
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._variational = bool(variational_recurrent)
        self._seed = seed
        self._state_filter = dropout_state_filter_visitor or _default_state_filter
        self._masks: dict[str, Any] = {}
        if self._variational:
            if dtype is None:
                raise GraphError("DropoutWrapper(variational_recurrent=True) needs dtype=...",
                                 fix="pass the dtype of the inputs and state, e.g. dtype=gr.float32")
            d = dtypes.as_dtype(dtype)
            if not _keep_all(input_keep_prob):
                if input_size is None:
                    raise GraphError("DropoutWrapper(variational_recurrent=True, input_keep_prob<1) needs "
                                     "input_size=... (the depth of the inputs)")
                self._masks["input"] = self._variational_masks(input_size, input_keep_prob, d, 0)
            if not _keep_all(state_keep_prob):
                self._masks["state"] = self._variational_masks(cell.state_size, state_keep_prob, d, 1)
            if not _keep_all(output_keep_prob):
                self._masks["output"] = self._variational_masks(cell.output_size, output_keep_prob, d, 2)

    def _gen_seed(self, salt: int, index: int) -> int | None:
        if self._seed is None:
            return None
        digest = hashlib.md5(f"{self._seed}:{salt}:{index}".encode()).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    def _variational_masks(self, sizes: Any, keep_prob: Any, d: dtypes.DType, salt: int) -> Any:
        leaves = nest.flatten(sizes)
        masks = [dropout(ones([1, *_dims(s)], d), keep_prob, seed=self._gen_seed(salt, k))
                 for k, s in enumerate(leaves)]
        return nest.pack_sequence_as(sizes, masks)

    def _apply(self, kind: str, values: Any, keep_prob: Any, salt: int, use: Any = True) -> Any:
        flat = nest.flatten(values)
        flags = nest.flatten(use) if use is not True else [True] * len(flat)
        masks = nest.flatten(self._masks[kind]) if kind in self._masks else None
        out = []
        for k, (v, f) in enumerate(zip(flat, flags)):
            if not f:
                out.append(v)
            elif masks is not None:
                out.append(multiply(v, masks[k]))
            else:
                out.append(dropout(v, keep_prob, seed=self._gen_seed(salt, k)))
        return nest.pack_sequence_as(values, out)

    def _state_flags(self, state: Any) -> Any:
        # The visitor answers per sub-structure; an LSTMStateTuple answer covers its two leaves.
        def visit(s: Any) -> Any:
            r = self._state_filter(s)
            if isinstance(r, LSTMStateTuple) or not nest.is_sequence(s):
                return r
            if isinstance(s, LSTMStateTuple):
                return LSTMStateTuple(r, r)
            return nest._rebuild(s, [visit(c) for c in nest._children(s)])
        return visit(state)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple[Any, Any]:
        if not _keep_all(self._input_keep_prob):
            inputs = self._apply("input", inputs, self._input_keep_prob, 0)
        output, new_state = self._cell(inputs, state, scope=scope)
        if not _keep_all(self._state_keep_prob):
            new_state = self._apply("state", new_state, self._state_keep_prob, 1, self._state_flags(new_state))
        if not _keep_all(self._output_keep_prob):
            output = self._apply("output", output, self._output_keep_prob, 2)
        return output, new_state


class ResidualWrapper(_Wrapper):
    """TF1 ``ResidualWrapper(cell, residual_fn=None)``: output ``residual_fn(inputs, output)``,
    by default ``inputs + output`` leaf by leaf (so input and output sizes must agree)."""

    def __init__(self, cell: RNNCell, residual_fn: Callable[[Any, Any], Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(cell, **kwargs)
        self._residual_fn = activation_arg(residual_fn, "residual_fn")

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple[Any, Any]:
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, output), new_state
        return nest.map_structure(lambda i, o: add(convert_to_tensor(i), o), inputs, output), new_state
