"""graphrnn's contrib.seq2seq / legacy_seq2seq / static_state_saving_rnn against TF1's numbers.

Each case of ``tests/data/seq2seq`` (made by ``make_seq2seq.py`` with TensorFlow; see its docstring) is
rebuilt here with graphrnn's functions and the same arguments; TF's variable values are loaded by
name; outputs, the loss and every gradient (``gr.gradients``) must match TF within the index's
tolerance, and the variables must be created with TF's names, shapes and order.
"""

from __future__ import annotations

import json
import pathlib
import warnings
from typing import Any

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.contrib import legacy_seq2seq, seq2seq

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "seq2seq"
INDEX = json.loads((DATA / "index.json").read_text())
CASES = {c["id"]: c for c in INDEX["cases"]}
SIZES = INDEX["sizes"]
B, T, I, H, C = (SIZES[k] for k in "BTIHC")
LOOP_W = np.array(INDEX["loop_w"])
TOL = INDEX["tolerance"]


def one_hot_xent(labels: Any, logits: Any) -> Any:
    """The generator's softmax_loss_function: 2 * softmax cross-entropy of the one-hot labels."""
    onehot = gr.one_hot(labels, C, dtype=logits.dtype)
    return 2.0 * gr.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits)


def projection_loop(prev: Any, i: int) -> Any:
    """The generator's loop_function: prev @ LOOP_W + 0.1 * i."""
    return gr.matmul(prev, gr.constant(LOOP_W)) + 0.1 * i


class ZerosStateSaver:
    """TF1's TestStateSaver (core_rnn_test.py): zeros in, records what is saved."""

    def __init__(self, batch_size: int, state_size: Any) -> None:
        self.batch_size, self.state_size, self.saved_state = batch_size, state_size, {}

    def state(self, name: str) -> Any:
        size = self.state_size[name] if isinstance(self.state_size, dict) else self.state_size
        return gr.zeros([self.batch_size, size], gr.float64)

    def save_state(self, name: str, state: Any) -> Any:
        self.saved_state[name] = state
        return gr.identity(state)


def _ph(data: dict[str, np.ndarray], key: str) -> tuple[Any, Any]:
    v = data[f"in/{key}"]
    return gr.placeholder(gr.as_dtype(v.dtype), list(v.shape), name=key.replace("/", "_")), v


def _steps(data: dict[str, np.ndarray], prefix: str, feeds: dict[str, Any]) -> list[Any]:
    out = []
    k = 0
    while f"in/{prefix}_{k}" in data:
        feeds[f"{prefix}_{k}"] = _ph(data, f"{prefix}_{k}")
        out.append(feeds[f"{prefix}_{k}"][0])
        k += 1
    return out


