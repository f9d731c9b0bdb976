"""Kernels of control flow: While and If run compiled plans of their subgraphs; TensorArray ops.

While: carries and captures come in as arrays; the cond plan and the body plan are compiled once
(when the enclosing plan is compiled) and run in order, one iteration at a time, whatever
``parallel_iterations`` says (the run report notes this). Carried TensorArray buffers that the
body only overwrites are copied once on entry and then updated in place by the body.

Deep nests: running (and compiling) a loop nest recurses in Python, a few frames per level (the
While kernel runs its body's plan, whose code calls the kernel of the loop nested in it). That
recursion is the plan design (plans are straight-line Python functions), so it is not made
iterative here; instead the outermost While of a nest deeper than `DEEP_NEST` levels makes room
for it: it raises the recursion limit to what the nest needs (`FRAMES_PER_LEVEL` per level, on
top of the frames in use) while it compiles and runs, and restores it after. So a 500-deep nest
runs at Python's default limit; shallow loops (RNNs) never touch the limit.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.backends.numpy.plan import compile_plan
from graphrnn.ir.errors import ExecutionError, GraphError
from graphrnn.ir.graph import Graph, Node

# Frames one nesting level takes: running, Plan.run + the plan's code + the While kernel's run (+1
# spare for an If on the way); compiling, compile_plan + the kernel factory.
FRAMES_PER_LEVEL = 4
DEEP_NEST = 40            # nests at most this deep fit in the default limit with room to spare
_SPARE_FRAMES = 300       # kernels' own calls, error handling, a caller's frames above the nest
_DEPTH: weakref.WeakKeyDictionary[Graph, int] = weakref.WeakKeyDictionary()


class _Room(threading.local):
    """Whether a While kernel on this thread's stack has made room for the loops inside it."""

    made = False


_ROOM = _Room()


def nest_depth(graph: Graph) -> int:
    """How many subgraph levels (loop bodies, conds, branches) ``graph`` holds at its deepest: 0 for
    a graph without loops. Post-order over a worklist (no recursion), memoized per graph (a graph's
    nesting never changes once it is built: rewrites build new graphs)."""
    work: list[tuple[Graph, bool]] = [(graph, False)]
    while work:
        g, ready = work.pop()
        if g in _DEPTH:
            continue
        subs = [s for n in g.nodes for s in n.attrs.values() if isinstance(s, Graph)]
        if ready:
            _DEPTH[g] = max((1 + _DEPTH[s] for s in subs), default=0)
            continue
        work.append((g, True))
        work.extend((s, False) for s in subs if s not in _DEPTH)
    return _DEPTH[graph]


def _frames_in_use() -> int:
    f, n = sys._getframe(), 0
    while f is not None:
        f, n = f.f_back, n + 1
    return n


# The recursion limit is one per process: threads that make room share it. The limit stays at the
# largest room any thread still needs and goes back to the limit found before the first raise.
_LIMIT_LOCK = threading.Lock()
_NEEDS: list[int] = []          # limits the deep loops running now (any thread) asked for
_BASE_LIMIT = [0]               # the limit before the first of them raised it


def _set_limit(need: int) -> None:
    with _LIMIT_LOCK:
        if not _NEEDS:
            _BASE_LIMIT[0] = sys.getrecursionlimit()
        _NEEDS.append(need)
        sys.setrecursionlimit(max([_BASE_LIMIT[0], *_NEEDS]))


def _release_limit(need: int) -> None:
    with _LIMIT_LOCK:
        _NEEDS.remove(need)
        sys.setrecursionlimit(max([_BASE_LIMIT[0], *_NEEDS]))


@contextlib.contextmanager
def stack_room(levels: int) -> Iterator[None]:
    """Raises the recursion limit, if needed, so that ``levels`` nesting levels fit above the
    frames in use, until the block ends (other threads' needs included, see `_NEEDS`). Only the
    outermost deep loop of a thread does this: those inside it fit in the room it made."""
    if _ROOM.made or levels <= DEEP_NEST:
        yield
        return
    need = _frames_in_use() + FRAMES_PER_LEVEL * levels + _SPARE_FRAMES
    _set_limit(need)
    _ROOM.made = True
    try:
        yield
    finally:
        _ROOM.made = False
        _release_limit(need)


