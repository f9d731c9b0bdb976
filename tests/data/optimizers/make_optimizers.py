"""Generates TF1's reference numbers for graphrnn's optimizers (run offline, with TensorFlow).

    /tmp/tfvenv/bin/python tests/data/optimizers/make_optimizers.py

For each case in CASES and each dtype, builds in TF1 graph mode (ref variables, as TF 1.15)

    with variable_scope("model"): W [3, 2], b [2] (get_variable, constant initializers)
    loss = reduce_sum(square(matmul(X, W) + b - Y))
    train_op = Optimizer(**kwargs).minimize(loss[, global_step=get_or_create_global_step()])

runs STEPS training steps and stores every global variable (weights, slots, non-slot variables,
the global step) before the first and after each step, plus the variables' names and dtypes and
the optimizer's slot names. Writes optimizers.json (cases, names, dtypes, slot names) and
optimizers.npz (arrays keyed "<case>/<dtype>/<variable name>", stacked over the steps: entry 0 is the
initial value, entry k the value after step k). The tests rebuild the
same problem with graphrnn and compare, never importing TensorFlow.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os

import numpy as np

STEPS = 4
HERE = os.path.dirname(os.path.abspath(__file__))

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]])
Y = np.array([[1.0, -2.0], [0.25, 0.5]])
W0 = np.array([[0.1, -0.2], [0.3, 0.05], [-0.4, 0.6]])
B0 = np.array([0.01, -0.02])

# name -> (TF1 optimizer class name, constructor kwargs, dtypes to run, use a global step)
CASES: dict[str, tuple[str, dict, tuple[str, ...], bool]] = {
    "gd": ("GradientDescentOptimizer", {"learning_rate": 0.1}, ("float32", "float64"), True),
    "momentum": ("MomentumOptimizer", {"learning_rate": 0.1, "momentum": 0.9}, ("float32", "float64"), False),
    "nesterov": ("MomentumOptimizer", {"learning_rate": 0.05, "momentum": 0.7, "use_nesterov": True},
                 ("float32", "float64"), False),
    "adam": ("AdamOptimizer", {"learning_rate": 0.1, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-3},
             ("float32", "float64"), True),
    "adam_default": ("AdamOptimizer", {"learning_rate": 0.01}, ("float32", "float64"), False),
    "rmsprop": ("RMSPropOptimizer", {"learning_rate": 0.05}, ("float32", "float64"), False),
    "rmsprop_momentum": ("RMSPropOptimizer", {"learning_rate": 0.05, "decay": 0.8, "momentum": 0.5,
                                              "epsilon": 1e-6}, ("float32", "float64"), False),
    "rmsprop_centered": ("RMSPropOptimizer", {"learning_rate": 0.05, "decay": 0.8, "momentum": 0.5,
                                              "epsilon": 1e-6, "centered": True}, ("float32", "float64"), True),
    "adagrad": ("AdagradOptimizer", {"learning_rate": 0.2, "initial_accumulator_value": 0.3},
                ("float32", "float64"), False),
    "adadelta": ("AdadeltaOptimizer", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
                 ("float32", "float64"), False),
    # TF1 does not cast ProximalGradientDescent's hyperparameters: float64 models fail in TF1.
    "proximal": ("ProximalGradientDescentOptimizer", {"learning_rate": 0.1, "l1_regularization_strength": 0.05,
                                                      "l2_regularization_strength": 0.1}, ("float32",), False),
    "proximal_l2": ("ProximalGradientDescentOptimizer", {"learning_rate": 0.1,
                                                         "l2_regularization_strength": 0.3}, ("float32",), False),
}


def run_case(tf, opt_name: str, kwargs: dict, dtype: str, with_step: bool) -> tuple[list[dict], dict]:
    g = tf.Graph()
    with g.as_default():
        dt = getattr(tf, dtype)
        with tf.variable_scope("model"):
            w = tf.get_variable("W", [3, 2], dt, initializer=tf.constant_initializer(W0))
            b = tf.get_variable("b", [2], dt, initializer=tf.constant_initializer(B0))
        x = tf.constant(X, dtype=dt)
        y = tf.constant(Y, dtype=dt)
        loss = tf.reduce_sum(tf.square(tf.matmul(x, w) + b - y))
        step = tf.train.get_or_create_global_step() if with_step else None
        opt = getattr(tf.train, opt_name)(**kwargs)
        train_op = opt.minimize(loss, global_step=step)
        variables = tf.global_variables()
        meta = {
            "variables": [v.op.name for v in variables],
            "dtypes": {v.op.name: v.dtype.base_dtype.name for v in variables},
            "slot_names": sorted(opt.get_slot_names()),
            "slots": {f"{v.op.name}:{s}": opt.get_slot(v, s).op.name
                      for v in (w, b) for s in opt.get_slot_names()},
            "train_op": [train_op.name, train_op.type],
        }
        states = []
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            states.append(dict(zip(meta["variables"], sess.run(variables))))
            for _ in range(STEPS):
                sess.run(train_op)
                states.append(dict(zip(meta["variables"], sess.run(variables))))
    return states, meta


def main() -> None:
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()  # TF1 graph mode with ref variables, as TF 1.15
    # graphrnn's atomic writer, loaded by path: this venv need not have graphrnn's dependencies.
    spec = importlib.util.spec_from_file_location(
        "atomic", os.path.join(HERE, "..", "..", "..", "graphrnn", "io", "atomic.py"))
    atomic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(atomic)
    write_bytes, write_text = atomic.write_bytes, atomic.write_text

    arrays: dict[str, np.ndarray] = {}
    manifest: dict[str, dict] = {"steps": STEPS, "X": X.tolist(), "Y": Y.tolist(), "W0": W0.tolist(),
                                 "B0": B0.tolist(), "cases": {}}
    for case, (opt_name, kwargs, dts, with_step) in CASES.items():
        entry = {"optimizer": opt_name, "kwargs": kwargs, "global_step": with_step, "runs": {}}
        for dtype in dts:
            states, meta = run_case(tf, opt_name, kwargs, dtype, with_step)
            entry["runs"][dtype] = meta
            for name in meta["variables"]:  # one array per variable: its values before/after each step
                arrays[f"{case}/{dtype}/{name}"] = np.stack([np.asarray(state[name]) for state in states])
        manifest["cases"][case] = entry
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    write_bytes(os.path.join(HERE, "optimizers.npz"), buf.getvalue())
    write_text(os.path.join(HERE, "optimizers.json"), json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"{len(arrays)} arrays, {len(CASES)} cases")


if __name__ == "__main__":
    main()
