"""Hostile construction inputs: every case of `graphrnn.testing.hostile_cases` run on graphrnn and
judged against TensorFlow's outcome for the same call (recorded offline in
``tests/data/hostile/tf1_outcomes.json`` by ``tests/data/hostile/make_hostile.py``).

A case ends in one of:
- ``clean``: a `GraphError` subclass (at build time, or an `ExecutionError` when run);
- ``accepted``: a result, and TensorFlow gave one too with the same dtypes, shapes and values;
- a failure: a raw Python/NumPy exception, a result where TensorFlow raised (graphrnn accepted what
  TF1 rejects), a result that differs from TensorFlow's, or a result TensorFlow could not check
  (its Keras-based layers and cells are gone from TF 2's ``compat.v1``): for those slots only a
  `GraphError` counts.

`run_hostile_inputs` returns the counts per hostile class; the test asserts there are no failures
and ``benchmarks/robustness.py`` prints them.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphrnn.testing.hostile_cases import (
    CLASSES,
    KNOWN_DIVERGENCES,
    NUMBER_SLOTS,
    SLOTS,
    case_ids,
    case_key,
    hostile_values,
)

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "hostile", "tf1_outcomes.json")

# Slots whose values are random draws: compared by dtype and shape only.
RANDOM_SLOTS = ("random_", "truncated_normal", "nn.dropout", "layers.dropout")
MAX_VALUE_ELEMENTS = 64  # values larger than this are compared by shape only (fixtures stay small)


def _flatten(result: Any) -> Iterator[Any]:
    if isinstance(result, (list, tuple)):
        for r in result:
            yield from _flatten(r)
    else:
        yield result


def describe(results: list[Any], values: list[Any] | None) -> list[dict[str, Any]]:
    """The JSON form of a case's results (shared with the TensorFlow generator): per result, its
    dtype name and run-time shape, and its value when small; non-tensors are ``{"object": type}``."""
    out: list[dict[str, Any]] = []
    for k, r in enumerate(results):
        if values is None or values[k] is None:
            out.append({"object": type(r).__name__})
            continue
        v = np.asarray(values[k])
        d: dict[str, Any] = {"dtype": str(v.dtype), "shape": list(v.shape)}
        if v.size <= MAX_VALUE_ELEMENTS and v.dtype.kind in "biuf":
            d["value"] = v.astype(np.float64).reshape(-1).tolist()
        out.append(d)
    return out


def _same(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], random: bool) -> bool:
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs):
        if ("object" in a) != ("object" in b):
            return False
        if "object" in a:
            continue
        if a["dtype"] != b["dtype"] or a["shape"] != b["shape"]:
            return False
        if not random and "value" in a and "value" in b and not np.allclose(a["value"], b["value"], equal_nan=True):
            return False
    return True


@dataclass
class Outcome:
    """What one case did on graphrnn, and how it was judged."""

    key: str
    verdict: str            # "clean", "accepted" or "failure"
    detail: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        by_class: dict[str, dict[str, int]] = {c: {"tried": 0, "clean": 0, "accepted": 0, "failures": 0}
                                               for c in CLASSES}
        for o in self.outcomes:
            row = by_class[o.key.split(" | ")[1]]
            row["tried"] += 1
            row["clean" if o.verdict == "clean" else "accepted" if o.verdict == "accepted" else "failures"] += 1
        return by_class

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict == "failure"]


def load_tf_outcomes(path: str = FIXTURE) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)["cases"]


def _run_case(slot: str, cls: str, k: int) -> tuple[str, Any]:
    """("error", exc) | ("raw", exc) | ("ok", described results) for one case on graphrnn."""
    import graphrnn as gr
    from graphrnn.ir.graph import Value

    g = gr.Graph()
    with g.as_default():
        try:
            h = hostile_values(gr, cls)[k]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = SLOTS[slot](gr, h)
            flat = list(_flatten(result))
            tensors = [r for r in flat if isinstance(r, Value)]
            values: list[Any] = [None] * len(flat)
            if tensors:
                with gr.Session(graph=g) as sess:
                    got = sess.run(tensors)
                it = iter(got)
                values = [next(it) if isinstance(r, Value) else None for r in flat]
            return "ok", describe(flat, values)
        except gr.GraphError as e:
            return "error", e
        except Exception as e:  # noqa: BLE001 - a raw exception is exactly what is being counted
            return "raw", e


def judge(slot: str, cls: str, k: int, tf_outcomes: dict[str, dict[str, Any]]) -> Outcome:
    key = case_key(slot, cls, k)
    kind, got = _run_case(slot, cls, k)
    if kind == "error":
        return Outcome(key, "clean")
    if kind == "raw":
        return Outcome(key, "failure", f"raw {type(got).__name__}: {str(got).splitlines()[0][:160]}")
    ref = tf_outcomes.get(key)
    if key in KNOWN_DIVERGENCES or cls in NUMBER_SLOTS.get(slot, ()):
        return Outcome(key, "accepted", KNOWN_DIVERGENCES.get(key, "a valid number"))
    if ref is None or ref["kind"] == "n/a":
        return Outcome(key, "failure", f"accepted, and TensorFlow cannot check it: {got}")
    if ref["kind"] != "ok":
        return Outcome(key, "failure", f"accepted what TensorFlow rejects ({ref.get('error', '')[:120]}): {got}")
    if not _same(got, ref["results"], slot.startswith(RANDOM_SLOTS)):
        return Outcome(key, "failure", f"differs from TensorFlow: ours {got}, TF {ref['results']}")
    return Outcome(key, "accepted")


def run_report(tf_outcomes: dict[str, dict[str, Any]] | None = None) -> Report:
    """Runs every case (about a thousand, a few seconds) and judges it."""
    ref = load_tf_outcomes() if tf_outcomes is None else tf_outcomes
    return Report([judge(slot, cls, k, ref) for slot, cls, k in case_ids()])


def run_hostile_inputs() -> dict[str, dict[str, int]]:
    """Per hostile class: ``tried``, ``clean`` (a GraphError), ``accepted`` (a result equal to
    TensorFlow's) and ``failures`` (anything else). ``clean + accepted == tried`` is the goal."""
    return run_report().counts()
