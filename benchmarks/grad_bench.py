"""Autodiff benchmarks: backward cost, training memory as T grows, gradient-graph build time.

    python benchmarks/grad_bench.py [--quick]

1. Forward+backward vs forward time of the MNIST-shaped LSTM (batch 128, T=28, 28 inputs, 128 units;
   loss = mean(h_T^2); backward = the gradients w.r.t. every weight, as a training step needs, and
   with the gradient w.r.t. x too), static and dynamic (goal <= 3x); timed alternately, ratio of
   medians per round; and the seeds' MNIST classifier's whole Adam training step against its forward.
   With the Session's memory policy, then with glibc's defaults (a subprocess).
2. Peak memory (tracemalloc) of one Adam training step of a dynamic LSTM as T grows, and the
   slope in bytes per time step next to what the loop tape stores per step (carries, activations).
3. Build time of the static LSTM's gradient graph (`gr.gradients` on the unrolled graph) at T=28
   and T=1000, next to TF1 on this machine (about 150 ms and 6 s).
Prints medians; asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import graphrnn as gr
from graphrnn.backends.numpy.memory import ENV_VAR, apply_memory_policy
from graphrnn.models import build_rnn_model


def _interleaved_ms(f: Callable[[], object], g: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median ms of ``f`` and of ``g`` run alternately (machine drift hits both alike) and the median
    of the per-round ratios g/f."""
    f()
    g()  # compile the plans, warm caches
    tf, tg = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        t1 = time.perf_counter()
        g()
        t2 = time.perf_counter()
        tf.append(t1 - t0)
        tg.append(t2 - t1)
    ratio = statistics.median(b / a for a, b in zip(tf, tg))
    return statistics.median(tf) * 1000, statistics.median(tg) * 1000, ratio


def backward_cost(repeat: int) -> None:
    print("1. forward+backward vs forward (LSTMCell, batch 128, T=28, input 28, 128 units, float32,")
    print("   loss = mean(h_T^2)); 'weights': the gradients a training step needs (all trainable variables),")
    print("   'weights+x': also the gradient w.r.t. the input sequence. Goal: ratio <= 3")
    print(f"   {'mode':8} {'optimize':9} {'gradients':10} {'forward ms':>11} {'fwd+bwd ms':>11} {'ratio':>6}")
    x = np.random.RandomState(0).rand(128, 28, 28).astype(np.float32)
    for mode in ("static", "dynamic"):
        for wrt in ("weights", "weights+x"):
            m = build_rnn_model("lstm", mode, steps=28, units=128, input_size=28, with_loss=True)
            with m.graph.as_default():
                variables = gr.trainable_variables()
                grads = gr.gradients(m.loss, variables if wrt == "weights" else [m.x, *variables])
            for optimize in (False, True):
                with gr.Session(graph=m.graph, optimize=optimize) as sess:
                    sess.run(gr.global_variables_initializer())
                    fwd, both, ratio = _interleaved_ms(
                        lambda: sess.run(m.loss, {m.x: x}),  # noqa: B023
                        lambda: sess.run([m.loss, *grads], {m.x: x}), repeat)  # noqa: B023
                print(f"   {mode:8} {str(optimize):9} {wrt:10} {fwd:11.1f} {both:11.1f} {ratio:6.2f}")


def training_step_cost(repeat: int) -> None:
    print("   the seeds' MNIST classifier (BasicLSTMCell 128 + dense + softmax cross-entropy, batch 128,"
          " T=28):")
    print("   forward (loss) vs a whole Adam training step (forward, backward, update)")
    from graphrnn.apps.train import build_model
    rs = np.random.RandomState(0)
    x = rs.rand(128, 28, 28).astype(np.float32)
    y = rs.randint(0, 10, 128).astype(np.int32)
    for mode in ("static", "dynamic"):
        m = build_model(mode, 28, 28, 128, 10, 1e-3, 0)
        with gr.Session(graph=m.graph) as sess:
            sess.run(gr.global_variables_initializer())
            feed = {m.x: x, m.labels: y}
            fwd, step, ratio = _interleaved_ms(lambda: sess.run(m.loss, feed),  # noqa: B023
                                               lambda: sess.run([m.loss, m.train_op], feed), repeat)  # noqa: B023
        print(f"   {mode:8} {'True':9} {'Adam step':10} {fwd:11.1f} {step:11.1f} {ratio:6.2f}")


