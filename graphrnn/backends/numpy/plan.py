"""Compiling a graph into an execution plan, and running it.

A plan is the pruned, scheduled form of a graph for one set of inputs and outputs:
- only nodes the outputs need (through data and control edges) are kept, in graph order;
- each value gets a slot; a value is freed right after its last use (results are never freed);
- the schedule is turned into straight-line Python code (one line per node, ``del`` for frees),
  so the per-node cost at run time is one call of the kernel and nothing else.
A kernel failure is mapped back to its node through the line number of the generated code.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import KERNELS
from graphrnn.ir.analysis import live_nodes
from graphrnn.ir.builder import format_source
from graphrnn.ir.errors import ExecutionError, FeedError, GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import ALLOCATES, get_opdef

_plan_ids = itertools.count()


@dataclass
class Plan:
    """An executable schedule. ``run(args)`` takes arrays for ``inputs`` and returns ``outputs``."""

    graph: Graph
    inputs: tuple[Value, ...]
    outputs: tuple[Value, ...]
    nodes: tuple[Node, ...]
    frees: tuple[tuple[Value, ...], ...]  # values freed after each node
    peak_live: int                        # most values alive at once (inputs + intermediates)
    fn: Any
    line_to_step: dict[int, int]
    filename: str
    slots: dict[int, int]                 # id(value) -> slot number in the generated code

    def run(self, args: Sequence[Any]) -> list[Any]:
        try:
            return self.fn(*args)
        except GraphError as e:
            step = self._failed_step(e)
            if step is not None and e.node is None:
                n = self.nodes[step]
                e.attach(op=n.op, node=n.name, source=format_source(n.source))
            raise
        except Exception as e:  # a kernel failed: say which node, with what inputs
            step = self._failed_step(e)
            if step is None:
                raise
            n = self.nodes[step]
            shapes = self._input_shapes(e, step)
            raise ExecutionError(f"{type(e).__name__}: {e}", op=n.op, node=n.name, shapes=shapes,
                                 source=format_source(n.source),
                                 fix="check the shapes and values fed for this computation") from e

    def _failed_frame(self, e: BaseException) -> Any:
        tb = e.__traceback__
        found = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                found = tb
            tb = tb.tb_next
        return found

    def _failed_step(self, e: BaseException) -> int | None:
        tb = self._failed_frame(e)
        return None if tb is None else self.line_to_step.get(tb.tb_lineno)

    def _input_shapes(self, e: BaseException, step: int) -> str | None:
        tb = self._failed_frame(e)
        if tb is None:
            return None
        loc = tb.tb_frame.f_locals
        slot = self.slots
        parts = []
        for v in self.nodes[step].inputs:
            a = loc.get(f"v{slot[id(v)]}")
            parts.append(f"{np.shape(a)} {getattr(a, 'dtype', type(a).__name__)}" if a is not None else "?")
        return ", ".join(parts)


def prune(graph: Graph, outputs: Sequence[Value], targets: Sequence[Node], inputs: Sequence[Value]) -> list[Node]:
    """The nodes of ``graph`` needed for ``outputs`` and ``targets`` given ``inputs``, in graph order."""
    needed = live_nodes(graph, outputs, targets, stop_at=inputs)
    return [n for n in graph.nodes if id(n) in needed]


def _unfed_placeholder_error(node: Node) -> FeedError:
    return FeedError(
        f"placeholder '{node.name}' of type {node.outputs[0].type} must be fed",
        op=node.op, node=node.name, source=format_source(node.source),
        fix=f"add it to feed_dict: sess.run(..., feed_dict={{{node.name}: array}})",
    )


def _donatable(node: Node, owned: set[int], uses: dict[int, int], outputs: set[int]) -> bool:
    """In-place TensorArrayWrite is safe when the old buffer is owned and read by nothing else."""
    if node.op != "TensorArrayWrite":
        return False
    buf = node.inputs[0]
    if id(buf) in outputs or uses.get(id(buf), 0) != 1:
        return False
    if buf.node is None:
        return id(buf) in owned
    return get_opdef(buf.node.op).has(ALLOCATES)


def _timed(kernel: Any, step: int, ctx: RunContext) -> Any:
    """``kernel``, recording its start and duration in the run's ``stats.node_times`` (traced plans)."""
    wall, clock = time.time_ns, time.perf_counter_ns

    def run(*args: Any) -> Any:
        start, t0 = wall(), clock()
        try:
            return kernel(*args)
        finally:
            times = ctx.stats.node_times
            if times is not None:
                times.append((step, start, clock() - t0))
    return run


