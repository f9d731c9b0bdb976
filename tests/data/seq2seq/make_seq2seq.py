"""Generates the TF1 reference numbers for graphrnn's seq2seq losses, legacy_seq2seq and
static_state_saving_rnn (``tests/data/seq2seq/*.npz`` + ``index.json``).

How the references are produced (run offline, never by the tests):

    python -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu==2.21.0 tf_keras==2.21.0
    TF_USE_LEGACY_KERAS=1 /tmp/tfvenv/bin/python tests/data/seq2seq/make_seq2seq.py

TensorFlow 2.21 no longer ships ``tf.contrib``. Every function below that TF 1.15 had under
``tf.contrib`` is therefore re-stated here in terms of the very ops TF 1.15's source calls, in the
same order, in ``tf.compat.v1`` graph mode with the legacy ``tf.compat.v1.nn.rnn_cell`` cells (which
TF 2.21 still has, with TF1's variable names, when ``TF_USE_LEGACY_KERAS=1`` selects tf_keras):

- ``tf1_contrib_sequence_loss``: TF 1.15 ``tensorflow/contrib/seq2seq/python/ops/loss.py``
  ``sequence_loss`` (reshape to ``[-1, C]``, ``sparse_softmax_cross_entropy_with_logits``, times the
  flattened weights, then the averaging/summing branches with ``div_no_nan`` and ``count_nonzero``).
- ``tf1_sequence_loss_by_example`` / ``tf1_sequence_loss`` / ``tf1_rnn_decoder`` /
  ``tf1_basic_rnn_seq2seq`` / ``tf1_tied_rnn_seq2seq`` / ``tf1_embedding_rnn_decoder`` /
  ``tf1_extract_argmax_and_embed``: TF 1.15
  ``tensorflow/contrib/legacy_seq2seq/python/ops/seq2seq.py`` (static_rnn, cells, variable scopes,
  ``embedding_lookup``, ``argmax``, ``stop_gradient``, ``add_n``, the ``+ 1e-12`` guards).
- ``TF1EmbeddingWrapper`` / ``TF1OutputProjectionWrapper`` / ``TF1InputProjectionWrapper`` and
  ``tf1_embedding_rnn_seq2seq``: TF 1.15's ``tensorflow/contrib/rnn/python/ops/core_rnn_cell.py`` wrappers
  (legacy ``RNNCell`` layers, so TF's own layer scoping names their variables) and
  ``legacy_seq2seq.embedding_rnn_seq2seq`` for a Python bool ``feed_previous``.
- ``tf1_attention_decoder`` / ``tf1_embedding_attention_decoder`` / ``tf1_embedding_attention_seq2seq``:
  TF 1.15's attention decoders, with ``linear`` = ``core_rnn_cell._linear`` (``kernel``/``bias`` in the
  current scope) and the 1x1 ``conv2d`` over the attention states.
- ``tf1_embedding_tied_rnn_seq2seq`` / ``tf1_one2many_rnn_seq2seq``: the remaining legacy_seq2seq models,
  for a Python bool ``feed_previous``.
- ``static_state_saving_rnn`` is TF 2.21's own ``tf.compat.v1.nn.static_state_saving_rnn`` (the
  same code as TF 1.15's ``rnn.py``), driven by two savers: ``ZerosStateSaver`` (TF1's
  ``TestStateSaver`` from ``core_rnn_test.py``: zeros in, saved tensors recorded) and
  ``VariableStateSaver`` (the state lives in non-trainable variables ``state_saver/<name>``; ``state``
  reads, ``save_state`` assigns), which carries the state from one truncated segment to the next.

Each case stores ``in/*`` (inputs), ``var/*`` (every variable by its TF name, so graphrnn can load
TF's initial values), ``out/*`` (outputs; a list of step tensors is stacked on axis 0) and
``grad/*`` (d loss / d input and d loss / d variable, ``loss = sum_k sum(out_k * R_k)`` with the
fixed random ``in/R_<k>``). TF's variable initial values differ from one run of this script to the next
(the inputs do not: they come from a seeded NumPy generator), which is why they are stored: the tests
load them by name. ``index.json`` records each case's arguments, its variables in creation
order with shapes, and the tolerance. Everything is float64 (B=3, T=4).
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import os
import pathlib
from typing import Any

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

v1 = tf.compat.v1
v1.disable_eager_execution()
OUT = pathlib.Path(__file__).resolve().parent
# graphrnn's atomic writer, loaded by path: this venv has TensorFlow, not graphrnn's dependencies.
_spec = importlib.util.spec_from_file_location("graphrnn_atomic", OUT.parents[2] / "graphrnn" / "io" / "atomic.py")
atomic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(atomic)
F64 = tf.float64
B, T, I, H, C = 3, 4, 4, 5, 6  # batch, time, input depth, cell size, classes/symbols
TOLERANCE = {"atol": 1e-9, "rtol": 1e-7}


# --- TF 1.15's contrib / legacy_seq2seq code paths, stated with TF 2.21's v1 ops ----------------


def tf1_contrib_sequence_loss(logits, targets, weights, average_across_timesteps=True,
                              average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
                              softmax_loss_function=None, name=None):
    with tf.name_scope(name or "sequence_loss"):
        num_classes = tf.shape(logits)[2]
        logits_flat = tf.reshape(logits, [-1, num_classes])
        targets = tf.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits_flat)
        else:
            crossent = softmax_loss_function(labels=targets, logits=logits_flat)
        crossent *= tf.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            crossent = tf.math.divide_no_nan(tf.reduce_sum(crossent), tf.reduce_sum(weights))
        elif sum_over_timesteps and sum_over_batch:
            count = tf.cast(tf.math.count_nonzero(weights), crossent.dtype)
            crossent = tf.math.divide_no_nan(tf.reduce_sum(crossent), count)
        else:
            crossent = tf.reshape(crossent, tf.shape(logits)[0:2])
            if average_across_timesteps or average_across_batch:
                axis = [0] if average_across_batch else [1]
                crossent = tf.math.divide_no_nan(tf.reduce_sum(crossent, axis=axis),
                                                 tf.reduce_sum(weights, axis=axis))
            elif sum_over_timesteps or sum_over_batch:
                axis = [0] if sum_over_batch else [1]
                count = tf.cast(tf.math.count_nonzero(weights, axis=axis), crossent.dtype)
                crossent = tf.math.divide_no_nan(tf.reduce_sum(crossent, axis=axis), count)
        return crossent


def tf1_sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True,
                                 softmax_loss_function=None, name=None):
    with tf.name_scope(name or "sequence_loss_by_example"):
        terms = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(target, [-1]),
                                                                          logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            terms.append(crossent * weight)
        log_perps = tf.add_n(terms)
        if average_across_timesteps:
            log_perps /= tf.add_n(weights) + 1e-12
    return log_perps


def tf1_sequence_loss(logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
                      softmax_loss_function=None, name=None):
    with tf.name_scope(name or "sequence_loss"):
        cost = tf.reduce_sum(tf1_sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                                                          softmax_loss_function))
        if average_across_batch:
            return cost / tf.cast(tf.shape(targets[0])[0], cost.dtype)
        return cost


def tf1_rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    with v1.variable_scope(scope or "rnn_decoder"):
        state, outputs, prev = initial_state, [], None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with v1.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                v1.get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state


def tf1_basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=tf.float32, scope=None):
    with v1.variable_scope(scope or "basic_rnn_seq2seq"):
        enc_cell = copy.deepcopy(cell)
        _, enc_state = v1.nn.static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        return tf1_rnn_decoder(decoder_inputs, enc_state, cell)


def tf1_tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None, dtype=tf.float32, scope=None):
    with v1.variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, enc_state = v1.nn.static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        v1.get_variable_scope().reuse_variables()
        return tf1_rnn_decoder(decoder_inputs, enc_state, cell, loop_function=loop_function, scope=scope)


def tf1_extract_argmax_and_embed(embedding, output_projection=None, update_embedding=True):
    def loop_function(prev, _):
        if output_projection is not None:
            prev = v1.nn.xw_plus_b(prev, output_projection[0], output_projection[1])
        emb_prev = tf.nn.embedding_lookup(embedding, tf.argmax(prev, 1))
        if not update_embedding:
            emb_prev = tf.stop_gradient(emb_prev)
        return emb_prev
    return loop_function


def tf1_embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols, embedding_size,
                              output_projection=None, feed_previous=False, update_embedding_for_previous=True,
                              scope=None):
    with v1.variable_scope(scope or "embedding_rnn_decoder") as scope:
        if output_projection is not None:
            w = tf.convert_to_tensor(output_projection[0], dtype=scope.dtype)
            b = tf.convert_to_tensor(output_projection[1], dtype=scope.dtype)
            output_projection = (w, b)
        embedding = v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = (tf1_extract_argmax_and_embed(embedding, output_projection, update_embedding_for_previous)
                         if feed_previous else None)
        emb_inp = (tf.nn.embedding_lookup(embedding, i) for i in decoder_inputs)
        return tf1_rnn_decoder(emb_inp, initial_state, cell, loop_function=loop_function)


class ZerosStateSaver:
    """TF1's ``TestStateSaver`` (core_rnn_test.py): zeros of ``[batch] + size`` in, records what is saved."""

    def __init__(self, batch_size, state_size, dtype=F64):
        self.batch_size, self.state_size, self.dtype, self.saved_state = batch_size, state_size, dtype, {}

    def state(self, name):
        size = self.state_size[name] if isinstance(self.state_size, dict) else self.state_size
        return tf.zeros((self.batch_size,) + ((size,) if isinstance(size, int) else tuple(size)), self.dtype)

    def save_state(self, name, state):
        self.saved_state[name] = state
        return tf.identity(state)


