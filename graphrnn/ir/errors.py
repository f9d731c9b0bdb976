"""The error hierarchy users see.

Every error raised for a malformed graph, a bad feed or a failing kernel is a `GraphError`.
Its message names, when known, the op, the node, the input shapes, the user's source line that
created the node, and how to fix it, so users can act without reading graphrnn's code.
"""

from __future__ import annotations

from typing import Any


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
        parts = [self.message]
        where = []
        if self.op is not None:
            where.append(f"op {self.op}")
        if self.node is not None:
            where.append(f"node '{self.node}'")
        if where:
            parts.append("  in " + ", ".join(where))
        if self.shapes is not None:
            parts.append(f"  input types: {self.shapes}")
        if self.source is not None:
            parts.append(f"  created at {self.source}")
        if self.fix:
            parts.append(f"  fix: {self.fix}")
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


class ScopeError(GraphError, ValueError):
    """Variable scoping: a variable exists and reuse was not asked for, or reuse of a missing one."""


class SerializationError(GraphError, ValueError):
    """A saved graph is malformed, from an unknown version, or uses an op or attr we do not know."""


class CheckpointError(GraphError, ValueError):
    """A checkpoint is missing, corrupted, or does not match the variables it is restored into."""


class PassError(GraphError):
    """A pass name is unknown or a pipeline is malformed."""
