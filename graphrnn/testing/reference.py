"""Plain-NumPy reference implementations of TF1's RNN cells and drivers.

This module is the oracle that graphrnn's graph implementation is tested against, and it is itself
checked against numbers made with real TensorFlow (``tests/data/tf_reference``).

Invariants (they mirror TF1's legacy ``tf.compat.v1.nn.rnn_cell`` cells):

* Every kernel multiplies ``concat([x_t, h_prev], axis=1)``: input rows first, then recurrent rows.
* Gate blocks along the kernel's columns: LSTM ``i, j, f, o``; GRU gates ``r`` then ``u``;
  coupled input-forget LSTM (CIFG) ``j, f, o``.
* Weights are dicts keyed by TF variable names relative to the cell (``"kernel"``, ``"gates/bias"``...).
* LSTM states are :class:`LSTMStateTuple` ``(c, h)``; a multi-layer cell (a list of cells) has the
  tuple of its layers' states; other cells have a plain ``[B, H]`` array.
* Nothing here mutates its arguments, and nothing imports the rest of graphrnn (it must stay an
  independent oracle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray
Weights = Mapping[str, Array]


class LSTMStateTuple(NamedTuple):
    """LSTM state: ``c`` is the cell state ``[B, H]``, ``h`` the output ("m") state ``[B, P]``."""

    c: Array
    h: Array


# Recursive: a multi-layer cell's state is a plain tuple of its layers' states.
State = Array | LSTMStateTuple | tuple["State", ...]


def sigmoid(z: Array) -> Array:
    """Logistic function without overflow: ``exp`` only ever sees non-positive arguments."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _xh(x: Array, h: Array) -> Array:
    """The ``[x_t, h_prev]`` row block every kernel multiplies."""
    return np.concatenate([x, h], axis=1)


def basic_rnn_step(
    x: Array, h: Array, w: Weights, activation: Callable[[Array], Array] = np.tanh
) -> tuple[Array, Array]:
    """BasicRNNCell: ``h' = act([x, h] @ kernel + bias)``; output and new state are both ``h'``."""
    h_new = activation(_xh(x, h) @ w["kernel"] + w["bias"])
    return h_new, h_new


def gru_step(x: Array, h: Array, w: Weights) -> tuple[Array, Array]:
    """GRUCell: reset ``r`` then update ``u``; the reset gate scales ``h`` *before* the candidate matmul."""
    gates = sigmoid(_xh(x, h) @ w["gates/kernel"] + w["gates/bias"])
    r, u = np.split(gates, 2, axis=1)
    cand = np.tanh(_xh(x, r * h) @ w["candidate/kernel"] + w["candidate/bias"])
    h_new = u * h + (1.0 - u) * cand
    return h_new, h_new


def basic_lstm_step(
    x: Array, state: tuple[Array, Array], w: Weights, forget_bias: float = 1.0
) -> tuple[Array, LSTMStateTuple]:
    """BasicLSTMCell: gates ``i, j, f, o``; ``forget_bias`` is added at run time, never stored."""
    c, h = state
    i, j, f, o = np.split(_xh(x, h) @ w["kernel"] + w["bias"], 4, axis=1)
    c_new = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    h_new = np.tanh(c_new) * sigmoid(o)
    return h_new, LSTMStateTuple(c_new, h_new)


def _project(m: Array, w: Weights, num_proj: int | None, proj_clip: float | None, kernel: str) -> Array:
    # Shared by LSTMCell and CIFG: optional projection H -> P, then optional clip of the projection.
    if num_proj is None:
        return m
    m = m @ w[kernel]
    if proj_clip is not None:
        m = np.clip(m, -proj_clip, proj_clip)
    return m


