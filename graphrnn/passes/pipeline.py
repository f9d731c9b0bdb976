"""The pass manager: the registry of passes by name, the default pipeline, and `optimize`.

`optimize(graph, fetches, pipeline, explain, feeds)`:
1. *prepare*: copy the part of ``graph`` the fetches need; each fed value that is not a
   placeholder is cut off by a fresh ``Placeholder`` (so no pass can fold, merge or remove what
   the caller feeds); the fetches and feeds become the working graph's results (the roots every
   pass keeps) and fetched nodes are pinned by name.
2. run the pipeline's passes in order, in rounds, until a round changes nothing (guard:
   ``MAX_ROUNDS``); each pass is timed, its node counts (nested) recorded, and, with
   ``verify=True``, the verifier runs after it (a failure is a `PassError` naming the pass).
3. map each fetched value/node and each fed value to the new graph; the returned graph has no
   results (it is a top-level graph) and keeps the input's ``seed``; variables are untouched
   (``VariableV2``/``VarInit`` nodes keep their ``var_name``, so a Session's store applies).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from graphrnn import nest
from graphrnn.ir.analysis import live_nodes
from graphrnn.ir.errors import PassError, VerifyError
from graphrnn.ir.gc_pause import gc_paused
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.verify import verify as verify_graph
from graphrnn.passes.base import FunctionPass, Pass, PassResult
from graphrnn.passes.cse import cse
from graphrnn.passes.dce import dce
from graphrnn.passes.fold import FOLD_RULES
from graphrnn.passes.hoist_projection import hoist_input_projection
from graphrnn.passes.licm import licm
from graphrnn.passes.rebuild import PassContext, Rewriter, Writer, control_pinned
from graphrnn.passes.report import PassRecord, Report, text_diff
from graphrnn.passes.reroll import reroll
from graphrnn.passes.rewrite import run_rules
from graphrnn.passes.rules_matmul import MATMUL_RULES
from graphrnn.passes.rules_simplify import SIMPLIFY_RULES
from graphrnn.passes.transpose_elim import transpose_elim
from graphrnn.passes.unroll import unroll

MAX_ROUNDS = 8

PASSES: dict[str, Pass] = {
    p.name: p for p in (
        FunctionPass("simplify", lambda g, c: run_rules(g, c, SIMPLIFY_RULES),
                     "algebraic identities: x*1, x+0, identity/reshape chains, single concat, --x, const where"),
        FunctionPass("fold", lambda g, c: run_rules(g, c, FOLD_RULES),
                     "evaluates pure nodes of constant inputs with the interpreter's kernels"),
        FunctionPass("transpose-elim", transpose_elim,
                     "cancels, composes and folds transposes, into loop reads and loop output buffers"),
        FunctionPass("matmul-layout", lambda g, c: run_rules(g, c, MATMUL_RULES),
                     "computes only the read columns of a split product; pre-transposes weights for a @ W^T"),
        FunctionPass("cse", cse, "merges equal pure nodes within each graph"),
        FunctionPass("licm", licm, "moves loop-invariant nodes in front of their While"),
        FunctionPass("hoist-input-projection", hoist_input_projection,
                     "splits concat([x_t, h]) @ W; computes x @ W_x for all steps at once, before the loop"),
        FunctionPass("hoist-input-projection-auto", lambda g, c: hoist_input_projection(g, c, cost_model=True),
                     "hoist-input-projection where the cost model expects a win (input width >= output width)"),
        FunctionPass("dce", dce, "removes dead nodes, unused loop carries and captures"),
        FunctionPass("reroll", reroll,
                     "replaces N identical weight-sharing steps (static_rnn, a Python loop) by one While"),
        FunctionPass("unroll", unroll,
                     "counted loops: 4 body copies per iteration + remainder loop; small known trip counts inlined"),
    )
}
# matmul-layout after cse: a product CSE merges with a duplicate has two readers and stays whole.
DEFAULT_PIPELINE: tuple[str, ...] = ("simplify", "fold", "transpose-elim", "cse", "matmul-layout", "licm",
                                     "hoist-input-projection-auto", "dce")


def resolve(pipeline: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(pipeline, str):
        if pipeline == "default":
            return DEFAULT_PIPELINE
        if pipeline == "none":
            return ()
        names: Sequence[str] = [pipeline]
    else:  # "default" inside a list stands for the default passes (["hoist-input-projection", "default"])
        names = [n for x in pipeline for n in (DEFAULT_PIPELINE if x == "default" else (x,))]
    unknown = [n for n in names if n not in PASSES]
    if unknown:
        raise PassError(f"unknown pass name(s) {unknown}",
                        fix="use 'default', 'none' or a list of: " + ", ".join(sorted(PASSES)))
    return tuple(names)


class Pipeline:
    """An explicit list of passes run in rounds to a fixpoint."""

    def __init__(self, passes: str | Sequence[str] = "default", verify: bool = False,
                 max_rounds: int = MAX_ROUNDS) -> None:
        self.names = resolve(passes)
        self.verify = verify
        self.max_rounds = max_rounds

    def run(self, graph: Graph, report: Report, pinned: frozenset[str] = frozenset(),
            targets: frozenset[str] = frozenset()) -> Graph:
        g = graph
        # Control edges are never created or removed by passes, so this is computed once.
        pinned = pinned | control_pinned(g)
        count = g.node_count(nested=True)
        for rnd in range(1, self.max_rounds + 1):
            report.rounds = rnd
            any_change = False
            for name in self.names:
                ctx = PassContext(g, pinned, {"targets": targets, "pinned_complete": True})
                before = count
                t0 = time.perf_counter()
                res: PassResult = PASSES[name].run(g, ctx)
                dt = time.perf_counter() - t0
                g2 = res.graph
                if self.verify and res.changed:
                    try:
                        verify_graph(g2)
                    except VerifyError as e:
                        raise PassError(f"pass '{name}' produced an invalid graph: {e.message}", op=e.op,
                                        node=e.node, source=e.source,
                                        fix="report this bug; run with optimize=False meanwhile") from None
                count = g2.node_count(nested=True) if res.changed else before
                rec = PassRecord(name, rnd, res.changed, dt, before, count,
                                 list(ctx.rewrites), list(ctx.blocked), list(res.notes))
                report.records.append(rec)
                if name == "transpose-elim":
                    report.surviving_transposes = list(ctx.blocked)
                any_change |= res.changed
                g = g2
            if not any_change:
                return g
        report.converged = False
        return g


def _prepare(graph: Graph, fetch_values: list[Value], targets: list[Node], feeds: list[Value]
             ) -> tuple[Graph, dict[int, Value]]:
    """The pruned copy with fed values cut off by placeholders; returns it and the value map."""
    live = live_nodes(graph, fetch_values, targets, stop_at=feeds)
    ctx = PassContext(graph)
    w = Writer(graph, None, ctx)
    copier = Rewriter(ctx)
    vmap: dict[int, Value] = {}
    for v in feeds:
        if v.node is not None and v.node.op == "Placeholder" and id(v.node) not in live:
            vmap[id(v)] = w.copy(v.node, ()).outputs[0]
        elif v.node is not None and v.node.op == "Placeholder":
            continue
        else:
            base = f"{v.node.name}/fed_{v.index}" if v.node is not None else "fed"
            vmap[id(v)] = w.emit("Placeholder", (), {"type": v.type}, like=v.node, base=base).outputs[0]
    for n in graph.nodes:
        if id(n) not in live:
            continue
        if n.op == "Placeholder" and id(n.outputs[0]) in vmap:
            continue
        ins = tuple(vmap[id(v)] for v in n.inputs)
        # Subgraphs are copied too: the new graph shares nothing with the caller's.
        node = w.copy(n, ins, copier.sub_attrs(n, w) if n.subgraphs else dict(n.attrs))
        for v, nv in zip(n.outputs, node.outputs):
            vmap.setdefault(id(v), nv)
    return w.g, vmap


def optimize(graph: Graph, fetches: Iterable[Any], pipeline: str | Sequence[str] = "default",
             explain: bool = False, feeds: Iterable[Value] = (), verify: bool = False
             ) -> tuple[Graph, dict[Any, Any], Report]:
    """Optimizes ``graph`` for ``fetches`` (values and nodes); see the module docstring.

    The cyclic garbage collector is paused meanwhile (`graphrnn.ir.gc_pause`).
    """
    with gc_paused():
        return _optimize(graph, fetches, pipeline, explain, feeds, verify)


def _optimize(graph: Graph, fetches: Iterable[Any], pipeline: str | Sequence[str], explain: bool,
              feeds: Iterable[Value], verify: bool) -> tuple[Graph, dict[Any, Any], Report]:
    names = resolve(pipeline)
    fetches = nest.flatten(list(fetches))
    feeds = list(dict.fromkeys(feeds))
    report = Report(names, nodes_before=graph.node_count(nested=True))
    if not names:
        report.nodes_after = report.nodes_before
        return graph, {x: x for x in [*fetches, *feeds]}, report
    values = list(dict.fromkeys(x for x in fetches if isinstance(x, Value)))
    targets = list(dict.fromkeys(x for x in fetches if isinstance(x, Node)))
    for x in fetches:
        if not isinstance(x, (Value, Node)):
            raise PassError(f"optimize fetches must be tensors or operations, got {x!r}")
    g, vmap = _prepare(graph, values, targets, feeds)
    roots = [*values, *feeds]
    g.results = [vmap[id(v)] for v in roots]
    report.nodes_pruned = max(0, report.nodes_before - g.node_count(nested=True))
    target_names = frozenset(t.name for t in targets)
    before_text = str(graph) if explain else ""
    g = Pipeline(names, verify=verify).run(g, report, target_names, target_names)
    mapping: dict[Any, Any] = {v: r for v, r in zip(roots, g.results)}
    by_name = {n.name: n for n in g.nodes}
    for t in targets:
        mapping[t] = by_name[t.name]
    g.results = []
    try:
        verify_graph(g)
    except VerifyError as e:
        raise PassError(f"the optimized graph does not verify: {e.message}", op=e.op, node=e.node,
                        source=e.source, fix="report this bug; run with optimize=False meanwhile") from None
    report.nodes_after = g.node_count(nested=True)
    if explain:
        report.diff = text_diff(before_text, str(g))
    return g, mapping, report
