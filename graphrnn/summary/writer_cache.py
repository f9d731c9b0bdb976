"""TF1's ``tf.summary.FileWriterCache``: one shared `FileWriter` per log directory.

``get(logdir)`` creates the writer on first use, with the default graph written to it (as TF1
does), and returns the same writer afterwards; ``clear()`` closes and forgets them all.
"""

from __future__ import annotations

import os
import threading

from graphrnn.ir import builder
from graphrnn.summary.writer import FileWriter


class FileWriterCache:
    """Process-wide cache of writers keyed by log directory (the path as given)."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.RLock()

    @staticmethod
    def get(logdir: str | os.PathLike[str]) -> FileWriter:
        key = os.fspath(logdir)
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(key)
            if writer is None:
                writer = FileWriter(key, graph=builder.get_default_graph())
                FileWriterCache._cache[key] = writer
            return writer

    @staticmethod
    def clear() -> None:
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()
