"""`FileWriter`: TF1's ``tf.summary.FileWriter``, writing TensorBoard event files with tensorboardX.

An event file is named ``events.out.tfevents.<seconds>.<hostname><suffix>`` in ``logdir`` (made
if missing) and starts with the ``brain.Event:2`` version record; each later record is one
``Event`` (a summary with its step, a graph, a session log) in TFRecord framing. The framing and
the file handle are tensorboardX's ``RecordWriter``: an event file is append-only, so it is
written in place rather than through `graphrnn.io.atomic` (TensorBoard reads it while it grows).

Differences from TF1, on purpose: events are written synchronously (TF1 queues them on a
thread; the file contents are the same), flushed after ``max_queue`` events or ``flush_secs``
seconds, and a second writer started in the same second in the same folder gets a new file
(``....1``) instead of truncating the first one's.

Without tensorboardX every method is a no-op, after one warning (`protos.warn_if_missing`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

import numpy as np

from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph
from graphrnn.summary import protos

FILE_VERSION = "brain.Event:2"


class SummaryWriterError(GraphError, ValueError):
    """A FileWriter was given something it cannot write (not a Summary, a bad step, a bad folder)."""


def _event_file_name(logdir: str, suffix: str) -> str:
    base = os.path.join(logdir, f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}{suffix}")
    path, k = base, 0
    while os.path.exists(path):
        k += 1
        path = f"{base}.{k}"
    return path


def _step(global_step: Any) -> int | None:
    if global_step is None:
        return None
    if hasattr(global_step, "name") and hasattr(global_step, "graph"):
        raise SummaryWriterError(f"global_step must be a number, got the tensor '{global_step.name}'",
                                 fix="pass its value: writer.add_summary(s, sess.run(global_step))")
    try:
        arr = np.asarray(global_step)
        if arr.ndim != 0 or arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and float(arr) == int(arr)):
            raise TypeError
        return int(arr)
    except (TypeError, ValueError, OverflowError):
        raise SummaryWriterError(f"global_step must be an integer, got {global_step!r}",
                                 fix="pass the training step as an int") from None


class FileWriter:
    """Writes Summary protos, graphs and session logs to an event file in ``logdir``.

    Invariant: while open, ``self._records`` is the tensorboardX RecordWriter of ``self.path``,
    whose first record is the file-version event; after `close`, adding is a logged no-op until
    `reopen` starts a new file.
    """

    def __init__(self, logdir: str | os.PathLike[str], graph: Graph | None = None, max_queue: int = 10,
                 flush_secs: float = 120, graph_def: Any = None, filename_suffix: str | None = None,
                 session: Any = None) -> None:
        # ``session`` (TF1: write through the session's summary ops) changes nothing here: the file is the same.
        try:
            self.logdir = os.fspath(logdir)
        except TypeError:
            raise SummaryWriterError(f"logdir must be a path, got {logdir!r}") from None
        if isinstance(max_queue, bool) or not isinstance(max_queue, (int, np.integer)) or max_queue < 1:
            raise SummaryWriterError(f"max_queue must be a positive int, got {max_queue!r}")
        if isinstance(flush_secs, bool) or not isinstance(flush_secs, (int, float)) or not flush_secs > 0:
            raise SummaryWriterError(f"flush_secs must be a positive number of seconds, got {flush_secs!r}")
        if filename_suffix is not None and not isinstance(filename_suffix, str):
            raise SummaryWriterError(f"filename_suffix must be a string, got {filename_suffix!r}")
        self.max_queue = int(max_queue)
        self.flush_secs = float(flush_secs)
        self.suffix = filename_suffix or ""
        self.path: str | None = None
        self._lock = threading.Lock()
        self._records: Any = None
        self._pending = 0
        self._last_flush = time.monotonic()
        # Import tensorboardX now (not only check it is there), so a broken install also counts as missing.
        self._disabled = protos.load() is None and protos.warn_if_missing("gr.summary.FileWriter", stacklevel=3)
        self._open()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    # --- files ------------------------------------------------------------------------------------
    def _open(self) -> None:
        p = protos.load()
        if self._disabled or p is None:
            return
        try:
            os.makedirs(self.logdir, exist_ok=True)
            self.path = _event_file_name(self.logdir, self.suffix)
            self._records = p.record_writer.RecordWriter(self.path)
        except OSError as e:
            raise SummaryWriterError(f"cannot create an event file in {self.logdir!r}: {e.strerror or e}",
                                     fix="pass a folder you can write to as logdir") from None
        self._write(p.event.Event(wall_time=time.time(), file_version=FILE_VERSION), force_flush=True)

    def _write(self, event: Any, force_flush: bool = False) -> None:
        with self._lock:
            self._records.write(event.SerializeToString())
            self._pending += 1
            now = time.monotonic()
            if force_flush or self._pending >= self.max_queue or now - self._last_flush >= self.flush_secs:
                self._flush_locked(now)

    def _flush_locked(self, now: float) -> None:
        try:
            self._records.flush()
        except OSError as e:
            raise SummaryWriterError(f"cannot write the event file {self.path!r}: {e.strerror or e}") from None
        self._pending = 0
        self._last_flush = now

    def _usable(self) -> bool:
        if self._disabled:
            return False
        if self._records is None:
            from graphrnn.platform import tf_logging
            tf_logging.warning("Attempting to use a closed FileWriter. The operation will be a noop unless the "
                               "FileWriter is explicitly reopened.")
            return False
        return True

    # --- TF1 surface -------------------------------------------------------------------------------
    def get_logdir(self) -> str:
        return self.logdir

    def add_event(self, event: Any) -> None:
        """Writes an ``Event`` proto as it is (TF1 fills in nothing)."""
        if not self._usable():
            return
        p = protos.load()
        assert p is not None
        if not isinstance(event, p.event.Event):
            raise SummaryWriterError(f"add_event takes an Event proto, got {type(event).__name__}",
                                     fix="build it with gr.summary.Event(...)")
        self._write(event)

    def _add_event(self, event: Any, global_step: Any) -> None:
        event.wall_time = time.time()
        step = _step(global_step)
        if step is not None:
            event.step = step
        self._write(event)

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        """Writes a summary: the bytes ``sess.run`` returned for a summary op, or a ``gr.Summary`` proto."""
        if not self._usable():
            return
        p = protos.load()
        assert p is not None
        parsed = p.summary.Summary()
        if isinstance(summary, np.ndarray) and summary.ndim == 0:
            summary = summary[()]
        if isinstance(summary, (bytes, bytearray)):
            try:
                parsed.ParseFromString(bytes(summary))
            except Exception as e:  # noqa: BLE001 - protobuf's DecodeError has no stable import path
                raise SummaryWriterError(f"add_summary: these bytes are not a serialized Summary ({e})",
                                         fix="pass what sess.run(summary_op) returned") from None
        elif isinstance(summary, p.summary.Summary):
            parsed.CopyFrom(summary)
        elif type(summary).__name__ == "Summary" and hasattr(summary, "SerializeToString"):
            parsed.ParseFromString(summary.SerializeToString())  # another library's Summary message
        else:
            hint = (" (a tensor: run it first, writer.add_summary(sess.run(summary_op), step))"
                    if hasattr(summary, "graph") else "")
            raise SummaryWriterError(f"add_summary takes serialized Summary bytes or a gr.Summary, got "
                                     f"{type(summary).__name__}{hint}",
                                     fix="pass the result of sess.run(summary_op) or a gr.Summary(value=[...])")
        self._add_event(p.event.Event(summary=parsed), global_step)

    def add_session_log(self, session_log: Any, global_step: Any = None) -> None:
        """Writes a ``gr.summary.SessionLog`` (e.g. ``SessionLog(status=SessionLog.START)``)."""
        if not self._usable():
            return
        p = protos.load()
        assert p is not None
        if not isinstance(session_log, p.event.SessionLog):
            raise SummaryWriterError(f"add_session_log takes a SessionLog proto, got {type(session_log).__name__}")
        self._add_event(p.event.Event(session_log=session_log), global_step)

    def add_graph(self, graph: Graph | None = None, global_step: Any = None, graph_def: Any = None) -> None:
        """Writes ``graph`` (our Graph; While/If bodies nested under their node) or a ``GraphDef``
        for TensorBoard's graph tab."""
        if graph is not None and graph_def is not None:
            raise SummaryWriterError("pass graph or graph_def to add_graph, not both")
        if not self._usable():
            return
        p = protos.load()
        assert p is not None
        if graph is not None:
            if not isinstance(graph, Graph):
                raise SummaryWriterError(f"add_graph takes a gr.Graph, got {type(graph).__name__}",
                                         fix="pass sess.graph or gr.get_default_graph()")
            from graphrnn.export.tensorboard_graph import to_graph_def
            graph_def = to_graph_def(graph)
        if graph_def is None:
            raise SummaryWriterError("add_graph needs a graph or a graph_def")
        data = graph_def if isinstance(graph_def, bytes) else graph_def.SerializeToString()
        self._add_event(p.event.Event(graph_def=data), global_step)

    def flush(self) -> None:
        """Makes everything written so far readable from the file (and durable: it is fsynced)."""
        if self._records is None:
            return
        with self._lock:
            self._flush_locked(time.monotonic())

    def close(self) -> None:
        """Flushes and closes the file; later adds are no-ops (with a warning) until `reopen`."""
        if self._records is None:
            return
        self.flush()
        with self._lock:
            self._records.close()
            self._records = None

    def reopen(self) -> None:
        """After `close`, starts a new event file in the same folder (TF1)."""
        if self._records is None:
            self._open()

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<gr.summary.FileWriter logdir={self.logdir!r} file={self.path!r}>"
