"""TF1's ``tf.gfile`` on the local file system: ``GFile``/``Open``/``FastGFile``, ``Exists``,
``MakeDirs``, ``MkDir``, ``Glob``, ``IsDirectory``, ``ListDirectory``, ``Remove``, ``Rename``,
``Copy``, ``DeleteRecursively``, ``Stat``, ``Walk``.

Behaviour is TF1's (which errors are raised when, what is returned), with its error names from
`graphrnn.platform.file_errors`; no raw ``OSError`` escapes. One difference, from graphrnn's rule
that every file is written atomically (`graphrnn.io.atomic`): a ``GFile`` opened for writing
(``"w"``, ``"a"``, with or without ``"b"``) writes to a temporary file beside the target and
replaces the target when it is closed, so a reader never sees half a file; ``flush`` makes the
written bytes durable in that temporary file but not yet visible under the target's name, and an
exception inside ``with GFile(...)`` leaves the target as it was. ``Copy`` writes atomically too.
"""

from __future__ import annotations

import contextlib
import errno
import glob as _glob
import os
import shutil
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

import numpy as np

from graphrnn.io.atomic import atomic_write
from graphrnn.platform.file_errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    FileSystemError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
)

_MODES = frozenset({"r", "rb", "w", "wb", "a", "ab"})


def _path(p: Any, what: str = "path") -> str:
    try:
        path = os.fspath(p)
    except TypeError:
        raise InvalidArgumentError(f"{what} must be a string or os.PathLike, got {p!r}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise InvalidArgumentError(f"{what} is empty")
    return path


def _os_error(e: OSError, what: str, path: str) -> FileSystemError:
    """The gfile error for an OSError of ``what`` on ``path``."""
    reason = e.strerror or str(e)
    msg = f"{what} {path!r}: {reason}"
    if e.errno == errno.ENOENT:
        return NotFoundError(msg, fix="check the path, or create the parent directory with gr.gfile.MakeDirs")
    if e.errno == errno.EEXIST:
        return AlreadyExistsError(msg, fix="remove it first, or pass overwrite=True where the call has it")
    if e.errno in (errno.EACCES, errno.EPERM):
        return PermissionDeniedError(msg, fix="use a path you may write to")
    if e.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENOTEMPTY):
        return FailedPreconditionError(msg)
    return FileSystemError(msg)