def _in_place_carries(body: Graph, n_carry: int) -> list[int]:
    """Carries the body may update in place: ``p -> TensorArrayWrite -> result i`` and nothing else.

    The param's only reader is the write (so no view of the old buffer exists in the body), and the
    write's output is read by nothing but result slot i (so no view of the new buffer is carried
    into the next iteration, where the buffer will be written again).
    """
    users = body.consumers()
    result_uses: dict[int, int] = {}
    for r in body.results:
        result_uses[id(r)] = result_uses.get(id(r), 0) + 1
    out = []
    for i, p in enumerate(body.params[:n_carry]):
        us = users.get(p, [])
        if len(us) != 1 or us[0].op != "TensorArrayWrite" or us[0].inputs[0] is not p or id(p) in result_uses:
            continue
        w = us[0].outputs[0]
        if body.results[i] is w and result_uses.get(id(w)) == 1 and not users.get(w):
            out.append(i)
    return out


@kernel("While")
def _while(node: Node, ctx: RunContext) -> Any:
    cond_g: Graph = node.attrs["cond"]
    body_g: Graph = node.attrs["body"]
    n = node.attrs["n_carry"]
    inplace = _in_place_carries(body_g, n)
    levels = max(nest_depth(body_g), nest_depth(cond_g)) + 1
    with stack_room(levels):  # compiling recurses into nested loops too
        cond_plan = compile_plan(cond_g, cond_g.params, cond_g.results, ctx)
        body_plan = compile_plan(body_g, body_g.params, body_g.results, ctx,
                                 owned_inputs=[body_g.params[i] for i in inplace])
    cond_run, body_run = cond_plan.run, body_plan.run
    name = node.name
    room = stack_room if levels > DEEP_NEST else None

    def run(*args: Any) -> Any:
        carries = list(args[:n])
        caps = list(args[n:])
        for i in inplace:
            written = _WRITTEN.get(carries[i])
            carries[i] = np.array(carries[i], copy=True)
            if written is not None:  # the loop's own copy keeps the written indices
                _WRITTEN.track(carries[i], set(written))
        steps = 0
        try:
            with room(levels) if room is not None else contextlib.nullcontext():
                while cond_run((*carries, *caps))[0]:
                    carries = body_run((*carries, *caps))
                    steps += 1
        except GraphError as e:
            e.message = f"{e.message}\n  (in iteration {steps} of while loop '{name}')"
            e.args = (e._format(),)
            raise
        its = ctx.stats.while_iterations  # the session replaces stats at each run
        its[name] = its.get(name, 0) + steps
        return carries[0] if n == 1 else tuple(carries)
    return run


@kernel("If")
def _if(node: Node, ctx: RunContext) -> Any:
    then_g, else_g = node.attrs["then_branch"], node.attrs["else_branch"]
    tp = compile_plan(then_g, then_g.params, then_g.results, ctx)
    ep = compile_plan(else_g, else_g.params, else_g.results, ctx)
    single = len(node.outputs) == 1

    def run(pred: Any, *caps: Any) -> Any:
        res = (tp if pred else ep).run(caps)
        return res[0] if single else tuple(res)
    return run


class _WrittenIndices:
    """Which indices of each live TensorArray buffer have been written (TF1 refuses a second write).

    Keyed by the buffer object (``id`` plus a weak reference, whose callback drops the entry when the
    buffer is freed, so a reused id never inherits a stale set). A write that updates its buffer in
    place adds to the buffer's set; a write that copies gives the copy the old set plus its index,
    leaving the old buffer's set as it was (TensorArrays are values). Buffers made by other ops
    (an unstack's value, gradient arrays, tape copies) are not tracked, so they are never refused.
    """

    def __init__(self) -> None:
        self._sets: dict[int, tuple[weakref.ref[Any], set[int]]] = {}

    def track(self, buf: np.ndarray, written: set[int]) -> None:
        key = id(buf)
        self._sets[key] = (weakref.ref(buf, lambda _ref, key=key: self._sets.pop(key, None)), written)

    def get(self, buf: np.ndarray) -> set[int] | None:
        entry = self._sets.get(id(buf))
        if entry is None or entry[0]() is not buf:
            return None
        return entry[1]


