"""contrib.seq2seq, legacy_seq2seq, the contrib.rnn wrappers and static_state_saving_rnn beyond the TF1
fixtures: bad arguments are `GraphError`s that name the problem, the user's line and a fix; and
properties: ``sequence_loss`` against a NumPy statement of TF 1.15's reductions (hypothesis, unknown
batch and time), tied == one static_rnn, loop_function reads only the GO input, a bool-tensor
``feed_previous`` gives the Python-bool models' numbers, buckets share one set of variables, attention
with unknown lengths, the StateSaver carries and resets state."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.contrib import legacy_seq2seq, seq2seq


def _check(err: gr.GraphError, *words: str) -> None:
    text = str(err)
    for w in words:
        assert w in text, (w, text)
    assert err.fix, text
    assert err.source is not None and __file__.rsplit("/", 1)[-1] in err.source, text


# --- contrib.seq2seq.sequence_loss -----------------------------------------------------------------


def _loss_inputs(b: Any = 3, t: Any = 4, c: int = 5, target_dtype: Any = gr.int32,
                 weight_dtype: Any = gr.float64) -> tuple[Any, Any, Any]:
    return (gr.placeholder(gr.float64, [b, t, c]), gr.placeholder(target_dtype, [b, t]),
            gr.placeholder(weight_dtype, [b, t]))


def test_sequence_loss_rejects_wrong_ranks_shapes_and_dtypes() -> None:
    with gr.Graph().as_default():
        lg, tg, wt = _loss_inputs()
        with pytest.raises(gr.ShapeError) as e:
            seq2seq.sequence_loss(gr.placeholder(gr.float64, [3, 5]), tg, wt)
        _check(e.value, "logits", "[3,5]")
        with pytest.raises(gr.ShapeError) as e:
            seq2seq.sequence_loss(lg, gr.placeholder(gr.int32, [3, 4, 1]), wt)
        _check(e.value, "targets")
        with pytest.raises(gr.ShapeError) as e:
            seq2seq.sequence_loss(lg, tg, gr.placeholder(gr.float64, [3, 5]))
        _check(e.value, "weights", "[3,5]")
        with pytest.raises(gr.DTypeError) as e:
            seq2seq.sequence_loss(lg, gr.placeholder(gr.float64, [3, 4]), wt)
        _check(e.value, "integer")
        with pytest.raises(gr.DTypeError) as e:
            seq2seq.sequence_loss(lg, tg, gr.placeholder(gr.float32, [3, 4]))
        _check(e.value, "float32", "float64")


def test_sequence_loss_rejects_average_and_sum_on_one_axis_and_a_non_callable_loss() -> None:
    with gr.Graph().as_default():
        lg, tg, wt = _loss_inputs()
        with pytest.raises(gr.GraphError) as e:
            seq2seq.sequence_loss(lg, tg, wt, average_across_timesteps=True, sum_over_timesteps=True)
        _check(e.value, "average_across_timesteps", "sum_over_timesteps")
        with pytest.raises(gr.GraphError) as e:
            seq2seq.sequence_loss(lg, tg, wt, average_across_timesteps=False, sum_over_batch=True)
        _check(e.value, "average_across_batch", "sum_over_batch")
        with pytest.raises(gr.GraphError) as e:
            seq2seq.sequence_loss(lg, tg, wt, softmax_loss_function="sparse")
        _check(e.value, "callable")


def test_sequence_loss_warns_when_tf_ignores_a_sum_over_flag() -> None:
    with gr.Graph().as_default():
        lg, tg, wt = _loss_inputs()
        with pytest.warns(seq2seq.IgnoredSumOverWarning, match="sum_over_batch"):
            out = seq2seq.sequence_loss(lg, tg, wt, average_across_batch=False, sum_over_batch=True)
        assert tuple(out.type.shape) == (3,)  # TF 1.15: the batch axis is kept
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            seq2seq.sequence_loss(lg, tg, wt)  # the defaults do not warn


def _np_sequence_loss(logits: np.ndarray, targets: np.ndarray, weights: np.ndarray, avg_t: bool, avg_b: bool,
                      sum_t: bool, sum_b: bool) -> np.ndarray:
    """TF 1.15's reductions in NumPy, axis by axis (0 where a divisor is 0)."""
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    ce = -np.take_along_axis(logp, targets[..., None], -1)[..., 0] * weights

    def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))
    if avg_t and avg_b:
        return div(ce.sum(), weights.sum())
    if sum_t and sum_b:
        return div(ce.sum(), (weights != 0).sum().astype(float))
    if avg_t or avg_b:
        ax = 0 if avg_b else 1
        return div(ce.sum(ax), weights.sum(ax))
    if sum_t or sum_b:
        ax = 0 if sum_b else 1
        return div(ce.sum(ax), (weights != 0).sum(ax).astype(float))
    return ce


