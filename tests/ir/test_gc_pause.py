"""Graph building pauses the cyclic collector and restores it (`graphrnn.ir.gc_pause`)."""

from __future__ import annotations

import gc

import graphrnn as gr
from graphrnn.ir.gc_pause import gc_paused


def test_gc_paused_restores_the_previous_state_and_nests() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner exit keeps the outer pause
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_builders_pause_the_collector_and_restore_it() -> None:
    seen: list[bool] = []

    class Spy(gr.nn.rnn_cell.BasicRNNCell):
        def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(gc.isenabled())
            return super().__call__(*args, **kwargs)

    g = gr.Graph()
    with g.as_default():
        xs = [gr.placeholder(gr.float32, [None, 3]) for _ in range(3)]
        outs, _ = gr.nn.static_rnn(Spy(4), xs, dtype=gr.float32)
        assert gc.isenabled()
        gr.gradients(gr.reduce_sum(outs[-1]), xs)
        assert gc.isenabled()
    assert seen == [False] * 3


def test_paused_builders_keep_the_users_source_line() -> None:
    """Bug: with contextlib's decorator the builder recorded contextlib.py as the creating line."""
    import inspect
    g = gr.Graph()
    with g.as_default():
        xs = [gr.placeholder(gr.float32, [None, 3]) for _ in range(2)]
        line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
        outs, _ = gr.nn.static_rnn(gr.nn.rnn_cell.BasicRNNCell(4), xs, dtype=gr.float32)
        (g0, _) = gr.gradients(gr.reduce_sum(outs[-1]), xs)
    assert outs[-1].op.source == (__file__, line)
    assert g0.op.source == (__file__, line + 1)