class VariableStateSaver(ZerosStateSaver):
    """The state lives in non-trainable zero-initialized variables ``state_saver/<name>``."""

    def __init__(self, batch_size, state_size, dtype=F64):
        super().__init__(batch_size, state_size, dtype)
        self.variables = {}

    def _variable(self, name):
        if name not in self.variables:
            size = self.state_size[name] if isinstance(self.state_size, dict) else self.state_size
            shape = (self.batch_size,) + ((size,) if isinstance(size, int) else tuple(size))
            with v1.variable_scope("state_saver"):
                self.variables[name] = v1.get_variable(name, shape, self.dtype, v1.zeros_initializer(),
                                                       trainable=False)
        return self.variables[name]

    def state(self, name):
        return self._variable(name).read_value()

    def save_state(self, name, state):
        self.saved_state[name] = state
        return v1.assign(self._variable(name), state)


# --- case plumbing ---------------------------------------------------------------------------------

RNG = np.random.default_rng(20241129)
CASES: list[dict[str, Any]] = []


def _stack(x):
    return tf.stack(x, 0) if isinstance(x, (list, tuple)) else x


def run_case(case_id: str, what: str, tf_code: str, args: dict[str, Any], build, runs: int = 1) -> None:
    """``build()`` returns (feeds {name: (placeholder, value)}, outputs {name: tensor or list}).

    The loss weights ``R_k`` are drawn per output; gradients are taken w.r.t. every float input and every
    trainable variable. ``runs > 1`` runs the outputs that many times in one session (state savers)."""
    g = tf.Graph()
    with g.as_default():
        v1.set_random_seed(7)
        feeds, outputs = build()
        outs = {k: _stack(v) for k, v in outputs.items()}
        weights = {k: RNG.standard_normal(t.shape.as_list()) for k, t in outs.items() if t.dtype == F64}
        loss = tf.add_n([tf.reduce_sum(outs[k] * tf.constant(w, F64)) for k, w in weights.items()])
        train_vars = v1.trainable_variables()
        float_feeds = [k for k, (ph, _) in feeds.items() if ph.dtype == F64]
        grad_names = float_feeds + [v.op.name for v in train_vars]
        all_grads = tf.gradients(loss, [feeds[k][0] for k in float_feeds] + list(train_vars))
        # Unused inputs (decoder inputs after the first, under a loop_function) have no gradient.
        # An embedding's gradient is IndexedSlices: stored dense, as graphrnn's GatherGrad makes it.
        grads = {n: tf.convert_to_tensor(gv) for n, gv in zip(grad_names, all_grads) if gv is not None}
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            var_values = {v.op.name: sess.run(v) for v in v1.global_variables()}
            fd = {ph: val for ph, val in feeds.values()}
            data: dict[str, np.ndarray] = {}
            for r in range(runs):
                got, got_loss, got_grads = sess.run([outs, loss, grads], fd)
                sfx = "" if runs == 1 else f"@run{r}"
                for k, val in got.items():
                    data[f"out/{k}{sfx}"] = np.asarray(val)
                data[f"out/loss{sfx}"] = np.asarray(got_loss)
                for name, gv in got_grads.items():
                    data[f"grad/{name}{sfx}"] = np.asarray(gv)
        for k, (_, val) in feeds.items():
            data[f"in/{k}"] = np.asarray(val)
        for k, w in weights.items():
            data[f"in/R_{k}"] = w
        for k, val in var_values.items():
            data[f"var/{k}"] = val
        variables = [(v.op.name, v.shape.as_list(), v in train_vars) for v in v1.global_variables()]
    buf = io.BytesIO()
    np.savez(buf, **data)
    atomic.write_bytes(OUT / f"{case_id}.npz", buf.getvalue())
    CASES.append({"id": case_id, "what": what, "tf_code": tf_code, "args": args,
                  "variables": [{"name": n, "shape": s, "trainable": tr} for n, s, tr in variables],
                  "outputs": sorted(outs), "runs": runs})