def _build(case: dict[str, Any], data: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Returns (feeds {name: (placeholder, value)}, outputs {name: tensor or list of tensors})."""
    cid, args = case["id"], dict(case["args"])
    feeds: dict[str, Any] = {}
    if cid.startswith("contrib_sequence_loss"):
        for k in ("logits", "targets", "weights"):
            feeds[k] = _ph(data, k)
        fn = one_hot_xent if args.pop("softmax_loss_function") else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", seq2seq.IgnoredSumOverWarning)
            loss = seq2seq.sequence_loss(feeds["logits"][0], feeds["targets"][0], feeds["weights"][0],
                                         softmax_loss_function=fn, **args)
        return feeds, {"loss_value": loss}
    if cid.startswith("legacy_sequence_loss"):
        lg, tg, wt = (_steps(data, k, feeds) for k in ("logits", "targets", "weights"))
        fn = one_hot_xent if args["softmax_loss_function"] else None
        avg_t, avg_b = args["average_across_timesteps"], args["average_across_batch"]
        return feeds, {"by_example": legacy_seq2seq.sequence_loss_by_example(lg, tg, wt, avg_t, fn),
                       "loss_value": legacy_seq2seq.sequence_loss(lg, tg, wt, avg_t, avg_b, fn)}
    if cid.startswith("rnn_decoder"):
        xs = _steps(data, "decoder_inputs", feeds)
        feeds["initial_state"] = _ph(data, "initial_state")
        loop = projection_loop if args["loop_function"] else None
        outs, st = legacy_seq2seq.rnn_decoder(xs, feeds["initial_state"][0], gr.nn.rnn_cell.GRUCell(H),
                                              loop_function=loop)
        return feeds, {"outputs": outs, "state": st}
    if cid == "basic_rnn_seq2seq_multi_gru_lstm":
        enc, dec = _steps(data, "encoder_inputs", feeds), _steps(data, "decoder_inputs", feeds)
        cell = gr.nn.rnn_cell.MultiRNNCell([gr.nn.rnn_cell.GRUCell(H), gr.nn.rnn_cell.BasicLSTMCell(3)])
        outs, st = legacy_seq2seq.basic_rnn_seq2seq(enc, dec, cell, dtype=gr.float64)
        return feeds, {"outputs": outs, "state_0": st[0], "state_1_c": st[1].c, "state_1_h": st[1].h}
    if cid.startswith("embedding_rnn_seq2seq"):
        enc, dec = _steps(data, "encoder_inputs", feeds), _steps(data, "decoder_inputs", feeds)
        outs, st = legacy_seq2seq.embedding_rnn_seq2seq(
            enc, dec, gr.nn.rnn_cell.GRUCell(H), args["num_encoder_symbols"], args["num_decoder_symbols"],
            args["embedding_size"], feed_previous=args["feed_previous"], dtype=gr.float64)
        return feeds, {"outputs": outs, "state": st}
    if cid == "static_rnn_input_projection_gru":
        xs = _steps(data, "inputs", feeds)
        cell = gr.contrib.rnn.InputProjectionWrapper(gr.nn.rnn_cell.GRUCell(H), 3, activation=gr.tanh)
        outs, st = gr.contrib.rnn.static_rnn(cell, xs, dtype=gr.float64)
        return feeds, {"outputs": outs, "state": st}
    if cid == "attention_decoder_gru_2heads":
        xs = _steps(data, "decoder_inputs", feeds)
        feeds["initial_state"], feeds["attention_states"] = _ph(data, "initial_state"), _ph(data, "attention_states")
        outs, st = legacy_seq2seq.attention_decoder(xs, feeds["initial_state"][0], feeds["attention_states"][0],
                                                    gr.nn.rnn_cell.GRUCell(H), output_size=7, num_heads=2,
                                                    dtype=gr.float64)
        return feeds, {"outputs": outs, "state": st}
    if cid == "attention_decoder_lstm_loop_isa":
        xs = _steps(data, "decoder_inputs", feeds)
        for k in ("initial_state_c", "initial_state_h", "attention_states"):
            feeds[k] = _ph(data, k)
        outs, st = legacy_seq2seq.attention_decoder(
            xs, (feeds["initial_state_c"][0], feeds["initial_state_h"][0]), feeds["attention_states"][0],
            gr.nn.rnn_cell.BasicLSTMCell(H), loop_function=projection_loop, dtype=gr.float64,
            initial_state_attention=True)
        return feeds, {"outputs": outs, "state_c": st.c, "state_h": st.h}
    if cid.startswith("embedding_attention_seq2seq"):
        enc, dec = _steps(data, "encoder_inputs", feeds), _steps(data, "decoder_inputs", feeds)
        outs, st = legacy_seq2seq.embedding_attention_seq2seq(
            enc, dec, gr.nn.rnn_cell.GRUCell(H), args["num_encoder_symbols"], args["num_decoder_symbols"],
            args["embedding_size"], feed_previous=args["feed_previous"], dtype=gr.float64)
        return feeds, {"outputs": outs, "state": st}
    if cid.startswith("embedding_tied_rnn_seq2seq"):
        enc, dec = _steps(data, "encoder_inputs", feeds), _steps(data, "decoder_inputs", feeds)
        outs, st = legacy_seq2seq.embedding_tied_rnn_seq2seq(
            enc, dec, gr.nn.rnn_cell.GRUCell(H), args["num_symbols"], args["embedding_size"],
            num_decoder_symbols=args["num_decoder_symbols"], feed_previous=args["feed_previous"], dtype=gr.float64)
        return feeds, {"outputs": outs, "state": st}
    if cid == "one2many_rnn_seq2seq_gru":
        enc = _steps(data, "encoder_inputs", feeds)
        decs = {name: _steps(data, f"decoder_inputs_{name}", feeds) for name in ("fr", "de")}
        cells = {name: gr.nn.rnn_cell.GRUCell(H) for name in ("fr", "de")}
        outs, states = legacy_seq2seq.one2many_rnn_seq2seq(enc, decs, gr.nn.rnn_cell.GRUCell(H), cells,
                                                           args["num_encoder_symbols"], {"fr": 7, "de": 4},
                                                           args["embedding_size"], dtype=gr.float64)
        return feeds, {"outputs_fr": outs["fr"], "outputs_de": outs["de"], "state_fr": states["fr"],
                       "state_de": states["de"]}
    if cid.startswith("basic_rnn_seq2seq"):
        enc, dec = _steps(data, "encoder_inputs", feeds), _steps(data, "decoder_inputs", feeds)
        outs, st = legacy_seq2seq.basic_rnn_seq2seq(enc, dec, gr.nn.rnn_cell.BasicLSTMCell(H), dtype=gr.float64)
        return feeds, {"outputs": outs, "state_c": st.c, "state_h": st.h}
    if cid.startswith("tied_rnn_seq2seq"):
        enc, dec = _steps(data, "encoder_inputs", feeds), _steps(data, "decoder_inputs", feeds)
        loop = projection_loop if args["loop_function"] else None
        outs, st = legacy_seq2seq.tied_rnn_seq2seq(enc, dec, gr.nn.rnn_cell.GRUCell(H), loop_function=loop,
                                                   dtype=gr.float64)
        return feeds, {"outputs": outs, "state": st}
    if cid.startswith("embedding_rnn_decoder"):
        ids = _steps(data, "decoder_inputs", feeds)
        feeds["initial_state"] = _ph(data, "initial_state")
        proj = None
        if args["output_projection"]:
            feeds["proj_w"], feeds["proj_b"] = _ph(data, "proj_w"), _ph(data, "proj_b")
            proj = (feeds["proj_w"][0], feeds["proj_b"][0])
        with gr.variable_scope("model", dtype=gr.float64):
            outs, st = legacy_seq2seq.embedding_rnn_decoder(
                ids, feeds["initial_state"][0], gr.nn.rnn_cell.GRUCell(H), args["num_symbols"],
                args["embedding_size"], output_projection=proj, feed_previous=args["feed_previous"],
                update_embedding_for_previous=args["update_embedding_for_previous"])
        return feeds, {"outputs": outs, "state": st}
    if cid == "static_state_saving_rnn_lstm_zeros":
        xs = _steps(data, "inputs", feeds)
        feeds["sequence_length"] = _ph(data, "sequence_length")
        saver = ZerosStateSaver(B, {"c": H, "h": H})
        outs, st = gr.contrib.rnn.static_state_saving_rnn(gr.nn.rnn_cell.LSTMCell(H), xs, saver, ("c", "h"),
                                                          sequence_length=feeds["sequence_length"][0])
        return feeds, {"outputs": outs, "state_c": st.c, "state_h": st.h,
                       "saved_c": saver.saved_state["c"], "saved_h": saver.saved_state["h"]}
    if cid == "static_state_saving_rnn_gru_carry":
        xs = _steps(data, "inputs", feeds)
        saver = gr.contrib.rnn.StateSaver(B, H, dtype=gr.float64)
        outs, st = gr.contrib.rnn.static_state_saving_rnn(gr.nn.rnn_cell.GRUCell(H), xs, saver, "gru_state")
        return feeds, {"outputs": outs, "state": st}
    raise AssertionError(f"no builder for case {cid}")


def _stack(x: Any) -> Any:
    return gr.stack(x, 0) if isinstance(x, (list, tuple)) else x


def _run_case(cid: str, optimize: bool = False) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Any]:
    """Builds case ``cid``, loads TF's variables, and returns (got {key: value}, want {key: value}, graph)."""
    case = CASES[cid]
    data = dict(np.load(DATA / f"{cid}.npz"))
    g = gr.Graph()
    with g.as_default():
        feeds, outputs = _build(case, data)
        outs = {k: _stack(v) for k, v in outputs.items()}
        loss = gr.add_n([gr.reduce_sum(outs[k] * gr.constant(data[f"in/R_{k}"])) for k in outs
                         if f"in/R_{k}" in data])
        variables = {v.op.name: v for v in gr.global_variables()}
        trainable = {v.op.name: v for v in gr.trainable_variables()}
        float_feeds = [k for k, (p, _) in feeds.items() if p.dtype is gr.float64]
        grad_keys = [k for k in float_feeds + list(trainable) if any(n.startswith(f"grad/{k}") for n in data)]
        xs = [feeds[k][0] if k in feeds else trainable[k] for k in grad_keys]
        grads = gr.gradients(loss, xs)
        fetches = {**{f"out/{k}": v for k, v in outs.items()}, "out/loss": loss,
                   **{f"grad/{k}": gv for k, gv in zip(grad_keys, grads)}}
        feed_dict = {p: v for p, v in feeds.values()}
        got: dict[str, np.ndarray] = {}
        with gr.Session(graph=g, optimize=optimize) as sess:
            sess.run(gr.global_variables_initializer())
            for name, v in variables.items():
                v.load(data[f"var/{name}"], sess)
            for r in range(case["runs"]):
                sfx = "" if case["runs"] == 1 else f"@run{r}"
                got.update({k + sfx: v for k, v in sess.run(fetches, feed_dict).items()})
    want = {k: v for k, v in data.items() if k.startswith(("out/", "grad/"))}
    return got, want, g


@pytest.mark.parametrize("cid", sorted(CASES))
def test_outputs_and_gradients_equal_tf(cid: str) -> None:
    got, want, _ = _run_case(cid)
    assert set(got) == set(want), (sorted(set(got) ^ set(want)))
    for k, expected in want.items():
        assert got[k].shape == expected.shape, k
        np.testing.assert_allclose(got[k], expected, err_msg=f"{cid}: {k}", **TOL)


@pytest.mark.parametrize("cid", ["embedding_rnn_decoder_feed_previous_proj", "tied_rnn_seq2seq_gru_loop",
                                 "static_state_saving_rnn_gru_carry", "contrib_sequence_loss_tsum_bsum"])
def test_optimized_session_gives_the_same_numbers(cid: str) -> None:
    got, want, _ = _run_case(cid, optimize=True)
    for k, expected in want.items():
        np.testing.assert_allclose(got[k], expected, err_msg=f"{cid}: {k}", **TOL)


@pytest.mark.parametrize("cid", sorted(c for c in CASES if CASES[c]["variables"]))
def test_variable_names_shapes_order_and_trainability_equal_tf(cid: str) -> None:
    case = CASES[cid]
    g = gr.Graph()
    with g.as_default():
        _build(case, dict(np.load(DATA / f"{cid}.npz")))
        got = [(v.op.name, list(v.shape), v.trainable) for v in gr.global_variables()]
    assert got == [(v["name"], v["shape"], v["trainable"]) for v in case["variables"]]


def test_frozen_feedback_embedding_gets_gradient_only_from_the_go_symbol_and_given_ids() -> None:
    # update_embedding_for_previous=False: only rows of symbols that were fed as ids get gradient.
    got, _, _ = _run_case("embedding_rnn_decoder_feed_previous_proj_frozen")
    data = np.load(DATA / "embedding_rnn_decoder_feed_previous_proj_frozen.npz")
    grad = got["grad/model/embedding_rnn_decoder/embedding"]
    used = set(data["in/decoder_inputs_0"].tolist())
    for row in range(C):
        assert (np.abs(grad[row]).sum() > 0) == (row in used)


def test_state_saver_carries_the_state_from_one_run_to_the_next() -> None:
    got, _, _ = _run_case("static_state_saving_rnn_gru_carry")
    assert not np.allclose(got["out/outputs@run0"], got["out/outputs@run1"])
    # The second run's first step starts from the first run's final state: GRU with that state.
    assert np.abs(got["out/state@run0"]).sum() > 0


