"""Checks shared by the contrib-cell tests: every driver against the NumPy reference, gradients by
finite differences, a short training run, and TF1's variable names and shapes.

A `CellCase` says how to build a graphrnn cell and how to build the matching reference cell
(`graphrnn.testing.reference.StepCell`) from the weights the graph cell created. `check_drivers`
builds one graph holding ``dynamic_rnn`` and ``static_rnn`` around one cell (so they share its
weights), ``bidirectional_dynamic_rnn`` and ``static_bidirectional_rnn`` around one fw/bw pair, and
``dynamic_rnn`` of a two-layer ``MultiRNNCell``; loads random weights by name; runs it as built and
through the default pass pipeline; and compares every output and state leaf with the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphrnn import nest
from graphrnn.testing.reference import StepCell, bidirectional_reference, rnn_reference


@dataclass(frozen=True)
class CellCase:
    """``make(H)`` builds a fresh graph cell; ``reference(cell, weights, H)`` the reference cell from the
    cell's weights keyed relative to its scope; ``multi`` says whether the cell can be stacked (its
    output feeding a second copy); ``min_input`` is the smallest input depth the cell accepts and
    ``min_units`` the smallest H worth comparing (a layer norm over one unit is 0/0: all rounding);
    ``fixed_input`` pins the input depth."""

    make: Callable[[int], Any]
    reference: Callable[[Any, dict[str, np.ndarray], int], StepCell]
    multi: bool = True
    min_input: int = 1
    min_units: int = 1
    fixed_input: int | None = None  # cells built for one input depth (TimeFreq/Grid with input_size)


def _flat(state: Any) -> list[Any]:
    """State leaves in order (graph states and NumPy states alike: both are nested tuples)."""
    if isinstance(state, tuple):
        return [leaf for s in state for leaf in _flat(s)]
    return [state]


def scoped_weights(cell: Any, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The variables under ``cell``'s scope, keyed relative to it."""
    prefix = cell.scope_name + "/"
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}