def ph(shape, dtype=F64, name=None):
    return v1.placeholder(dtype, shape, name=name)


def normal(*shape):
    return RNG.standard_normal(shape)


# --- contrib.seq2seq.sequence_loss ---------------------------------------------------------------

SEQ_LOGITS = normal(B, T, C)
SEQ_TARGETS = RNG.integers(0, C, size=(B, T)).astype(np.int32)
# Row 2 is all zero weights and column 3 too: exercises div_no_nan and count_nonzero (zero counts).
SEQ_WEIGHTS = np.array([[1.0, 0.5, 2.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])


def one_hot_xent(labels, logits):
    """A softmax_loss_function: softmax_cross_entropy_with_logits_v2 on one-hot labels, times 2."""
    onehot = tf.one_hot(labels, C, dtype=logits.dtype)
    return 2.0 * v1.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits)


def contrib_loss_cases() -> None:
    modes = {"avg": (True, False), "sum": (False, True), "none": (False, False)}
    for tm, (avg_t, sum_t) in modes.items():
        for bm, (avg_b, sum_b) in modes.items():
            for custom in (False, True):
                if custom and (tm, bm) not in {("avg", "avg"), ("none", "none")}:
                    continue
                kw = dict(average_across_timesteps=avg_t, average_across_batch=avg_b,
                          sum_over_timesteps=sum_t, sum_over_batch=sum_b)

                def build(kw=kw, custom=custom):
                    lg, tg, wt = ph([B, T, C]), ph([B, T], tf.int32), ph([B, T])
                    loss = tf1_contrib_sequence_loss(lg, tg, wt, softmax_loss_function=one_hot_xent if custom
                                                     else None, **kw)
                    return ({"logits": (lg, SEQ_LOGITS), "targets": (tg, SEQ_TARGETS), "weights": (wt, SEQ_WEIGHTS)},
                            {"loss_value": loss})
                cid = f"contrib_sequence_loss_t{tm}_b{bm}" + ("_custom" if custom else "")
                run_case(cid, f"tf.contrib.seq2seq.sequence_loss, timesteps: {tm}, batch: {bm}"
                         + (", softmax_loss_function=2*softmax_xent(one_hot)" if custom else ""),
                         "tf.contrib.seq2seq.sequence_loss(logits, targets, weights, **args)",
                         {**kw, "softmax_loss_function": "one_hot_xent" if custom else None}, build)


def legacy_loss_cases() -> None:
    for avg_t in (True, False):
        for avg_b in (True, False):
            for custom in (False, True):
                if custom and not (avg_t and avg_b):
                    continue

                def build(avg_t=avg_t, avg_b=avg_b, custom=custom):
                    lgs = [ph([B, C]) for _ in range(T)]
                    tgs = [ph([B], tf.int32) for _ in range(T)]
                    wts = [ph([B]) for _ in range(T)]
                    fn = one_hot_xent if custom else None
                    feeds = {}
                    for t in range(T):
                        feeds[f"logits_{t}"] = (lgs[t], SEQ_LOGITS[:, t])
                        feeds[f"targets_{t}"] = (tgs[t], SEQ_TARGETS[:, t])
                        feeds[f"weights_{t}"] = (wts[t], SEQ_WEIGHTS[:, t] + 0.25)
                    return feeds, {
                        "by_example": tf1_sequence_loss_by_example(lgs, tgs, wts, avg_t, fn),
                        "loss_value": tf1_sequence_loss(lgs, tgs, wts, avg_t, avg_b, fn)}
                cid = f"legacy_sequence_loss_t{int(avg_t)}_b{int(avg_b)}" + ("_custom" if custom else "")
                run_case(cid, "tf.contrib.legacy_seq2seq.sequence_loss_by_example and sequence_loss",
                         "sequence_loss_by_example(logits, targets, weights, average_across_timesteps); "
                         "sequence_loss(logits, targets, weights, average_across_timesteps, average_across_batch)",
                         {"average_across_timesteps": avg_t, "average_across_batch": avg_b,
                          "softmax_loss_function": "one_hot_xent" if custom else None}, build)


# --- legacy_seq2seq models -------------------------------------------------------------------------

LOOP_W = normal(H, I) * 0.5


def projection_loop(prev, i):
    """A loop_function: the previous output times a fixed [H, I] matrix, plus the step number / 10."""
    return tf.matmul(prev, tf.constant(LOOP_W, F64)) + 0.1 * i


