"""Records TensorFlow's outcome for every hostile construction case (graphrnn/testing/hostile_cases.py).

Run offline with a TensorFlow install (TF 2's ``compat.v1`` in graph mode, v2 behaviour off):

    /tmp/tfvenv/bin/python tests/data/hostile/make_hostile.py

Writes ``tf1_outcomes.json`` next to this file: per case ``{"kind": "ok", "results": [...]}`` (dtype,
run-time shape and small values, as `graphrnn.testing.hostile.describe` writes them), ``{"kind":
"error"}`` (TF raised while building or running), or ``{"kind": "n/a"}`` (the API is gone from TF 2's
compat.v1: Keras-based layers and cells). Tests read the JSON and never import TensorFlow.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", ".."))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import tensorflow as tf  # noqa: E402

from graphrnn.io.atomic import write_text  # noqa: E402
from graphrnn.testing.hostile import _flatten, describe  # noqa: E402
from graphrnn.testing.hostile_cases import SLOTS, case_ids, case_key, hostile_values  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_v2_behavior()


def _unavailable(e: Exception) -> bool:
    return "not available with Keras 3" in str(e) or "keras" in type(e).__module__.lower()


def _brief(e: Exception) -> str:
    """The exception's type and first line, short (the fixture only needs to say why)."""
    lines = str(e).strip().splitlines() or [""]
    return f"{type(e).__name__}: {lines[0]}"[:100]


def run_case(slot: str, cls: str, k: int) -> dict[str, object]:
    g = tf1.Graph()
    with g.as_default():
        try:
            h = hostile_values(tf1, cls)[k]
            result = SLOTS[slot](tf1, h)
        except Exception as e:  # noqa: BLE001
            return {"kind": "n/a"} if _unavailable(e) else {"kind": "error", "error": _brief(e)}
        flat = list(_flatten(result))
        tensors = [r for r in flat if isinstance(r, tf.Tensor)]
        values: list[object] = [None] * len(flat)
        if tensors:
            try:
                with tf1.Session(graph=g) as sess:
                    got = sess.run(tensors)
            except Exception as e:  # noqa: BLE001
                return {"kind": "error", "error": "run: " + _brief(e)}
            it = iter(got)
            values = [next(it) if isinstance(r, tf.Tensor) else None for r in flat]
        return {"kind": "ok", "results": describe(flat, values)}


def main() -> None:
    cases = {case_key(*c): run_case(*c) for c in case_ids()}
    # One case per line, so a regenerated fixture diffs case by case.
    body = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(cases.items()))
    head = json.dumps({"generator": "tests/data/hostile/make_hostile.py", "tensorflow": tf.__version__})[:-1]
    write_text(os.path.join(HERE, "tf1_outcomes.json"), f'{head}, "cases": {{\n{body}\n}}}}\n')
    kinds: dict[str, int] = {}
    for c in cases.values():
        kinds[str(c["kind"])] = kinds.get(str(c["kind"]), 0) + 1
    print(len(cases), "cases:", kinds)


if __name__ == "__main__":
    main()
