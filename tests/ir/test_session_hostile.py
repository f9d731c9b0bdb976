"""Bad calls on a Session raise clean GraphError subclasses that say what to do."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.session import SessionError


@pytest.fixture()
def graph():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        y = gr.identity(x * 2.0, name="y")
        v = gr.Variable(np.zeros(2, np.float32), name="v")
    return g, x, y, v


def _check(err: pytest.ExceptionInfo, *words: str) -> None:
    assert isinstance(err.value, gr.GraphError)
    assert err.value.fix, "every error says how to fix it"
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize("bad", [[1.0, 2.0], "x", 3, ((1, 2),)])
def test_feed_dict_must_be_a_mapping(graph, bad) -> None:
    g, x, y, _ = graph
    with gr.Session(graph=g) as sess, pytest.raises(gr.FeedError) as err:
        sess.run(y, bad)
    _check(err, "feed_dict must be a mapping")


@pytest.mark.parametrize("name,words", [
    ("y:7", ["'y' exists but has only 1 output"]),
    ("x:abc", ["not a valid one"]),
    (":0", ["not a valid one"]),
    ("y:-1", ["not a valid one"]),
    ("nothing:0", ["nothing"]),
    ("nothing", ["nothing"]),
])
def test_bad_fetch_names(graph, name, words) -> None:
    g, x, y, _ = graph
    with gr.Session(graph=g) as sess:
        with pytest.raises(gr.FetchError) as err:
            sess.run(name, {x: [1.0, 2.0]})
        _check(err, *words)
        with pytest.raises(gr.FetchError):  # the same names as feed keys
            sess.run(y, {name: [1.0, 2.0]})
    assert gr.Session(graph=g).run("y:0", {"x:0": [1.0, 2.0]}).tolist() == [2.0, 4.0]


@pytest.mark.parametrize("fetches", [None, [None], {"a": None}])
def test_none_is_not_a_fetch(graph, fetches) -> None:
    g, x, y, _ = graph
    with gr.Session(graph=g) as sess, pytest.raises(gr.FetchError) as err:
        sess.run(fetches)
    _check(err, "None")


def test_an_operation_is_not_a_feed_key(graph) -> None:
    g, x, y, _ = graph
    with gr.Session(graph=g) as sess, pytest.raises(gr.FeedError) as err:
        sess.run(y, {x.op: [1.0, 2.0]})
    _check(err, "x:0")


@pytest.mark.parametrize("kwargs,words", [
    ({"graph": 123}, ["must be a gr.Graph", "int"]),
    ({"graph": "g"}, ["must be a gr.Graph"]),
    ({"target": "grpc://localhost:2222"}, ["cannot connect"]),
    ({"target": 5}, ["target must be a string"]),
    ({"plan_cache_size": 0}, ["plan_cache_size"]),
    ({"plan_cache_size": True}, ["plan_cache_size"]),
])
def test_bad_session_arguments(kwargs, words) -> None:
    with pytest.raises(SessionError) as err:
        gr.Session(**kwargs)
    _check(err, *words)
    if "graph" in kwargs:
        assert isinstance(err.value, TypeError)  # what TF1 raises for Session(graph=123)


def test_a_loop_body_is_not_a_session_graph() -> None:
    g = gr.Graph()
    with g.as_default():
        i, _ = gr.while_loop(lambda i, j: i < 3, lambda i, j: (i + 1, j), [gr.constant(0), gr.constant(1)])
    body = i.op.attrs["body"]
    with pytest.raises(SessionError) as err:
        gr.Session(graph=body)
    _check(err, "While/If")
    inner = body.nodes[-1]
    with gr.Session(graph=g) as sess:
        for name in (inner.name, inner.outputs[0].name):  # body nodes are found by name, not fetchable
            with pytest.raises(gr.FetchError) as err:
                sess.run(name)
            _check(err, "While/If body")


def test_everything_on_a_closed_session_raises(graph) -> None:
    g, x, y, v = graph
    sess = gr.Session(graph=g)
    sess.run(v.initializer)
    sess.close()
    calls = [
        lambda: sess.run(y, {x: [1.0, 2.0]}),
        lambda: sess.variables,
        lambda: sess.load_variable(v, [1.0, 2.0]),
        lambda: sess.plan_for(y, [x]),
        lambda: sess.__enter__(),
        lambda: y.eval({x: [1.0, 2.0]}, session=sess),
    ]
    for call in calls:
        with pytest.raises(SessionError) as err:
            call()
        _check(err, "closed")
    assert isinstance(err.value, RuntimeError)  # TF1 raises RuntimeError here
    assert sess.plan_cache_info().size == 0  # closing released the plans


def test_load_variable_wants_a_variable(graph) -> None:
    g, x, y, v = graph
    with gr.Session(graph=g) as sess:
        with pytest.raises(SessionError) as err:
            sess.load_variable(y, [1.0, 2.0])
        _check(err, "expects a variable")
        sess.load_variable(v, [3.0, 4.0])
        assert sess.run(v).tolist() == [3.0, 4.0]
