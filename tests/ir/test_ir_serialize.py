"""JSON save/load: round trips exactly, and rejects malformed or hostile files with SerializationError."""

import json

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.ir.serialize import from_json, load, save, to_json


def _loop_graph():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3], name="x")
        w = gr.get_variable("w", [3, 3], initializer=gr.random_normal_initializer(seed=3))
        n = gr.placeholder(gr.int32, [], name="n")

        def body(i, h):
            return i + 1, gr.tanh(gr.matmul(h, w))

        _, h = gr.while_loop(lambda i, h: i < n, body, [gr.constant(0), x])
        p = gr.cond(n > 2, lambda: h * 2.0, lambda: h)
    return g, p


def test_round_trip_text_and_numbers(tmp_path):
    g, p = _loop_graph()
    path = tmp_path / "g.json"
    save(g, str(path))
    g2 = load(str(path))
    assert str(g2) == str(g)
    assert to_json(g2) == to_json(g)
    feeds = {"x:0": np.ones((2, 3), np.float32), "n:0": 3}
    outs = []
    for graph in (g, g2):
        with gr.Session(graph=graph) as s:
            s.run(gr.global_variables_initializer() if graph is g else
                  graph.get_operation_by_name("w/Initializer"))
            outs.append(s.run(p.name, feeds))
    np.testing.assert_array_equal(outs[0], outs[1])
    assert [v.op.name for v in gr.global_variables(g2)] == ["w"]


def _doc():
    g, _ = _loop_graph()
    return json.loads(to_json(g))


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.update(format="pickle"), "not a graphrnn graph"),
    (lambda d: d.update(version=99), "unsupported graph file version"),
    (lambda d: d["graph"]["nodes"][0].update(op="os.system"), "unknown op 'os.system'"),
    (lambda d: d["graph"]["nodes"][-1]["inputs"].__setitem__(0, ["n", 99, 0]), "undefined node"),
    (lambda d: d["graph"]["nodes"][0]["outputs"].__setitem__(0, ["float32", [7]]), "stores types"),
    (lambda d: d["graph"]["nodes"][0]["attrs"].update(type={"eval": "1+1"}), "unknown attr tag"),
    (lambda d: d["graph"].update(nodes="x"), "'nodes' is not a list"),
])
def test_malformed_files_are_rejected(mutate, match):
    d = _doc()
    mutate(d)
    with pytest.raises(gr.SerializationError, match=match):
        from_json(json.dumps(d))


def test_huge_array_claims_are_rejected():
    d = _doc()
    const = next(n for n in d["graph"]["nodes"] if n["op"] == "Const")
    const["attrs"]["value"] = {"array": {"dtype": "float32", "shape": [10**6, 10**6], "data": []}}
    with pytest.raises(gr.SerializationError, match="too large"):
        from_json(json.dumps(d))


def test_not_json_and_deep_nesting():
    with pytest.raises(gr.SerializationError, match="not valid JSON"):
        from_json("{")
    deep = '{"format": "graphrnn.graph", "version": 1, "graph": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(gr.SerializationError):
        from_json(deep)