def check_drivers(case: CellCase, p: dict[str, Any]) -> None:
    """Runs the five driver configurations on problem ``p`` (keys B, T, I, H, dtype, time_major,
    lengths, seed, known_dims) and asserts they match the reference (see the module docstring)."""
    import graphrnn as gr
    rng = np.random.default_rng(p["seed"])
    d, h = p["dtype"], max(p["H"], case.min_units)
    p = {**p, "I": case.fixed_input or max(p["I"], case.min_input)}
    x_tbi = rng.normal(size=(p["T"], p["B"], p["I"])).astype(d)
    x_val = x_tbi if p["time_major"] else x_tbi.transpose(1, 0, 2)
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(d, x_val.shape if p["known_dims"] else (None, None, p["I"]), name="x")
        feed: dict[Any, np.ndarray] = {x: x_val}
        seq = None
        if p["lengths"] is not None:
            seq = gr.placeholder(gr.int32, [p["B"] if p["known_dims"] else None], name="lengths")
            feed[seq] = np.asarray(p["lengths"], np.int32)
        tm = p["time_major"]
        steps = gr.unstack(x, num=p["T"], axis=0 if tm else 1)
        cell, fw, bw = case.make(h), case.make(h), case.make(h)
        fetches: dict[str, Any] = {}
        fetches["dyn"] = gr.nn.dynamic_rnn(cell, x, sequence_length=seq, dtype=d, time_major=tm)
        fetches["static"] = gr.nn.static_rnn(cell, steps, dtype=d, sequence_length=seq)
        fetches["bidi"] = gr.nn.bidirectional_dynamic_rnn(fw, bw, x, sequence_length=seq, dtype=d,
                                                          time_major=tm, scope="bd")
        fetches["sbidi"] = gr.nn.static_bidirectional_rnn(fw, bw, steps, dtype=d, sequence_length=seq, scope="bs")
        layers: list[Any] = []
        if case.multi:
            layers = [case.make(h), case.make(h)]
            fetches["multi"] = gr.nn.dynamic_rnn(gr.nn.rnn_cell.MultiRNNCell(layers), x, sequence_length=seq,
                                                 dtype=d, time_major=tm, scope="multi")
        variables = gr.global_variables()
    values = {v.op.name: rng.normal(0.0, 0.6, tuple(v.shape)).astype(d) for v in variables}
    results = []
    for optimize in (False, True):
        with gr.Session(graph=g, optimize=optimize) as sess:
            for v in variables:
                v.load(values[v.op.name], sess)
            results.append(sess.run(fetches, feed))

    def ref(c: Any) -> StepCell:
        return case.reference(c, scoped_weights(c, values), h)

    tol = {"atol": 1e-9, "rtol": 1e-7} if d == np.float64 else {"atol": 5e-5, "rtol": 5e-4}
    to_tbo = (lambda a: a) if tm else (lambda a: np.swapaxes(a, 0, 1))
    lengths = p["lengths"]
    want_out, want_state = rnn_reference(ref(cell), x_tbi, None, lengths)
    (want_fw, want_bw), (want_sfw, want_sbw) = bidirectional_reference(ref(fw), ref(bw), x_tbi, None, None, lengths)
    for got in results:
        def same(a: Any, b: Any, what: str) -> None:
            for k, (u, w) in enumerate(zip(_flat(a), _flat(b), strict=True)):
                assert np.asarray(u).dtype == d, what
                np.testing.assert_allclose(u, w, err_msg=f"{what} leaf {k}", **tol)
        out, state = got["dyn"]
        same(to_tbo(out), want_out, "dynamic_rnn outputs")
        same(state, want_state, "dynamic_rnn state")
        s_out, s_state = got["static"]
        same(np.stack(s_out, 0), want_out, "static_rnn outputs")
        same(s_state, want_state, "static_rnn state")
        (o_fw, o_bw), (st_fw, st_bw) = got["bidi"]
        same(to_tbo(o_fw), want_fw, "bidirectional_dynamic_rnn fw")
        same(to_tbo(o_bw), want_bw, "bidirectional_dynamic_rnn bw")
        same((st_fw, st_bw), (want_sfw, want_sbw), "bidirectional_dynamic_rnn states")
        sb_out, sb_fw, sb_bw = got["sbidi"]
        same(np.stack(sb_out, 0), np.concatenate([want_fw, want_bw], -1), "static_bidirectional_rnn")
        same((sb_fw, sb_bw), (want_sfw, want_sbw), "static_bidirectional_rnn states")
        if case.multi:
            m_out, m_state = got["multi"]
            w_out, w_state = rnn_reference([ref(c) for c in layers], x_tbi, None, lengths)
            same(to_tbo(m_out), w_out, "MultiRNNCell outputs")
            same(m_state, w_state, "MultiRNNCell state")
        if lengths is not None:
            pad = np.arange(p["T"])[:, None] >= np.asarray(lengths)[None, :]
            assert np.all(to_tbo(out)[pad] == 0.0)


def check_gradients_fd(make: Callable[[], Any], input_depth: int, seed: int = 0, steps: int = 3,
                       batch: int = 2, tol: float = 1e-6) -> None:
    """d(loss)/d(inputs, initial state) of ``dynamic_rnn(make())`` with a sequence_length, by
    central differences in float64 (one row shorter than the rest), as built and optimized."""
    import graphrnn as gr
    from graphrnn.autodiff.check import check_gradients
    rng = np.random.default_rng(seed)
    g = gr.Graph()
    with g.as_default():
        cell = make()
        x = gr.placeholder(gr.float64, [batch, steps, input_depth], name="x")
        init_leaves = [gr.placeholder(gr.float64, [batch, int(s)]) for s in nest.flatten(cell.state_size)]
        init = nest.pack_sequence_as(cell.state_size, init_leaves)
        lengths = np.full(batch, steps, np.int32)
        lengths[-1] = max(0, steps - 1)
        out, state = gr.nn.dynamic_rnn(cell, x, sequence_length=lengths, initial_state=init)
        w_out = gr.constant(rng.normal(size=(batch, steps, cell.output_size)))
        loss = gr.reduce_sum(out * w_out) + sum(gr.reduce_sum(gr.square(s)) for s in nest.flatten(state))
        variables = gr.global_variables()
    feed = {x: rng.normal(size=(batch, steps, input_depth))}
    for ph in init_leaves:
        feed[ph] = rng.normal(0, 0.5, tuple(ph.type.shape))
    for optimize in (False, True):
        with gr.Session(graph=g, optimize=optimize) as sess:
            vrng = np.random.default_rng(seed + 1)
            for v in variables:
                v.load(vrng.normal(0.0, 0.5, tuple(v.shape)), sess)
            err, _, _ = check_gradients(sess, loss, [x, *init_leaves], feed)
            assert err < tol, f"gradient error {err} (optimize={optimize})"


