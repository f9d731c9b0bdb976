"""Loading is linear in the file size (it was quadratic in the number of variables: each one
searched the whole graph for its initializer; 8,000 variables took 11 s)."""

import time

import graphrnn as gr
from graphrnn.ir.serialize import from_json, to_json


def _variables_json(n: int) -> str:
    g = gr.Graph()
    with g.as_default():
        for i in range(n):
            gr.get_variable(f"v{i}", [2], initializer=gr.zeros_initializer())
    return to_json(g)


def _best_load_time(text: str, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        g = from_json(text)
        best = min(best, time.perf_counter() - t0)
    assert len(gr.global_variables(g)) > 0
    return best


def test_load_time_is_linear_in_the_number_of_variables():
    small, large = _variables_json(400), _variables_json(1600)
    assert 3.5 < len(large) / len(small) < 4.5
    ratio = _best_load_time(large) / _best_load_time(small)
    # Linear gives ~4x; the quadratic loader gave ~16x. 8x leaves room for a noisy machine.
    assert ratio < 8, f"4x the variables took {ratio:.1f}x the time"


def test_loaded_variables_keep_their_initializers():
    g = from_json(_variables_json(3))
    vs = gr.global_variables(g)
    assert [v.op.name for v in vs] == ["v0", "v1", "v2"]
    assert [v.initializer.name for v in vs] == ["v0/Initializer", "v1/Initializer", "v2/Initializer"]