def model_cases() -> None:
    def rnn_decoder_case(with_loop: bool):
        def build():
            xs = [ph([B, I]) for _ in range(T)]
            s0 = ph([B, H])
            outs, st = tf1_rnn_decoder(xs, s0, v1.nn.rnn_cell.GRUCell(H),
                                       loop_function=projection_loop if with_loop else None)
            feeds = {f"decoder_inputs_{t}": (xs[t], normal(B, I)) for t in range(T)}
            feeds["initial_state"] = (s0, normal(B, H))
            return feeds, {"outputs": outs, "state": st}
        run_case("rnn_decoder_gru" + ("_loop" if with_loop else ""),
                 "legacy_seq2seq.rnn_decoder, GRUCell(5)" + (", loop_function" if with_loop else ""),
                 "rnn_decoder(decoder_inputs, initial_state, GRUCell(5), loop_function=projection_loop?)",
                 {"loop_function": "projection_loop" if with_loop else None, "cell": "GRUCell(5)"}, build)
    rnn_decoder_case(False)
    rnn_decoder_case(True)

    def basic_build():
        enc = [ph([B, I]) for _ in range(3)]
        dec = [ph([B, I]) for _ in range(T)]
        outs, st = tf1_basic_rnn_seq2seq(enc, dec, v1.nn.rnn_cell.BasicLSTMCell(H), dtype=F64)
        feeds = {f"encoder_inputs_{t}": (enc[t], normal(B, I)) for t in range(3)}
        feeds.update({f"decoder_inputs_{t}": (dec[t], normal(B, I)) for t in range(T)})
        return feeds, {"outputs": outs, "state_c": st.c, "state_h": st.h}
    run_case("basic_rnn_seq2seq_basic_lstm", "legacy_seq2seq.basic_rnn_seq2seq, BasicLSTMCell(5), 3 encoder steps",
             "basic_rnn_seq2seq(encoder_inputs, decoder_inputs, BasicLSTMCell(5), dtype=tf.float64)",
             {"cell": "BasicLSTMCell(5)", "encoder_steps": 3}, basic_build)

    def tied_case(with_loop: bool):
        def build():
            enc = [ph([B, I]) for _ in range(3)]
            dec = [ph([B, I]) for _ in range(T)]
            cell = v1.nn.rnn_cell.GRUCell(H)
            outs, st = tf1_tied_rnn_seq2seq(enc, dec, cell, loop_function=projection_loop if with_loop else None,
                                            dtype=F64)
            feeds = {f"encoder_inputs_{t}": (enc[t], normal(B, I)) for t in range(3)}
            feeds.update({f"decoder_inputs_{t}": (dec[t], normal(B, I)) for t in range(T)})
            return feeds, {"outputs": outs, "state": st}
        run_case("tied_rnn_seq2seq_gru" + ("_loop" if with_loop else ""),
                 "legacy_seq2seq.tied_rnn_seq2seq, GRUCell(5) shared by encoder and decoder"
                 + (", loop_function" if with_loop else ""),
                 "tied_rnn_seq2seq(encoder_inputs, decoder_inputs, GRUCell(5), loop_function=?, dtype=tf.float64)",
                 {"cell": "GRUCell(5)", "encoder_steps": 3,
                  "loop_function": "projection_loop" if with_loop else None}, build)
    tied_case(False)
    tied_case(True)

    proj_w, proj_b = normal(H, C), normal(C)
    variants = [("plain", False, False, True), ("feed_previous_proj", True, True, True),
                ("feed_previous_proj_frozen", True, True, False)]
    for tag, feed_prev, with_proj, update in variants:
        def build(feed_prev=feed_prev, with_proj=with_proj, update=update):
            ids = [ph([B], tf.int32) for _ in range(T)]
            s0 = ph([B, H])
            proj = None
            feeds = {f"decoder_inputs_{t}": (ids[t], RNG.integers(0, C, size=B).astype(np.int32)) for t in range(T)}
            feeds["initial_state"] = (s0, normal(B, H))
            if with_proj:
                w, b = ph([H, C]), ph([C])
                feeds["proj_w"], feeds["proj_b"] = (w, proj_w), (b, proj_b)
                proj = (w, b)
            with v1.variable_scope("model", dtype=F64):
                outs, st = tf1_embedding_rnn_decoder(ids, s0, v1.nn.rnn_cell.GRUCell(H), C, I, output_projection=proj,
                                                     feed_previous=feed_prev, update_embedding_for_previous=update)
            return feeds, {"outputs": outs, "state": st}
        run_case(f"embedding_rnn_decoder_{tag}", f"legacy_seq2seq.embedding_rnn_decoder ({tag}) under "
                 "variable_scope('model', dtype=tf.float64), GRUCell(5), 6 symbols, embedding size 4",
                 "embedding_rnn_decoder(ids, initial_state, GRUCell(5), 6, 4, output_projection=?, "
                 "feed_previous=?, update_embedding_for_previous=?)",
                 {"feed_previous": feed_prev, "output_projection": with_proj,
                  "update_embedding_for_previous": update, "num_symbols": C, "embedding_size": I}, build)


# --- static_state_saving_rnn -----------------------------------------------------------------------


