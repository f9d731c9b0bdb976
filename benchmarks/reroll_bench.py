"""What ``reroll`` and ``unroll`` buy on the NumPy interpreter (printed figures, no asserts).

For an LSTM(H) over T steps (batch B): nodes and run time of
- the static graph as built, and after ``reroll`` (one While);
- the dynamic graph as built, and after ``unroll`` (k body copies per iteration: fewer loop-control
  steps, the cond and the counter run T/k times instead of T).
Run: ``python benchmarks/reroll_bench.py [--quick]``; results in benchmarks/results/reroll_bench.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, environment, interleaved_medians, markdown_table, write_json  # noqa: E402

import graphrnn as gr  # noqa: E402


def _model(mode: str, steps: int, hidden: int, batch: int) -> tuple[gr.Graph, Any, Any]:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [batch, steps, 8], name="x")
        cell = gr.nn.rnn_cell.BasicLSTMCell(hidden)
        if mode == "static":
            outs, _ = gr.nn.static_rnn(cell, gr.unstack(x, steps, axis=1), dtype=gr.float32)
            y = gr.stack(outs, axis=1)
        else:
            y, _ = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32)
    return g, x, y


def _case(mode: str, pipeline: list[str], steps: int, hidden: int, batch: int, repeats: int) -> dict[str, Any]:
    g, x, y = _model(mode, steps, hidden, batch)
    feed = {x: np.random.RandomState(0).randn(batch, steps, 8).astype(np.float32)}
    sess_ref = gr.Session(graph=g, optimize=False)
    sess_opt = gr.Session(graph=g, optimize=pipeline)
    for s in (sess_ref, sess_opt):
        s.run([n for n in g.nodes if n.op == "VarInit"])
    sess_opt._ctx.variables.update(sess_ref._ctx.variables)
    np.testing.assert_allclose(sess_opt.run(y, feed), sess_ref.run(y, feed), rtol=1e-4, atol=1e-5)
    before, after = interleaved_medians([lambda: sess_ref.run(y, feed), lambda: sess_opt.run(y, feed)], repeats)
    _, _, report = gr.passes.optimize(g, [y], pipeline=pipeline, feeds=[x])
    return {"mode": mode, "pass": ",".join(pipeline), "T": steps, "H": hidden, "B": batch,
            "nodes_before": report.nodes_before, "nodes_after": report.nodes_after,
            "ms_before": before * 1e3, "ms_after": after * 1e3, "speedup": before / after}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    grid = [(28, 32, 4), (28, 128, 32)] if args.quick else [(10, 32, 4), (28, 32, 4), (28, 128, 32), (100, 32, 4)]
    repeats = 5 if args.quick else 15
    rows = []
    for steps, hidden, batch in grid:
        rows.append(_case("static", ["reroll"], steps, hidden, batch, repeats))
        rows.append(_case("dynamic", ["unroll"], steps, hidden, batch, repeats))
    cols = [("mode", "graph"), ("pass", "pass"), ("T", "T"), ("H", "H"), ("B", "B"), ("nodes_before", "nodes"),
            ("nodes_after", "nodes after"), ("ms_before", "ms"), ("ms_after", "ms after"), ("speedup", "speed-up")]
    print(markdown_table(rows, cols))
    write_json(RESULTS / "reroll_bench.json", {"environment": environment(), "rows": rows})


if __name__ == "__main__":
    main()