MODES = [(at, ab, st_, sb) for at, st_ in ((1, 0), (0, 1), (0, 0)) for ab, sb in ((1, 0), (0, 1), (0, 0))]


@settings(max_examples=8, deadline=None)
@given(b=st.integers(1, 4), t=st.integers(1, 4), seed=st.integers(0, 2**16), zero_frac=st.sampled_from([0.0, 0.5, 1.0]))
def test_sequence_loss_matches_numpy_for_unknown_batch_and_time(b: int, t: int, seed: int, zero_frac: float) -> None:
    rng = np.random.default_rng(seed)
    c = 5
    logits = rng.standard_normal((b, t, c))
    targets = rng.integers(0, c, (b, t)).astype(np.int32)
    weights = rng.uniform(0.1, 2.0, (b, t)) * (rng.uniform(size=(b, t)) >= zero_frac)
    g = gr.Graph()
    with g.as_default(), warnings.catch_warnings():
        warnings.simplefilter("ignore", seq2seq.IgnoredSumOverWarning)
        lg, tg, wt = _loss_inputs(None, None, c)
        outs = [seq2seq.sequence_loss(lg, tg, wt, *map(bool, m)) for m in MODES]
        grads = gr.gradients(gr.add_n([gr.reduce_sum(o) for o in outs]), [lg, wt])
    with gr.Session(graph=g) as sess:
        got, got_grads = sess.run([outs, grads], {lg: logits, tg: targets, wt: weights})
    for m, value in zip(MODES, got):
        np.testing.assert_allclose(value, _np_sequence_loss(logits, targets, weights, *map(bool, m)),
                                   rtol=1e-10, atol=1e-12, err_msg=str(m))
    assert all(np.all(np.isfinite(gv)) for gv in got_grads)  # all-zero weights give 0, never NaN


# --- legacy_seq2seq losses -------------------------------------------------------------------------


def test_legacy_losses_reject_mismatched_empty_and_non_list_arguments() -> None:
    with gr.Graph().as_default():
        lg = [gr.placeholder(gr.float64, [3, 5]) for _ in range(2)]
        tg = [gr.placeholder(gr.int32, [3]) for _ in range(2)]
        wt = [gr.placeholder(gr.float64, [3]) for _ in range(2)]
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.sequence_loss_by_example(lg, tg, wt[:1])
        _check(e.value, "2, 2, 1")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.sequence_loss([], [], [])
        _check(e.value, "empty")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.sequence_loss(gr.stack(lg, 1), tg, wt)
        _check(e.value, "list")
        with pytest.raises(gr.DTypeError) as e:
            legacy_seq2seq.sequence_loss(lg, tg, [gr.placeholder(gr.float32, [3]) for _ in range(2)])
        _check(e.value, "float32", "float64")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.sequence_loss(lg, tg, wt, softmax_loss_function=3)
        _check(e.value, "callable")


# --- legacy_seq2seq decoders -----------------------------------------------------------------------


def _steps(n: int, shape: list[int], dtype: Any = gr.float64) -> list[Any]:
    return [gr.placeholder(dtype, shape) for _ in range(n)]


def test_rnn_decoder_rejects_bad_states_loop_functions_and_inputs() -> None:
    with gr.Graph().as_default():
        xs = _steps(3, [2, 4])
        cell = gr.nn.rnn_cell.GRUCell(5)
        with pytest.raises(gr.ShapeError) as e:
            legacy_seq2seq.rnn_decoder(xs, gr.zeros([2, 6], gr.float64), cell)
        _check(e.value, "initial_state", "[2,6]", "GRUCell")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.rnn_decoder(xs, (gr.zeros([2, 5], gr.float64),) * 2, cell)
        _check(e.value, "2 tensors")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.rnn_decoder(xs, gr.zeros([2, 5], gr.float64), cell, loop_function="greedy")
        _check(e.value, "loop_function")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.rnn_decoder([], gr.zeros([2, 5], gr.float64), cell)
        _check(e.value, "empty")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.rnn_decoder(xs, gr.zeros([2, 5], gr.float64), "gru")
        assert e.value.fix
    with gr.Graph().as_default():
        xs = _steps(3, [2, 4])
        with pytest.raises(gr.ShapeError) as e:  # the output [2, 5] fed back where [2, 4] goes
            legacy_seq2seq.rnn_decoder(xs, gr.zeros([2, 5], gr.float64), gr.nn.rnn_cell.GRUCell(5),
                                       loop_function=lambda prev, i: prev)
        _check(e.value, "loop_function", "step 1", "[2,5]", "[2,4]")