def state_saving_cases() -> None:
    def zeros_build():
        xs = [ph([B, I]) for _ in range(T)]
        seq = ph([B], tf.int32)
        saver = ZerosStateSaver(B, {"c": H, "h": H})
        outs, st = v1.nn.static_state_saving_rnn(v1.nn.rnn_cell.LSTMCell(H), xs, saver, ("c", "h"),
                                                 sequence_length=seq)
        feeds = {f"inputs_{t}": (xs[t], normal(B, I)) for t in range(T)}
        feeds["sequence_length"] = (seq, np.array([4, 2, 0], np.int32))
        return feeds, {"outputs": outs, "state_c": st.c, "state_h": st.h,
                       "saved_c": saver.saved_state["c"], "saved_h": saver.saved_state["h"]}
    run_case("static_state_saving_rnn_lstm_zeros", "static_state_saving_rnn, LSTMCell(5), state_name ('c', 'h'), "
             "TF1's TestStateSaver (zeros), sequence_length [4, 2, 0]",
             "static_state_saving_rnn(LSTMCell(5), inputs, saver, ('c', 'h'), sequence_length=seq)",
             {"state_name": ["c", "h"], "saver": "ZerosStateSaver"}, zeros_build)

    def carry_build():
        xs = [ph([B, I]) for _ in range(T)]
        saver = VariableStateSaver(B, H)
        outs, st = v1.nn.static_state_saving_rnn(v1.nn.rnn_cell.GRUCell(H), xs, saver, "gru_state")
        return {f"inputs_{t}": (xs[t], normal(B, I)) for t in range(T)}, {"outputs": outs, "state": st}
    run_case("static_state_saving_rnn_gru_carry", "static_state_saving_rnn, GRUCell(5), state_name 'gru_state', "
             "VariableStateSaver: run twice on the same inputs, the second run starts from the first's final state",
             "static_state_saving_rnn(GRUCell(5), inputs, VariableStateSaver(3, 5), 'gru_state')",
             {"state_name": "gru_state", "saver": "VariableStateSaver"}, carry_build, runs=2)


def multi_cell_case() -> None:
    """Added after the others (so their random draws, and files, stay as they were)."""
    def build():
        enc = [ph([B, I]) for _ in range(3)]
        dec = [ph([B, I]) for _ in range(T)]
        cell = v1.nn.rnn_cell.MultiRNNCell([v1.nn.rnn_cell.GRUCell(H), v1.nn.rnn_cell.BasicLSTMCell(3)])
        outs, st = tf1_basic_rnn_seq2seq(enc, dec, cell, dtype=F64)
        feeds = {f"encoder_inputs_{t}": (enc[t], normal(B, I)) for t in range(3)}
        feeds.update({f"decoder_inputs_{t}": (dec[t], normal(B, I)) for t in range(T)})
        return feeds, {"outputs": outs, "state_0": st[0], "state_1_c": st[1].c, "state_1_h": st[1].h}
    run_case("basic_rnn_seq2seq_multi_gru_lstm", "legacy_seq2seq.basic_rnn_seq2seq, "
             "MultiRNNCell([GRUCell(5), BasicLSTMCell(3)]): the encoder's deep copy has its own layers",
             "basic_rnn_seq2seq(encoder_inputs, decoder_inputs, MultiRNNCell([GRUCell(5), BasicLSTMCell(3)]), "
             "dtype=tf.float64)", {"cell": "MultiRNNCell([GRUCell(5), BasicLSTMCell(3)])", "encoder_steps": 3}, build)


# --- TF 1.15's contrib.rnn core_rnn_cell wrappers, as legacy RNNCell layers ------------------------
# (core_rnn_cell.py: each wrapper is a Layer whose scope is its snake-case class name; the wrapped cell
# is called inside the wrapper's call, so its variables nest under the wrapper's scope.)


class TF1EmbeddingWrapper(v1.nn.rnn_cell.RNNCell):
    def __init__(self, cell, embedding_classes, embedding_size, initializer=None, reuse=None):
        super().__init__(_reuse=reuse, name="embedding_wrapper")
        self._cell, self._classes, self._size, self._initializer = cell, embedding_classes, embedding_size, initializer

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        initializer = self._initializer or v1.get_variable_scope().initializer
        if initializer is None:
            initializer = v1.random_uniform_initializer(-np.sqrt(3.0), np.sqrt(3.0))  # variance 1
        dtype = state[0].dtype if isinstance(state, tuple) else state.dtype
        embedding = v1.get_variable("embedding", [self._classes, self._size], initializer=initializer, dtype=dtype)
        return self._cell(tf.nn.embedding_lookup(embedding, tf.reshape(inputs, [-1])), state)


def _tf1_linear(x, units):
    """TF 1.15's rnn_cell_impl._Linear with bias: kernel (scope initializer), bias (zeros)."""
    kernel = v1.get_variable("kernel", [x.shape[-1], units], dtype=x.dtype)
    bias = v1.get_variable("bias", [units], dtype=x.dtype, initializer=v1.constant_initializer(0.0))
    return tf.nn.bias_add(tf.matmul(x, kernel), bias)


class TF1OutputProjectionWrapper(v1.nn.rnn_cell.RNNCell):
    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(_reuse=reuse, name="output_projection_wrapper")
        self._cell, self._output_size, self._activation = cell, output_size, activation

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        output, res_state = self._cell(inputs, state)
        projected = _tf1_linear(output, self._output_size)
        return (self._activation(projected) if self._activation else projected), res_state


class TF1InputProjectionWrapper(v1.nn.rnn_cell.RNNCell):
    def __init__(self, cell, num_proj, activation=None, reuse=None):
        super().__init__(_reuse=reuse, name="input_projection_wrapper")
        self._cell, self._num_proj, self._activation = cell, num_proj, activation

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        projected = _tf1_linear(inputs, self._num_proj)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


def tf1_embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols, num_decoder_symbols,
                              embedding_size, output_projection=None, feed_previous=False, dtype=None, scope=None):
    """TF 1.15's embedding_rnn_seq2seq for a Python bool feed_previous."""
    with v1.variable_scope(scope or "embedding_rnn_seq2seq") as scope:
        if dtype is not None:
            scope.set_dtype(dtype)
        else:
            dtype = scope.dtype
        encoder_cell = TF1EmbeddingWrapper(copy.deepcopy(cell), embedding_classes=num_encoder_symbols,
                                           embedding_size=embedding_size)
        _, encoder_state = v1.nn.static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        if output_projection is None:
            cell = TF1OutputProjectionWrapper(cell, num_decoder_symbols)
        return tf1_embedding_rnn_decoder(decoder_inputs, encoder_state, cell, num_decoder_symbols, embedding_size,
                                         output_projection=output_projection, feed_previous=feed_previous)


