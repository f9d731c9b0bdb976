"""TF1's graph collections: GraphKeys, add/get/get_ref, scope filters, standard keys filled."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as gr


def test_standard_keys_are_tf1_strings() -> None:
    k = gr.GraphKeys
    assert (k.GLOBAL_VARIABLES, k.TRAINABLE_VARIABLES, k.UPDATE_OPS, k.LOSSES, k.SUMMARIES, k.GLOBAL_STEP,
            k.TRAIN_OP) == ("variables", "trainable_variables", "update_ops", "losses", "summaries",
                            "global_step", "train_op")


def test_variables_fill_global_and_trainable_collections() -> None:
    with gr.Graph().as_default():
        with gr.variable_scope("model"):
            w = gr.get_variable("w", [2])
            c = gr.get_variable("c", [2], trainable=False)
        other = gr.Variable(np.ones(1), name="other")
        assert gr.get_collection(gr.GraphKeys.GLOBAL_VARIABLES) == [w, c, other]
        assert gr.get_collection(gr.GraphKeys.TRAINABLE_VARIABLES) == [w, other]
        assert gr.get_collection(gr.GraphKeys.GLOBAL_VARIABLES, scope="model") == [w, c]
        assert gr.get_collection(gr.GraphKeys.GLOBAL_VARIABLES, scope="oth") == [other]
        assert gr.get_collection(gr.GraphKeys.GLOBAL_VARIABLES, scope="del") == []  # matched at the start


def test_copy_versus_ref_and_add_to_collections() -> None:
    g = gr.Graph()
    with g.as_default():
        x = gr.constant(1.0, name="x")
        gr.add_to_collection(gr.GraphKeys.LOSSES, x)
        got = gr.get_collection(gr.GraphKeys.LOSSES)
        got.append("junk")
        assert gr.get_collection(gr.GraphKeys.LOSSES) == [x]
        ref = gr.get_collection_ref("mine")
        ref.append(3)
        assert gr.get_collection("mine") == [3]
        gr.add_to_collections(["a", "b", "a"], x)
        assert gr.get_collection("a") == [x] and gr.get_collection("b") == [x]
        gr.add_to_collections("c", 5)
        assert gr.get_collection("c") == [5]
        assert gr.get_collection("c", scope="x") == []  # no name: left out when filtering
        assert gr.get_collection("nothing") == []
        assert {"losses", "mine", "a", "b", "c"} <= set(g.get_all_collection_keys())
        g.clear_collection("mine")
        assert gr.get_collection("mine") == []


def test_bad_names_and_scopes_are_graph_errors() -> None:
    with gr.Graph().as_default():
        with pytest.raises(gr.GraphError, match="string"):
            gr.add_to_collection(3, 1)
        with pytest.raises(gr.GraphError, match="regular expression"):
            gr.get_collection(gr.GraphKeys.GLOBAL_VARIABLES, scope="(")


@given(names=st.lists(st.sampled_from(["a", "b", "c"]), max_size=6), values=st.lists(st.integers(), max_size=6))
@settings(max_examples=30, deadline=None)
def test_collection_is_the_ordered_list_of_additions(names: list[str], values: list[int]) -> None:
    with gr.Graph().as_default():
        want: dict[str, list[int]] = {}
        for n, v in zip(names, values):
            gr.add_to_collection(n, v)
            want.setdefault(n, []).append(v)
        for n in "abc":
            assert gr.get_collection(n) == want.get(n, [])


def test_junk_in_the_variables_collection_is_a_graph_error() -> None:
    with gr.Graph().as_default():
        gr.Variable(np.ones(1), name="v")
        gr.add_to_collection(gr.GraphKeys.GLOBAL_VARIABLES, "junk")
        with pytest.raises(gr.GraphError, match="'junk': it is not a variable"):
            gr.global_variables_initializer()
        gr.add_to_collection(gr.GraphKeys.TRAINABLE_VARIABLES, 3)
        with pytest.raises(gr.GraphError, match="var_list must hold variables"):
            gr.train.GradientDescentOptimizer(0.1).minimize(gr.constant(1.0))
