"""The error hierarchy users see.

Every error raised for a malformed graph, a bad feed or a failing kernel is a `GraphError`.
Its message names, when known, the op, the node, the input shapes, the user's source line that
created the node, and how to fix it, so users can act without reading graphrnn's code.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that must not reach a terminal raw: C0/C1 controls (ESC starts ANSI sequences) and
# the Unicode bidirectional overrides and zero-width marks that make text read differently, and
# lone surrogates (a JSON "\\ud800" escape), which a UTF-8 terminal cannot even encode.
_INVISIBLE = "\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f{_INVISIBLE}]")
_UNSAFE_BUT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f{_INVISIBLE}]")  # keeps newlines and tabs
SHOWN_LIMIT = 200


def _escape_char(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def shown(text: Any, limit: int | None = SHOWN_LIMIT) -> str:
    """``text`` made safe to print in a message: control characters escaped (``\\x1b``), at most
    ``limit`` characters kept (None: all). For strings from outside (a file's names, source lines)."""
    s = str(text)
    if not s.isprintable():  # every character escaped below is non-printable: the common case is free
        s = _UNSAFE.sub(_escape_char, s)
    return s if limit is None or len(s) <= limit else s[:limit] + f"...[{len(s) - limit} more chars]"


def _layout_safe(text: str) -> str:
    """Escapes control characters except newlines and tabs (a message's own layout)."""
    return _UNSAFE_BUT_LAYOUT.sub(_escape_char, text)


class GraphError(Exception):
    """Base class of every error graphrnn raises about a graph, a feed or an execution.

    Invariant: ``str(err)`` is self-contained: what went wrong, where (op, node, source line),
    and a fix when one is known.
    """

    def __init__(
        self,
        message: str,
        *,
        op: str | None = None,
        node: str | None = None,
        shapes: Any = None,
        source: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.op = op
        self.node = node
        self.shapes = shapes
        self.source = source
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        # Names and source lines may come from a loaded file: escaped and truncated, so no raw
        # terminal control sequence reaches the user's screen through an error message.
        parts = [_layout_safe(self.message)]
        where = []
        if self.op is not None:
            where.append(f"op {shown(self.op)}")
        if self.node is not None:
            where.append(f"node '{shown(self.node)}'")
        if where:
            parts.append("  in " + ", ".join(where))
        if self.shapes is not None:
            parts.append(f"  input types: {_layout_safe(str(self.shapes))}")
        if self.source is not None:
            parts.append(f"  created at {shown(self.source, 2 * SHOWN_LIMIT)}")
        if self.fix:
            parts.append(f"  fix: {_layout_safe(self.fix)}")
        return "\n".join(parts)

    def attach(
        self,
        *,
        op: str | None = None,
        node: str | None = None,
        shapes: Any = None,
        source: str | None = None,
    ) -> GraphError:
        """Fills in context the raiser did not know (e.g. a shape rule does not know the node name)."""
        self.op = self.op if self.op is not None else op
        self.node = self.node if self.node is not None else node
        self.shapes = self.shapes if self.shapes is not None else shapes
        self.source = self.source if self.source is not None else source
        self.args = (self._format(),)
        return self


class ShapeError(GraphError, ValueError):
    """Static shapes are incompatible (at build time) or a runtime shape contradicts a static one."""


class DTypeError(GraphError, TypeError):
    """Dtypes of inputs do not agree, or an op does not support a dtype."""


class VerifyError(GraphError):
    """The verifier found a structural problem in a graph (a bug in a pass or a hand-made graph)."""


class FeedError(GraphError, ValueError):
    """A feed has the wrong shape or dtype, a placeholder is not fed, or a fed key is not a tensor."""


class FetchError(GraphError, ValueError):
    """A fetch is not a tensor or operation of the session's graph."""


class ExecutionError(GraphError, RuntimeError):
    """A kernel failed at run time (e.g. an out-of-range index or an uninitialized variable)."""


class InvalidArgumentError(ExecutionError):
    """TF1's InvalidArgumentError: a check (``tf.Assert``, ``tf.assert_*``, ``tf.check_numerics``)
    failed, at run time or, when the values are known while building, at build time."""


class ScopeError(GraphError, ValueError):
    """Variable scoping: a variable exists and reuse was not asked for, or reuse of a missing one."""


class SerializationError(GraphError, ValueError):
    """A saved graph is malformed, from an unknown version, or uses an op or attr we do not know."""


class CheckpointError(GraphError, ValueError):
    """A checkpoint is missing, corrupted, or does not match the variables it is restored into."""


class PassError(GraphError):
    """A pass name is unknown or a pipeline is malformed."""
