"""absl-py, the optional extra ``graphrnn[absl]`` behind ``gr.flags`` and ``gr.app`` (TF1 used it too)."""

from __future__ import annotations

from typing import Any

from graphrnn.ir.errors import GraphError

EXTRA = "absl"
INSTALL_HINT = f'pip install "graphrnn[{EXTRA}]" (it installs absl-py)'


class AbslMissingError(GraphError, AttributeError):
    """``gr.flags``/``gr.app`` was used but absl-py is not installed.

    Also an ``AttributeError``, because it is raised by attribute access on those modules (so
    ``hasattr(gr.flags, "FLAGS")`` is simply False without absl).
    """


def missing(what: str) -> AbslMissingError:
    return AbslMissingError(f"{what} needs absl-py, which is not installed", fix=INSTALL_HINT)


def module_getattr(module: str) -> Any:
    """A module ``__getattr__`` that raises `AbslMissingError` for every public name of ``module``."""
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing(f"gr.{module}.{name}")
    return __getattr__
