"""Loops nested 500 deep build, verify, print, save and load with no RecursionError.

Building recurses through the user's own Python (each body calls the next while_loop), so the
limit is raised around building only. Everything graphrnn does afterwards runs under a limit just
above the current stack depth: no walk may recurse once per nesting level.
"""

import sys

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.ir.serialize import from_json, load, save, to_json
from graphrnn.ir.verify import verify
from graphrnn.testing.recursion import recursion_limit

DEPTH = 500


def _stack_depth() -> int:
    f, n = sys._getframe(), 0
    while f is not None:
        f, n = f.f_back, n + 1
    return n


def _nested_loops(depth: int) -> tuple[gr.Graph, gr.Tensor]:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        w = gr.constant(1.5, name="w")  # captured through every level

        def make(level, h):
            if level == 0:
                return h * w

            def body(i, h):
                return i + 1, make(level - 1, h)

            return gr.while_loop(lambda i, h: i < 1, body, [gr.constant(0), h])[1]

        with recursion_limit(max(sys.getrecursionlimit(), 40 * depth)):  # the user's recursion
            y = make(depth, x)
    return g, y


def test_500_deep_nested_loops_verify_print_save_load_without_recursion(tmp_path):
    g, _ = _nested_loops(DEPTH)
    assert sum(1 for n in g.walk() if n.op == "While") == DEPTH
    path = str(tmp_path / "deep.json")
    # ~150 frames of headroom: far below one frame per nesting level.
    with recursion_limit(_stack_depth() + 150):
        verify(g)
        text = str(g)
        save(g, path)
        g2 = load(path)
        verify(g2)
        text2 = str(g2)
        js = to_json(g2)
    assert text2 == text
    assert text.count("While") == DEPTH
    with open(path, encoding="utf-8") as f:
        assert js == f.read()


def test_a_loaded_nest_of_loops_runs():
    g, y = _nested_loops(20)
    with gr.Session(graph=from_json(to_json(g))) as sess:
        np.testing.assert_allclose(sess.run(y.name, {"x:0": [1.0, 2.0]}), [1.5, 3.0])


def test_subgraphs_nested_beyond_the_limit_are_a_clean_error(monkeypatch):
    from graphrnn.ir import serialize
    g, _ = _nested_loops(3)
    doc = to_json(g)
    monkeypatch.setattr(serialize, "MAX_GRAPH_DEPTH", 3)  # the root and 3 loop bodies: 4 levels
    with pytest.raises(gr.SerializationError, match="subgraphs nest deeper than 3 levels"):
        from_json(doc)
    monkeypatch.setattr(serialize, "MAX_GRAPH_DEPTH", 4)
    verify(from_json(doc))
