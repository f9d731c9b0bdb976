"""The errors of ``gr.gfile``, named as TF1's ``tf.errors`` are (``NotFoundError``, ...).

Each is a `GraphError` (so it names the path and a fix) and also the matching built-in ``OSError``
subclass, so code written against either TF1's names or Python's (``FileNotFoundError``) catches it.
"""

from __future__ import annotations

from graphrnn.ir.errors import GraphError


class FileSystemError(GraphError, OSError):
    """A gfile operation failed on the file system."""


class NotFoundError(FileSystemError, FileNotFoundError):
    """The file or directory does not exist."""


class AlreadyExistsError(FileSystemError, FileExistsError):
    """The target exists and the operation does not overwrite it."""


class PermissionDeniedError(FileSystemError, PermissionError):
    """The operating system refused access."""


class FailedPreconditionError(FileSystemError):
    """The path is of the wrong kind (a directory where a file is needed, or the other way round)."""


class InvalidArgumentError(GraphError, ValueError):
    """A gfile call got an argument it cannot use (a bad mode, a path that is not a string)."""
