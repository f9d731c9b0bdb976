"""Atomic file writes: a reader (or a crash) never sees a half-written file.

Every file graphrnn writes goes through `atomic_write` (or `write_bytes`/`write_text`): the data
goes to a temporary file in the target's own folder (same file system, so the final `os.replace`
is an atomic rename), is flushed and fsynced, and only then renamed over the target. If writing
fails or the process is killed, the previous file is intact and the temporary file is removed
(or, after a kill, left as ``.<name>.tmp-*`` beside it, never under the target's name).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Yields a file object; on normal exit its contents replace ``path`` atomically.

    ``mode`` is ``"wb"`` or ``"w"`` (text; ``encoding`` defaults to UTF-8). On an exception the
    target is untouched and the exception propagates.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', got {mode!r}")
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".tmp-", dir=folder)
    try:
        if mode == "w":
            f: IO[Any] = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
        else:
            f = os.fdopen(fd, "wb")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


@contextlib.contextmanager
def atomic_write_group(paths: list[str | os.PathLike[str]]) -> Iterator[list[IO[bytes]]]:
    """Yields one binary file per path; on normal exit all are flushed and fsynced first, and only
    then renamed over their targets, in order, back to back.

    For files that belong together (a checkpoint's data and index): a failure or kill before the
    renames leaves every previous file untouched, and the window in which some but not all are
    renamed is only that of the renames themselves.
    """
    temps: list[tuple[str, str, IO[bytes]]] = []
    try:
        for path in paths:
            target = os.fspath(path)
            folder = os.path.dirname(os.path.abspath(target))
            fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".tmp-", dir=folder)
            temps.append((target, tmp, os.fdopen(fd, "wb")))
        yield [f for _, _, f in temps]
        for _, _, f in temps:
            f.flush()
            os.fsync(f.fileno())
            f.close()
        for target, tmp, _ in temps:
            _keep_mode(target, tmp)
        for target, tmp, _ in temps:
            os.replace(tmp, target)
    except BaseException:
        for _, tmp, f in temps:
            with contextlib.suppress(OSError):
                f.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # renamed ones are gone already: unlink fails quietly
        raise
    for folder in dict.fromkeys(os.path.dirname(os.path.abspath(t)) for t, _, _ in temps):
        _fsync_dir(folder)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Writes ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Writes ``text`` to ``path`` atomically."""
    with atomic_write(path, "w", encoding=encoding) as f:
        f.write(text)


def _keep_mode(target: str, tmp: str) -> None:
    """mkstemp makes 0600 files; give the new file the old one's mode, or the umask's default."""
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _fsync_dir(folder: str) -> None:
    """Makes the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