def lstm_step(
    x: Array,
    state: tuple[Array, Array],
    w: Weights,
    forget_bias: float = 1.0,
    use_peepholes: bool = False,
    cell_clip: float | None = None,
    num_proj: int | None = None,
    proj_clip: float | None = None,
) -> tuple[Array, LSTMStateTuple]:
    """LSTMCell: state ``(c [B,H], m [B,P])`` with ``P = num_proj or H``; output ``m``.

    The input/forget peepholes look at the old ``c``; the output peephole looks at the new, clipped ``c``.
    """
    c, m = state
    i, j, f, o = np.split(_xh(x, m) @ w["kernel"] + w["bias"], 4, axis=1)
    if use_peepholes:
        c_new = sigmoid(f + forget_bias + w["w_f_diag"] * c) * c + sigmoid(i + w["w_i_diag"] * c) * np.tanh(j)
    else:
        c_new = sigmoid(f + forget_bias) * c + sigmoid(i) * np.tanh(j)
    if cell_clip is not None:
        c_new = np.clip(c_new, -cell_clip, cell_clip)
    o_act = sigmoid(o + w["w_o_diag"] * c_new) if use_peepholes else sigmoid(o)
    m_new = _project(o_act * np.tanh(c_new), w, num_proj, proj_clip, "projection/kernel")
    return m_new, LSTMStateTuple(c_new, m_new)


# TF contrib's CoupledInputForgetGateLSTMCell stores its variables under other names (the `_0` suffix
# comes from its sharded-variable helper with one shard). We use LSTMCell-style names so every cell
# speaks the same dialect, and accept contrib's names as aliases so its checkpoints load as they are.
CIFG_CONTRIB_NAMES: Mapping[str, str] = {
    "kernel": "W_0",
    "bias": "B",
    "w_f_diag": "W_F_diag",
    "w_o_diag": "W_O_diag",
    "projection/kernel": "W_P_0",
}


def _cifg_weights(w: Weights) -> dict[str, Array]:
    """Canonical-name view of CIFG weights given under our names or contrib's."""
    out: dict[str, Array] = {}
    for name, alias in CIFG_CONTRIB_NAMES.items():
        if name in w:
            out[name] = w[name]
        elif alias in w:
            out[name] = w[alias]
    return out


def coupled_input_forget_lstm_step(
    x: Array,
    state: tuple[Array, Array],
    w: Weights,
    forget_bias: float = 1.0,
    use_peepholes: bool = False,
    num_proj: int | None = None,
    proj_clip: float | None = None,
) -> tuple[Array, LSTMStateTuple]:
    """CIFG LSTM (TF contrib's CoupledInputForgetGateLSTMCell): the input gate is ``1 - f``.

    Layout: ``kernel [I+P, 3H]`` (contrib ``W_0``) and ``bias [3H]`` (``B``) with gate blocks
    ``j, f, o``; peepholes ``w_f_diag, w_o_diag [H]`` (``W_F_diag, W_O_diag``; there is no input
    peephole); projection ``projection/kernel [H, P]`` (``W_P_0``). Like contrib, no cell clipping.
    ``c' = f*c + (1-f)*tanh(j)`` with ``f = sigmoid(f + forget_bias [+ w_f*c])``;
    ``m = sigmoid(o [+ w_o*c'])*tanh(c')``, then the optional projection and its clip.
    """
    w = _cifg_weights(w)
    c, m = state
    j, f, o = np.split(_xh(x, m) @ w["kernel"] + w["bias"], 3, axis=1)
    f_act = sigmoid(f + forget_bias + w["w_f_diag"] * c) if use_peepholes else sigmoid(f + forget_bias)
    c_new = f_act * c + (1.0 - f_act) * np.tanh(j)
    o_act = sigmoid(o + w["w_o_diag"] * c_new) if use_peepholes else sigmoid(o)
    m_new = _project(o_act * np.tanh(c_new), w, num_proj, proj_clip, "projection/kernel")
    return m_new, LSTMStateTuple(c_new, m_new)


# kind -> options the kind accepts (passed as keyword arguments to its step function).
_OPTIONS: Mapping[str, frozenset[str]] = {
    "basic_rnn": frozenset({"activation"}),
    "gru": frozenset(),
    "basic_lstm": frozenset({"forget_bias"}),
    "lstm": frozenset({"forget_bias", "use_peepholes", "cell_clip", "num_proj", "proj_clip"}),
    "cifg_lstm": frozenset({"forget_bias", "use_peepholes", "num_proj", "proj_clip"}),
}
_STEPS: Mapping[str, Callable[..., tuple[Array, State]]] = {
    "basic_rnn": basic_rnn_step,
    "gru": gru_step,
    "basic_lstm": basic_lstm_step,
    "lstm": lstm_step,
    "cifg_lstm": coupled_input_forget_lstm_step,
}
CELL_KINDS: tuple[str, ...] = tuple(_STEPS)


