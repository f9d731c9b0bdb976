"""The TF1 names of tf.summary, tf.logging, tf.gfile, tf.flags and tf.app exist on `import graphrnn as tf`."""

import pytest

import graphrnn as tf

NAMES = {
    "summary": "scalar histogram image audio text merge merge_all FileWriter FileWriterCache Summary Event SessionLog "
               "TaggedRunMetadata SummaryDescription",
    "logging": "DEBUG INFO WARN ERROR FATAL set_verbosity get_verbosity log debug info warn warning error fatal "
               "log_every_n log_first_n log_if vlog flush TaskLevelStatusMessage",
    "gfile": "GFile Open FastGFile Exists MakeDirs MkDir Glob IsDirectory ListDirectory Remove Rename Copy "
             "DeleteRecursively Stat Walk",
    "flags": "DEFINE_string DEFINE_integer DEFINE_float DEFINE_boolean DEFINE_bool DEFINE_list DEFINE_enum "
             "DEFINE_multi_string FLAGS FlagValues mark_flag_as_required",
    "app": "run flags",
}


@pytest.mark.parametrize("module,name", [(m, n) for m, names in NAMES.items() for n in names.split()])
def test_name_exists(module, name):
    if module in ("flags", "app"):
        pytest.importorskip("absl")
    assert hasattr(getattr(tf, module), name), f"tf.{module}.{name} is missing"


def test_top_level_names():
    assert tf.string.name == "string" and tf.as_dtype("string") is tf.string
    assert callable(tf.get_logger)
    for proto in ("Summary", "Event", "SessionLog", "HistogramProto", "GraphDef"):
        assert hasattr(tf, proto)
