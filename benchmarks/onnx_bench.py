"""ONNX export of the seeds' model (MNIST row classifier: BasicLSTMCell(128), dense 10): onnxruntime
against the NumPy interpreter, and what exporting costs.

For static_rnn, dynamic_rnn, and dynamic_rnn exported with ``fuse_rnn=True`` (one ONNX LSTM node) at
T in {28, 1000}: export time, the .onnx size (the unrolled graph's
grows with T; the Loop's does not), ONNX node count, and the median time of one forward run
(logits) at batch 1 and 128 in onnxruntime (one thread) and in graphrnn's interpreter (one BLAS
thread). Prints a Markdown table and writes JSON to ``benchmarks/results/onnx_bench[_quick].json``.

    python benchmarks/onnx_bench.py            # T = 28 and 1000 (a few minutes: the static T=1000 graph)
    python benchmarks/onnx_bench.py --quick    # T = 28 and 100, seconds

Not run by the tests (timings are not assertions); needs the onnx extra.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy is imported: per-step matmuls are small

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `common` next to this script

from common import RESULTS, environment, interleaved_medians, markdown_table, write_json  # noqa: E402

import graphrnn as gr  # noqa: E402
from graphrnn.export.onnx import to_onnx  # noqa: E402


def seeds_model(mode: str, steps: int, hidden: int = 128, features: int = 28) -> tuple[Any, Any, Any]:
    """The classifier of graphrnn.apps.train (forward part): x [batch, T, 28] -> logits [batch, 10]."""
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(0)
        x = gr.placeholder(gr.float32, [None, steps, features], name="x")
        cell = gr.nn.rnn_cell.BasicLSTMCell(hidden, forget_bias=1.0)
        if mode == "static":
            _, state = gr.nn.static_rnn(cell, gr.unstack(x, num=steps, axis=1), dtype=gr.float32)
        else:
            _, state = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32)
        logits = gr.layers.dense(state.h, 10, name="dense")
    return g, x, logits


def measure(mode: str, steps: int, batches: list[int], repeats: int) -> list[dict[str, Any]]:
    import onnxruntime as ort
    g, x, logits = seeds_model("static" if mode == "static" else "dynamic", steps)
    rows = []
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        t0 = time.perf_counter()
        ex = to_onnx(sess, {"logits": logits}, [x], fuse_rnn=mode == "fused")
        export_s = time.perf_counter() - t0
        model = ex.serialized()
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.log_severity_level = 3
        rt = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        for b in batches:
            xv = np.random.default_rng(b).normal(size=(b, steps, 28)).astype(np.float32)
            want = sess.run(logits, {x: xv})
            got = rt.run(None, {"x": xv})[0]
            err = float(np.max(np.abs(got - want)))
            t_ort, t_interp = interleaved_medians([lambda xv=xv: rt.run(None, {"x": xv}),
                                                   lambda xv=xv: sess.run(logits, {x: xv})], repeats)
            rows.append({"mode": mode, "T": steps, "batch": b, "export_ms": export_s * 1e3,
                         "onnx_kb": len(model) / 1024, "onnx_nodes": len(ex.model.graph.node),
                         "ort_ms": t_ort * 1e3, "interp_ms": t_interp * 1e3,
                         "speedup": t_interp / t_ort, "max_abs_diff": err})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="T = 28 and 100, fewer repeats")
    args = ap.parse_args(argv)
    lengths = [28, 100] if args.quick else [28, 1000]
    repeats = 3 if args.quick else 7
    modes = ("static", "dynamic", "fused")
    rows = [r for steps in lengths for mode in modes for r in measure(mode, steps, [1, 128], repeats)]
    cols = [("mode", "mode"), ("T", "T"), ("batch", "batch"), ("export_ms", "export ms"), ("onnx_kb", "ONNX KB"),
            ("onnx_nodes", "top-level ONNX nodes"), ("ort_ms", "onnxruntime ms"), ("interp_ms", "interpreter ms"),
            ("speedup", "speed-up")]
    print(markdown_table(rows, cols))
    print(f"max |onnxruntime - interpreter| over all rows: {max(r['max_abs_diff'] for r in rows):.2e}")
    name = "onnx_bench_quick.json" if args.quick else "onnx_bench.json"
    print("wrote", write_json(RESULTS / name, {"environment": environment(), "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