def train_until_halved(make: Callable[[], Any], input_depth: int, max_steps: int = 300, seed: int = 0,
                       lr: float = 0.03) -> tuple[float, float]:
    """Trains ``dynamic_rnn(make())`` plus a dense read-out with Adam on a toy sequence task (predict
    the running mean of the first input feature at every step) until the loss halves; returns
    ``(first loss, last loss)``. Raises AssertionError if it never halves."""
    import graphrnn as gr
    rng = np.random.default_rng(seed)
    batch, steps = 16, 5
    xs = rng.normal(size=(batch, steps, input_depth))
    ys = np.cumsum(xs[:, :, :1], axis=1) / np.arange(1, steps + 1)[None, :, None]
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(seed)
        x = gr.placeholder(gr.float64, [batch, steps, input_depth])
        y = gr.placeholder(gr.float64, [batch, steps, 1])
        out, _ = gr.nn.dynamic_rnn(make(), x, dtype=gr.float64)
        pred = gr.layers.dense(out, 1)
        loss = gr.reduce_mean(gr.square(pred - y))
        train = gr.train.AdamOptimizer(lr).minimize(loss)
        init = gr.global_variables_initializer()
    with gr.Session(graph=g) as sess:
        sess.run(init)
        first = float(sess.run(loss, {x: xs, y: ys}))
        last = first
        for _ in range(max_steps):
            _, last = sess.run([train, loss], {x: xs, y: ys})
            if last < first / 2:
                return first, float(last)
    raise AssertionError(f"loss did not halve in {max_steps} steps: {first} -> {last}")


def variable_shapes(make: Callable[[], Any], input_depth: int, scope: str = "rnn") -> dict[str, tuple[int, ...]]:
    """``{variable name: shape}`` in creation order after one ``dynamic_rnn`` of ``make()``."""
    import graphrnn as gr
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2, 3, input_depth])
        gr.nn.dynamic_rnn(make(), x, dtype=gr.float32, scope=scope)
        return {v.op.name: tuple(int(s) for s in v.shape) for v in gr.global_variables()}


def driver_problems(max_time: int = 4, inputs: tuple[int, int] = (1, 4), units: tuple[int, int] = (1, 4)) -> Any:
    """A hypothesis strategy for `check_drivers`' problem dicts: batch 1-3, time 1-``max_time``, input depth
    and units in the given ranges, either dtype and layout, optional lengths, known or unknown dims."""
    import hypothesis.strategies as st  # the tests' dependency, imported only by the tests that draw problems

    @st.composite
    def problems(draw: Any) -> dict[str, Any]:
        b, t = draw(st.integers(1, 3)), draw(st.integers(1, max_time))
        lengths = draw(st.none() | st.lists(st.integers(0, t), min_size=b, max_size=b))
        return {"B": b, "T": t, "I": draw(st.integers(*inputs)), "H": draw(st.integers(*units)),
                "dtype": draw(st.sampled_from([np.float32, np.float64])), "time_major": draw(st.booleans()),
                "lengths": lengths, "seed": draw(st.integers(0, 2**16)), "known_dims": draw(st.booleans())}
    return problems()
