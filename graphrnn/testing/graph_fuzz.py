"""Byte-level fuzzing of graph files: corrupt a saved graph, load it, classify what happens.

`fuzz_graph_files` is shared by the tests (a few hundred cases) and ``benchmarks/robustness.py``
(thousands). The contract of `graphrnn.ir.serialize.from_json` it checks: whatever the bytes, the
result is either a clean `GraphError` (normally `SerializationError`) or a graph that passes the
verifier. A raw Python exception, or a loaded graph the verifier rejects, is a failure.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import graphrnn as gr
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph
from graphrnn.ir.serialize import from_json, to_json
from graphrnn.ir.verify import verify

# Outcome keys. The failures (RAW, UNVERIFIED) must stay at zero.
CLEAN_ERROR = "clean_error"
LOADED_VERIFIED = "loaded_verified"
RAW = "raw_exception"        # reported as "raw_exception:<type>"
UNVERIFIED = "loaded_unverified"


def lstm_dynamic_rnn_graph() -> Graph:
    """A small LSTM unrolled by ``dynamic_rnn`` (a While loop with TensorArrays), with a loss."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3, 2], name="x")
        cell = gr.nn.rnn_cell.LSTMCell(3)
        outs, _ = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32)
        gr.reduce_sum(outs, name="loss")
    return g


def static_rnn_graph() -> Graph:
    """A small basic RNN unrolled by ``static_rnn`` (straight-line nodes, shared variables)."""
    g = gr.Graph()
    with g.as_default():
        xs = [gr.placeholder(gr.float32, [None, 2], name=f"x{t}") for t in range(3)]
        outs, _ = gr.nn.static_rnn(gr.nn.rnn_cell.BasicRNNCell(3), xs, dtype=gr.float32)
        gr.reduce_sum(outs[-1], name="loss")
    return g


def gradient_graph() -> Graph:
    """The dynamic LSTM with the gradients of its loss (a backward While, stacks, Replays)."""
    g = lstm_dynamic_rnn_graph()
    with g.as_default():
        loss = g.get_tensor_by_name("loss:0")
        gr.gradients(loss, gr.trainable_variables())
    return g


GRAPHS: dict[str, Callable[[], Graph]] = {
    "lstm_dynamic_rnn": lstm_dynamic_rnn_graph,
    "static_rnn": static_rnn_graph,
    "gradients": gradient_graph,
}


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random byte edits: flip a bit, overwrite, insert or delete a byte, or truncate."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(5)
        i = rng.randrange(max(len(b), 1))
        if kind == 0 and b:
            b[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and b:
            b[i] = rng.randrange(256)
        elif kind == 2:
            b.insert(i, rng.randrange(256))
        elif kind == 3 and b:
            del b[i]
        elif kind == 4 and rng.random() < 0.2:  # truncation ends the file: keep it rare
            del b[i:]
    return bytes(b)


# Replacement values for structural mutations: wrong types, edge numbers, look-alike references.
_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2, 7, 2**31, 2**63, 1.5, -0.0, 1e308, "", "x", "float32", "p", "n", "graph",
    [], [0], ["n", 0, 0], ["p", 0], [None], {}, {"int": 1}, {"graph": 0}, {"tuple": []}, {"str": "\x1b[2J"},
    ["float32", None], ["float32", []], ["int32", [2]],
]


def _locations(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a JSON document, found iteratively."""
    out: list[tuple[Any, Any]] = []
    todo = [doc]
    while todo:
        x = todo.pop()
        items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
        for k, v in items:
            out.append((x, k))
            todo.append(v)
    return out


def mutate_structure(data: bytes, rng: random.Random) -> bytes:
    """Valid JSON with one field replaced by a value of another type, deleted, or a list grown."""
    doc = json.loads(data)
    container, key = rng.choice(_locations(doc))
    r = rng.random()
    if r < 0.15 and isinstance(container, dict):
        del container[key]
    elif r < 0.25 and isinstance(container, list):
        container.insert(key, rng.choice(_VALUES))
    else:
        container[key] = rng.choice(_VALUES)
    return json.dumps(doc).encode("utf-8")


def classify(data: bytes) -> str:
    """The outcome of loading ``data``: one of the keys above."""
    try:
        g = from_json(data)
    except GraphError:
        return CLEAN_ERROR
    except Exception as e:  # noqa: BLE001 -- a raw exception is exactly what we count
        return f"{RAW}:{type(e).__name__}"
    try:
        verify(g)
    except GraphError:
        return UNVERIFIED
    return LOADED_VERIFIED


def fuzz_graph_files(cases: int = 1000, seed: int = 0, graphs: dict[str, Callable[[], Graph]] | None = None,
                     structural: bool = False) -> Counter[str]:
    """Loads ``cases`` corrupted copies of saved graphs (round robin over ``graphs``, default
    `GRAPHS`); returns the count of each outcome. Deterministic for a given ``seed``.

    Corruptions are byte edits (`mutate`), or with ``structural`` JSON-level ones that keep the
    file valid JSON (`mutate_structure`: wrong types, missing fields, bad references).
    Keys: ``clean_error`` and ``loaded_verified`` (fine), ``loaded_unverified`` and
    ``raw_exception:<type>`` (failures: must be zero).
    """
    files = [to_json(make()).encode("utf-8") for make in (graphs or GRAPHS).values()]
    corrupt = mutate_structure if structural else mutate
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    for k in range(cases):
        outcomes[classify(corrupt(files[k % len(files)], rng))] += 1
    return outcomes