def _int_arg(x: Any, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise InvalidArgumentError(f"{what} must be an int, got {x!r}")
    return int(x)


class FileStatistics(NamedTuple):
    """What ``Stat`` returns (TF1's FileStatistics)."""

    length: int
    mtime_nsec: int
    is_directory: bool


class GFile:
    """A file object on ``name``: ``read``/``readline``/``readlines``/iteration, ``write``, ``seek``,
    ``tell``, ``size``, ``flush``, ``close``; a context manager.

    Text modes (``"r"``, ``"w"``, ``"a"``) read ``str`` (UTF-8, lines end at ``\\n`` only, as in
    TF1); binary modes read ``bytes``. ``write`` takes ``str`` or ``bytes`` in any mode (TF1).
    Invariant: exactly one of ``self._reader`` (read modes) or ``self._writer`` (write modes, the
    atomic temp file) is set while the file is open; both are None once it is closed.
    """

    def __init__(self, name: Any, mode: str = "r") -> None:
        self.name = _path(name, "GFile name")
        if mode not in _MODES:
            raise InvalidArgumentError(f"GFile mode must be one of {sorted(_MODES)}, got {mode!r}")
        self.mode = mode
        self._binary = "b" in mode
        self._reader: IO[bytes] | None = None
        self._writer: IO[bytes] | None = None
        self._commit: contextlib.AbstractContextManager[IO[bytes]] | None = None
        if mode[0] == "r":
            if os.path.isdir(self.name):
                raise FailedPreconditionError(f"GFile {self.name!r} is a directory, not a file")
            try:
                self._reader = open(self.name, "rb")  # noqa: SIM115 - closed by close()
            except OSError as e:
                raise _os_error(e, "cannot open", self.name) from None
        else:
            self._commit = atomic_write(self.name, "wb")
            try:
                self._writer = self._commit.__enter__()
                if mode[0] == "a" and os.path.exists(self.name):
                    with open(self.name, "rb") as old:
                        shutil.copyfileobj(old, self._writer)
            except OSError as e:
                self._abort(e)
                raise _os_error(e, "cannot open", self.name) from None

    # --- reading -----------------------------------------------------------------------------------
    def _r(self) -> IO[bytes]:
        if self._reader is None:
            why = "closed" if self._writer is None else f"opened for writing (mode {self.mode!r})"
            raise FailedPreconditionError(f"GFile {self.name!r} is {why}, so it cannot be read",
                                          fix="open it with mode 'r' or 'rb'")
        return self._reader

    def _out(self, data: bytes) -> Any:
        if self._binary:
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidArgumentError(f"GFile {self.name!r} is not UTF-8 text ({e.reason} at byte {e.start})",
                                       fix="open it in binary mode 'rb'") from None

    def read(self, n: int = -1) -> Any:
        """Reads ``n`` bytes (all that is left when ``n`` is -1)."""
        return self._out(self._r().read(_int_arg(-1 if n is None else n, "read's n")))

    def readline(self) -> Any:
        return self._out(self._r().readline())

    def readlines(self) -> list[Any]:
        return [self._out(line) for line in self._r().readlines()]

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        line = self._r().readline()
        if not line:
            raise StopIteration
        return self._out(line)

    next = __next__

    def seek(self, offset: int | None = None, whence: int = 0, position: int | None = None) -> None:
        """Moves the read position (TF1 also accepts the old ``position=`` keyword)."""
        if position is not None:
            offset = position
        if offset is None:
            raise InvalidArgumentError("seek needs an offset")
        if whence not in (0, 1, 2):
            raise InvalidArgumentError(f"seek's whence must be 0, 1 or 2, got {whence!r}")
        try:
            self._r().seek(_int_arg(offset, "seek's offset"), whence)
        except OSError as e:  # e.g. a negative absolute position
            raise InvalidArgumentError(f"cannot seek {self.name!r} to {offset!r}: {e.strerror or e}") from None

    def tell(self) -> int:
        f = self._reader or self._writer
        if f is None:
            raise FailedPreconditionError(f"GFile {self.name!r} is closed")
        return f.tell()

    def size(self) -> int:
        """The size of the file in bytes (while writing: what has been written so far)."""
        if self._writer is not None:
            return self._writer.tell()
        return Stat(self.name).length

    # --- writing -----------------------------------------------------------------------------------
    def write(self, file_content: Any) -> None:
        if self._writer is None:
            why = "closed" if self._reader is None else f"opened for reading (mode {self.mode!r})"
            raise FailedPreconditionError(f"GFile {self.name!r} is {why}, so it cannot be written",
                                          fix="open it with mode 'w', 'wb', 'a' or 'ab'")
        if isinstance(file_content, str):
            data = file_content.encode("utf-8")
        elif isinstance(file_content, (bytes, bytearray, memoryview)):
            data = bytes(file_content)
        else:
            raise InvalidArgumentError(f"GFile.write takes str or bytes, got {type(file_content).__name__}")
        try:
            self._writer.write(data)
        except OSError as e:
            raise _os_error(e, "cannot write", self.name) from None

    def flush(self) -> None:
        """Makes the written bytes durable in the temporary file (visible at `close`)."""
        if self._writer is not None:
            try:
                self._writer.flush()
                os.fsync(self._writer.fileno())
            except OSError as e:
                raise _os_error(e, "cannot flush", self.name) from None

    def _abort(self, exc: BaseException) -> None:
        commit, self._commit, self._writer = self._commit, None, None
        if commit is not None:
            with contextlib.suppress(BaseException):
                commit.__exit__(type(exc), exc, exc.__traceback__)

    def close(self) -> None:
        """Closes the file; a file opened for writing replaces its target now."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        commit, self._commit, self._writer = self._commit, None, None
        if commit is not None:
            try:
                commit.__exit__(None, None, None)
            except OSError as e:
                raise _os_error(e, "cannot write", self.name) from None

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is not None and self._commit is not None:
            self._abort(exc)  # leave the target as it was
        self.close()

    def __del__(self) -> None:
        # An unclosed file is written when it is garbage-collected, as a Python file would be.
        with contextlib.suppress(Exception):
            self.close()

    def __repr__(self) -> str:
        return f"<gr.gfile.GFile {self.name!r} mode={self.mode!r}>"


Open = GFile
FastGFile = GFile  # TF1's deprecated alias: the same file object


def Exists(filename: Any) -> bool:  # noqa: N802 - TF1's names
    """True if the path exists (a file or a directory)."""
    return os.path.exists(_path(filename, "filename"))


def IsDirectory(dirname: Any) -> bool:  # noqa: N802
    """True if the path is a directory (False if it is missing)."""
    return os.path.isdir(_path(dirname, "dirname"))


def MkDir(dirname: Any) -> None:  # noqa: N802
    """Creates one directory; its parent must exist and it must not (AlreadyExistsError)."""
    path = _path(dirname, "dirname")
    try:
        os.mkdir(path)
    except OSError as e:
        raise _os_error(e, "cannot create directory", path) from None


def MakeDirs(dirname: Any) -> None:  # noqa: N802
    """Creates a directory and its missing parents; fine if it exists already."""
    path = _path(dirname, "dirname")
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:  # a file is in the way
        raise FailedPreconditionError(f"cannot create directory {path!r}: a file of that name exists") from None
    except OSError as e:
        raise _os_error(e, "cannot create directory", path) from None


def Glob(filename: Any) -> list[str]:  # noqa: N802
    """The paths matching a pattern (``*``, ``?``, ``[...]``), sorted."""
    return sorted(_glob.glob(_path(filename, "pattern")))


def ListDirectory(dirname: Any) -> list[str]:  # noqa: N802
    """The names (not paths) in a directory, sorted; NotFoundError if it is not a directory."""
    path = _path(dirname, "dirname")
    if not os.path.isdir(path):
        raise NotFoundError(f"Could not find directory {path}")
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        raise _os_error(e, "cannot list directory", path) from None


def Remove(filename: Any) -> None:  # noqa: N802
    """Deletes a file; NotFoundError if it is missing (use DeleteRecursively for directories)."""
    path = _path(filename, "filename")
    if os.path.isdir(path) and not os.path.islink(path):
        raise FailedPreconditionError(f"cannot remove {path!r}: it is a directory",
                                      fix="use gr.gfile.DeleteRecursively for directories")
    try:
        os.remove(path)
    except OSError as e:
        raise _os_error(e, "cannot remove", path) from None


def DeleteRecursively(dirname: Any) -> None:  # noqa: N802
    """Deletes a directory with everything in it (or a single file); NotFoundError if missing."""
    path = _path(dirname, "dirname")
    if not os.path.lexists(path):
        raise NotFoundError(f"cannot delete {path!r}: it does not exist")
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError as e:
        raise _os_error(e, "cannot delete", path) from None


def Rename(oldname: Any, newname: Any, overwrite: bool = False) -> None:  # noqa: N802
    """Renames a file or directory; AlreadyExistsError if the target exists and not ``overwrite``."""
    src, dst = _path(oldname, "oldname"), _path(newname, "newname")
    if not os.path.lexists(src):
        raise NotFoundError(f"cannot rename {src!r}: it does not exist")
    if os.path.lexists(dst) and not overwrite:
        raise AlreadyExistsError(f"cannot rename {src!r} to {dst!r}: the target exists",
                                 fix="pass overwrite=True to replace it")
    try:
        os.replace(src, dst)
    except OSError as e:
        raise _os_error(e, f"cannot rename {src!r} to", dst) from None


def Copy(oldpath: Any, newpath: Any, overwrite: bool = False) -> None:  # noqa: N802
    """Copies a file (atomically: the target appears whole); AlreadyExistsError if it exists and not
    ``overwrite``."""
    src, dst = _path(oldpath, "oldpath"), _path(newpath, "newpath")
    if os.path.isdir(src):
        raise FailedPreconditionError(f"cannot copy {src!r}: it is a directory")
    if os.path.lexists(dst) and not overwrite:
        raise AlreadyExistsError(f"cannot copy to {dst!r}: the target exists", fix="pass overwrite=True to replace it")
    try:
        with open(src, "rb") as fin, atomic_write(dst, "wb") as fout:
            shutil.copyfileobj(fin, fout)
    except OSError as e:
        raise _os_error(e, f"cannot copy {src!r} to", dst) from None


def Stat(filename: Any) -> FileStatistics:  # noqa: N802
    """Size, modification time (ns) and whether it is a directory; NotFoundError if missing."""
    path = _path(filename, "filename")
    try:
        st = os.stat(path)
    except OSError as e:
        raise _os_error(e, "cannot stat", path) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(path))


def Walk(top: Any, in_order: bool = True) -> Iterator[tuple[str, list[str], list[str]]]:  # noqa: N802
    """Yields ``(dirname, subdirs, files)`` for ``top`` and every directory below it, parents first
    when ``in_order`` (else children first); nothing if ``top`` is not a directory."""
    path = _path(top, "top")
    try:
        names = ListDirectory(path)
    except FileSystemError:
        return
    is_dir = {n: os.path.isdir(os.path.join(path, n)) for n in names}
    subdirs = [n for n in names if is_dir[n]]
    files = [n for n in names if not is_dir[n]]
    here = (path, subdirs, files)
    if in_order:
        yield here
    for d in subdirs:
        yield from Walk(os.path.join(path, d), in_order)
    if not in_order:
        yield here


__all__ = ["Copy", "DeleteRecursively", "Exists", "FastGFile", "FileStatistics", "GFile", "Glob", "IsDirectory",
           "ListDirectory", "MakeDirs", "MkDir", "Open", "Remove", "Rename", "Stat", "Walk"]