def training_memory(steps_list: list[int]) -> None:
    print("2. peak memory of one Adam step, dynamic LSTMCell (batch 32, input 28, 64 units, float32)")
    B, H = 32, 64
    peaks = []
    for T in steps_list:
        g = gr.Graph()
        with g.as_default():
            x = gr.placeholder(gr.float32, [None, None, 28], name="x")
            _, state = gr.nn.dynamic_rnn(gr.nn.rnn_cell.LSTMCell(H), x, dtype=gr.float32)
            loss = gr.reduce_mean(gr.square(state.h))
            train_op = gr.train.AdamOptimizer(0.01).minimize(loss)
        xv = np.random.RandomState(0).rand(B, T, 28).astype(np.float32)
        with gr.Session(graph=g) as sess:
            sess.run(gr.global_variables_initializer())
            sess.run(train_op, {x: xv})
            tracemalloc.start()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            sess.run(train_op, {x: xv})
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
        peaks.append(peak)
        print(f"   T={T:5d}  peak {peak / 1e6:8.2f} MB  ({peak / T / 1e3:7.1f} kB per step)")
    slope = np.polyfit(np.asarray(steps_list, float), np.asarray(peaks, float), 1)[0]
    state, acts = 2 * B * H * 4, 5 * B * H * 4
    print(f"   slope {slope / 1e3:.1f} kB per time step; the loop tape saves per step the state (c, h) "
          f"{state / 1e3:.1f} kB + the five [B, H] activations (3 sigmoid gates, tanh(j), tanh(c)) "
          f"{acts / 1e3:.1f} kB = {(state + acts) / 1e3:.1f} kB")


def build_time(steps_list: list[int]) -> None:
    print("3. gradient-graph build time, static LSTMCell (128 units, input 28), gr.gradients w.r.t. x and weights")
    tf1 = {28: "~150 ms", 1000: "~6 s"}
    for T in steps_list:
        m = build_rnn_model("lstm", "static", steps=T, units=128, input_size=28, with_loss=True)
        fwd_nodes = m.graph.node_count()
        with m.graph.as_default():
            t0 = time.perf_counter()
            gr.gradients(m.loss, [m.x, *gr.trainable_variables()])
            dt = time.perf_counter() - t0
        print(f"   T={T:5d}  forward {fwd_nodes:6d} nodes, +{m.graph.node_count() - fwd_nodes:6d} gradient nodes "
              f"in {dt * 1000:8.1f} ms   (TF1: {tf1.get(T, 'n/a')})")
    m = build_rnn_model("lstm", "dynamic", steps=1000, units=128, input_size=28, with_loss=True)
    with m.graph.as_default():
        t0 = time.perf_counter()
        gr.gradients(m.loss, [m.x, *gr.trainable_variables()])
        dt = time.perf_counter() - t0
    print(f"   dynamic (any T): {m.graph.node_count()} nodes with gradients, built in {dt * 1000:.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    p.add_argument("--only-backward", action="store_true", help="only part 1 (the backward cost)")
    p.add_argument("--blas-threads", type=int, default=1,
                   help="BLAS threads (threadpoolctl; 0: the library default). Default 1: on a shared 2-core "
                        "machine a spinning second BLAS thread makes timings meaningless")
    a = p.parse_args()
    limit = contextlib.nullcontext()
    if a.blas_threads > 0:
        try:
            from threadpoolctl import threadpool_limits
            limit = threadpool_limits(limits=a.blas_threads, user_api="blas")
        except ImportError:
            print("(threadpoolctl is not installed: BLAS uses its default thread count)")
    with limit:
        pooled = apply_memory_policy()
        print(f"BLAS threads: {a.blas_threads or 'default'}; malloc keeps freed memory (the Session's memory "
              f"policy, graphrnn/backends/numpy/memory.py): {pooled}")
        backward_cost(5 if a.quick else 31)
        training_step_cost(5 if a.quick else 31)
        if a.only_backward:
            return
        if pooled:  # the same with the allocator left alone: a separate process (the policy is process-wide)
            print(f"   ... and with {ENV_VAR}=system (glibc's defaults):", flush=True)
            cmd = [sys.executable, __file__, "--only-backward", f"--blas-threads={a.blas_threads}"]
            out = subprocess.run(cmd + (["--quick"] if a.quick else []), env={**os.environ, ENV_VAR: "system"},
                                 capture_output=True, text=True, check=True).stdout
            print("\n".join(line for line in out.splitlines() if line.split()[:1] in (["static"], ["dynamic"])))
        training_memory([25, 50, 100] if a.quick else [25, 50, 100, 200, 400])
        build_time([28] if a.quick else [28, 1000])


if __name__ == "__main__":
    main()
