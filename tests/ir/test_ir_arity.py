"""Arity and attrs are enforced from the OpDef, by one check shared by the builder, loader, verifier.

The bug this guards: a hand-built Tanh with two inputs used to verify, and at run time NumPy wrote
the result into the second input (the user's fed array).
"""

import json

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.ir import builder
from graphrnn.ir.op_attrs import OP_ATTRS, kind_matches
from graphrnn.ir.registry import all_opdefs, expected_inputs, get_opdef, signature_problem
from graphrnn.ir.serialize import from_json, to_json
from graphrnn.ir.verify import verify


def _two_placeholders():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [2], name="x")
        y = gr.placeholder(gr.float32, [2], name="y")
    return g, x, y


def test_builder_refuses_tanh_with_two_inputs():
    g, x, y = _two_placeholders()
    with g.as_default():
        with pytest.raises(gr.VerifyError) as info:
            builder.add_op("Tanh", [x, y], name="bad")
        with pytest.raises(gr.VerifyError, match="Tanh takes 1 input, the node has 2"):
            builder.add_node("Tanh", [x, y])
    err = info.value
    assert err.op == "Tanh" and err.node == "bad"
    assert "Tanh takes 1 input, the node has 2" in str(err)
    assert __file__ in str(err)  # the user's line that built it
    assert [n.name for n in g.nodes] == ["x", "y"]  # nothing was added


def test_builder_refuses_missing_and_mistyped_attrs():
    g, x, _ = _two_placeholders()
    with g.as_default():
        with pytest.raises(gr.VerifyError, match="Transpose needs attr 'perm'"):
            builder.add_op("Transpose", [x], {})
        with pytest.raises(gr.VerifyError, match="MatMul attr 'transpose_a' must be bool, got a int"):
            builder.add_op("MatMul", [x, x], {"transpose_a": 1, "transpose_b": False})


def test_loader_refuses_a_file_declaring_tanh_with_two_inputs():
    g, x, y = _two_placeholders()
    with g.as_default():
        gr.tanh(x, name="t")
    d = json.loads(to_json(g))
    d["graph"]["nodes"][2]["inputs"].append(["n", 1, 0])
    with pytest.raises(gr.SerializationError) as info:
        from_json(json.dumps(d))
    assert info.value.node == "t" and info.value.op == "Tanh"
    assert "Tanh takes 1 input, the node has 2" in str(info.value)


def test_verifier_refuses_a_graph_mutated_after_build():
    g, x, y = _two_placeholders()
    with g.as_default():
        t = gr.tanh(x, name="t")
    t.op.inputs = (x, y)
    with pytest.raises(gr.VerifyError) as info:
        verify(g)
    assert info.value.node == "t" and "Tanh takes 1 input, the node has 2" in str(info.value)
    t.op.inputs = (x,)
    verify(g)
    g2, _, _ = _two_placeholders()
    with g2.as_default():
        m = gr.matmul(gr.ones([2, 2]), gr.ones([2, 2]), name="m")
    del m.op.attrs["transpose_b"]
    with pytest.raises(gr.VerifyError, match="MatMul needs attr 'transpose_b'"):
        verify(g2)


def test_while_operand_groups_follow_its_attrs():
    g = gr.Graph()
    with g.as_default():
        k = gr.constant(2.0)
        out = gr.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, h * k), [gr.constant(0), gr.constant(1.0)])
    loop = out[0].op
    opdef = get_opdef("While")
    assert expected_inputs(opdef, loop.attrs) == 3  # two carries and the captured k
    assert signature_problem(opdef, 3, loop.attrs) is None
    assert signature_problem(opdef, 2, loop.attrs) == "While takes 3 inputs, the node has 2"
    loop.inputs = loop.inputs[:2]
    with pytest.raises(gr.VerifyError, match="While takes 3 inputs"):
        verify(g)


def test_every_registered_op_declares_its_attrs():
    missing = sorted(name for name, op in all_opdefs().items() if op.attrs is None)
    assert not missing, f"add these ops to graphrnn/ir/op_attrs.py OP_ATTRS: {missing}"


def test_attr_table_matches_what_the_builders_write():
    """Every node of a graph using many ops has exactly attrs its table entry allows."""
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3, 2], name="x")
        outs, _ = gr.nn.dynamic_rnn(gr.nn.rnn_cell.LSTMCell(3), x, dtype=gr.float32)
        loss = gr.reduce_mean(gr.square(outs)) + gr.reduce_sum(gr.nn.softmax(outs[:, -1]))
        gr.train.AdamOptimizer(0.1).minimize(loss)
    for n in g.walk():
        spec = OP_ATTRS[n.op]
        assert set(n.attrs) <= set(spec), (n.op, sorted(set(n.attrs) - set(spec)))
        for key, value in n.attrs.items():
            assert kind_matches(spec[key], value), (n.op, key, value)
    verify(from_json(to_json(g)))


def test_session_never_runs_a_two_input_tanh():
    g, x, y = _two_placeholders()
    with g.as_default():
        t = gr.tanh(x, name="t")
    t.op.inputs = (x, y)
    fed = np.ones(2, np.float32)
    with pytest.raises(gr.GraphError):
        with gr.Session(graph=g) as s:
            s.run(t, {x: fed, y: fed})
    np.testing.assert_array_equal(fed, np.ones(2, np.float32))


def test_replay_is_checked_as_the_op_it_stands_for():
    from graphrnn.testing.graph_fuzz import gradient_graph
    g = gradient_graph()
    replay = next(n for n in g.walk() if n.op == "Replay")
    opdef, k = get_opdef("Replay"), len(replay.inputs)
    assert signature_problem(opdef, k, replay.attrs) is None
    orig = replay.attrs["orig_op"]
    assert signature_problem(opdef, k + 1, replay.attrs).startswith(f"Replay of {orig}: {orig} takes")
    assert "unknown op 'os.system'" in signature_problem(opdef, k, {**replay.attrs, "orig_op": "os.system"})
    assert "saves n_out=99" in signature_problem(opdef, k, {**replay.attrs, "n_out": 99})
    assert "(name, value) pairs" in signature_problem(opdef, k, {**replay.attrs, "orig_attrs": ((1, 2),)})