def test_seq2seq_models_reject_tensors_where_lists_go() -> None:
    with gr.Graph().as_default():
        x = gr.placeholder(gr.float64, [2, 3, 4])
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.basic_rnn_seq2seq(x, _steps(2, [2, 4]), gr.nn.rnn_cell.GRUCell(5), dtype=gr.float64)
        _check(e.value, "encoder_inputs", "unstack")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.tied_rnn_seq2seq(_steps(2, [2, 4]), [], gr.nn.rnn_cell.GRUCell(5), dtype=gr.float64)
        _check(e.value, "decoder_inputs", "empty")


def test_embedding_rnn_decoder_rejects_bad_ids_sizes_projections_and_feed_previous() -> None:
    with gr.Graph().as_default():
        ids = _steps(3, [2], gr.int32)
        s0 = gr.zeros([2, 5])
        cell = gr.nn.rnn_cell.GRUCell(5)
        with pytest.raises(gr.DTypeError) as e:
            legacy_seq2seq.embedding_rnn_decoder(_steps(3, [2], gr.float32), s0, cell, 6, 4)
        _check(e.value, "decoder_inputs[0]", "integer")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.embedding_rnn_decoder(ids, s0, cell, 0, 4)
        _check(e.value, "num_symbols")
        with pytest.raises(gr.ShapeError) as e:
            legacy_seq2seq.embedding_rnn_decoder(ids, s0, cell, 6, 4, feed_previous=True,
                                                 output_projection=(gr.zeros([5, 7]), gr.zeros([6])))
        _check(e.value, "output_projection W", "num_symbols=6", "[5,7]")
        with pytest.raises(gr.DTypeError) as e:
            legacy_seq2seq.embedding_rnn_decoder(ids, s0, cell, 6, 4, feed_previous=True, output_projection=(
                gr.zeros([5, 6], gr.float64), gr.zeros([6], gr.float64)))
        _check(e.value, "float64", "float32")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.embedding_rnn_decoder(ids, s0, cell, 6, 4, output_projection=(gr.zeros([5, 6]),))
        _check(e.value, "pair")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.embedding_rnn_decoder(ids, s0, cell, 6, 4, feed_previous=gr.placeholder(gr.bool, []))
        _check(e.value, "feed_previous", "gr.cond")


def test_basic_rnn_seq2seq_copies_a_wrapped_cell_and_shares_its_graph_tensors() -> None:
    # TF1's copy.deepcopy cannot copy a cell that holds a placeholder; graphrnn shares the tensors.
    g = gr.Graph()
    with g.as_default():
        keep = gr.placeholder(gr.float32, [])
        cell = gr.nn.rnn_cell.DropoutWrapper(gr.nn.rnn_cell.GRUCell(5), output_keep_prob=keep)
        enc, dec = _steps(2, [2, 4], gr.float32), _steps(3, [2, 4], gr.float32)
        outs, _ = legacy_seq2seq.basic_rnn_seq2seq(enc, dec, cell)
        names = [v.op.name for v in gr.global_variables()]
    assert names[0].startswith("basic_rnn_seq2seq/rnn/gru_cell/")
    assert names[-1].startswith("basic_rnn_seq2seq/rnn_decoder/gru_cell/") and len(names) == 8
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        feed = {x: np.ones((2, 4), np.float32) for x in enc + dec}
        out = sess.run(outs[-1], {**feed, keep: 1.0})
    assert out.shape == (2, 5)


# --- static_state_saving_rnn and StateSaver --------------------------------------------------------


def test_static_state_saving_rnn_rejects_mismatched_state_names_and_bad_savers() -> None:
    with gr.Graph().as_default():
        xs = _steps(2, [3, 4], gr.float32)
        saver = gr.contrib.rnn.StateSaver(3, 5)
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.static_state_saving_rnn(gr.nn.rnn_cell.LSTMCell(5), xs, saver, "lstm_state")
        _check(e.value, "state_name", "('c', 'h')")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.static_state_saving_rnn(gr.nn.rnn_cell.LSTMCell(5), xs, saver, ("c", "h", "x"))
        _check(e.value, "3 names")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.static_state_saving_rnn(gr.nn.rnn_cell.GRUCell(5), xs, object(), "s")
        _check(e.value, "state()")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.StateSaver(None, 5)
        _check(e.value, "batch_size")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.StateSaver(3, {"c": 5}).state("h")
        _check(e.value, "'h'")


