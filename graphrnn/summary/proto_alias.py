"""``gr.Summary``, ``gr.summary.Event``, ...: TF1's proto classes, resolved from tensorboardX on first use.

``gr.Summary(value=[gr.Summary.Value(tag="loss", simple_value=0.5)])`` builds tensorboardX's
``Summary`` message, the same message TF1's ``tf.Summary`` is, and ``isinstance(x, gr.Summary)``
checks against it. Importing tensorboardX is slow, so nothing is imported until an alias is used;
without tensorboardX, using one raises a `GraphError` (also an ``AttributeError`` for attribute
access, so ``hasattr`` stays safe) that says which extra to install.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir.errors import GraphError
from graphrnn.summary.protos import INSTALL_HINT, load


class ProtosUnavailableError(GraphError, AttributeError):
    """A proto class was used but tensorboardX, which provides it, is not installed."""


class _LazyProto(type):
    """Metaclass: the class stands for message ``_message`` of proto module ``_module``."""

    _module: str
    _message: str

    def proto(cls) -> Any:
        p = load()
        if p is None:
            raise ProtosUnavailableError(f"gr.{cls.__name__} is a TensorBoard proto, which needs tensorboardX",
                                         fix=INSTALL_HINT)
        return getattr(getattr(p, cls._module), cls._message)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.proto()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(cls.proto(), name)

    def __instancecheck__(cls, obj: Any) -> bool:
        p = load()
        return p is not None and isinstance(obj, cls.proto())


class Summary(metaclass=_LazyProto):
    """TF1's ``tf.Summary``: ``Summary(value=[Summary.Value(tag=..., simple_value=...)])``."""

    _module, _message = "summary", "Summary"


class HistogramProto(metaclass=_LazyProto):
    """TF1's ``tf.HistogramProto`` (``Summary.Value(histo=...)``)."""

    _module, _message = "summary", "HistogramProto"


class SummaryDescription(metaclass=_LazyProto):
    _module, _message = "summary", "SummaryDescription"


class Event(metaclass=_LazyProto):
    """TF1's ``tf.Event``: one record of an event file."""

    _module, _message = "event", "Event"


class SessionLog(metaclass=_LazyProto):
    """TF1's ``tf.SessionLog`` (``FileWriter.add_session_log``; ``SessionLog.START`` ...)."""

    _module, _message = "event", "SessionLog"


class TaggedRunMetadata(metaclass=_LazyProto):
    _module, _message = "event", "TaggedRunMetadata"


class GraphDef(metaclass=_LazyProto):
    """TF1's ``tf.GraphDef`` (what `FileWriter.add_graph` writes; see `graphrnn.export.to_graph_def`)."""

    _module, _message = "graph", "GraphDef"
