"""gr.device records TF1's device strings on nodes (checked against TF's own results) and changes
nothing else."""

from __future__ import annotations

import contextlib
import json
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.ir.device import DeviceSpecError, canonical_name

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "data", "device", "device_cases.json")) as _f:
    CASES = json.load(_f)["cases"]  # written by tests/data/device/make_device.py with TensorFlow

# The device functions the generator used, by name.
FUNCTIONS = {
    "const_on_cpu": lambda op: "/cpu:0" if op.type == "Const" else "/gpu:0",
    "spec_ps_gpu1": lambda op: gr.DeviceSpec(job="ps", device_type="GPU", device_index=1),
}


def _scope(item: dict):
    if "none" in item:
        return gr.device(None)
    if "fn" in item:
        return gr.device(FUNCTIONS[item["fn"]])
    if "spec" in item:
        return gr.device(gr.DeviceSpec(**item["spec"]))
    return gr.device(item["s"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['stack']}-{c['op']}")
def test_device_strings_match_tf1(case: dict) -> None:
    g = gr.Graph()
    with g.as_default(), contextlib.ExitStack() as stack:
        if case.get("error"):
            with pytest.raises(DeviceSpecError) as err:
                for item in case["stack"]:
                    stack.enter_context(_scope(item))
                gr.constant(1.0)
            assert isinstance(err.value, gr.GraphError) and isinstance(err.value, ValueError) and err.value.fix
            return
        for item in case["stack"]:
            stack.enter_context(_scope(item))
        c = gr.constant(1.0)
        t = c if case["op"] == "Const" else c + c
        assert t.op.device == t.device == case["device"]


def test_nodes_outside_any_scope_and_after_it_have_no_device() -> None:
    g = gr.Graph()
    with g.as_default():
        a = gr.constant(1.0)
        with gr.device("/gpu:0"):
            b = a * 2.0
        c = b + 1.0
    assert (a.device, b.device, c.device) == ("", "/device:GPU:0", "")
    assert b.op.device == "/device:GPU:0" and b.op.inputs[1].device == "/device:GPU:0"  # the Const made inside


def test_graph_device_and_loop_bodies() -> None:
    g = gr.Graph()
    with g.as_default(), g.device("/cpu:0"):
        x = gr.placeholder(gr.float32, [2], name="x")
        _, h = gr.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, h * 2.0), [0, x])
    loop = h.op
    assert loop.device == "/device:CPU:0"
    assert {n.device for n in loop.attrs["body"].nodes} == {"/device:CPU:0"}  # as TF1 places body ops


def test_device_changes_nothing_else() -> None:
    def build(place: bool):
        g = gr.Graph()
        with g.as_default():
            ctx = gr.device("/job:worker/task:1/device:GPU:3") if place else contextlib.nullcontext()
            with ctx:
                x = gr.placeholder(gr.float32, [None, 3], name="x")
                w = gr.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
                y = gr.reduce_sum(gr.tanh(gr.matmul(x, w)))
                (dw,) = gr.gradients(y, [w])
                init = gr.global_variables_initializer()
        return g, x, y, dw, init

    feed = np.ones((4, 3), np.float32)
    results = []
    for place in (False, True):
        g, x, y, dw, init = build(place)
        with gr.Session(graph=g) as sess:
            sess.run(init)
            results.append(sess.run([y, dw], {x: feed}))
        assert [n.name for n in g.get_operations()] == [n.name for n in build(not place)[0].get_operations()]
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("bad", [123, 1.5, ["/cpu:0"]])
def test_bad_device_arguments(bad) -> None:
    with gr.Graph().as_default(), pytest.raises(DeviceSpecError) as err:
        with gr.device(bad):
            pass
    assert "gr.device expects" in str(err.value)


def test_a_device_function_must_return_a_device() -> None:
    with gr.Graph().as_default(), gr.device(lambda op: None):
        with pytest.raises(DeviceSpecError) as err:
            gr.constant(1.0)
    assert "returned None" in str(err.value) and "Const" in str(err.value)


_parts = st.fixed_dictionaries({}, optional={
    "job": st.sampled_from(["ps", "worker"]), "replica": st.integers(0, 3), "task": st.integers(0, 3),
    "device_type": st.sampled_from(["CPU", "GPU"]), "device_index": st.integers(0, 7)})


@given(_parts, _parts)
def test_canonical_strings_round_trip_and_merge_field_by_field(outer: dict, inner: dict) -> None:
    a, b = gr.DeviceSpec(**outer), gr.DeviceSpec(**inner)
    assert gr.DeviceSpec.from_string(a.to_string()) == a
    assert canonical_name(a.to_string()) == a.to_string()
    g = gr.Graph()
    with g.as_default(), gr.device(a), gr.device(b):
        got = gr.DeviceSpec.from_string(gr.constant(0.0).device)
    # A device index without a device type is not part of the string, so it does not carry over.
    outer, inner = ({k: v for k, v in d.items() if k != "device_index" or "device_type" in d} for d in (outer, inner))
    for field in ("job", "replica", "task", "device_type", "device_index"):
        assert getattr(got, field) == inner.get(field, outer.get(field))