def test_state_saver_carries_state_across_runs_and_reset_starts_over() -> None:
    g = gr.Graph()
    with g.as_default():
        xs = _steps(2, [3, 4], gr.float32)
        saver = gr.contrib.rnn.StateSaver(3, {"c": 5, "h": 5})
        with gr.variable_scope("outer"):
            outs, state = gr.contrib.rnn.static_state_saving_rnn(gr.nn.rnn_cell.LSTMCell(5), xs, saver, ("c", "h"))
        reset = saver.reset()
        assert sorted(v.op.name for v in saver.variables.values()) == ["state_saver/c", "state_saver/h"]
        assert all(not v.trainable for v in saver.variables.values())
    feed = {x: np.full((3, 4), 0.5, np.float32) for x in xs}
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        first = sess.run([outs[-1], state.h], feed)
        second = sess.run([outs[-1], state.h], feed)
        assert not np.allclose(first[1], second[1])
        np.testing.assert_array_equal(sess.run(saver.variables["h"].value()), second[1])
        sess.run(reset)
        again = sess.run([outs[-1], state.h], feed)
    np.testing.assert_allclose(again[1], first[1], rtol=1e-6)


# --- properties of the decoders --------------------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(enc_steps=st.integers(1, 3), dec_steps=st.integers(1, 3), seed=st.integers(0, 2**16),
       lstm=st.booleans())
def test_tied_seq2seq_is_one_static_rnn_over_encoder_then_decoder_inputs(enc_steps: int, dec_steps: int,
                                                                           seed: int, lstm: bool) -> None:
    # Without a loop_function the tied model's decoder continues the encoder's recurrence with the same
    # weights, so its outputs are the last dec_steps outputs of one static_rnn over all the inputs.
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((enc_steps + dec_steps, 2, 3))
    g = gr.Graph()
    with g.as_default():
        ph = [gr.placeholder(gr.float64, [2, 3]) for _ in range(len(xs))]
        cell = gr.nn.rnn_cell.BasicLSTMCell(4) if lstm else gr.nn.rnn_cell.GRUCell(4)
        tied, tied_state = legacy_seq2seq.tied_rnn_seq2seq(ph[:enc_steps], ph[enc_steps:], cell, dtype=gr.float64)
        with gr.variable_scope("combined_tied_rnn_seq2seq", reuse=True):
            whole, whole_state = gr.nn.static_rnn(cell, ph, dtype=gr.float64, scope="tied_rnn_seq2seq")
        assert len(gr.global_variables()) == (2 if lstm else 4)  # one set of weights
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        feed = dict(zip(ph, xs))
        a, b, sa, sb = sess.run([tied, whole[enc_steps:], gr.nest.flatten(tied_state),
                                 gr.nest.flatten(whole_state)], feed)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sa, sb, rtol=1e-12, atol=1e-14)


