"""`Session`: runs fetches of a graph on the NumPy backend, holding the variables' values.

A run prunes the graph to what the fetches need, compiles that into a plan (cached per fetch/feed
signature in a bounded LRU cache that survives the graph growing: `plan_cache`), optionally
optimizes the pruned graph first (``optimize=True``, the default, like TF1's grappler), feeds the
checked and converted feed arrays, and packs the results into the fetch structure (lists, tuples,
dicts, namedtuples such as LSTMStateTuple).

A run is all-or-nothing for variables: if it raises (a kernel fails, a check op fires, Ctrl-C),
every variable it wrote gets its value from before the run back. Several threads may run on one
Session; each sees its own `Session.last_run_report`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from graphrnn import nest
from graphrnn.backends.numpy import kernels as _kernels  # noqa: F401 - registers the kernels
from graphrnn.backends.numpy.blas_threads import blas_thread_cap
from graphrnn.backends.numpy.context import RunContext, RunStats
from graphrnn.backends.numpy.memory import apply_memory_policy
from graphrnn.backends.numpy.plan import Plan, compile_plan, prune
from graphrnn.backends.numpy.plan_cache import DEFAULT_CAPACITY, CachedPlan, PlanCache, PlanCacheInfo, SourceSnapshot
from graphrnn.config import ConfigProto, DeviceStepStats, NodeExecStats, RunMetadata, RunOptions, StepStats
from graphrnn.ir import builder
from graphrnn.ir.errors import FeedError, FetchError, GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import format_shape
from graphrnn.ops.state import FEED_HINTS


class SessionError(GraphError, RuntimeError):
    """The Session cannot do this: it is closed (TF1 raises RuntimeError there), or see below."""


class SessionArgumentError(SessionError, TypeError):
    """A Session or one of its methods got an argument of the wrong kind (TF1 raises TypeError)."""


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


class _ThreadReports(threading.local):
    def __init__(self) -> None:
        self.last = RunReport()


def _by_name(name: str, graph: Graph, what: str) -> Value | Node:
    """The tensor ('op:index') or operation ('op') called ``name``, as TF1's graph lookups parse it."""
    op_name, colon, index = name.rpartition(":")
    if not colon:
        op_name = name
    elif not op_name or not index.isdigit():
        raise FetchError(f"cannot {what} {name!r}: it looks like a tensor name but is not a valid one",
                         fix="tensor names look like '<op_name>:<output_index>', e.g. 'y:0'")
    try:
        op = graph.get_operation_by_name(op_name)
    except KeyError as e:
        raise FetchError(f"cannot {what} {name!r}: {e.args[0]}",
                         fix="check the name with [op.name for op in graph.get_operations()]") from None
    if not colon:
        return op
    i = int(index)
    if i >= len(op.outputs):
        raise FetchError(f"cannot {what} {name!r}: the operation {op_name!r} exists but has only "
                         f"{len(op.outputs)} output(s)", op=op.op, node=op.name,
                         source=builder.format_source(op.source),
                         fix=f"use an output index below {len(op.outputs)}" if op.outputs else
                             f"fetch the operation itself: {op_name!r}")
    return op.outputs[i]


def _traced_values(options: Any, graph: Graph) -> list[Value]:
    """``options.trace`` resolved to loop-body values (none when not asked: no cost)."""
    spec = getattr(options, "trace", None) if options is not None else None
    if not spec:
        return []
    from graphrnn.passes.trace import resolve
    return resolve(spec, graph)