@dataclass(frozen=True)
class ReferenceCell:
    """One cell: ``kind`` (one of :data:`CELL_KINDS`), ``num_units`` H, step ``options`` and ``weights``.

    Invariant (checked on construction): ``options`` only holds keys the kind accepts and ``weights``
    holds every variable the kind and options need (:meth:`weight_names`).
    """

    kind: str
    num_units: int
    options: Mapping[str, Any] = field(default_factory=dict)
    weights: Mapping[str, Array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in _STEPS:
            raise ValueError(f"unknown cell kind {self.kind!r}; expected one of {CELL_KINDS}")
        unknown = set(self.options) - _OPTIONS[self.kind]
        if unknown:
            raise ValueError(f"{self.kind} cell does not accept options {sorted(unknown)}")
        have = set(self.weights)
        if self.kind == "cifg_lstm":
            have |= {name for name, alias in CIFG_CONTRIB_NAMES.items() if alias in self.weights}
        missing = [n for n in self.weight_names() if n not in have]
        if missing:
            raise ValueError(f"{self.kind} cell is missing weights {missing}")

    @property
    def is_lstm(self) -> bool:
        """True when the state is an :class:`LSTMStateTuple`."""
        return self.kind in ("basic_lstm", "lstm", "cifg_lstm")

    @property
    def output_size(self) -> int:
        """Width of the output (and of the ``h`` state): ``num_proj`` when projecting, else H."""
        return self.options.get("num_proj") or self.num_units

    def weight_names(self) -> list[str]:
        """The variable names (relative to the cell) this cell's math reads."""
        if self.kind == "gru":
            return ["gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias"]
        names = ["kernel", "bias"]
        if self.options.get("use_peepholes"):
            # CIFG has no input gate of its own, hence no input peephole.
            names += ["w_f_diag"] + ([] if self.kind == "cifg_lstm" else ["w_i_diag"]) + ["w_o_diag"]
        if self.options.get("num_proj") is not None:
            names.append("projection/kernel")
        return names

    def zero_state(self, batch: int, dtype: np.dtype | type = np.float64) -> State:
        """All-zero state for ``batch`` rows, shaped like the state :meth:`step` returns."""
        if self.is_lstm:
            c, h = np.zeros((batch, self.num_units), dtype), np.zeros((batch, self.output_size), dtype)
            return LSTMStateTuple(c, h)
        return np.zeros((batch, self.num_units), dtype)

    def step(self, x: Array, state: State) -> tuple[Array, State]:
        """One time step: ``(output [B, output_size], new_state)``."""
        return _STEPS[self.kind](x, state, self.weights, **self.options)


CellLike = ReferenceCell | Sequence[ReferenceCell]


def _layers(cell: CellLike) -> list[ReferenceCell] | None:
    # None means "a single cell"; a sequence (even of length 1) is a MultiRNNCell with a tuple state.
    return None if isinstance(cell, ReferenceCell) else list(cell)


def zero_state(cell: CellLike, batch: int, dtype: np.dtype | type = np.float64) -> State:
    """Zero state of a cell, or the tuple of layer zero states for a multi-layer cell."""
    layers = _layers(cell)
    if layers is None:
        return cell.zero_state(batch, dtype)
    return tuple(layer.zero_state(batch, dtype) for layer in layers)


def output_size(cell: CellLike) -> int:
    """Output width of a cell; for a multi-layer cell, that of its last layer."""
    layers = _layers(cell)
    return cell.output_size if layers is None else layers[-1].output_size


def cell_step(cell: CellLike, x: Array, state: State) -> tuple[Array, State]:
    """One step of a cell, or of a MultiRNNCell (layer k's output is layer k+1's input)."""
    layers = _layers(cell)
    if layers is None:
        return cell.step(x, state)
    new_states = []
    for layer, layer_state in zip(layers, state, strict=True):
        x, new_state = layer.step(x, layer_state)
        new_states.append(new_state)
    return x, tuple(new_states)


def map_state(fn: Callable[..., Array], *states: State) -> State:
    """Apply ``fn`` leaf-wise to states of the same structure, keeping that structure."""
    first = states[0]
    if isinstance(first, LSTMStateTuple):
        return LSTMStateTuple(*(map_state(fn, *leaves) for leaves in zip(*states, strict=True)))
    if isinstance(first, tuple):
        return tuple(map_state(fn, *leaves) for leaves in zip(*states, strict=True))
    return fn(*states)


def _check_lengths(sequence_length: Array | Sequence[int] | None, batch: int, steps: int) -> Array | None:
    if sequence_length is None:
        return None
    lengths = np.asarray(sequence_length, dtype=np.int64)
    if lengths.shape != (batch,):
        raise ValueError(f"sequence_length must have shape [{batch}], got {lengths.shape}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > steps):
        raise ValueError(f"sequence_length values must lie in [0, {steps}], got {lengths.tolist()}")
    return lengths


def rnn_reference(
    cells_or_cell: CellLike,
    x_tbi: Array,
    initial_state: State | None = None,
    sequence_length: Array | Sequence[int] | None = None,
) -> tuple[Array, State]:
    """Time-major RNN loop with TF1's ``dynamic_rnn``/``static_rnn`` semantics.

    Returns ``(outputs [T, B, O], final_state)``. With ``sequence_length``, for ``t >= len[b]`` the
    output row is exactly 0 and the state row is copied through unchanged, so row b's final state is
    the state after ``len[b]`` steps (the initial state for a zero-length row).
    """
    x = np.asarray(x_tbi)
    steps, batch = x.shape[:2]
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)
    lengths = _check_lengths(sequence_length, batch, steps)
    state = zero_state(cells_or_cell, batch, dtype) if initial_state is None else initial_state
    outputs = np.zeros((steps, batch, output_size(cells_or_cell)), dtype)
    for t in range(steps):
        out, new_state = cell_step(cells_or_cell, x[t], state)
        if lengths is None:
            outputs[t] = out
            state = new_state
        else:
            # np.where copies exactly: finished rows keep bit-identical state and get true zeros.
            valid = (t < lengths)[:, None]
            outputs[t] = np.where(valid, out, 0.0)
            state = map_state(lambda new, old, v=valid: np.where(v, new, old), new_state, state)
    return outputs, state


def reverse_sequence_np(x: Array, lengths: Array | Sequence[int], seq_axis: int, batch_axis: int) -> Array:
    """``tf.reverse_sequence``: reverse only the first ``lengths[b]`` entries of each row along
    ``seq_axis``; entries past a row's length stay where they are. Returns a new array."""
    x = np.asarray(x)
    seq_axis, batch_axis = seq_axis % x.ndim, batch_axis % x.ndim
    if seq_axis == batch_axis:
        raise ValueError("seq_axis and batch_axis must differ")
    moved = np.moveaxis(x, (seq_axis, batch_axis), (0, 1))
    steps, batch = moved.shape[:2]
    lens = _check_lengths(lengths, batch, steps)
    t = np.arange(steps)[:, None]
    src = np.where(t < lens[None, :], lens[None, :] - 1 - t, t)  # [T, B] source time index
    out = moved[src, np.arange(batch)[None, :]]
    return np.moveaxis(out, (0, 1), (seq_axis, batch_axis))


def bidirectional_reference(
    cell_fw: CellLike,
    cell_bw: CellLike,
    x_tbi: Array,
    initial_state_fw: State | None = None,
    initial_state_bw: State | None = None,
    sequence_length: Array | Sequence[int] | None = None,
) -> tuple[tuple[Array, Array], tuple[State, State]]:
    """``bidirectional_dynamic_rnn`` on time-major input: ``((out_fw, out_bw), (state_fw, state_bw))``.

    ``out_bw`` is already back in input time order; with ``sequence_length`` only each row's valid
    prefix is reversed (``reverse_sequence``), so padding stays in place and yields zero outputs.
    """
    x = np.asarray(x_tbi)
    steps, batch = x.shape[:2]
    lengths = np.full(batch, steps, np.int64) if sequence_length is None else sequence_length
    out_fw, state_fw = rnn_reference(cell_fw, x, initial_state_fw, sequence_length)
    x_rev = reverse_sequence_np(x, lengths, seq_axis=0, batch_axis=1)
    out_bw_rev, state_bw = rnn_reference(cell_bw, x_rev, initial_state_bw, sequence_length)
    out_bw = reverse_sequence_np(out_bw_rev, lengths, seq_axis=0, batch_axis=1)
    return (out_fw, out_bw), (state_fw, state_bw)


def numpy_lstm_loop(
    x_tbi: Array, kernel: Array, bias: Array, forget_bias: float = 1.0
) -> tuple[Array, LSTMStateTuple]:
    """Hand-tuned NumPy BasicLSTMCell/LSTMCell forward loop from a zero state: the benchmarks' speed floor.

    Same math as :func:`basic_lstm_step` looped (kernel ``[I+H, 4H]``, gates ``i, j, f, o``); returns
    ``(outputs [T, B, H], LSTMStateTuple(c, h))`` in the dtype of the inputs (float32 stays float32).
    Per step it does one ``[x_t, h] @ kernel`` matmul into preallocated buffers, like
    ``np.concatenate([x_t, h], 1) @ kernel + bias`` but without allocating.
    """
    x = np.asarray(x_tbi)
    steps, batch, n_in = x.shape
    hidden = kernel.shape[1] // 4
    dtype = np.result_type(x.dtype, kernel.dtype, bias.dtype)
    h1, h2, h3 = hidden, 2 * hidden, 3 * hidden
    # Reorder gate columns i,j,f,o -> i,f,o,j so the three sigmoid gates are one contiguous block, fold
    # forget_bias into the bias, and pre-scale the sigmoid columns by 0.5 (exact in binary floating
    # point): sigmoid(z) = 0.5*tanh(z/2) + 0.5, so one tanh call serves all four gates each step.
    order = np.r_[0:h1, h2 : 4 * hidden, h1:h2]
    b = np.array(bias, dtype=dtype)
    b[h2:h3] += forget_bias
    k = np.ascontiguousarray(np.asarray(kernel, dtype=dtype)[:, order])
    b = b[order]
    k[:, :h3] *= 0.5
    b[:h3] *= 0.5

    xh = np.zeros((batch, n_in + hidden), dtype)  # [x_t, h]; h lives in xh[:, n_in:]
    h = xh[:, n_in:]
    c = np.zeros((batch, hidden), dtype)
    gates = np.empty((batch, 4 * hidden), dtype)
    tmp = np.empty((batch, hidden), dtype)
    outputs = np.empty((steps, batch, hidden), dtype)
    sig, i, f, o, j = gates[:, :h3], gates[:, :h1], gates[:, h1:h2], gates[:, h2:h3], gates[:, h3:]
    for t in range(steps):
        xh[:, :n_in] = x[t]
        np.matmul(xh, k, out=gates)
        gates += b
        np.tanh(gates, out=gates)
        sig *= 0.5
        sig += 0.5
        c *= f
        np.multiply(i, j, out=tmp)
        c += tmp
        np.tanh(c, out=tmp)
        np.multiply(tmp, o, out=outputs[t])
        h[...] = outputs[t]
    return outputs, LSTMStateTuple(c, h.copy())


# --- TF1 contrib cells (tensorflow/contrib/rnn/python/ops/rnn_cell.py, TF 1.x) -------------------
# Step functions only: each takes ``(x, state, w, **options)`` with ``w`` keyed by TF1's variable
# names relative to the cell scope, and returns ``(output, new_state)``.


def nas_step(
    x: Array, state: tuple[Array, Array], w: Weights, num_proj: int | None = None, use_biases: bool = False
) -> tuple[Array, LSTMStateTuple]:
    """NASCell: separate input (``kernel``) and recurrent (``recurrent_kernel``) products, 8 blocks each.

    The optional ``bias`` goes on the recurrent product only; block 3 multiplies its two products.
    """
    relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
    c, m = state
    rec = m @ w["recurrent_kernel"]
    if use_biases:
        rec = rec + w["bias"]
    a = np.split(x @ w["kernel"], 8, axis=1)
    r = np.split(rec, 8, axis=1)
    first = (
        sigmoid(a[0] + r[0]), relu(a[1] + r[1]), sigmoid(a[2] + r[2]), relu(a[3] * r[3]),
        np.tanh(a[4] + r[4]), sigmoid(a[5] + r[5]), np.tanh(a[6] + r[6]), sigmoid(a[7] + r[7]),
    )
    second_0 = np.tanh(np.tanh(first[0] * first[1]) + c)
    second_1 = np.tanh(first[2] + first[3])
    second_2 = np.tanh(first[4] * first[5])
    second_3 = sigmoid(first[6] + first[7])
    c_new = second_0 * second_1
    m_new = np.tanh(c_new * np.tanh(second_2 + second_3))
    if num_proj is not None:
        m_new = m_new @ w["projection_weights"]
    return m_new, LSTMStateTuple(c_new, m_new)


def layer_norm_np(z: Array, gamma: Array, beta: Array, epsilon: float = 1e-12) -> Array:
    """contrib ``layer_norm`` over the last axis: ``gamma * (z - mean) / sqrt(var + eps) + beta``."""
    mu = z.mean(axis=-1, keepdims=True)
    var = ((z - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (z - mu) / np.sqrt(var + epsilon) + beta


def layer_norm_basic_lstm_step(
    x: Array,
    state: tuple[Array, Array],
    w: Weights,
    forget_bias: float = 1.0,
    layer_norm: bool = True,
    candidate_mask: Array | None = None,
) -> tuple[Array, LSTMStateTuple]:
    """LayerNormBasicLSTMCell: gates ``i, j, f, o`` each layer-normalized (``<gate>/gamma``,
    ``<gate>/beta`` for input/transform/forget/output), no bias then; the new memory normalized
    with ``state/*``. ``candidate_mask`` (already scaled by 1/keep) multiplies ``tanh(j)``: the
    recurrent dropout of the candidate only."""
    c, h = state
    z = _xh(x, h) @ w["kernel"]
    if not layer_norm:
        z = z + w["bias"]
    i, j, f, o = np.split(z, 4, axis=1)
    if layer_norm:
        i, j, f, o = (layer_norm_np(v, w[f"{s}/gamma"], w[f"{s}/beta"])
                      for v, s in zip((i, j, f, o), ("input", "transform", "forget", "output")))
    cand = np.tanh(j) if candidate_mask is None else np.tanh(j) * candidate_mask
    c_new = c * sigmoid(f + forget_bias) + sigmoid(i) * cand
    if layer_norm:
        c_new = layer_norm_np(c_new, w["state/gamma"], w["state/beta"])
    h_new = np.tanh(c_new) * sigmoid(o)
    return h_new, LSTMStateTuple(c_new, h_new)


def _zeros_like_sizes(sizes: Any, batch: int, dtype: np.dtype | type) -> State:
    """Zeros ``[batch, s]`` for every int ``s`` in a (nested) size structure, keeping the structure."""
    if isinstance(sizes, LSTMStateTuple):
        return LSTMStateTuple(*(_zeros_like_sizes(s, batch, dtype) for s in sizes))
    if isinstance(sizes, tuple):
        return tuple(_zeros_like_sizes(s, batch, dtype) for s in sizes)
    return np.zeros((batch, int(sizes)), dtype)


@dataclass(frozen=True)
class StepCell(ReferenceCell):
    """A reference cell given by a step function ``step_fn(x, state, weights, **options)``: how the
    contrib cells plug into :func:`rnn_reference` and :func:`bidirectional_reference` (``kind`` is a
    free label). ``state_sizes`` is the state's size structure (an int, an :class:`LSTMStateTuple`
    or a tuple of those), ``out_size`` the output width."""

    step_fn: Callable[..., tuple[Array, State]] | None = None
    state_sizes: Any = 0
    out_size: int = 0

    def __post_init__(self) -> None:
        if self.step_fn is None:
            raise ValueError("StepCell needs a step_fn")

    @property
    def is_lstm(self) -> bool:
        return isinstance(self.state_sizes, LSTMStateTuple)

    @property
    def output_size(self) -> int:
        return self.out_size

    def zero_state(self, batch: int, dtype: np.dtype | type = np.float64) -> State:
        return _zeros_like_sizes(self.state_sizes, batch, dtype)

    def step(self, x: Array, state: State) -> tuple[Array, State]:
        assert self.step_fn is not None
        return self.step_fn(x, state, self.weights, **self.options)


def softmax_np(z: Array, axis: int = -1) -> Array:
    """Softmax along ``axis``, shifted by the maximum so ``exp`` never overflows."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _flatten_state(state: State) -> list[Array]:
    if isinstance(state, tuple):
        return [leaf for s in state for leaf in _flatten_state(s)]
    return [state]


def attention_cell_step(
    x: Array, state: tuple[State, Array, Array], w: Weights, inner: Any, attn_length: int
) -> tuple[Array, tuple[State, Array, Array]]:
    """AttentionCellWrapper around the reference cell ``inner`` (anything with ``step``).

    State ``(inner_state, attns [B, A], window [B, L*A])``. The inner cell runs on
    ``[x, attns] @ kernel + bias``; the query is the inner cell's new state flattened; scores over
    the window use ``attention/attn_w [1, 1, A, V]``, ``attention/kernel``/``bias`` and
    ``attention/attn_v``; the output is ``[inner_out, attns'] @ attn_output_projection/kernel + bias``
    and joins the window as its newest entry (the oldest one leaves)."""
    inner_state, attns, window = state
    batch = x.shape[0]
    size = attns.shape[1]
    win = window.reshape(batch, attn_length, size)
    inner_out, new_inner = inner.step(np.concatenate([x, attns], 1) @ w["kernel"] + w["bias"], inner_state)
    query = np.concatenate(_flatten_state(new_inner), 1)
    features = np.einsum("bla,av->blv", win, w["attention/attn_w"][0, 0])
    y = query @ w["attention/kernel"] + w["attention/bias"]
    scores = np.sum(w["attention/attn_v"] * np.tanh(features + y[:, None, :]), axis=2)
    new_attns = np.einsum("bl,bla->ba", softmax_np(scores, 1), win)
    output = (np.concatenate([inner_out, new_attns], 1) @ w["attn_output_projection/kernel"]
              + w["attn_output_projection/bias"])
    new_window = np.concatenate([win[:, 1:], output[:, None, :]], 1).reshape(batch, attn_length * size)
    return output, (new_inner, new_attns, new_window)


def _sharded(w: Weights, name: str) -> Array:
    """A kernel stored as TF1 row shards ``<name>_0, <name>_1, ...``, stacked back together."""
    shards = []
    k = 0
    while f"{name}_{k}" in w:
        shards.append(w[f"{name}_{k}"])
        k += 1
    return np.concatenate(shards, 0)


def time_freq_lstm_step(
    x: Array, state: Array, w: Weights, num_units: int, feature_size: int, frequency_skip: int = 1,
    use_peepholes: bool = False, cell_clip: float | None = None, forget_bias: float = 1.0,
) -> tuple[Array, Array]:
    """TimeFreqLSTMCell: one LSTM per frequency slice ``x[:, f*skip : f*skip+feature_size]``, its rows
    ``[slice, m_time_f, m_freq_{f-1}]`` (zeros for the first), kernel ``W_*`` shards, bias ``B``;
    state ``[c_0, m_0, c_1, m_1, ...]``, output ``[m_0, m_1, ...]``."""
    n = num_units
    kernel = _sharded(w, "W")
    count = (x.shape[1] - feature_size) // frequency_skip + 1
    m_freq = np.zeros((x.shape[0], n), x.dtype)
    outs, states = [], []
    for f in range(count):
        piece = x[:, f * frequency_skip:f * frequency_skip + feature_size]
        c_prev, m_prev = state[:, 2 * f * n:(2 * f + 1) * n], state[:, (2 * f + 1) * n:(2 * f + 2) * n]
        i, j, g, o = np.split(np.concatenate([piece, m_prev, m_freq], 1) @ kernel + w["B"], 4, axis=1)
        if use_peepholes:
            c = (sigmoid(g + forget_bias + w["W_F_diag"] * c_prev) * c_prev
                 + sigmoid(i + w["W_I_diag"] * c_prev) * np.tanh(j))
        else:
            c = sigmoid(g + forget_bias) * c_prev + sigmoid(i) * np.tanh(j)
        if cell_clip is not None:
            c = np.clip(c, -cell_clip, cell_clip)
        m = sigmoid(o + w["W_O_diag"] * c) * np.tanh(c) if use_peepholes else sigmoid(o) * np.tanh(c)
        m_freq = m
        outs.append(m)
        states += [c, m]
    return np.concatenate(outs, 1), np.concatenate(states, 1)


def grid_lstm_step(
    x: Array, state: tuple[Array, ...], w: Weights, num_units: int, feature_size: int, frequency_skip: int,
    blocks: Sequence[tuple[int, int]], use_peepholes: bool = False, share_time_frequency_weights: bool = False,
    couple_input_forget_gates: bool = False, cell_clip: float | None = None, forget_bias: float = 1.0,
    prefix: str = "", reverse_slices: bool = False, slice_offset: int = 0,
) -> tuple[Array, tuple[Array, ...]]:
    """GridLSTMCell (and one direction of BidirectionalGridLSTMCell: weights under ``prefix``, each
    block's slices taken in reverse order, the inputs zero-padded by ``|slice_offset|`` columns at
    the end, slices shifted by it, or at the front for a negative offset).

    ``blocks`` lists ``(first column, number of slices)`` per frequency block;
    ``state`` is the flat tuple ``(c_time, m_time)`` per slice, blocks in order. Per block ``b``:
    kernels ``W_f_<b>_*``/``W_t_<b>_*`` (shards), biases ``B_f_<b>``/``B_t_<b>`` (the time ones are
    the frequency ones when shared), peepholes ``W_<G>_diag_<freq|time><f|t>_<b>``. Output per
    slice ``[m_time, m_freq]``."""
    n = num_units
    shared = share_time_frequency_weights
    coupled = couple_input_forget_gates
    w = {k[len(prefix):]: v for k, v in w.items() if k.startswith(prefix)}
    if slice_offset > 0:
        x = np.pad(x, [(0, 0), (0, slice_offset)])
    elif slice_offset < 0:
        x, slice_offset = np.pad(x, [(0, 0), (-slice_offset, 0)]), 0
    outs: list[Array] = []
    new_state: list[Array] = []
    k = 0
    for b, (start, count) in enumerate(blocks):
        lstm_w = {"freq": (_sharded(w, f"W_f_{b}"), w[f"B_f_{b}"])}
        lstm_w["time"] = lstm_w["freq"] if shared else (_sharded(w, f"W_t_{b}"), w[f"B_t_{b}"])

        def peep(gate: str, which: str, c_freq: Array, c_time: Array, b: int = b) -> Array:
            if not use_peepholes:
                return np.zeros_like(c_freq)
            src = "freq" if shared else which
            return w[f"W_{gate}_diag_{src}f_{b}"] * c_freq + w[f"W_{gate}_diag_{src}t_{b}"] * c_time

        c_freq = np.zeros((x.shape[0], n), x.dtype)
        m_freq = np.zeros((x.shape[0], n), x.dtype)
        for pos in range(count):
            f = count - 1 - pos if reverse_slices else pos
            c_time, m_time = state[2 * k], state[2 * k + 1]
            k += 1
            lo = start + slice_offset + f * frequency_skip
            rows = np.concatenate([x[:, lo:lo + feature_size], m_time, m_freq], 1)
            gates = {which: np.split(rows @ kern + bias, 3 if coupled else 4, axis=1)
                     for which, (kern, bias) in lstm_w.items()}
            new_c = {}
            for which, own in (("freq", c_freq), ("time", c_time)):
                g = gates[which]
                i_g = sigmoid(g[0] + peep("I", which, c_freq, c_time))
                f_g = 1.0 - i_g if coupled else sigmoid(g[2] + forget_bias + peep("F", which, c_freq, c_time))
                c = f_g * own + i_g * np.tanh(g[1])
                new_c[which] = c if cell_clip is None else np.clip(c, -cell_clip, cell_clip)
            m_new = {which: sigmoid(gates[which][-1] + peep("O", which, new_c["freq"], new_c["time"]))
                     * np.tanh(new_c[which]) for which in ("freq", "time")}
            c_freq, m_freq = new_c["freq"], m_new["freq"]
            outs += [m_new["time"], m_new["freq"]]
            new_state += [new_c["time"], m_new["time"]]
    return np.concatenate(outs, 1), tuple(new_state)


def bidirectional_grid_lstm_step(
    x: Array, state: tuple[Array, ...], w: Weights, backward_slice_offset: int = 0, **options: Any
) -> tuple[Array, tuple[Array, ...]]:
    """BidirectionalGridLSTMCell: :func:`grid_lstm_step` with ``fwd/`` weights over the slices in
    order, then with ``bwd/`` weights over each block's slices reversed (and shifted by the offset);
    outputs and states concatenated forward then backward."""
    total = sum(count for _, count in options["blocks"])
    out_f, state_f = grid_lstm_step(x, state[:2 * total], w, prefix="fwd/", **options)
    out_b, state_b = grid_lstm_step(x, state[2 * total:], w, prefix="bwd/", reverse_slices=True,
                                    slice_offset=backward_slice_offset, **options)
    return np.concatenate([out_f, out_b], 1), state_f + state_b
