"""`Session`: runs fetches of a graph on the NumPy backend, holding the variables' values.

A run prunes the graph to what the fetches need, compiles that into a plan (cached per fetch/feed
signature), optionally optimizes the pruned graph first (``optimize=True``, the default, like
TF1's grappler), feeds the checked and converted feed arrays, and packs the results into the
fetch structure (lists, tuples, dicts, namedtuples such as LSTMStateTuple).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphrnn import nest
from graphrnn.backends.numpy import kernels as _kernels  # noqa: F401 - registers the kernels
from graphrnn.backends.numpy.context import RunContext, RunStats
from graphrnn.backends.numpy.memory import apply_memory_policy
from graphrnn.backends.numpy.plan import Plan, compile_plan
from graphrnn.ir import builder
from graphrnn.ir.errors import FeedError, FetchError, GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import format_shape
from graphrnn.ops.state import FEED_HINTS


class _SessionStack(threading.local):
    def __init__(self) -> None:
        self.stack: list[Session] = []


_SESSIONS = _SessionStack()


def get_default_session() -> Session:
    if not _SESSIONS.stack:
        raise GraphError("no default session", fix="use `with gr.Session() as sess:` or pass session=sess")
    return _SESSIONS.stack[-1]


@dataclass
class RunReport:
    """What the last `Session.run` executed."""

    nodes_executed: int = 0
    while_iterations: dict[str, int] = field(default_factory=dict)
    optimized: bool = False
    pass_report: Any = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _CachedPlan:
    plan: Plan
    report: Any  # the pass manager's report when the graph was optimized


def _fetch_leaf(x: Any, graph: Graph) -> Value | Node | None:
    if x is None:
        return None
    if isinstance(x, str):
        try:
            return graph.get_tensor_by_name(x) if ":" in x else graph.get_operation_by_name(x)
        except KeyError as e:
            raise FetchError(f"cannot fetch {x!r}: {e.args[0]}") from None
    conv = getattr(x, "_as_graph_value", None)
    if conv is not None:
        x = conv()
    elif hasattr(x, "flow") and isinstance(x.flow, Value):
        x = x.flow
    if isinstance(x, (Value, Node)):
        if x.graph is not graph:
            where = "a While/If body" if x.graph.root is graph else "another graph"
            raise FetchError(f"cannot fetch '{x.name}': it belongs to {where}, not to this session's graph",
                             fix="fetch tensors created under `with session_graph.as_default():` "
                                 "(values inside a loop body are reachable only through the loop's outputs)")
        return x
    raise FetchError(f"cannot fetch {x!r} of type {type(x).__name__}",
                     fix="fetch tensors, operations, variables, or (nested) lists/tuples/dicts of them")


def _convert_feed(key: Value, value: Any, hint: str | None = None) -> np.ndarray:
    t = key.type
    try:
        arr = np.asarray(value)
    except Exception as e:  # e.g. ragged nested lists
        raise FeedError(f"cannot convert the value fed for '{key.name}' to an array: {e}") from None
    want = t.dtype.np
    if arr.dtype != want:
        k_from, k_to = arr.dtype.kind, want.kind
        ok = (k_to == "f" and k_from in "fiub") or (k_to in "iu" and k_from in "iub") or (k_to == k_from)
        if not ok:
            raise FeedError(f"cannot feed a {arr.dtype} value for '{key.name}' of dtype {t.dtype.name}",
                            op=key.node.op if key.node else None, node=key.node.name if key.node else None,
                            source=builder.format_source(key.node.source) if key.node else None,
                            fix=f"convert the data with .astype(np.{want})")
        conv = arr.astype(want)
        if k_to in "iu" and k_from in "iu" and not np.array_equal(conv, arr):
            raise FeedError(f"values fed for '{key.name}' do not fit in {t.dtype.name}")
        arr = conv
    # A placeholder of unknown rank (TF1's placeholder without a shape) takes any shape.
    if t.has_rank and (arr.ndim != len(t.shape) or any(d is not None and d != s for d, s in zip(t.shape, arr.shape))):
        raise FeedError(
            f"cannot feed a value of shape {arr.shape} for '{key.name}', which has shape {format_shape(t.shape)}",
            op=key.node.op if key.node else None, node=key.node.name if key.node else None,
            source=builder.format_source(key.node.source) if key.node else None,
            fix=hint or "reshape the data, or declare the placeholder with None for the dims that vary",
        )
    return arr


class Session:
    """TF1 Session on the NumPy interpreter.

    ``optimize=True`` runs the default pass pipeline on each pruned graph before compiling it;
    ``optimize=False`` runs the graph exactly as built; a pipeline name or list of pass names
    selects passes (see `graphrnn.passes`).
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None,
                 optimize: Any = True) -> None:
        self.graph = graph if graph is not None else builder.get_default_graph()
        self.optimize = optimize
        apply_memory_policy()  # once per process: keep freed activation memory (backends/numpy/memory.py)
        self._ctx = RunContext()
        self._plans: dict[Any, _CachedPlan] = {}
        self._closed = False
        self.last_run_report = RunReport()

    # --- context management -------------------------------------------------------------------
    def __enter__(self) -> Session:
        _SESSIONS.stack.append(self)
        self._graph_ctx = self.graph.as_default()
        self._graph_ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._graph_ctx.__exit__(*exc)
        _SESSIONS.stack.remove(self)
        self.close()

    def as_default(self) -> Any:
        import contextlib

        @contextlib.contextmanager
        def ctx() -> Any:
            _SESSIONS.stack.append(self)
            try:
                yield self
            finally:
                _SESSIONS.stack.remove(self)
        return ctx()

    def close(self) -> None:
        self._closed = True

    # --- variables ------------------------------------------------------------------------------
    @property
    def variables(self) -> Mapping[str, np.ndarray]:
        return self._ctx.variables

    def load_variable(self, var: Any, value: Any) -> None:
        """Sets a variable's value (TF1's ``Variable.load``); checks shape and dtype."""
        node = var.op
        arr = _convert_feed(node.outputs[0], value)
        arr = np.array(arr, copy=True)
        arr.setflags(write=False)
        self._ctx.variables[node.attrs["var_name"]] = arr

    # --- running ----------------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: Mapping[Any, Any] | None = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        if self._closed:
            raise GraphError("attempted to use a closed Session")
        flat = nest.flatten(fetches)
        leaves = [_fetch_leaf(x, self.graph) for x in flat]
        values = [x for x in leaves if isinstance(x, Value)]
        targets = [x for x in leaves if isinstance(x, Node)]
        feeds: dict[Value, np.ndarray] = {}
        hints = {id(t): text for t, text in self.graph.get_collection(FEED_HINTS)}
        for k, v in (feed_dict or {}).items():
            key = _fetch_leaf(k, self.graph)
            if not isinstance(key, Value):
                raise FeedError(f"feed_dict keys must be tensors, got {k!r}")
            feeds[key] = _convert_feed(key, v, hints.get(id(key)))
        uniq_vals = list({id(v): v for v in values}.values())
        feed_keys = sorted(feeds, key=id)
        sig = (tuple(id(v) for v in uniq_vals), tuple(id(t) for t in targets), tuple(id(k) for k in feed_keys),
               self.graph.version, len(self.graph.nodes))
        cached = self._plans.get(sig)
        if cached is None:
            cached = self._compile(uniq_vals, targets, feed_keys)
            self._plans[sig] = cached
        self._ctx.stats = RunStats()
        results = cached.plan.run([feeds[k] for k in feed_keys])
        self._record(cached)
        by_id = {id(v): r for v, r in zip(uniq_vals, results)}
        out = []
        for leaf in leaves:
            if isinstance(leaf, Value):
                out.append(_as_result(by_id[id(leaf)], leaf))
            else:
                out.append(None)
        return nest.pack_sequence_as(fetches, out) if nest.is_sequence(fetches) else out[0]

    def _compile(self, values: list[Value], targets: list[Node], feed_keys: list[Value]) -> _CachedPlan:
        graph, outs, tgts, ins, report = self.graph, values, targets, feed_keys, None
        if self.optimize:
            from graphrnn.passes.session_hook import optimize_for_run
            graph, outs, tgts, ins, report = optimize_for_run(self.graph, values, targets, feed_keys,
                                                              self.optimize)
        plan = compile_plan(graph, ins, outs, self._ctx, targets=tgts)
        return _CachedPlan(plan, report)

    def _record(self, cached: _CachedPlan) -> None:
        stats = self._ctx.stats
        notes = list(stats.notes)
        if stats.while_iterations:
            notes.append("While loops ran their iterations in order on the NumPy interpreter "
                         "(parallel_iterations and swap_memory are recorded on the node, not used)")
        self.last_run_report = RunReport(len(cached.plan.nodes), dict(stats.while_iterations),
                                         cached.report is not None, cached.report, notes)

    def plan_for(self, fetches: Any, feed_keys: Any = ()) -> Plan:
        """The compiled plan `run` would use (for introspection and tests)."""
        leaves = [_fetch_leaf(x, self.graph) for x in nest.flatten(fetches)]
        values = list({id(v): v for v in leaves if isinstance(v, Value)}.values())
        targets = [x for x in leaves if isinstance(x, Node)]
        keys = sorted((_fetch_leaf(k, self.graph) for k in feed_keys), key=id)
        return self._compile(values, targets, keys).plan  # type: ignore[arg-type]


def _as_result(arr: Any, v: Value) -> Any:
    if isinstance(arr, bytes):  # a string scalar (gr.string): np.asarray would drop trailing NUL bytes
        return arr
    a = np.asarray(arr)
    if a.dtype == object:  # a loop tape's stack (per-iteration arrays), fetched as it is
        return a
    if a.dtype != v.dtype.np:
        a = a.astype(v.dtype.np)
    if a.ndim == 0:
        return a[()]
    if not a.flags.writeable:
        a = a.copy()
    return a


class InteractiveSession(Session):
    """A Session that makes itself the default on creation (TF1)."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None, optimize: Any = True) -> None:
        super().__init__(target, graph, config, optimize)
        _SESSIONS.stack.append(self)

    def close(self) -> None:
        if self in _SESSIONS.stack:
            _SESSIONS.stack.remove(self)
        super().close()
