"""Generates device_cases.json: the device string TF1 records on an op created under a stack of
``tf.device(...)`` scopes, for tests/ir/test_device.py.

A stack item is {"s": string}, {"none": true} (``tf.device(None)``), {"spec": DeviceSpec fields} or
{"fn": name} for the device functions FUNCTIONS below (the test defines the same ones). A case
records the op type created innermost and the resulting ``op.device``, or "error" when TF refuses
the stack. Run offline with TensorFlow installed: python tests/data/device/make_device.py
"""

from __future__ import annotations

import json
import os

import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

FUNCTIONS = {
    "const_on_cpu": lambda op: "/cpu:0" if op.type == "Const" else "/gpu:0",
    "spec_ps_gpu1": lambda op: tf.DeviceSpec(job="ps", device_type="GPU", device_index=1),
}

SINGLE = ["/cpu:0", "/CPU:0", "cpu:0", "/gpu:1", "/device:GPU:0", "/device:cpu:0", "/job:worker", "/job:ps/task:1",
          "GPU:0", "", "/job:w/replica:0/task:2/device:CPU:3", "/cpu:*", "/replica:1", "cpu", "/task:3/cpu:1",
          "/foo:1", "/cpu:0:1", "/job", "/device:GPU:x", "/task:abc", "/gpu:0/cpu:0"]
STACKS = [
    [{"s": "/job:worker"}, {"s": "/cpu:0"}],
    [{"s": "/job:worker"}, {"s": "/cpu:0"}, {"none": True}],
    [{"s": "/job:worker"}, {"s": "/cpu:0"}, {"s": "/gpu:1"}],
    [{"s": "/job:worker"}, {"s": "/cpu:0"}, {"s": ""}],
    [{"s": "/gpu:0"}, {"s": "/job:ps"}],
    [{"s": "/job:a/task:1"}, {"s": "/job:b"}],
    [{"none": True}, {"s": "/cpu:0"}],
    [{"s": "/cpu:0"}, {"none": True}, {"s": "/job:x"}],
    [{"fn": "const_on_cpu"}],
    [{"fn": "const_on_cpu"}, {"s": "/job:x"}],
    [{"s": "/job:x"}, {"fn": "const_on_cpu"}],
    [{"s": "/job:x/task:0"}, {"fn": "spec_ps_gpu1"}],
    [{"fn": "spec_ps_gpu1"}, {"s": "/cpu:0"}],
    [{"spec": {"job": "ps", "device_type": "GPU", "device_index": 0}}],
    [{"s": "/task:2"}, {"spec": {"device_type": "CPU"}}],
]


def _scope(item: dict):
    if "none" in item:
        return tf.device(None)
    if "fn" in item:
        return tf.device(FUNCTIONS[item["fn"]])
    if "spec" in item:
        return tf.device(tf.DeviceSpec(**item["spec"]))
    return tf.device(item["s"])


def run(stack: list[dict], op_type: str) -> dict:
    g = tf.Graph()
    case: dict = {"stack": stack, "op": op_type}
    with g.as_default():
        scopes = []
        try:
            for item in stack:
                s = _scope(item)
                s.__enter__()
                scopes.append(s)
            c = tf.constant(1.0)
            op = c.op if op_type == "Const" else tf.add(c, c).op
            case["device"] = op.device
        except (ValueError, TypeError, AttributeError):
            case["error"] = True
        finally:
            for s in reversed(scopes):
                s.__exit__(None, None, None)
    return case


def main() -> None:
    cases = [run([{"s": s}], "Const") for s in SINGLE]
    cases += [run(stack, op) for stack in STACKS for op in ("Const", "AddV2")]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "device_cases.json")
    with open(path, "w") as f:  # an offline generator, run by hand (not part of graphrnn)
        json.dump({"tensorflow_version": tf.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
