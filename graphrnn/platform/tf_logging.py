"""TF1's ``tf.logging``: levels, ``set_verbosity``, ``info``/``warn``/``error``/..., ``log_every_n``.

Messages go to the ``"graphrnn"`` logger (TF1's is ``"tensorflow"``; a graphrnn program configures
graphrnn's). As in TF1, that logger gets a stderr handler with ``logging.BASIC_FORMAT``
(``INFO:graphrnn:message``) unless the root logger already has handlers (then records propagate
to it and are shown once), and in an interactive session it logs INFO and up to stdout. The
levels are the standard library's: ``DEBUG`` 10, ``INFO`` 20, ``WARN`` 30, ``ERROR`` 40,
``FATAL`` 50. ``fatal`` logs at FATAL and does not exit (TF1 too). ``vlog(level, msg)`` logs at
``level``. ``log_every_n``/``log_first_n`` count calls per calling line.
"""

from __future__ import annotations

import logging as _logging
import sys as _sys
import threading as _threading
from logging import DEBUG, ERROR, FATAL, INFO, WARN
from typing import Any

from graphrnn.ir.errors import GraphError

LOGGER_NAME = "graphrnn"
_logger: _logging.Logger | None = None
_lock = _threading.Lock()
_counts: dict[tuple[str, int], int] = {}  # (file, line) of a log_every_n/log_first_n call -> calls so far


def _interactive() -> bool:
    return hasattr(_sys, "ps1") or bool(_sys.flags.interactive)


def get_logger() -> _logging.Logger:
    """The logger all of tf.logging writes to, configured on first use as TF1 configures its own."""
    global _logger
    if _logger is not None:
        return _logger
    with _lock:
        if _logger is None:
            logger = _logging.getLogger(LOGGER_NAME)
            if not _logging.getLogger().handlers and not logger.handlers:
                target = _sys.stdout if _interactive() else _sys.stderr
                if _interactive():
                    logger.setLevel(INFO)
                handler = _logging.StreamHandler(target)
                handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT, None))
                logger.addHandler(handler)
            _logger = logger
    return _logger


def _level(level: Any, what: str) -> int:
    if isinstance(level, bool) or not isinstance(level, int):
        raise GraphError(f"{what}: a logging level must be an int such as gr.logging.INFO, got {level!r}",
                         fix="use gr.logging.DEBUG, INFO, WARN, ERROR or FATAL")
    return level


# stacklevel=2 makes the record's file:line the caller's (for formats that show it), not this module's.
def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().log(_level(level, "log"), msg, *args, stacklevel=2, **kwargs)


def debug(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().debug(msg, *args, stacklevel=2, **kwargs)


def info(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().info(msg, *args, stacklevel=2, **kwargs)


def warning(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().warning(msg, *args, stacklevel=2, **kwargs)


warn = warning  # TF1 keeps the deprecated spelling


def error(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().error(msg, *args, stacklevel=2, **kwargs)


def fatal(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Logs at FATAL (50); like TF1, does not stop the program."""
    get_logger().critical(msg, *args, stacklevel=2, **kwargs)


def vlog(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    """TF1's verbose log: logs ``msg`` at ``level``."""
    get_logger().log(_level(level, "vlog"), msg, *args, stacklevel=2, **kwargs)


def TaskLevelStatusMessage(msg: Any) -> None:  # noqa: N802 - TF1's name
    get_logger().error(msg, stacklevel=2)


def _caller_line() -> tuple[str, int]:
    f = _sys._getframe(2)  # the frame that called log_every_n / log_first_n
    return (f.f_code.co_filename, f.f_lineno)


def _next_count(token: tuple[str, int]) -> int:
    with _lock:
        n = _counts.get(token, -1) + 1
        _counts[token] = n
    return n


def log_if(level: int, msg: Any, condition: Any, *args: Any) -> None:
    """Logs ``msg % args`` at ``level`` when ``condition`` is true."""
    if condition:
        get_logger().log(_level(level, "log_if"), msg, *args, stacklevel=2)


def log_every_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs the 1st, (n+1)th, (2n+1)th, ... call from the same line."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise GraphError(f"log_every_n needs a positive int n, got {n!r}")
    if _next_count(_caller_line()) % n == 0:
        get_logger().log(_level(level, "log_every_n"), msg, *args, stacklevel=2)


def log_first_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs only the first ``n`` calls from the same line."""
    if _next_count(_caller_line()) < n:
        get_logger().log(_level(level, "log_first_n"), msg, *args, stacklevel=2)


def get_verbosity() -> int:
    """The effective level of the logger (messages below it are dropped)."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v: int) -> None:
    """Drops messages below level ``v`` (e.g. ``gr.logging.set_verbosity(gr.logging.INFO)``)."""
    get_logger().setLevel(_level(v, "set_verbosity"))


def flush() -> None:
    """Flushes the logger's handlers (TF1 raised NotImplementedError here)."""
    for h in get_logger().handlers:
        h.flush()


__all__ = ["DEBUG", "ERROR", "FATAL", "INFO", "WARN", "TaskLevelStatusMessage", "debug", "error", "fatal", "flush",
           "get_logger", "get_verbosity", "info", "log", "log_every_n", "log_first_n", "log_if", "set_verbosity",
           "vlog", "warn", "warning"]
