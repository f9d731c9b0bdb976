"""A Session's compiled plans: a bounded LRU cache that stays valid while the graph grows.

A plan is compiled from the pruned subgraph its fetches need. Nodes appended to the graph later
cannot change that subgraph (a node's inputs and control inputs are fixed when it is created, so an
old node never reads a new one), so appending does not invalidate anything. Graph rewrites in place
(`gr.gradients` instruments forward While and If nodes: new inputs, outputs, attrs, body results)
bump ``graph.version``; then each cached plan checks, once per version, whether any node it was
compiled from changed (`SourceSnapshot`), and only those plans are recompiled.

The cache is keyed by the identities of the fetched values, fetched operations and fed values; an
entry keeps those objects alive so that their ids cannot be reused by other objects while it lives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from graphrnn.backends.numpy.plan import Plan
from graphrnn.ir.graph import Graph, Node

DEFAULT_CAPACITY = 64


def _flatten(nodes: Sequence[Node]) -> list[Any]:
    """Everything a rewrite may replace in ``nodes`` (and the subgraphs they own), as one list of
    objects compared by identity: each node's inputs, outputs, attrs and control inputs tuples, and
    each subgraph's params, results and node list contents."""
    flat: list[Any] = []
    stack: list[Sequence[Node]] = [nodes]
    while stack:  # iterative: loops nested deeper than the recursion limit are fine
        for n in stack.pop():
            flat += (n, n.inputs, n.outputs, n.attrs, n.control_inputs)
            for sub in n.attrs.values():
                if isinstance(sub, Graph):
                    flat += (sub, len(sub.params), *sub.params, len(sub.results), *sub.results, len(sub.nodes))
                    stack.append(list(sub.nodes))
    return flat


def _same(a: list[Any], b: list[Any]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x is not y and not (type(x) is int and type(y) is int and x == y):
            return False
    return True


class SourceSnapshot:
    """What a plan was compiled from: the pruned nodes of the session's graph, as they were.

    Invariant: `still_valid` is True iff none of those nodes (nor their subgraphs) was rewritten
    since the snapshot; it costs nothing while ``graph.version`` is unchanged.
    """

    __slots__ = ("graph", "nodes", "version", "flat")

    def __init__(self, graph: Graph, nodes: Sequence[Node]) -> None:
        self.graph = graph
        self.nodes = tuple(nodes)
        self.version = graph.version
        self.flat = _flatten(self.nodes)

    def still_valid(self) -> bool:
        if self.graph.version == self.version:
            return True
        if not _same(self.flat, _flatten(self.nodes)):
            return False
        self.version = self.graph.version  # checked against this version: no need to look again
        return True


@dataclass
class CachedPlan:
    """A compiled plan with what it was compiled from."""

    plan: Plan
    report: Any            # the pass manager's report when the graph was optimized, else None
    source: SourceSnapshot
    keep_alive: Any        # the objects whose ids make up the cache key


class PlanCacheInfo(NamedTuple):
    """Counters of a Session's plan cache (like ``functools.lru_cache``'s ``cache_info``)."""

    hits: int
    misses: int          # lookups that found no valid plan (then compiled, unless another thread just did)
    invalidations: int   # plans dropped because a graph rewrite changed a node they were built from
    evictions: int       # plans dropped because the cache was full
    size: int
    capacity: int


class PlanCache:
    """A thread-safe LRU map from fetch/feed signatures to `CachedPlan`s, at most ``capacity`` long."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._plans: OrderedDict[Hashable, CachedPlan] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = self._invalidations = self._evictions = 0

    def get(self, key: Hashable) -> CachedPlan | None:
        """The valid plan for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._plans.get(key)
            if entry is not None:
                source = entry.source
                if source.version == source.graph.version or source.still_valid():
                    self._plans.move_to_end(key)
                    self._hits += 1
                    return entry
                del self._plans[key]
                self._invalidations += 1
            self._misses += 1
            return None

    def peek(self, key: Hashable) -> CachedPlan | None:
        """Like `get` without counting a miss (a re-check after waiting for the compile lock)."""
        with self._lock:
            entry = self._plans.get(key)
            if entry is not None and entry.source.still_valid():
                self._plans.move_to_end(key)
                return entry
            return None

    def put(self, key: Hashable, entry: CachedPlan) -> None:
        with self._lock:
            self._plans[key] = entry
            self._plans.move_to_end(key)
            while len(self._plans) > self.capacity:
                self._plans.popitem(last=False)
                self._evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def info(self) -> PlanCacheInfo:
        with self._lock:
            return PlanCacheInfo(self._hits, self._misses, self._invalidations, self._evictions,
                                 len(self._plans), self.capacity)

    def __len__(self) -> int:
        return len(self._plans)
