"""Generates the messages TF1's Assert and CheckNumerics kernels print (run offline, with TensorFlow).

    /tmp/tfvenv/bin/python tests/data/checks/make_checks.py

Each case feeds values into ``tf.Assert(False, data, summarize)`` or ``tf.check_numerics`` in TF1
graph mode and stores the InvalidArgumentError's message (without the "[[node ...]]" suffix TF
appends) in checks.json. The Assert kernel's formatting (the brackets, how floats and ints are
printed, "..." after ``summarize`` entries) is the same in TF 1.15 and this TensorFlow.
"""

from __future__ import annotations

import importlib.util
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (data items: strings, or [dtype, nested list] for tensors; summarize or None)
ASSERTS = {
    "floats32": (["x (x:0) = ", ["float32", [0.1, -2.5, 3.0, 1e-7, 123456.78]]], None),
    "floats64": (["values", ["float64", [0.1, 1.0 / 3.0, -0.0, 2.5e300]]], 10),
    "ints_matrix": (["m = ", ["int32", [[1, 2, 3], [4, 5, 6]]]], 4),
    "int64_scalar": (["step", ["int64", 7]], None),
    "bools": (["mask", ["bool", [True, False, True, True]]], 2),
    "empty_message": (["", "Condition x > 0 did not hold element-wise:", ["float32", [-1.0, 2.0]]], None),
    "all_entries": (["all", ["float32", [1.5, 2.5, 3.5, 4.5, 5.5]]], -1),
    "special": (["special", ["float32", [float("nan"), float("inf"), -float("inf")]]], None),
}
NUMERICS = {
    "nan": ["float32", [1.0, float("nan")]],
    "inf": ["float64", [float("inf"), 1.0]],
    "both": ["float32", [float("-inf"), float("nan")]],
}


def _clean(message: str) -> str:
    """The kernel's own message: after TF's "Node: '...'" header line, before its "[[node" suffix."""
    lines = message.split("\n\t [[")[0].split("\n")
    heads = [i for i, line in enumerate(lines) if line.startswith("Node: ")]
    return "\n".join(lines[heads[-1] + 1:] if heads else lines)


def main() -> None:
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    spec = importlib.util.spec_from_file_location(
        "atomic", os.path.join(HERE, "..", "..", "..", "graphrnn", "io", "atomic.py"))
    atomic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(atomic)

    out: dict[str, dict] = {"assert": {}, "check_numerics": {}}
    for name, (items, summarize) in ASSERTS.items():
        g = tf.Graph()
        with g.as_default():
            data = [it if isinstance(it, str) else tf.constant(np.array(it[1], dtype=it[0])) for it in items]
            op = tf.Assert(tf.constant(False), data, summarize=summarize)
            with tf.Session(graph=g) as sess:
                try:
                    sess.run(op)
                    raise AssertionError("the assert passed")
                except tf.errors.InvalidArgumentError as e:
                    out["assert"][name] = {"data": items, "summarize": summarize, "message": _clean(e.message)}
    for name, (dtype, values) in NUMERICS.items():
        g = tf.Graph()
        with g.as_default():
            t = tf.check_numerics(tf.constant(np.array(values, dtype=dtype)), "bad " + name)
            with tf.Session(graph=g) as sess:
                try:
                    sess.run(t)
                    raise AssertionError("the check passed")
                except tf.errors.InvalidArgumentError as e:
                    out["check_numerics"][name] = {"dtype": dtype, "values": [repr(v) for v in values],
                                                   "message": _clean(e.message)}
    atomic.write_text(os.path.join(HERE, "checks.json"), json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