@settings(max_examples=6, deadline=None)
@given(steps=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_rnn_decoder_with_a_loop_function_reads_only_the_go_input(steps: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = gr.Graph()
    with g.as_default():
        xs = [gr.placeholder(gr.float64, [2, 3]) for _ in range(steps)]
        w = gr.constant(rng.standard_normal((4, 3)))
        outs, _ = legacy_seq2seq.rnn_decoder(xs, gr.zeros([2, 4], gr.float64), gr.nn.rnn_cell.GRUCell(4),
                                             loop_function=lambda prev, i: gr.tanh(gr.matmul(prev, w)))
        grads = gr.gradients(gr.add_n([gr.reduce_sum(o) for o in outs]), xs)
    assert grads[0] is not None and all(gv is None for gv in grads[1:])
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        go = rng.standard_normal((2, 3))
        feed_a = {x: (go if k == 0 else rng.standard_normal((2, 3))) for k, x in enumerate(xs)}
        feed_b = {x: (go if k == 0 else np.zeros((2, 3))) for k, x in enumerate(xs)}
        np.testing.assert_array_equal(sess.run(outs, feed_a), sess.run(outs, feed_b))


def _embedding_seq2seq(feed_previous: Any) -> dict[str, Any]:
    g = gr.Graph()
    with g.as_default():
        enc = [gr.placeholder(gr.int32, [2]) for _ in range(3)]
        dec = [gr.placeholder(gr.int32, [2]) for _ in range(3)]
        pred = gr.placeholder(gr.bool, []) if feed_previous == "tensor" else feed_previous
        outs, state = legacy_seq2seq.embedding_rnn_seq2seq(enc, dec, gr.nn.rnn_cell.GRUCell(4), 5, 6, 3,
                                                           feed_previous=pred, dtype=gr.float64)
        loss = gr.add_n([gr.reduce_sum(o * o) for o in outs]) + gr.reduce_sum(state)
        variables = gr.trainable_variables()
        grads = gr.gradients(loss, variables)
    return {"graph": g, "enc": enc, "dec": dec, "pred": pred, "outs": outs, "state": state, "grads": grads,
            "names": [v.op.name for v in variables], "variables": variables}


def test_embedding_rnn_seq2seq_with_a_bool_tensor_picks_the_decoder_at_run_time() -> None:
    # TF1 builds both decoders (the greedy one first) and a cond; the numbers must be those of the
    # Python-bool models with the same weights, and the variables the same names.
    rng = np.random.default_rng(3)
    both, greedy, fed = (_embedding_seq2seq(fp) for fp in ("tensor", True, False))
    assert both["names"] == greedy["names"] == fed["names"]
    enc_ids = [rng.integers(0, 5, 2).astype(np.int32) for _ in range(3)]
    dec_ids = [rng.integers(0, 6, 2).astype(np.int32) for _ in range(3)]
    with gr.Session(graph=both["graph"]) as sess:
        sess.run(gr.global_variables_initializer())
        values = {v.op.name: sess.run(v.value()) for v in both["variables"]}
        feed = {**dict(zip(both["enc"], enc_ids)), **dict(zip(both["dec"], dec_ids))}
        got = {flag: sess.run([both["outs"], both["state"], both["grads"]], {**feed, both["pred"]: flag})
               for flag in (True, False)}
    for flag, model in ((True, greedy), (False, fed)):
        with gr.Session(graph=model["graph"]) as sess:
            sess.run(gr.global_variables_initializer())
            for v in model["variables"]:
                v.load(values[v.op.name], sess)
            feed = {**dict(zip(model["enc"], enc_ids)), **dict(zip(model["dec"], dec_ids))}
            want = sess.run([model["outs"], model["state"], model["grads"]], feed)
        np.testing.assert_allclose(got[flag][0], want[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got[flag][1], want[1], rtol=1e-12, atol=1e-14)
        for name, a, b in zip(model["names"], got[flag][2], want[2]):
            if flag and name.endswith("embedding_rnn_decoder/embedding"):
                continue  # the cond's greedy decoder stops the gradient through fed-back symbols (TF1)
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"{flag} {name}")


def test_embedding_rnn_seq2seq_and_wrappers_reject_bad_arguments() -> None:
    with gr.Graph().as_default():
        ids = [gr.placeholder(gr.int32, [2]) for _ in range(2)]
        cell = gr.nn.rnn_cell.GRUCell(4)
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.embedding_rnn_seq2seq(ids, ids, cell, 5, 6, 3, feed_previous=gr.constant([True, False]))
        _check(e.value, "feed_previous", "scalar bool")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.EmbeddingWrapper(cell, 0, 3)
        _check(e.value, "embedding_classes")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.OutputProjectionWrapper(cell, -1)
        _check(e.value, "output_size")
        with pytest.raises(gr.GraphError) as e:
            gr.contrib.rnn.InputProjectionWrapper("gru", 3)
        assert e.value.fix
        with pytest.raises(gr.DTypeError) as e:
            gr.contrib.rnn.static_rnn(gr.contrib.rnn.EmbeddingWrapper(cell, 5, 3),
                                      [gr.placeholder(gr.float32, [2, 1])], dtype=gr.float32)
        _check(e.value, "integer symbols")


def test_loss_weights_given_as_data_take_the_logits_dtype() -> None:
    g = gr.Graph()
    with g.as_default():
        lg, tg = gr.placeholder(gr.float32, [2, 3, 4]), gr.placeholder(gr.int32, [2, 3])
        batch_major = seq2seq.sequence_loss(lg, tg, np.ones((2, 3)))  # float64 NumPy weights
        steps = legacy_seq2seq.sequence_loss(gr.unstack(lg, axis=1), gr.unstack(tg, axis=1), [np.ones(2)] * 3)
    assert batch_major.dtype is gr.float32 and steps.dtype is gr.float32
    with gr.Session(graph=g) as sess:
        a, b = sess.run([batch_major, steps], {lg: np.zeros((2, 3, 4)), tg: np.zeros((2, 3), np.int32)})
    np.testing.assert_allclose([a, b], [np.log(4.0)] * 2, rtol=1e-6)


def _bucketed(buckets: list[tuple[int, int]] | None) -> dict[str, Any]:
    g = gr.Graph()
    with g.as_default():
        enc = [gr.placeholder(gr.float64, [2, 3]) for _ in range(3)]
        dec = [gr.placeholder(gr.float64, [2, 3]) for _ in range(3)]
        tgt = [gr.placeholder(gr.int32, [2]) for _ in range(3)]
        wts = [gr.placeholder(gr.float64, [2]) for _ in range(3)]

        def seq2seq_fn(x: list[Any], y: list[Any]) -> tuple[list[Any], Any]:
            outs, state = legacy_seq2seq.basic_rnn_seq2seq(x, y, gr.nn.rnn_cell.GRUCell(4), dtype=gr.float64)
            w = gr.get_variable("proj", [4, 5], gr.float64)
            return [gr.matmul(o, w) for o in outs], state
        if buckets is None:
            outs, _ = seq2seq_fn(enc, dec)
            result = {"outputs": [outs], "losses": [legacy_seq2seq.sequence_loss(outs, tgt, wts)]}
        else:
            outputs, losses = legacy_seq2seq.model_with_buckets(enc, dec, tgt, wts, buckets, seq2seq_fn)
            result = {"outputs": outputs, "losses": losses}
        result.update(graph=g, placeholders=(enc, dec, tgt, wts), variables=gr.global_variables())
    return result


def test_model_with_buckets_shares_one_set_of_variables_across_buckets() -> None:
    rng = np.random.default_rng(5)
    bucketed, whole = _bucketed([(2, 1), (3, 3)]), _bucketed(None)
    assert [v.op.name for v in bucketed["variables"]] == [v.op.name for v in whole["variables"]]
    data = [[rng.standard_normal((2, 3)) for _ in range(3)], [rng.standard_normal((2, 3)) for _ in range(3)],
            [rng.integers(0, 5, 2).astype(np.int32) for _ in range(3)], [rng.uniform(0, 1, 2) for _ in range(3)]]

    def run(model: dict[str, Any], values: dict[str, np.ndarray] | None) -> tuple[Any, dict[str, np.ndarray]]:
        feed = {p: v for ps, vs in zip(model["placeholders"], data) for p, v in zip(ps, vs)}
        with gr.Session(graph=model["graph"]) as sess:
            sess.run(gr.global_variables_initializer())
            for v in model["variables"]:
                if values is not None:
                    v.load(values[v.op.name], sess)
            got = sess.run([model["outputs"], model["losses"]], feed)
            return got, {v.op.name: sess.run(v.value()) for v in model["variables"]}
    (outs, losses), values = run(bucketed, None)
    (whole_outs, whole_losses), _ = run(whole, values)
    assert len(outs[0]) == 1 and len(outs[1]) == 3
    np.testing.assert_allclose(outs[1], whole_outs[0], rtol=1e-12)  # the largest bucket is the whole model
    np.testing.assert_allclose(losses[1], whole_losses[0], rtol=1e-12)


def test_model_with_buckets_rejects_bad_buckets_and_short_inputs() -> None:
    with gr.Graph().as_default():
        xs = [gr.placeholder(gr.float32, [2, 3]) for _ in range(2)]
        ids = [gr.placeholder(gr.int32, [2]) for _ in range(2)]
        ws = [gr.placeholder(gr.float32, [2]) for _ in range(2)]

        def fn(x: Any, y: Any) -> Any:
            return legacy_seq2seq.basic_rnn_seq2seq(x, y, gr.nn.rnn_cell.GRUCell(4))
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.model_with_buckets(xs, xs, ids, ws, [(2, 3)], fn)
        _check(e.value, "decoder_inputs has 2 steps", "needs 3")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.model_with_buckets(xs, xs, ids, ws, [(2, 0)], fn)
        _check(e.value, "buckets")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.model_with_buckets(xs, xs, ids, ws, [(2, 2)], "basic")
        _check(e.value, "seq2seq must be a function")


# --- attention decoders ----------------------------------------------------------------------------


def test_attention_decoder_with_unknown_batch_and_attention_length_matches_the_static_build() -> None:
    rng = np.random.default_rng(11)
    xs_v = [rng.standard_normal((2, 3)) for _ in range(3)]
    att_v, s0_v = rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 4))
    got: list[Any] = []
    weights: dict[str, np.ndarray] = {}
    for dims in ([2, 4], [None, None]):
        g = gr.Graph()
        with g.as_default():
            xs = [gr.placeholder(gr.float64, [dims[0], 3]) for _ in range(3)]
            att = gr.placeholder(gr.float64, [dims[0], dims[1], 5])
            s0 = gr.placeholder(gr.float64, [dims[0], 4])
            outs, _ = legacy_seq2seq.attention_decoder(xs, s0, att, gr.nn.rnn_cell.GRUCell(4), num_heads=2,
                                                       dtype=gr.float64)
            grads = gr.gradients(gr.add_n([gr.reduce_sum(o) for o in outs]), [att, s0])
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            if got:
                for v in gr.global_variables(g):
                    v.load(weights[v.op.name], sess)
            else:
                weights = {v.op.name: sess.run(v.value()) for v in gr.global_variables(g)}
            feed = {**dict(zip(xs, xs_v)), att: att_v, s0: s0_v}
            got.append(sess.run([outs, grads], feed))
    np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-12)
    np.testing.assert_allclose(got[0][1][0], got[1][1][0], rtol=1e-10)


