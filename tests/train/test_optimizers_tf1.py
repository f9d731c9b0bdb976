"""Optimizers against TF1's own numbers (tests/data/optimizers, made by make_optimizers.py).

Each case trains the same two-variable problem in TF1 and in graphrnn and compares, after every
step, every global variable (weights, slots, Adam's beta powers, the global step), the variable
names and dtypes, the slot names and the training op's name and type.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import graphrnn as gr

HERE = os.path.join(os.path.dirname(__file__), "..", "data", "optimizers")
with open(os.path.join(HERE, "optimizers.json")) as _f:
    MANIFEST = json.load(_f)
ARRAYS = np.load(os.path.join(HERE, "optimizers.npz"))
RUNS = [(case, dtype) for case, entry in MANIFEST["cases"].items() for dtype in entry["runs"]]
TOL = {"float32": 1e-6, "float64": 1e-12}


def _train(case: str, dtype: str) -> tuple[list[dict[str, np.ndarray]], dict]:
    entry = MANIFEST["cases"][case]
    g = gr.Graph()
    with g.as_default():
        dt = gr.as_dtype(dtype)
        with gr.variable_scope("model"):
            w = gr.get_variable("W", [3, 2], dt, initializer=gr.constant_initializer(np.array(MANIFEST["W0"])))
            b = gr.get_variable("b", [2], dt, initializer=gr.constant_initializer(np.array(MANIFEST["B0"])))
        x = gr.constant(np.array(MANIFEST["X"]), dtype=dt)
        y = gr.constant(np.array(MANIFEST["Y"]), dtype=dt)
        loss = gr.reduce_sum(gr.square(gr.matmul(x, w) + b - y))
        step = gr.train.get_or_create_global_step() if entry["global_step"] else None
        opt = getattr(gr.train, entry["optimizer"])(**entry["kwargs"])
        train_op = opt.minimize(loss, global_step=step)
        variables = gr.global_variables()
        meta = {
            "variables": [v.op.name for v in variables],
            "dtypes": {v.op.name: v.dtype.name for v in variables},
            "slot_names": opt.get_slot_names(),
            "slots": {f"{v.op.name}:{s}": opt.get_slot(v, s).op.name for v in (w, b) for s in opt.get_slot_names()},
            "train_op": [train_op.name, train_op.type],
        }
        states = []
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            states.append(dict(zip(meta["variables"], sess.run([v.value() for v in variables]))))
            for _ in range(MANIFEST["steps"]):
                sess.run(train_op)
                states.append(dict(zip(meta["variables"], sess.run([v.value() for v in variables]))))
    return states, meta


@pytest.mark.parametrize("case,dtype", RUNS)
def test_matches_tf1(case: str, dtype: str) -> None:
    want = MANIFEST["cases"][case]["runs"][dtype]
    states, meta = _train(case, dtype)
    assert sorted(meta["variables"]) == sorted(want["variables"])
    assert meta["dtypes"] == want["dtypes"]
    assert meta["slot_names"] == want["slot_names"]
    assert meta["slots"] == want["slots"]
    assert meta["train_op"] == want["train_op"]
    tol = TOL[dtype]
    for k, state in enumerate(states):
        for name, got in state.items():
            ref = ARRAYS[f"{case}/{dtype}/{name}"][k]
            assert got.dtype == ref.dtype, (name, k)
            np.testing.assert_allclose(got, ref, rtol=tol, atol=tol, err_msg=f"{case} {dtype} step {k} {name}")


def test_adam_beta_powers_stay_float32_in_a_float64_model() -> None:
    states, meta = _train("adam", "float64")
    assert meta["dtypes"]["beta1_power"] == "float32" and meta["dtypes"]["model/W/Adam"] == "float64"
    # beta1 ** k accumulated in float32, as TF1 does (not the float64 power)
    b1 = np.float32(MANIFEST["cases"]["adam"]["kwargs"]["beta1"])
    want = np.float32(b1)
    for state in states[1:]:
        want = np.float32(want * b1)
        assert state["beta1_power"] == want


@pytest.mark.parametrize("case", ["adam", "rmsprop_centered", "adagrad"])
def test_slots_and_global_step_checkpoint_and_resume_exactly(case: str, tmp_path: object) -> None:
    """Slots, beta powers (float32 in a float64 model) and the global step go through a Saver
    checkpoint like any variable: 2 steps, save, rebuild, restore, 2 more == 4 uninterrupted steps."""
    want = MANIFEST["cases"][case]["runs"]["float64"]
    entry = MANIFEST["cases"][case]

    def build() -> tuple[gr.Graph, object, list[gr.Variable], object]:
        g = gr.Graph()
        with g.as_default():
            with gr.variable_scope("model"):
                w = gr.get_variable("W", [3, 2], gr.float64,
                                    initializer=gr.constant_initializer(np.array(MANIFEST["W0"])))
                b = gr.get_variable("b", [2], gr.float64, initializer=gr.constant_initializer(np.array(MANIFEST["B0"])))
            x, y = gr.constant(np.array(MANIFEST["X"])), gr.constant(np.array(MANIFEST["Y"]))
            loss = gr.reduce_sum(gr.square(gr.matmul(x, w) + b - y))
            step = gr.train.get_or_create_global_step() if entry["global_step"] else None
            op = getattr(gr.train, entry["optimizer"])(**entry["kwargs"]).minimize(loss, global_step=step)
            return g, op, gr.global_variables(), gr.train.Saver()

    path = str(tmp_path) + "/ckpt"  # type: ignore[operator]
    g, op, variables, saver = build()
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        for _ in range(2):
            sess.run(op)
        saver.save(sess, path)
    g, op, variables, saver = build()
    with gr.Session(graph=g) as sess:
        saver.restore(sess, path)
        for _ in range(2):
            sess.run(op)
        got = dict(zip([v.op.name for v in variables], sess.run([v.value() for v in variables])))
    for name, value in got.items():
        assert value.dtype.name == want["dtypes"][name]
        np.testing.assert_allclose(value, ARRAYS[f"{case}/float64/{name}"][4], rtol=1e-12, atol=1e-12)
