"""Generates tf1_messages.json: the field names, scalar defaults and enum values of TF's session
configuration messages, which tests/ir/test_config.py compares graphrnn.config against.

Run offline with TensorFlow installed: python tests/data/config/make_config.py
"""

from __future__ import annotations

import json
import os

import tensorflow.compat.v1 as tf
from google.protobuf.descriptor import FieldDescriptor  # noqa: E402 - ships with tensorflow

MESSAGES = {
    "ConfigProto": tf.ConfigProto,
    "GPUOptions": tf.GPUOptions,
    "GraphOptions": tf.GraphOptions,
    "OptimizerOptions": tf.OptimizerOptions,
    "RunOptions": tf.RunOptions,
    "RunMetadata": tf.RunMetadata,
}
ENUMS = {
    "RunOptions": ["NO_TRACE", "SOFTWARE_TRACE", "HARDWARE_TRACE", "FULL_TRACE"],
    "OptimizerOptions": ["L1", "L0", "DEFAULT", "OFF", "ON_1", "ON_2"],
}


def describe(cls: type) -> dict:
    msg = cls()
    fields = {}
    for f in cls.DESCRIPTOR.fields:
        entry = {"repeated": bool(getattr(f, "is_repeated", False)),
                 "message": f.type == FieldDescriptor.TYPE_MESSAGE}
        if not entry["repeated"] and not entry["message"]:
            entry["default"] = getattr(msg, f.name)
        fields[f.name] = entry
    return {"fields": fields, "enums": {k: int(getattr(cls, k)) for k in ENUMS.get(cls.__name__, [])}}


def main() -> None:
    out = {name: describe(cls) for name, cls in MESSAGES.items()}
    out["_tensorflow_version"] = tf.__version__
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf1_messages.json")
    with open(path, "w") as f:  # an offline generator, run by hand (not part of graphrnn)
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