_WRITTEN = _WrittenIndices()


@kernel("TensorArrayNew")
def _ta_new(node: Node, ctx: RunContext) -> Any:
    t = node.attrs["type"]
    # Unknown dims (or an unknown rank: one 0-sized dim) are allocated empty; the first write sets them.
    elem = tuple(0 if d is None else d for d in t.shape[1:]) if t.has_rank else (0,)
    dt = t.dtype.np

    def run(size: Any) -> Any:
        s = int(size)
        if s < 0:
            raise ExecutionError(f"TensorArray size must be >= 0, got {s}")
        buf = np.zeros((s, *elem), dt)
        _WRITTEN.track(buf, set())
        return buf
    return run


def _check_index(i: int, n: int, what: str) -> None:
    if not 0 <= i < n:
        raise ExecutionError(f"{what} index {i} is out of range for a TensorArray of size {n}",
                             fix="use an index in [0, size) or create the TensorArray with dynamic_size=True")


@kernel("TensorArrayWrite")
def _ta_write(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)
    grow = node.attrs.get("dynamic_size", False)
    in_place = id(node) in ctx.donated
    lead = (slice(None),) * axis

    def run(buf: Any, index: Any, value: Any) -> Any:
        i = int(index)
        written = _WRITTEN.get(buf)
        if written is not None and i in written:
            raise ExecutionError(f"could not write to TensorArray index {i} because it has already been written to "
                                 "(TF1 refuses a second write)", op=node.op, node=node.name,
                                 source=node.source_line,
                                 fix="write each index once (carry the TensorArray that write() returns), or keep "
                                     "the values in a tensor and update it with gr.where")
        old = buf
        n = buf.shape[axis]
        elem = buf.shape[:axis] + buf.shape[axis + 1:]
        vshape = np.shape(value)
        if elem != vshape:
            if buf.size == 0 or any(d == 0 for d in elem):  # element dims set by the first write
                shape = (*vshape[:axis], n, *vshape[axis:])
                buf = np.zeros(shape, buf.dtype)
            else:
                raise ExecutionError(f"cannot write a value of shape {vshape} into a TensorArray whose "
                                     f"elements have shape {elem}")
        elif not in_place:
            buf = buf.copy()
        if i >= n and grow and i >= 0:
            pad = list(buf.shape)
            pad[axis] = i + 1 - n
            buf = np.concatenate([buf, np.zeros(pad, buf.dtype)], axis=axis)
        else:
            _check_index(i, n, "write")
        buf[(*lead, i)] = value
        if written is not None:
            if buf is old:
                written.add(i)
            else:
                _WRITTEN.track(buf, written | {i})
        return buf
    return run


@kernel("TensorArrayRead")
def _ta_read(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)
    lead = (slice(None),) * axis

    def run(buf: Any, index: Any) -> Any:
        i = int(index)
        _check_index(i, buf.shape[axis], "read")
        return buf[(*lead, i)]
    return run


@kernel("TensorArrayUnstackCheck")
def _ta_unstack_check(node: Node, ctx: RunContext) -> Any:
    grow = node.attrs.get("dynamic_size", False)

    def run(value: Any, size: Any) -> Any:
        n, s = int(np.shape(value)[0]), int(size)
        if n > s and not grow:
            raise ExecutionError(f"TensorArray.unstack of {n} elements into a TensorArray of size {s} (TF1: the "
                                 "array is not resizeable)", op=node.op, node=node.name, source=node.source_line,
                                 fix=f"create the TensorArray with a size of {n}, or dynamic_size=True")
        if n < s:
            raise ExecutionError(f"TensorArray.unstack of {n} elements into a TensorArray of run-time size {s}: "
                                 "graphrnn cannot leave the last elements unwritten when the sizes are only "
                                 "known at run time", op=node.op, node=node.name, source=node.source_line,
                                 fix="give the array the value's length, e.g. size=gr.shape(value)[0]")
        return size
    return run


@kernel("TensorArraySize")
def _ta_size(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)
    return lambda buf: np.int32(buf.shape[axis])