def wrapper_cases() -> None:
    """Added after the others (so their random draws, and files, stay as they were)."""
    def ids(n):
        return [ph([B], tf.int32) for _ in range(n)]

    for feed_prev in (False, True):
        def build(feed_prev=feed_prev):
            enc, dec = ids(3), ids(T)
            outs, st = tf1_embedding_rnn_seq2seq(enc, dec, v1.nn.rnn_cell.GRUCell(H), C, C + 1, I,
                                                 feed_previous=feed_prev, dtype=F64)
            feeds = {f"encoder_inputs_{t}": (enc[t], RNG.integers(0, C, size=B).astype(np.int32)) for t in range(3)}
            feeds.update({f"decoder_inputs_{t}": (dec[t], RNG.integers(0, C + 1, size=B).astype(np.int32))
                          for t in range(T)})
            return feeds, {"outputs": outs, "state": st}
        run_case("embedding_rnn_seq2seq_gru" + ("_feed_previous" if feed_prev else ""),
                 "legacy_seq2seq.embedding_rnn_seq2seq, GRUCell(5), 6 encoder / 7 decoder symbols, embedding "
                 "size 4, no output_projection (the decoder cell gets an OutputProjectionWrapper)",
                 "embedding_rnn_seq2seq(enc_ids, dec_ids, GRUCell(5), 6, 7, 4, feed_previous=?, dtype=tf.float64)",
                 {"num_encoder_symbols": C, "num_decoder_symbols": C + 1, "embedding_size": I,
                  "feed_previous": feed_prev}, build)

    def proj_build():
        xs = [ph([B, I]) for _ in range(T)]
        cell = TF1InputProjectionWrapper(v1.nn.rnn_cell.GRUCell(H), 3, activation=tf.tanh)
        outs, st = v1.nn.static_rnn(cell, xs, dtype=F64)
        return {f"inputs_{t}": (xs[t], normal(B, I)) for t in range(T)}, {"outputs": outs, "state": st}
    run_case("static_rnn_input_projection_gru", "contrib.rnn.InputProjectionWrapper(GRUCell(5), 3, activation=tanh) "
             "under static_rnn", "static_rnn(InputProjectionWrapper(GRUCell(5), 3, activation=tf.tanh), inputs, "
             "dtype=tf.float64)", {"num_proj": 3, "activation": "tanh"}, proj_build)


# --- TF 1.15's attention decoders (legacy_seq2seq.py; ``linear`` is core_rnn_cell._linear) ---------


def tf1_linear(args, output_size, bias):
    """core_rnn_cell._linear: ``concat(args, 1) @ kernel (+ bias)``, variables kernel/bias in the current scope."""
    args = args if isinstance(args, (list, tuple)) else [args]
    total = sum(a.shape[1] for a in args)
    kernel = v1.get_variable("kernel", [total, output_size], dtype=args[0].dtype)
    res = tf.matmul(args[0] if len(args) == 1 else tf.concat(args, 1), kernel)
    if not bias:
        return res
    b = v1.get_variable("bias", [output_size], dtype=args[0].dtype, initializer=v1.constant_initializer(0.0))
    return tf.nn.bias_add(res, b)


def tf1_attention_decoder(decoder_inputs, initial_state, attention_states, cell, output_size=None, num_heads=1,
                          loop_function=None, dtype=None, scope=None, initial_state_attention=False):
    if output_size is None:
        output_size = cell.output_size
    with v1.variable_scope(scope or "attention_decoder", dtype=dtype) as scope:
        dtype = scope.dtype
        batch_size = tf.shape(decoder_inputs[0])[0]
        attn_length = attention_states.shape[1]
        attn_size = attention_states.shape[2]
        hidden = tf.reshape(attention_states, [-1, attn_length, 1, attn_size])
        hidden_features, v = [], []
        for a in range(num_heads):
            k = v1.get_variable(f"AttnW_{a}", [1, 1, attn_size, attn_size])
            hidden_features.append(tf.nn.conv2d(hidden, k, [1, 1, 1, 1], "SAME"))
            v.append(v1.get_variable(f"AttnV_{a}", [attn_size]))
        state = initial_state

        def attention(query):
            ds = []
            if tf.nest.is_nested(query):
                query = tf.concat(tf.nest.flatten(query), 1)
            for a in range(num_heads):
                with v1.variable_scope(f"Attention_{a}"):
                    y = tf.reshape(tf1_linear(query, attn_size, True), [-1, 1, 1, attn_size])
                    s = tf.reduce_sum(v[a] * tf.tanh(hidden_features[a] + y), [2, 3])
                    weights = tf.nn.softmax(s)
                    d = tf.reduce_sum(tf.reshape(weights, [-1, attn_length, 1, 1]) * hidden, [1, 2])
                    ds.append(tf.reshape(d, [-1, attn_size]))
            return ds

        outputs, prev = [], None
        attns = [tf.zeros(tf.stack([batch_size, attn_size]), dtype=dtype) for _ in range(num_heads)]
        for a in attns:
            a.set_shape([None, attn_size])
        if initial_state_attention:
            attns = attention(initial_state)
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                v1.get_variable_scope().reuse_variables()
            if loop_function is not None and prev is not None:
                with v1.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            x = tf1_linear([inp] + attns, inp.shape[1], True)
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:
                with v1.variable_scope(v1.get_variable_scope(), reuse=True):
                    attns = attention(state)
            else:
                attns = attention(state)
            with v1.variable_scope("AttnOutputProjection"):
                output = tf1_linear([cell_output] + attns, output_size, True)
            if loop_function is not None:
                prev = output
            outputs.append(output)
    return outputs, state


