"""TF1's ``tf.app``: ``run(main=None, argv=None)`` and the ``flags`` alias, on absl.app.

``run`` parses the command line (``sys.argv`` unless ``argv`` is given) into `gr.flags.FLAGS`,
leaving arguments it does not know for ``main`` (TF1's ``known_only=True``), calls
``main(remaining_argv)`` (the ``__main__`` module's ``main`` when none is given) and exits with
its return value through ``sys.exit``, as absl.app.run does. A bad flag value is a `FlagError`.
Without absl-py (the extra ``graphrnn[absl]``), ``run`` raises `AbslMissingError`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from graphrnn.ir.errors import GraphError
from graphrnn.platform import flags
from graphrnn.platform.absl_extra import missing

try:
    from absl import app as _absl_app
except ImportError:
    _absl_app = None  # type: ignore[assignment]


def _parse_flags_tolerate_undef(argv: list[str]) -> Any:
    """TF1's parser: unknown flags stay in argv for main instead of being an error."""
    return flags.FLAGS(argv, known_only=True)


def run(main: Callable[[list[str]], Any] | None = None, argv: list[str] | None = None) -> None:
    """Parses flags, then ``sys.exit(main(argv))``."""
    if _absl_app is None:
        raise missing("gr.app.run")
    if main is None:
        main = getattr(sys.modules.get("__main__"), "main", None)
        if main is None:
            raise GraphError("gr.app.run() found no main function in the __main__ module",
                             fix="pass it: gr.app.run(main), with def main(argv): ...")
    if not callable(main):
        raise GraphError(f"gr.app.run: main must be a function taking argv, got {main!r}")
    if argv is not None and (isinstance(argv, str) or not all(isinstance(a, str) for a in argv) or not argv):
        raise GraphError(f"gr.app.run: argv must be a non-empty list of strings (program name first), got {argv!r}")
    _absl_app.run(main=main, argv=argv, flags_parser=_parse_flags_tolerate_undef)


__all__ = ["flags", "run"]