def test_attention_decoders_reject_bad_heads_states_and_dtypes() -> None:
    with gr.Graph().as_default():
        xs = [gr.placeholder(gr.float32, [2, 3]) for _ in range(2)]
        s0, att = gr.zeros([2, 4]), gr.placeholder(gr.float32, [2, 5, 6])
        cell = gr.nn.rnn_cell.GRUCell(4)
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.attention_decoder(xs, s0, att, cell, num_heads=0)
        _check(e.value, "num_heads")
        with pytest.raises(gr.ShapeError) as e:
            legacy_seq2seq.attention_decoder(xs, s0, gr.placeholder(gr.float32, [2, 6]), cell)
        _check(e.value, "attention_states", "[2,6]")
        with pytest.raises(gr.ShapeError) as e:
            legacy_seq2seq.attention_decoder(xs, s0, gr.placeholder(gr.float32, [2, 5, None]), cell)
        _check(e.value, "attn_size")
        with pytest.raises(gr.DTypeError) as e:
            legacy_seq2seq.attention_decoder(xs, s0, gr.placeholder(gr.float64, [2, 5, 6]), cell)
        _check(e.value, "float64", "float32")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.embedding_attention_decoder([gr.placeholder(gr.int32, [2])], s0, att, cell, 5, 3,
                                                       feed_previous=gr.placeholder(gr.bool, []))
        _check(e.value, "feed_previous", "embedding_attention_seq2seq")