def tf1_embedding_attention_decoder(decoder_inputs, initial_state, attention_states, cell, num_symbols,
                                    embedding_size, num_heads=1, output_size=None, output_projection=None,
                                    feed_previous=False, update_embedding_for_previous=True, dtype=None, scope=None,
                                    initial_state_attention=False):
    if output_size is None:
        output_size = cell.output_size
    with v1.variable_scope(scope or "embedding_attention_decoder", dtype=dtype):
        embedding = v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = (tf1_extract_argmax_and_embed(embedding, output_projection, update_embedding_for_previous)
                         if feed_previous else None)
        emb_inp = [tf.nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return tf1_attention_decoder(emb_inp, initial_state, attention_states, cell, output_size=output_size,
                                     num_heads=num_heads, loop_function=loop_function,
                                     initial_state_attention=initial_state_attention)


def tf1_embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols, num_decoder_symbols,
                                    embedding_size, num_heads=1, output_projection=None, feed_previous=False,
                                    dtype=None, scope=None, initial_state_attention=False):
    """TF 1.15's embedding_attention_seq2seq for a Python bool feed_previous."""
    with v1.variable_scope(scope or "embedding_attention_seq2seq", dtype=dtype) as scope:
        dtype = scope.dtype
        encoder_cell = TF1EmbeddingWrapper(copy.deepcopy(cell), embedding_classes=num_encoder_symbols,
                                           embedding_size=embedding_size)
        encoder_outputs, encoder_state = v1.nn.static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        attention_states = tf.concat([tf.reshape(e, [-1, 1, cell.output_size]) for e in encoder_outputs], 1)
        output_size = None
        if output_projection is None:
            cell = TF1OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols
        return tf1_embedding_attention_decoder(decoder_inputs, encoder_state, attention_states, cell,
                                               num_decoder_symbols, embedding_size, num_heads=num_heads,
                                               output_size=output_size, output_projection=output_projection,
                                               feed_previous=feed_previous,
                                               initial_state_attention=initial_state_attention)


def attention_cases() -> None:
    """Added after the others (so their random draws, and files, stay as they were)."""
    L = 3  # attention length

    def gru_build():
        xs = [ph([B, I]) for _ in range(T)]
        s0, att = ph([B, H]), ph([B, L, 6])
        outs, st = tf1_attention_decoder(xs, s0, att, v1.nn.rnn_cell.GRUCell(H), output_size=7, num_heads=2,
                                         dtype=F64)
        feeds = {f"decoder_inputs_{t}": (xs[t], normal(B, I)) for t in range(T)}
        feeds["initial_state"], feeds["attention_states"] = (s0, normal(B, H)), (att, normal(B, L, 6))
        return feeds, {"outputs": outs, "state": st}
    run_case("attention_decoder_gru_2heads", "legacy_seq2seq.attention_decoder, GRUCell(5), 2 heads over "
             "attention_states [3, 3, 6], output_size 7, dtype float64",
             "attention_decoder(decoder_inputs, initial_state, attention_states, GRUCell(5), output_size=7, "
             "num_heads=2, dtype=tf.float64)", {"num_heads": 2, "output_size": 7, "attention_length": L,
                                                 "attention_size": 6}, gru_build)

    def lstm_build():
        xs = [ph([B, I]) for _ in range(T)]
        c0, h0, att = ph([B, H]), ph([B, H]), ph([B, L, 4])
        outs, st = tf1_attention_decoder(xs, v1.nn.rnn_cell.LSTMStateTuple(c0, h0), att,
                                         v1.nn.rnn_cell.BasicLSTMCell(H), loop_function=projection_loop, dtype=F64,
                                         initial_state_attention=True)
        feeds = {f"decoder_inputs_{t}": (xs[t], normal(B, I)) for t in range(T)}
        feeds["initial_state_c"], feeds["initial_state_h"] = (c0, normal(B, H)), (h0, normal(B, H))
        feeds["attention_states"] = (att, normal(B, L, 4))
        return feeds, {"outputs": outs, "state_c": st.c, "state_h": st.h}
    run_case("attention_decoder_lstm_loop_isa", "legacy_seq2seq.attention_decoder, BasicLSTMCell(5) (the query is "
             "concat(c, h)), 1 head over [3, 3, 4], loop_function, initial_state_attention=True",
             "attention_decoder(decoder_inputs, (c0, h0), attention_states, BasicLSTMCell(5), "
             "loop_function=projection_loop, dtype=tf.float64, initial_state_attention=True)",
             {"num_heads": 1, "loop_function": "projection_loop", "initial_state_attention": True,
              "attention_length": L, "attention_size": 4}, lstm_build)

    for feed_prev in (False, True):
        def seq_build(feed_prev=feed_prev):
            enc, dec = [ph([B], tf.int32) for _ in range(3)], [ph([B], tf.int32) for _ in range(T)]
            outs, st = tf1_embedding_attention_seq2seq(enc, dec, v1.nn.rnn_cell.GRUCell(H), C, C + 1, I,
                                                       feed_previous=feed_prev, dtype=F64)
            feeds = {f"encoder_inputs_{t}": (enc[t], RNG.integers(0, C, size=B).astype(np.int32)) for t in range(3)}
            feeds.update({f"decoder_inputs_{t}": (dec[t], RNG.integers(0, C + 1, size=B).astype(np.int32))
                          for t in range(T)})
            return feeds, {"outputs": outs, "state": st}
        run_case("embedding_attention_seq2seq_gru" + ("_feed_previous" if feed_prev else ""),
                 "legacy_seq2seq.embedding_attention_seq2seq, GRUCell(5), 6 encoder / 7 decoder symbols, embedding "
                 "size 4, 1 head, no output_projection", "embedding_attention_seq2seq(enc_ids, dec_ids, GRUCell(5), "
                 "6, 7, 4, feed_previous=?, dtype=tf.float64)",
                 {"num_encoder_symbols": C, "num_decoder_symbols": C + 1, "embedding_size": I,
                  "feed_previous": feed_prev}, seq_build)


def tf1_embedding_tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_symbols, embedding_size,
                                   num_decoder_symbols=None, output_projection=None, feed_previous=False, dtype=None,
                                   scope=None):
    """TF 1.15's embedding_tied_rnn_seq2seq for a Python bool feed_previous."""
    with v1.variable_scope(scope or "embedding_tied_rnn_seq2seq", dtype=dtype) as scope:
        dtype = scope.dtype
        embedding = v1.get_variable("embedding", [num_symbols, embedding_size], dtype=dtype)
        emb_enc = [tf.nn.embedding_lookup(embedding, x) for x in encoder_inputs]
        emb_dec = [tf.nn.embedding_lookup(embedding, x) for x in decoder_inputs]
        output_symbols = num_decoder_symbols if num_decoder_symbols is not None else num_symbols
        if output_projection is None:
            cell = TF1OutputProjectionWrapper(cell, output_symbols)
        loop_function = (tf1_extract_argmax_and_embed(embedding, output_projection, True) if feed_previous
                         else None)
        return tf1_tied_rnn_seq2seq(emb_enc, emb_dec, cell, loop_function=loop_function, dtype=dtype)


