"""Optimization passes and the pass manager (``gr.passes.optimize``).

See `graphrnn.passes.pipeline` for `optimize` and the pipeline, `graphrnn.passes.rewrite` for the
rule driver, and one module per pass (`transpose_elim`, `licm`, `hoist_projection`, `dce`, `cse`,
`fold`, `rules_simplify`, `reroll`, `unroll`; loop tracing in `trace`).
"""

from graphrnn.passes.base import Pass, PassResult
from graphrnn.passes.pipeline import DEFAULT_PIPELINE, PASSES, Pipeline, optimize
from graphrnn.passes.report import Blocked, Report, Rewrite
from graphrnn.passes.reroll import reroll
from graphrnn.passes.unroll import unroll

__all__ = ["optimize", "Pass", "PassResult", "Pipeline", "PASSES", "DEFAULT_PIPELINE", "Report", "Rewrite",
           "Blocked", "reroll", "unroll"]