def test_embedding_attention_seq2seq_with_a_bool_tensor_builds_both_decoders() -> None:
    g = gr.Graph()
    with g.as_default():
        enc = [gr.placeholder(gr.int32, [2]) for _ in range(3)]
        dec = [gr.placeholder(gr.int32, [2]) for _ in range(2)]
        pred = gr.placeholder(gr.bool, [])
        outs, state = legacy_seq2seq.embedding_attention_seq2seq(enc, dec, gr.nn.rnn_cell.GRUCell(4), 5, 6, 3,
                                                                 feed_previous=pred)
        names = [v.op.name for v in gr.global_variables()]
    assert len(names) == len(set(names)) == 20  # one set of variables, shared by both branches
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        feed = {**{x: np.array([1, 2], np.int32) for x in enc}, **{x: np.array([0, 3], np.int32) for x in dec}}
        greedy, fed = (sess.run(outs, {**feed, pred: flag}) for flag in (True, False))
    np.testing.assert_array_equal(greedy[0], fed[0])  # step 0 reads the GO symbol either way
    assert not np.allclose(greedy[1], fed[1])


def _model_outputs(model: str, feed_previous: Any) -> dict[str, Any]:
    g = gr.Graph()
    with g.as_default():
        enc = [gr.placeholder(gr.int32, [2]) for _ in range(3)]
        dec = [gr.placeholder(gr.int32, [2]) for _ in range(3)]
        pred = gr.placeholder(gr.bool, []) if feed_previous == "tensor" else feed_previous
        if model == "tied":
            outs, _ = legacy_seq2seq.embedding_tied_rnn_seq2seq(enc, dec, gr.nn.rnn_cell.BasicLSTMCell(4), 5, 3,
                                                                feed_previous=pred)
        else:
            outs_d, _ = legacy_seq2seq.one2many_rnn_seq2seq(
                enc, {"a": dec, "b": dec[:2]}, gr.nn.rnn_cell.GRUCell(4),
                {"a": gr.nn.rnn_cell.GRUCell(4), "b": gr.nn.rnn_cell.GRUCell(4)}, 5, {"a": 5, "b": 3}, 3,
                feed_previous=pred)
            outs = outs_d["a"] + outs_d["b"]
    return {"graph": g, "enc": enc, "dec": dec, "pred": pred, "outs": outs}