def tf1_one2many_rnn_seq2seq(encoder_inputs, decoder_inputs_dict, enc_cell, dec_cells_dict, num_encoder_symbols,
                             num_decoder_symbols_dict, embedding_size, feed_previous=False, dtype=None, scope=None):
    """TF 1.15's one2many_rnn_seq2seq for a Python bool feed_previous."""
    outputs_dict, state_dict = {}, {}
    with v1.variable_scope(scope or "one2many_rnn_seq2seq", dtype=dtype) as scope:
        dtype = scope.dtype
        enc_cell = TF1EmbeddingWrapper(enc_cell, embedding_classes=num_encoder_symbols, embedding_size=embedding_size)
        _, encoder_state = v1.nn.static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        for name, decoder_inputs in decoder_inputs_dict.items():
            with v1.variable_scope("one2many_decoder_" + str(name)):
                dec_cell = TF1OutputProjectionWrapper(dec_cells_dict[name], num_decoder_symbols_dict[name])
                outputs_dict[name], state_dict[name] = tf1_embedding_rnn_decoder(
                    decoder_inputs, encoder_state, dec_cell, num_decoder_symbols_dict[name], embedding_size,
                    feed_previous=feed_previous)
    return outputs_dict, state_dict


def more_model_cases() -> None:
    """Added after the others (so their random draws, and files, stay as they were)."""
    for feed_prev in (False, True):
        def tied_build(feed_prev=feed_prev):
            enc, dec = [ph([B], tf.int32) for _ in range(3)], [ph([B], tf.int32) for _ in range(T)]
            outs, st = tf1_embedding_tied_rnn_seq2seq(enc, dec, v1.nn.rnn_cell.GRUCell(H), C, I,
                                                      num_decoder_symbols=C - 1, feed_previous=feed_prev, dtype=F64)
            feeds = {f"encoder_inputs_{t}": (enc[t], RNG.integers(0, C, size=B).astype(np.int32)) for t in range(3)}
            feeds.update({f"decoder_inputs_{t}": (dec[t], RNG.integers(0, C, size=B).astype(np.int32))
                          for t in range(T)})
            return feeds, {"outputs": outs, "state": st}
        run_case("embedding_tied_rnn_seq2seq_gru" + ("_feed_previous" if feed_prev else ""),
                 "legacy_seq2seq.embedding_tied_rnn_seq2seq, GRUCell(5), 6 symbols (5 decoder symbols), embedding "
                 "size 4: one embedding and one cell for encoder and decoder",
                 "embedding_tied_rnn_seq2seq(enc_ids, dec_ids, GRUCell(5), 6, 4, num_decoder_symbols=5, "
                 "feed_previous=?, dtype=tf.float64)",
                 {"num_symbols": C, "embedding_size": I, "num_decoder_symbols": C - 1, "feed_previous": feed_prev},
                 tied_build)

    def one2many_build():
        enc = [ph([B], tf.int32) for _ in range(3)]
        decs = {"fr": [ph([B], tf.int32) for _ in range(T)], "de": [ph([B], tf.int32) for _ in range(2)]}
        cells = {"fr": v1.nn.rnn_cell.GRUCell(H), "de": v1.nn.rnn_cell.GRUCell(H)}
        outs, states = tf1_one2many_rnn_seq2seq(enc, decs, v1.nn.rnn_cell.GRUCell(H), cells, C, {"fr": 7, "de": 4},
                                                I, dtype=F64)
        feeds = {f"encoder_inputs_{t}": (enc[t], RNG.integers(0, C, size=B).astype(np.int32)) for t in range(3)}
        for name, n in (("fr", 7), ("de", 4)):
            feeds.update({f"decoder_inputs_{name}_{t}": (x, RNG.integers(0, n, size=B).astype(np.int32))
                          for t, x in enumerate(decs[name])})
        return feeds, {"outputs_fr": outs["fr"], "outputs_de": outs["de"], "state_fr": states["fr"],
                       "state_de": states["de"]}
    run_case("one2many_rnn_seq2seq_gru", "legacy_seq2seq.one2many_rnn_seq2seq: one GRUCell(5) encoder over 6 "
             "symbols, decoders 'fr' (7 symbols, 4 steps) and 'de' (4 symbols, 2 steps), embedding size 4",
             "one2many_rnn_seq2seq(enc_ids, {'fr': ..., 'de': ...}, GRUCell(5), {'fr': GRUCell(5), 'de': GRUCell(5)}, "
             "6, {'fr': 7, 'de': 4}, 4, dtype=tf.float64)",
             {"decoders": {"fr": [7, T], "de": [4, 2]}, "num_encoder_symbols": C, "embedding_size": I},
             one2many_build)


def main() -> None:
    contrib_loss_cases()
    legacy_loss_cases()
    model_cases()
    state_saving_cases()
    multi_cell_case()
    wrapper_cases()
    attention_cases()
    more_model_cases()
    index = {"generator": "tests/data/seq2seq/make_seq2seq.py", "tensorflow": tf.__version__,
             "dtype": "float64", "sizes": {"B": B, "T": T, "I": I, "H": H, "C": C}, "tolerance": TOLERANCE,
             "loss": "sum_k sum(out_k * in/R_k) over the float outputs (lists stacked on axis 0)",
             "loop_w": LOOP_W.tolist(), "cases": CASES}
    atomic.write_text(OUT / "index.json", json.dumps(index, indent=1) + "\n")
    print(f"{len(CASES)} cases written to {OUT}")


if __name__ == "__main__":
    main()
