"""TF1's ``tf.flags`` (also ``tf.app.flags``): absl.flags with TF1's two additions.

- ``DEFINE_string/integer/float/boolean/bool/...`` also take TF1's old keyword names
  (``flag_name``, ``default_value``, ``docstring``), and
- reading a flag from `FLAGS` before the command line was parsed parses ``sys.argv`` first
  (absl would raise), so ``FLAGS.batch_size`` works in a script without ``gr.app.run``.

Every other absl.flags name is here too (``FlagValues``, ``mark_flag_as_required``, validators).
Flags live in absl's process-wide ``absl.flags.FLAGS``, as TF1's did. absl's errors (a duplicate
flag, a bad value, an unknown command-line flag) are raised as `FlagError`, which is both a
`GraphError` (the message names the flag, the user's line and a fix) and an ``absl.flags.Error``.

Without absl-py (the extra ``graphrnn[absl]``) any use raises `AbslMissingError` saying so.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.platform.absl_extra import INSTALL_HINT, module_getattr

try:
    from absl import flags as _absl
except ImportError:  # no absl: every name raises AbslMissingError (see absl_extra)
    _absl = None  # type: ignore[assignment]
    __getattr__ = module_getattr("flags")

if _absl is not None:
    # TF1 re-exported all of absl.flags (``from absl.flags import *``); the DEFINE functions are wrapped below.
    globals().update({k: v for k, v in vars(_absl).items() if not k.startswith("_") and k != "FLAGS"})

    class FlagError(GraphError, _absl.Error):
        """A flag could not be defined, set or parsed (absl's error, with where and how to fix it)."""

    class UnknownFlagError(FlagError, AttributeError):
        """A flag that was never defined was read."""

    _RENAMED = {"flag_name": "name", "default_value": "default", "docstring": "help"}

    def _from_absl(e: Exception, what: str, fix: str) -> FlagError:
        return FlagError(f"{what}: {e}", source=builder.format_source(builder.source_location()), fix=fix)

    def _wrap_define(define: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(define)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in _RENAMED.items():
                if old in kwargs:
                    kwargs[new] = kwargs.pop(old)
            try:
                return define(*args, **kwargs)
            except _absl.Error as e:
                name = kwargs.get("name", args[0] if args else "?")
                raise _from_absl(e, f"cannot define flag {name!r}",
                                 "give each flag one definition and a default of its type "
                                 "(a module imported twice defines its flags twice)") from None
        return wrapper

    for _name in [k for k in vars(_absl) if k.startswith("DEFINE")]:
        globals()[_name] = _wrap_define(getattr(_absl, _name))
    globals()["DEFINE_bool"] = globals()["DEFINE_boolean"]  # TF1's alias, to the wrapped function

    class _FlagValuesWrapper:
        """TF1's ``tf.flags.FLAGS``: absl's FLAGS, parsing ``sys.argv`` on the first read of a flag."""

        def __init__(self, flag_values: Any) -> None:
            self.__dict__["_wrapped"] = flag_values

        def __getattr__(self, name: str) -> Any:
            wrapped = self.__dict__["_wrapped"]
            if name.startswith("__"):
                return getattr(wrapped, name)
            if name not in wrapped:
                if hasattr(type(wrapped), name):  # a FlagValues method (is_parsed, flag_values_dict, ...)
                    return getattr(wrapped, name)
                raise UnknownFlagError(f"no flag named {name!r} is defined",
                                       source=builder.format_source(builder.source_location()),
                                       fix=f"define it first, e.g. gr.flags.DEFINE_string({name!r}, default, help)")
            if not wrapped.is_parsed():
                self(sys.argv)
            return getattr(wrapped, name)

        def __setattr__(self, name: str, value: Any) -> None:
            """Sets a flag. The value goes through the flag's parser first (absl would store a
            wrong-typed value as it is, and fail later in a validator with a TypeError)."""
            wrapped = self.__dict__["_wrapped"]
            try:
                if name in wrapped and value is not None:
                    value = wrapped[name].parser.parse(value)
                setattr(wrapped, name, value)
            except (_absl.Error, TypeError, ValueError) as e:
                raise _from_absl(e, f"cannot set flag {name!r} to {value!r}",
                                 "give a value of the flag's type") from None

        def __delattr__(self, name: str) -> None:
            delattr(self.__dict__["_wrapped"], name)

        def __call__(self, argv: Any, known_only: bool = False) -> Any:
            """Parses ``argv`` (program name first); returns the arguments that are not flags."""
            if isinstance(argv, (str, bytes)) or not isinstance(argv, (list, tuple)) or not argv:
                raise FlagError(f"FLAGS(argv) takes a non-empty list of strings (program name first), got {argv!r}",
                                source=builder.format_source(builder.source_location()),
                                fix="pass sys.argv or e.g. ['prog', '--steps=10']")
            try:
                return self.__dict__["_wrapped"](argv, known_only=known_only)
            except _absl.Error as e:
                raise _from_absl(e, "cannot parse the command line", "see the program's flags with --help") from None

        def __contains__(self, name: str) -> bool:
            return name in self.__dict__["_wrapped"]

        def __getitem__(self, name: str) -> Any:
            return self.__dict__["_wrapped"][name]

        def __iter__(self) -> Any:
            return iter(self.__dict__["_wrapped"])

        def __len__(self) -> int:
            return len(self.__dict__["_wrapped"])

        def __dir__(self) -> list[str]:
            return dir(self.__dict__["_wrapped"])

        def __str__(self) -> str:
            return str(self.__dict__["_wrapped"])

    FLAGS = _FlagValuesWrapper(_absl.FLAGS)
    ABSL_FLAGS = _absl.FLAGS  # the object itself, for code that needs absl's own FlagValues

__all__ = ["INSTALL_HINT"]