def compile_plan(graph: Graph, inputs: Sequence[Value], outputs: Sequence[Value], ctx: RunContext,
                 targets: Sequence[Node] = (), owned_inputs: Sequence[Value] = (), trace: bool = False) -> Plan:
    """Builds the plan computing ``outputs`` (and running ``targets``) from ``inputs``.

    ``owned_inputs`` are inputs whose arrays the caller gives away (a While's private loop buffers):
    kernels may update them in place. A ``trace`` plan times each of its nodes into the run's
    ``ctx.stats.node_times`` (`Session.run` with ``RunOptions(trace_level=...)``); nodes inside loop
    and branch bodies count as part of their While/If node.
    """
    nodes = prune(graph, outputs, targets, inputs)
    slot: dict[int, int] = {}
    for v in inputs:
        slot.setdefault(id(v), len(slot))
    # A node can run although one of its outputs is fed (it is a target, or its other outputs are
    # needed): the fed array wins, so that output's computed value is dropped (assigned to `_`).
    fed = {id(v) for v in inputs}
    for n in nodes:
        if n.op == "Placeholder" and id(n.outputs[0]) not in slot:
            raise _unfed_placeholder_error(n)
        for v in n.outputs:
            if id(v) not in fed:
                slot[id(v)] = len(slot)
    for v in outputs:
        if id(v) not in slot:
            if v.node is not None and v.node.op == "Placeholder":
                raise _unfed_placeholder_error(v.node)
            raise GraphError(f"value '{v.name}' is not computable from the plan's inputs")
    uses: dict[int, int] = {}
    last_use: dict[int, int] = {}
    for i, n in enumerate(nodes):
        for v in n.inputs:
            uses[id(v)] = uses.get(id(v), 0) + 1
            last_use[id(v)] = i
    out_ids = {id(v) for v in outputs}
    owned = {id(v) for v in owned_inputs}
    frees: list[list[Value]] = [[] for _ in nodes]
    by_id: dict[int, Value] = {id(v): v for v in inputs}
    for n in nodes:
        for v in n.outputs:
            by_id[id(v)] = v
    for vid, i in last_use.items():
        if vid not in out_ids and vid in by_id:
            frees[i].append(by_id[vid])
    for i, n in enumerate(nodes):  # outputs nobody reads are dropped at once
        for v in n.outputs:
            if id(v) not in last_use and id(v) not in out_ids and id(v) not in fed:
                frees[i].append(v)
    live = len(inputs)
    peak = live
    for i, n in enumerate(nodes):
        live += len(n.outputs)
        peak = max(peak, live)
        live -= len(frees[i])

    donated = {id(n) for n in nodes if _donatable(n, owned, uses, out_ids)}
    # The donated set holds only while this plan's kernels are built (a nested loop's plan adds its
    # own on top): ids of nodes of graphs compiled earlier and since freed may be reused by new nodes.
    outer_donated = ctx.donated
    ctx.donated = outer_donated | donated
    kernels = []
    try:
        for n in nodes:
            factory = KERNELS.get(n.op)
            if factory is None:
                raise GraphError(f"the NumPy backend has no kernel for op {n.op}", op=n.op, node=n.name,
                                 source=format_source(n.source))
            kernels.append(factory(n, ctx))
    finally:
        ctx.donated = outer_donated
    if trace:
        kernels = [_timed(k, i, ctx) for i, k in enumerate(kernels)]

    pid = next(_plan_ids)
    filename = f"<graphrnn-plan-{pid}>"
    lines = ["def run(" + ", ".join(f"v{slot[id(v)]}" for v in inputs) + "):"]
    line_to_step: dict[int, int] = {}
    for i, n in enumerate(nodes):
        args = ", ".join(f"v{slot[id(v)]}" for v in n.inputs)
        call = f"k{i}({args})"
        names = ["_" if id(v) in fed else f"v{slot[id(v)]}" for v in n.outputs]
        if not names:
            stmt = call
        elif len(names) == 1:
            stmt = f"{names[0]} = {call}"
        else:
            stmt = ", ".join(names) + f" = {call}"
        lines.append("    " + stmt)
        line_to_step[len(lines)] = i
        if frees[i]:
            lines.append("    del " + ", ".join(f"v{slot[id(v)]}" for v in frees[i]))
    lines.append("    return [" + ", ".join(f"v{slot[id(v)]}" for v in outputs) + "]")
    src = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {f"k{i}": k for i, k in enumerate(kernels)}
    exec(compile(src, filename, "exec"), namespace)  # noqa: S102 - our own generated code
    return Plan(graph, tuple(inputs), tuple(outputs), tuple(nodes), tuple(tuple(f) for f in frees), peak,
                namespace["run"], line_to_step, filename, slot)
