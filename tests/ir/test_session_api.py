"""TF1 Session methods beyond run: make_callable and list_devices."""

from __future__ import annotations

import numpy as np
import pytest

import graphrnn as gr
from graphrnn.session import SessionError


def _graph():
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None], name="x")
        y = gr.placeholder(gr.float32, [None], name="y")
        s = gr.reduce_sum(x * y, name="s")
    return g, x, y, s


def test_make_callable_runs_with_positional_feeds() -> None:
    g, x, y, s = _graph()
    with gr.Session(graph=g) as sess:
        f = sess.make_callable([s, x], feed_list=[x, "y:0"])
        got_s, got_x = f(np.array([1.0, 2.0], np.float32), [3.0, 4.0])
        assert got_s == 11.0 and got_x.tolist() == [1.0, 2.0]
        with pytest.raises(gr.FeedError, match="takes 2 feed value"):
            f([1.0])
        with pytest.raises(SessionError, match="accept_options=True"):
            f([1.0], [2.0], options=gr.RunOptions())
        g_opts = sess.make_callable(s, [x, y], accept_options=True)
        assert g_opts([1.0], [2.0], options=gr.RunOptions(), run_metadata=gr.RunMetadata()) == 2.0
        assert sess.make_callable("s:0", [x, y])([2.0], [2.0]) == 4.0


def test_make_callable_checks_its_arguments_at_once() -> None:
    g, x, y, s = _graph()
    with gr.Session(graph=g) as sess:
        with pytest.raises(gr.FetchError):
            sess.make_callable("s:3")
        with pytest.raises(gr.FeedError, match="feed_list must hold tensors"):
            sess.make_callable(s, ["x"])
    with pytest.raises(SessionError, match="closed"):
        sess.make_callable(s, [x, y])


def test_list_devices_is_this_processs_cpu() -> None:
    with gr.Session(graph=gr.Graph()) as sess:
        (dev,) = sess.list_devices()
    assert dev.name == "/job:localhost/replica:0/task:0/device:CPU:0" and dev.device_type == "CPU"
