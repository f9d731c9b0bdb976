"""gr.logging: TF1's levels and functions on the "graphrnn" logger."""

import logging

import pytest

import graphrnn as tf


@pytest.fixture
def captured(caplog):
    old = tf.logging.get_verbosity()
    tf.logging.set_verbosity(tf.logging.DEBUG)
    with caplog.at_level(logging.DEBUG, logger="graphrnn"):
        yield caplog
    tf.logging.set_verbosity(old)


def test_levels_are_tf1s():
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR, tf.logging.FATAL) == (
        10, 20, 30, 40, 50)
    assert tf.logging.warn is tf.logging.warning
    assert tf.get_logger() is logging.getLogger("graphrnn")


def test_functions_log_at_their_level(captured):
    tf.logging.debug("d %d", 1)
    tf.logging.info("i %s", "x")
    tf.logging.warn("w")
    tf.logging.error("e")
    tf.logging.fatal("f")  # logs, does not exit (TF1)
    tf.logging.log(tf.logging.INFO, "l")
    tf.logging.vlog(15, "v")
    tf.logging.log_if(tf.logging.INFO, "yes", True)
    tf.logging.log_if(tf.logging.INFO, "no", False)
    got = [(r.levelno, r.getMessage()) for r in captured.records]
    assert got == [(10, "d 1"), (20, "i x"), (30, "w"), (40, "e"), (50, "f"), (20, "l"), (15, "v"), (20, "yes")]
    assert all(r.pathname == __file__ for r in captured.records)  # the caller's line, not graphrnn's


def test_set_verbosity_filters(captured):
    tf.logging.set_verbosity(tf.logging.ERROR)
    tf.logging.info("hidden")
    tf.logging.error("shown")
    assert [r.getMessage() for r in captured.records] == ["shown"]
    assert tf.logging.get_verbosity() == tf.logging.ERROR
    with pytest.raises(tf.GraphError, match="logging level"):
        tf.logging.set_verbosity("INFO")


def test_log_every_n_and_first_n_count_per_line(captured):
    for i in range(7):
        tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)
    for i in range(5):
        tf.logging.log_first_n(tf.logging.INFO, "first %d", 2, i)
    assert [r.getMessage() for r in captured.records] == ["every 0", "every 3", "every 6", "first 0", "first 1"]
    with pytest.raises(tf.GraphError, match="positive int"):
        tf.logging.log_every_n(tf.logging.INFO, "x", 0)
    tf.logging.flush()
