"""Where the Summary/Event/GraphDef protocol buffers come from: tensorboardX, an optional extra.

graphrnn does not define TensorBoard's protos itself; ``pip install "graphrnn[tensorboard]"``
brings tensorboardX, whose ``tensorboardX.proto`` modules are the same messages TensorFlow writes.
Without it, summary ops still build and run but produce empty summaries (``b""``, a valid empty
Summary) and `FileWriter` writes nothing; `warn_if_missing` says so once per process.

Importing tensorboardX takes about half a second, so it happens only when a summary is run or a
writer is created (`load`); build-time checks use `available`, which imports nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from types import ModuleType
from typing import NamedTuple

EXTRA = "tensorboard"
INSTALL_HINT = f'pip install "graphrnn[{EXTRA}]" (it installs tensorboardX)'


class SummariesDisabledWarning(UserWarning):
    """tensorboardX is not installed: summaries are empty and FileWriter writes nothing."""


class Protos(NamedTuple):
    """The proto modules graphrnn uses (all from ``tensorboardX.proto``) and the record writer."""

    summary: ModuleType       # Summary, HistogramProto
    event: ModuleType         # Event, SessionLog
    graph: ModuleType         # GraphDef
    node_def: ModuleType      # NodeDef
    attr_value: ModuleType    # AttrValue
    tensor_shape: ModuleType  # TensorShapeProto
    types: ModuleType         # DataType enum (DT_FLOAT, ...)
    versions: ModuleType      # VersionDef
    record_writer: ModuleType  # RecordWriter: TFRecord framing with masked CRC32C


_loaded: Protos | None = None
_missing = False
_warned = False


def available() -> bool:
    """True when tensorboardX can be imported (checked without importing it)."""
    if _loaded is not None:
        return True
    if _missing:
        return False
    try:
        return importlib.util.find_spec("tensorboardX") is not None
    except (ImportError, ValueError):
        return False


def load() -> Protos | None:
    """The proto modules, or None when tensorboardX is missing (imported once, then cached)."""
    global _loaded, _missing
    if _loaded is not None or _missing:
        return _loaded
    try:
        mods = [importlib.import_module(f"tensorboardX.proto.{m}") for m in (
            "summary_pb2", "event_pb2", "graph_pb2", "node_def_pb2", "attr_value_pb2",
            "tensor_shape_pb2", "types_pb2", "versions_pb2")]
        mods.append(importlib.import_module("tensorboardX.record_writer"))
    except ImportError:
        _missing = True
        return None
    _loaded = Protos(*mods)
    return _loaded


def warn_if_missing(what: str, stacklevel: int = 3) -> bool:
    """Warns once per process that ``what`` is a no-op without tensorboardX; True when missing.

    ``stacklevel`` counts from this function's caller's caller (3 = the caller of the caller).
    """
    global _warned
    if available():
        return False
    if not _warned:
        _warned = True
        warnings.warn(f"{what}: tensorboardX is not installed, so summaries are empty and FileWriter "
                      f"writes no event files (this warning is shown once); to write TensorBoard "
                      f"files: {INSTALL_HINT}", SummariesDisabledWarning, stacklevel=stacklevel)
    return True