@pytest.mark.parametrize("model", ["tied", "one2many"])
def test_bool_tensor_feed_previous_gives_the_python_bool_models_numbers(model: str) -> None:
    both = _model_outputs(model, "tensor")
    rng = np.random.default_rng(1)
    feed_values = [rng.integers(0, 3, 2).astype(np.int32) for _ in range(6)]
    with gr.Session(graph=both["graph"]) as sess:
        sess.run(gr.global_variables_initializer())
        variables = gr.global_variables(both["graph"])
        values = {v.op.name: sess.run(v.value()) for v in variables}
        feed = dict(zip(both["enc"] + both["dec"], feed_values))
        got = {flag: sess.run(both["outs"], {**feed, both["pred"]: flag}) for flag in (True, False)}
    for flag in (True, False):
        single = _model_outputs(model, flag)
        single_vars = gr.global_variables(single["graph"])
        assert sorted(v.op.name for v in single_vars) == sorted(values)
        with gr.Session(graph=single["graph"]) as sess:
            for v in single_vars:
                v.load(values[v.op.name], sess)
            want = sess.run(single["outs"], dict(zip(single["enc"] + single["dec"], feed_values)))
        for step, (a, b) in enumerate(zip(got[flag], want)):  # steps of the two decoders differ in width
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=f"{flag} step {step}")


def test_one2many_rejects_mismatched_decoder_dicts() -> None:
    with gr.Graph().as_default():
        ids = [gr.placeholder(gr.int32, [2]) for _ in range(2)]
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.one2many_rnn_seq2seq(ids, {"a": ids}, gr.nn.rnn_cell.GRUCell(4),
                                                {"b": gr.nn.rnn_cell.GRUCell(4)}, 5, {"a": 5}, 3)
        _check(e.value, "dec_cells_dict", "'b'", "'a'")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.one2many_rnn_seq2seq(ids, [ids], gr.nn.rnn_cell.GRUCell(4), {}, 5, {}, 3)
        _check(e.value, "decoder_inputs_dict", "dict")
        with pytest.raises(gr.DTypeError) as e:
            legacy_seq2seq.embedding_tied_rnn_seq2seq([gr.placeholder(gr.float32, [2])], ids,
                                                      gr.nn.rnn_cell.GRUCell(4), 5, 3)
        _check(e.value, "encoder_inputs[0]", "integer")


def test_missing_states_and_bad_seq2seq_results_are_graph_errors() -> None:
    with gr.Graph().as_default():
        x = [gr.zeros([2, 3])]
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.rnn_decoder(x, None, gr.nn.rnn_cell.GRUCell(4))
        _check(e.value, "initial_state is None")
        with pytest.raises(gr.GraphError) as e:
            legacy_seq2seq.model_with_buckets(x, x, [gr.zeros([2], gr.int32)], [gr.zeros([2])], [(1, 1)],
                                              lambda a, b: None)
        _check(e.value, "(outputs, state)")


@settings(max_examples=6, deadline=None)
@given(segments=st.integers(1, 3), steps=st.integers(1, 3), lstm=st.booleans(), seed=st.integers(0, 2**16))
def test_segments_through_a_state_saver_equal_one_static_rnn_over_the_whole_sequence(
        segments: int, steps: int, lstm: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((segments * steps, 2, 3))
    g = gr.Graph()
    with g.as_default():
        seg = [gr.placeholder(gr.float64, [2, 3]) for _ in range(steps)]
        whole = [gr.placeholder(gr.float64, [2, 3]) for _ in range(segments * steps)]
        cell = gr.nn.rnn_cell.BasicLSTMCell(4) if lstm else gr.nn.rnn_cell.GRUCell(4)
        saver = gr.contrib.rnn.StateSaver(2, {"c": 4, "h": 4} if lstm else 4, dtype=gr.float64)
        outs, _ = gr.contrib.rnn.static_state_saving_rnn(cell, seg, saver, ("c", "h") if lstm else "h")
        ref, _ = gr.nn.static_rnn(cell, whole, dtype=gr.float64)  # the same cell: the same weights
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        got = [o for s in range(segments)
               for o in sess.run(outs, dict(zip(seg, xs[s * steps:(s + 1) * steps])))]
        want = sess.run(ref, dict(zip(whole, xs)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
