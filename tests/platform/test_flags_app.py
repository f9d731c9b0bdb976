"""gr.flags and gr.app: absl's flags with TF1's additions; without absl, a clear GraphError."""

import importlib.util
import sys

import pytest

import graphrnn as tf
from graphrnn.platform import flags as gr_flags

absl_flags = pytest.importorskip("absl.flags")


@pytest.fixture
def fresh_flags():
    """Flags defined in a test are removed afterwards (absl's FLAGS is process-wide)."""
    before = set(absl_flags.FLAGS)
    parsed = absl_flags.FLAGS.is_parsed()
    yield tf.flags
    for name in set(absl_flags.FLAGS) - before:
        delattr(absl_flags.FLAGS, name)
    if not parsed:
        absl_flags.FLAGS.unparse_flags()


def test_define_parse_and_read(fresh_flags):
    F = tf.flags
    F.DEFINE_string("t_name", "rnn", "a string")
    F.DEFINE_integer("t_steps", 10, "an int", lower_bound=1)
    F.DEFINE_float("t_lr", 0.1, "a float")
    F.DEFINE_boolean("t_shuffle", False, "a bool")
    F.DEFINE_bool("t_verbose", True, "TF1's alias")
    F.DEFINE_list("t_layers", ["32", "16"], "a list")
    F.DEFINE_enum("t_cell", "lstm", ["lstm", "gru"], "an enum")
    F.DEFINE_integer(flag_name="t_old", default_value=3, docstring="TF1's old keyword names")
    rest = F.FLAGS(["prog", "--t_steps=5", "--t_lr", "0.5", "--t_shuffle", "--not", "--t_layers=8,4",
                    "--t_cell=gru"], known_only=True)
    assert rest == ["prog", "--not"]
    FL = F.FLAGS
    assert (FL.t_name, FL.t_steps, FL.t_lr, FL.t_shuffle, FL.t_verbose, FL.t_layers, FL.t_cell, FL.t_old) == (
        "rnn", 5, 0.5, True, True, ["8", "4"], "gru", 3)
    FL.t_steps = 7
    assert FL.t_steps == 7 and tf.app.flags.FLAGS.t_steps == 7 and tf.app.flags is tf.flags
    assert "t_name" in FL and FL["t_name"].default == "rnn"


def test_first_read_parses_sys_argv(fresh_flags, monkeypatch):
    tf.flags.DEFINE_integer("t_auto", 1, "parsed implicitly")
    absl_flags.FLAGS.unparse_flags()
    monkeypatch.setattr(sys, "argv", ["prog", "--t_auto=42"])
    assert not tf.flags.FLAGS.is_parsed()  # asking does not parse
    assert tf.flags.FLAGS.t_auto == 42
    assert tf.flags.FLAGS.is_parsed()


def test_flag_errors_are_graph_errors(fresh_flags):
    F = tf.flags
    F.DEFINE_integer("t_n", 1, "n", lower_bound=0)
    with pytest.raises(gr_flags.FlagError, match="cannot define flag 't_n'") as e:
        F.DEFINE_integer("t_n", 2, "again")
    assert isinstance(e.value, tf.GraphError) and isinstance(e.value, absl_flags.Error)
    assert e.value.source is not None and e.value.source.startswith(__file__)
    with pytest.raises(gr_flags.FlagError, match="cannot define flag 't_bad'"):
        F.DEFINE_integer("t_bad", "ten", "not an int")
    with pytest.raises(gr_flags.FlagError, match="cannot parse the command line"):
        F.FLAGS(["prog", "--t_n=-3"])
    with pytest.raises(gr_flags.FlagError, match="cannot parse the command line"):
        F.FLAGS(["prog", "--t_unknown=1"])
    with pytest.raises(gr_flags.FlagError, match="non-empty list of strings"):
        F.FLAGS("prog --t_n=3")
    F.FLAGS(["prog"])
    with pytest.raises(gr_flags.FlagError, match="cannot set flag"):
        F.FLAGS.t_n = "x"
    with pytest.raises(gr_flags.UnknownFlagError, match="no flag named 't_never'"):
        F.FLAGS.t_never  # noqa: B018
    assert not hasattr(F.FLAGS, "t_never")


def test_app_run_parses_and_calls_main(fresh_flags):
    tf.flags.DEFINE_integer("t_epochs", 1, "epochs")
    seen = []

    def main(argv):
        seen.append((list(argv), tf.flags.FLAGS.t_epochs))
        return 0

    with pytest.raises(SystemExit) as e:
        tf.app.run(main, argv=["prog", "--t_epochs=3", "extra", "--t_unknown_to_us=1"])
    assert e.value.code == 0
    assert seen == [(["prog", "extra", "--t_unknown_to_us=1"], 3)]
    with pytest.raises(SystemExit) as e:
        tf.app.run(lambda argv: 2, argv=["prog"])
    assert e.value.code == 2
    with pytest.raises(tf.GraphError, match="non-empty list of strings"):
        tf.app.run(main, argv="prog --t_epochs=3")
    with pytest.raises(tf.GraphError, match="function taking argv"):
        tf.app.run(main=3)


def _load_without_absl(monkeypatch, module):
    """A fresh copy of graphrnn.platform.<module> imported as if absl-py were not installed."""
    monkeypatch.setitem(sys.modules, "absl", None)
    monkeypatch.setitem(sys.modules, "absl.flags", None)
    monkeypatch.setitem(sys.modules, "absl.app", None)
    real = importlib.util.find_spec(f"graphrnn.platform.{module}")
    spec = importlib.util.spec_from_file_location(f"_no_absl_{module}", real.origin)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_without_absl_flags_and_app_say_which_extra(monkeypatch):
    flags = _load_without_absl(monkeypatch, "flags")
    with pytest.raises(tf.GraphError, match=r"needs absl-py.*\n.*graphrnn\[absl\]"):
        flags.DEFINE_string("x", "", "")
    with pytest.raises(tf.GraphError, match="gr.flags.FLAGS needs absl-py"):
        flags.FLAGS  # noqa: B018
    assert not hasattr(flags, "FLAGS")
    app = _load_without_absl(monkeypatch, "app")
    with pytest.raises(tf.GraphError, match=r"gr.app.run needs absl-py"):
        app.run(lambda argv: 0)