def _fetch_leaf(x: Any, graph: Graph, what: str = "fetch") -> Value | Node:
    if x is None:  # TF1 raises too: a fetch must be something to compute
        raise FetchError(f"cannot {what} None",
                         fix="pass tensors, operations or names; drop the None from the fetches")
    if isinstance(x, str):
        x = _by_name(x, graph, what)  # may name a node of a loop body: checked below like any fetch
    conv = getattr(x, "_as_graph_value", None)
    if conv is not None:
        x = conv()
    elif hasattr(x, "flow") and isinstance(x.flow, Value):
        x = x.flow
    if isinstance(x, (Value, Node)):
        if x.graph is not graph:
            where = "a While/If body" if x.graph.root is graph else "another graph"
            raise FetchError(f"cannot {what} '{x.name}': it belongs to {where}, not to this session's graph",
                             fix="fetch tensors created under `with session_graph.as_default():` "
                                 "(values inside a loop body are reachable only through the loop's outputs)")
        return x
    raise FetchError(f"cannot {what} {x!r} of type {type(x).__name__}",
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
    selects passes (see `graphrnn.passes`). ``plan_cache_size`` bounds how many compiled plans (one
    per distinct fetch/feed signature) the Session keeps; the least recently used goes first.
    ``config`` (a `gr.ConfigProto`) is recorded; ``intra_op_parallelism_threads > 0`` caps the BLAS
    threads during this Session's runs and ``log_device_placement`` prints each compiled node's
    placement (see `graphrnn.config`).
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None,
                 optimize: Any = True, plan_cache_size: int = DEFAULT_CAPACITY) -> None:
        if not isinstance(target, str):
            raise SessionArgumentError(f"Session target must be a string, got {type(target).__name__}",
                                       fix="omit it: Session() runs in this process")
        if target:
            raise SessionError(f"graphrnn runs graphs in this process and cannot connect to {target!r}",
                               fix="omit the target: Session() or Session(graph=g)")
        if graph is not None and not isinstance(graph, Graph):
            raise SessionArgumentError(f"Session(graph=...) must be a gr.Graph, got {type(graph).__name__}",
                                       fix="pass the graph you built in `with g.as_default():`, or omit it for the "
                                           "default graph")
        if graph is not None and graph.parent is not None:
            raise SessionArgumentError(f"Session(graph=...) got the body of a While/If ({graph.name!r}), not a "
                                       "top-level graph", fix="pass the graph the loop was built in")
        if config is not None and not isinstance(config, ConfigProto):
            raise SessionArgumentError(f"Session(config=...) must be a gr.ConfigProto, got {type(config).__name__}",
                                       fix="pass gr.ConfigProto(intra_op_parallelism_threads=1, ...) or omit it")
        if isinstance(plan_cache_size, bool) or not isinstance(plan_cache_size, int) or plan_cache_size < 1:
            raise SessionArgumentError(f"plan_cache_size must be a positive int, got {plan_cache_size!r}",
                                       fix=f"omit it (default {DEFAULT_CAPACITY}) or pass e.g. plan_cache_size=16")
        self.graph = graph if graph is not None else builder.get_default_graph()
        self.optimize = optimize
        self.config = config
        # Read once: the BLAS cap and placement log apply from the Session's creation on (TF1 reads
        # its ConfigProto when the Session is made, too).
        self._blas_cap = config.intra_op_parallelism_threads if config is not None else 0
        self._log_placement = config is not None and config.log_device_placement
        apply_memory_policy()  # once per process: keep freed activation memory (backends/numpy/memory.py)
        self._ctx = RunContext()
        self._plans = PlanCache(plan_cache_size)
        # Held while compiling: two threads missing the same plan compile it once; the compiler's
        # `ctx.donated` scoping is not re-entrant across threads.
        self._compile_lock = threading.Lock()
        self._reports = _ThreadReports()
        self._closed = False

    @property
    def last_run_report(self) -> RunReport:
        """What this thread's last `run` on this Session executed (another thread's runs never show)."""
        return self._reports.last

    def plan_cache_info(self) -> PlanCacheInfo:
        """Hits, misses (= compiles), invalidations, evictions, size and capacity of the plan cache."""
        return self._plans.info()

    # --- context management -------------------------------------------------------------------
    def __enter__(self) -> Session:
        self._check_open("enter")
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
        """Releases the compiled plans; any later use of the Session raises `SessionError` (TF1)."""
        self._closed = True
        self._plans.clear()

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise SessionError(f"cannot {what}: the Session is closed",
                               fix="use the Session inside its `with gr.Session() as sess:` block, or "
                                   "create a new Session (variables must be initialized or restored again)")

    # --- variables ------------------------------------------------------------------------------
    @property
    def variables(self) -> Mapping[str, np.ndarray]:
        """The variables' current values by full name (read-only arrays; `load_variable` sets one)."""
        self._check_open("read variables")
        return self._ctx.variables

    def load_variable(self, var: Any, value: Any) -> None:
        """Sets a variable's value (TF1's ``Variable.load``); checks shape and dtype."""
        self._check_open("load a variable")
        node = getattr(var, "op", None)
        if not isinstance(node, Node) or "var_name" not in node.attrs:
            raise SessionArgumentError(f"load_variable expects a variable, got {var!r}",
                                       fix="pass the object gr.Variable / gr.get_variable returned")
        arr = _convert_feed(node.outputs[0], value)
        arr = np.array(arr, copy=True)
        arr.setflags(write=False)
        self._ctx.write_variable(node.attrs["var_name"], arr)

    # --- running ----------------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: Mapping[Any, Any] | None = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """Computes ``fetches`` (a tensor, an operation, a name, or a nested structure of them).

        If the run raises, every variable it assigned has its value from before the run again.
        """
        if self._closed:
            self._check_open("run")
        if options is not None and not isinstance(options, RunOptions):
            raise SessionArgumentError(f"run(options=...) must be a gr.RunOptions, got {type(options).__name__}",
                                       fix="pass gr.RunOptions(trace_level=gr.RunOptions.FULL_TRACE) or omit it")
        if run_metadata is not None and not isinstance(run_metadata, RunMetadata):
            raise SessionArgumentError(f"run(run_metadata=...) must be a gr.RunMetadata, got "
                                       f"{type(run_metadata).__name__}",
                                       fix="pass gr.RunMetadata() or omit it")
        if feed_dict is not None and type(feed_dict) is not dict and not isinstance(feed_dict, Mapping):
            raise FeedError(f"feed_dict must be a mapping from tensors to values, got {type(feed_dict).__name__}",
                            fix="pass a dict: sess.run(fetches, feed_dict={x: data})")
        flat = nest.flatten(fetches)
        traced = _traced_values(options, self.graph)  # loop-body values whose history is asked for
        leaves = [x if any(x is v for v in traced) else _fetch_leaf(x, self.graph) for x in flat]
        values = [x for x in leaves if isinstance(x, Value) and not any(x is v for v in traced)]
        targets = [x for x in leaves if isinstance(x, Node)]
        feeds: dict[Value, np.ndarray] = {}
        if feed_dict:
            hints = {id(t): text for t, text in self.graph.get_collection(FEED_HINTS)}
            for k, v in feed_dict.items():
                key = _fetch_leaf(k, self.graph, what="feed")
                if not isinstance(key, Value):
                    raise FeedError(f"feed_dict keys must be tensors, got operation '{key.name}'",
                                    fix=f"feed one of its outputs, e.g. '{key.name}:0'")
                feeds[key] = _convert_feed(key, v, hints.get(id(key)))
        uniq_vals = list({id(v): v for v in values}.values())
        feed_keys = sorted(feeds, key=id)
        # TF1 traces when asked to and there is a RunMetadata to hold the trace.
        trace = options is not None and options.trace_level > RunOptions.NO_TRACE and run_metadata is not None
        cached = self._plan(uniq_vals, targets, feed_keys, trace, traced)
        ctx = self._ctx
        outer = ctx.begin_journal(RunStats(node_times=[] if trace else None))
        try:
            if self._blas_cap > 0:
                with blas_thread_cap(self._blas_cap):
                    results = cached.plan.run([feeds[k] for k in feed_keys])
            else:
                results = cached.plan.run([feeds[k] for k in feed_keys])
        except BaseException:
            ctx.rollback(ctx.end_journal(outer, succeeded=False))
            raise
        ctx.end_journal(outer, succeeded=True)
        if trace:
            assert run_metadata is not None and ctx.stats.node_times is not None
            run_metadata.step_stats = _step_stats(cached.plan, ctx.stats.node_times)
        self._record(cached)
        by_id = {id(v): r for v, r in zip([*uniq_vals, *traced], results)}
        if traced and run_metadata is not None:
            run_metadata.traces = {v.name: by_id[id(v)] for v in traced}
        out = []
        for leaf in leaves:
            if isinstance(leaf, Value):
                out.append(_as_result(by_id[id(leaf)], leaf))
            else:
                out.append(None)
        return nest.pack_sequence_as(fetches, out) if nest.is_sequence(fetches) else out[0]

    def _plan(self, values: list[Value], targets: list[Node], feed_keys: list[Value],
              trace: bool = False, traced: Sequence[Value] = ()) -> CachedPlan:
        """The cached plan for these fetches and feeds, compiled on a miss."""
        key = (tuple(map(id, values)), tuple(map(id, targets)), tuple(map(id, feed_keys)), trace,
               tuple(map(id, traced)))
        cached = self._plans.get(key)
        if cached is None:
            with self._compile_lock:
                cached = self._plans.peek(key)  # another thread may have compiled it meanwhile
                if cached is None:
                    cached = self._compile(values, targets, feed_keys, trace, traced)
                    self._plans.put(key, cached)
        return cached

    def _compile(self, values: list[Value], targets: list[Node], feed_keys: list[Value],
                 trace: bool = False, traced: Sequence[Value] = ()) -> CachedPlan:
        source = SourceSnapshot(self.graph, prune(self.graph, values, targets, feed_keys))
        if self._log_placement:
            _log_placement(source.nodes)
        graph, outs, tgts, ins, report = self.graph, values, targets, feed_keys, None
        if traced:  # loop tracing: an instrumented copy, for this plan only (graphrnn.passes.trace)
            from graphrnn.passes.trace import instrument_for_plan
            graph, outs, tgts, ins = instrument_for_plan(graph, values, targets, feed_keys, traced)
        if self.optimize:
            from graphrnn.passes.session_hook import optimize_for_run
            graph, outs, tgts, ins, report = optimize_for_run(graph, outs, tgts, ins, self.optimize)
        plan = compile_plan(graph, ins, outs, self._ctx, targets=tgts, trace=trace)
        return CachedPlan(plan, report, source, (values, targets, feed_keys))

    def _record(self, cached: CachedPlan) -> None:
        stats = self._ctx.stats
        notes = list(stats.notes)
        if stats.while_iterations:
            notes.append("While loops ran their iterations in order on the NumPy interpreter "
                         "(parallel_iterations and swap_memory are recorded on the node, not used)")
        self._reports.last = RunReport(len(cached.plan.nodes), dict(stats.while_iterations),
                                       cached.report is not None, cached.report, notes)

    def make_callable(self, fetches: Any, feed_list: Any = None, accept_options: bool = False) -> Any:
        """TF1's ``make_callable``: a function running ``fetches`` with the values of ``feed_list``
        given positionally (``f(x_batch, y_batch)``); with ``accept_options`` it also takes
        ``options=`` and ``run_metadata=``. Fetches and feeds are checked now, not at the first call."""
        self._check_open("make a callable")
        for x in nest.flatten(fetches):
            _fetch_leaf(x, self.graph)
        keys = [] if feed_list is None else list(feed_list)
        for k in keys:
            if not isinstance(_fetch_leaf(k, self.graph, what="feed"), Value):
                raise FeedError(f"make_callable's feed_list must hold tensors, got operation {k!r}",
                                fix="list tensors (e.g. 'x:0'), in the order the callable takes their values")

        def run_callable(*feed_values: Any, **kwargs: Any) -> Any:
            if len(feed_values) != len(keys):
                raise FeedError(f"this callable takes {len(keys)} feed value(s) (for "
                                f"{', '.join(getattr(k, 'name', str(k)) for k in keys) or 'nothing'}), "
                                f"got {len(feed_values)}", fix="pass one value per tensor of feed_list, in order")
            extra = set(kwargs) - ({"options", "run_metadata"} if accept_options else set())
            if extra:
                raise SessionArgumentError(f"this callable got unexpected keyword argument(s) {sorted(extra)}",
                                           fix="make it with accept_options=True to pass options= and run_metadata=")
            return self.run(fetches, dict(zip(keys, feed_values)), **kwargs)
        return run_callable

    def list_devices(self) -> list[DeviceAttributes]:
        """The devices this Session runs on: this process's CPU (TF1's ``Session.list_devices``)."""
        self._check_open("list devices")
        return [DeviceAttributes(_LOCAL_CPU, "CPU", _CPU_MEMORY_LIMIT, 0)]

    def plan_for(self, fetches: Any, feed_keys: Any = ()) -> Plan:
        """The compiled plan `run` would use (for introspection and tests)."""
        self._check_open("compile a plan")
        leaves = [_fetch_leaf(x, self.graph) for x in nest.flatten(fetches)]
        values = list({id(v): v for v in leaves if isinstance(v, Value)}.values())
        targets = [x for x in leaves if isinstance(x, Node)]
        keys = sorted((_fetch_leaf(k, self.graph, what="feed") for k in feed_keys), key=id)
        with self._compile_lock:
            return self._compile(values, targets, keys).plan  # type: ignore[arg-type]


_LOCAL_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
_CPU_MEMORY_LIMIT = 268435456  # what TF1 reports for its CPU device (the NumPy backend sets no limit)


class DeviceAttributes(NamedTuple):
    """One entry of `Session.list_devices` (TF1's field names)."""

    name: str
    device_type: str
    memory_limit_bytes: int
    incarnation: int


def _log_placement(nodes: tuple[Node, ...]) -> None:
    """TF1's ``log_device_placement`` lines for a newly compiled plan: every node runs on this
    process's CPU (a requested ``node.device`` is recorded, not used)."""
    lines = [f"{n.name}: ({n.op}): {_LOCAL_CPU}" for n in nodes]
    sys.stderr.write("\n".join(lines) + "\n" if lines else "")


def _step_stats(plan: Plan, times: list[tuple[int, int, int]]) -> StepStats:
    """TF1's StepStats of a traced run: one NodeExecStats per node of the plan that ran, in order."""
    thread = threading.get_native_id()
    stats = []
    for step, start_ns, took_ns in times:
        n = plan.nodes[step]
        args = ", ".join(v.name for v in n.inputs)
        stats.append(NodeExecStats(
            node_name=n.name, timeline_label=f"{n.name} = {n.op}({args})", thread_id=thread,
            all_start_micros=start_ns // 1000, op_end_rel_micros=took_ns // 1000, all_end_rel_micros=took_ns // 1000,
            all_start_nanos=start_ns, op_end_rel_nanos=took_ns, all_end_rel_nanos=took_ns,
            scheduled_micros=start_ns // 1000, scheduled_nanos=start_ns))
    return StepStats(dev_stats=[DeviceStepStats(device=_LOCAL_CPU, node_stats=stats)])


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

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None, optimize: Any = True,
                 plan_cache_size: int = DEFAULT_CAPACITY) -> None:
        super().__init__(target, graph, config, optimize, plan_cache_size)
        _SESSIONS.stack.append(self)

    def close(self) -> None:
        if self in _SESSIONS.stack:
            _SESSIONS.stack.remove(self)
        super().close()
