"""What kernels may touch besides their inputs: the session's variables, RNG streams, run stats.

Variables are written only through `RunContext.write_variable`, which journals the value a variable
had before the current run's first write to it, so a run that fails can be undone
(`RunContext.rollback`): a `Session.run` is all-or-nothing for variables. Run stats and the journal
are per thread, so several threads can run on one Session without seeing each other's counts or
undoing each other's writes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from graphrnn.ir.graph import Node


class RunStats:
    """Filled during one `Session.run`: loop trip counts and notes for the run report.

    ``node_times`` holds (plan step, wall-clock start in ns, duration in ns) of each node when the
    run is traced, else None. (A slotted class, not a dataclass: one is made per run.)
    """

    __slots__ = ("while_iterations", "notes", "node_times")

    def __init__(self, while_iterations: dict[str, int] | None = None, notes: list[str] | None = None,
                 node_times: list[tuple[int, int, int]] | None = None) -> None:
        self.while_iterations = {} if while_iterations is None else while_iterations
        self.notes = [] if notes is None else notes
        self.node_times = node_times


class VariableJournal:
    """The variable writes of one run on one thread.

    ``before[name]`` is the array the variable held before this run's first write to it (None: the
    variable had no value yet); ``written[name]`` is the array this run stored last.
    """

    __slots__ = ("before", "written")

    def __init__(self) -> None:
        self.before: dict[str, np.ndarray | None] = {}
        self.written: dict[str, np.ndarray] = {}


class _PerThread(threading.local):
    """The state of the run in progress on this thread."""

    def __init__(self) -> None:
        self.stats = RunStats()
        self.journal: VariableJournal | None = None


@dataclass
class RunContext:
    """Per-session state shared by all plans of a session.

    ``variables`` maps full variable names to read-only arrays; kernels replace entries (never
    mutate them in place, and only through `write_variable`) so values fetched earlier stay valid
    and a failed run can be rolled back. ``donated`` is the set of node ids whose kernel may
    overwrite input 0: the plan compiler sets it only while it builds that plan's kernels.
    """

    variables: dict[str, np.ndarray] = field(default_factory=dict)
    rngs: dict[str, np.random.Generator] = field(default_factory=dict)
    donated: set[int] = field(default_factory=set)
    owned_params: set[int] = field(default_factory=set)
    plan_cache: dict[Any, Any] = field(default_factory=dict)
    _thread: _PerThread = field(default_factory=_PerThread, repr=False)
    # Orders variable writes against rollbacks of other threads' runs (uncontended: ~0.1 us a write).
    _write_lock: Any = field(default_factory=threading.Lock, repr=False)

    # --- run stats (per thread) ---------------------------------------------------------------
    @property
    def stats(self) -> RunStats:
        """The stats of the run in progress on this thread (the While kernel adds trip counts)."""
        return self._thread.stats

    @stats.setter
    def stats(self, value: RunStats) -> None:
        self._thread.stats = value

    # --- variables ----------------------------------------------------------------------------
    def write_variable(self, name: str, arr: np.ndarray) -> None:
        """Stores ``arr`` (read-only) as variable ``name``, journaled if a run is in progress here."""
        journal = self._thread.journal
        with self._write_lock:
            if journal is not None:
                if name not in journal.before:
                    journal.before[name] = self.variables.get(name)
                journal.written[name] = arr
            self.variables[name] = arr

    def begin_journal(self, stats: RunStats | None = None) -> VariableJournal | None:
        """Starts journaling this thread's variable writes (and, given ``stats``, makes them this
        thread's run stats: one call per run); returns the journal it replaces (a run started from
        inside a run keeps its own journal; `end_journal` puts the outer one back)."""
        thread = self._thread
        if stats is not None:
            thread.stats = stats
        outer = thread.journal
        thread.journal = VariableJournal()
        return outer

    def end_journal(self, outer: VariableJournal | None, succeeded: bool) -> VariableJournal | None:
        """Stops journaling; returns this run's journal. A run that succeeded inside another run
        hands its writes to the outer journal, so a failure of the outer run undoes them too."""
        journal = self._thread.journal
        self._thread.journal = outer
        if succeeded and outer is not None and journal is not None:
            for name, prev in journal.before.items():
                outer.before.setdefault(name, prev)
            outer.written.update(journal.written)
        return journal

    def rollback(self, journal: VariableJournal | None) -> None:
        """Undoes the writes of ``journal``'s run: each variable it wrote gets its value from before
        the run back, unless another thread's run has replaced the value since (theirs stays)."""
        if journal is None:
            return
        with self._write_lock:
            for name, prev in journal.before.items():
                if self.variables.get(name) is not journal.written[name]:
                    continue
                if prev is None:
                    del self.variables[name]
                else:
                    self.variables[name] = prev

    # --- random streams -----------------------------------------------------------------------
    def rng_for(self, node: Node) -> np.random.Generator:
        """A per-node random stream, seeded by the node's ``seed`` attr, advancing across runs."""
        g = self.rngs.get(node.name)
        if g is None:
            g = np.random.default_rng(int(node.attrs.get("seed", 0)))
            self.rngs[node.name] = g
        return g
