"""TF1 names graphrnn lacks: one list (graphrnn.compat.unsupported) drives the errors and the docs."""

from __future__ import annotations

import os

import pytest

import graphrnn as tf
from graphrnn.compat.unsupported import DOC_PATH, UNSUPPORTED, UnsupportedTF1NameError, render_markdown, resolve_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Names other parts of graphrnn provide or are adding: the list must never claim them.
PROVIDED_ELSEWHERE = ("assign", "assign_add", "assign_sub", "Assert", "assert_equal", "get_collection", "GraphKeys",
                      "train.RMSPropOptimizer", "train.AdagradOptimizer", "train.AdadeltaOptimizer", "ConfigProto",
                      "GPUOptions", "device", "summary", "summary.FileWriter", "flags", "app", "logging", "gfile",
                      "contrib.seq2seq", "contrib.legacy_seq2seq", "contrib.rnn.static_state_saving_rnn",
                      "train.Saver", "train.latest_checkpoint", "nn.dynamic_rnn", "placeholder")


def _resolve(key: str) -> object:
    module, _, name = key.rpartition(".")
    mod = resolve_module(module)
    assert mod is not None, f"{key}: graphrnn has no module for tf.{module}"
    return getattr(mod, name)


@pytest.mark.parametrize("key", sorted(UNSUPPORTED))
def test_each_listed_name_explains_the_alternative(key: str) -> None:
    with pytest.raises(UnsupportedTF1NameError) as e:
        _resolve(key)
    assert isinstance(e.value, tf.GraphError) and isinstance(e.value, AttributeError)
    assert f"tf.{key} is a TF1 name" in str(e.value) and UNSUPPORTED[key] in str(e.value)


def test_listed_names_are_really_missing_and_not_claimed_from_others() -> None:
    for key in UNSUPPORTED:
        module, _, name = key.rpartition(".")
        assert name not in vars(resolve_module(module)), f"tf.{key} exists now: remove it from the list"
    assert not set(PROVIDED_ELSEWHERE) & set(UNSUPPORTED)


def test_tf1_idioms_for_optional_names_keep_working() -> None:
    assert not hasattr(tf, "FIFOQueue") and not hasattr(tf.train, "batch")
    assert getattr(tf.nn, "conv2d", None) is None
    assert getattr(tf.contrib, "crf", "absent") == "absent"
    with pytest.raises(UnsupportedTF1NameError, match="tf.contrib.rnn.GRUBlockCell"):
        tf.contrib.rnn.GRUBlockCell(8)  # noqa: B018
    with pytest.raises(UnsupportedTF1NameError, match="tf.train.MonitoredTrainingSession"):
        tf.train.MonitoredTrainingSession()


def test_names_not_in_tf1_get_a_plain_attribute_error_with_a_suggestion() -> None:
    with pytest.raises(AttributeError, match="did you mean 'placeholder'") as e:
        tf.placehlder  # noqa: B018
    assert not isinstance(e.value, tf.GraphError)
    with pytest.raises(AttributeError, match="did you mean 'dynamic_rnn'"):
        tf.nn.dynmic_rnn  # noqa: B018
    with pytest.raises(AttributeError) as e2:
        tf.__no_such_dunder__  # noqa: B018
    assert "did you mean" not in str(e2.value)


def test_the_docs_table_is_generated_from_the_list() -> None:
    with open(os.path.join(ROOT, DOC_PATH), encoding="utf-8") as f:
        on_disk = f.read()
    assert on_disk == render_markdown(), "regenerate it: python docs/make_tf1_unsupported.py"
    for key in UNSUPPORTED:
        assert f"| `tf.{key}` |" in on_disk


def test_common_tf1_conveniences_explain_themselves_and_compat_v1_is_graphrnn():
    import graphrnn as tf
    for name in ("norm", "is_nan", "Print", "math", "initializers", "count_nonzero", "broadcast_to"):
        with pytest.raises(UnsupportedTF1NameError):
            getattr(tf, name)
    assert tf.compat.v1 is tf and tf.compat.v1.placeholder is tf.placeholder
