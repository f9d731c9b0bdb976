"""The ``checkpoint`` state file: which checkpoints a folder holds, newest last (TF1's
``checkpoint_management``).

The file is a text-format ``CheckpointState`` proto::

    model_checkpoint_path: "model.ckpt-300"
    all_model_checkpoint_paths: "model.ckpt-200"
    all_model_checkpoint_paths: "model.ckpt-300"

Paths inside the state file's own folder are written relative to it when the folder was given as a
relative path (TF1's rule), and read back joined with the folder. A state file that cannot be
parsed is ignored with a warning, as TF1 does: `get_checkpoint_state` returns None.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field

from graphrnn.io.atomic import write_text
from graphrnn.io.tensor_bundle import data_path, index_path
from graphrnn.ir.errors import CheckpointError

_FIELDS = ("model_checkpoint_path", "all_model_checkpoint_paths", "all_model_checkpoint_timestamps",
           "last_preserved_timestamp")
_LINE = re.compile(r'\s*([A-Za-z_]+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eE]+|inf|nan))\s*$')


@dataclass
class CheckpointState:
    """TF1's ``CheckpointState``: the newest checkpoint and all the ones kept, oldest first."""

    model_checkpoint_path: str = ""
    all_model_checkpoint_paths: list[str] = field(default_factory=list)
    all_model_checkpoint_timestamps: list[float] = field(default_factory=list)
    last_preserved_timestamp: float = 0.0

    def __str__(self) -> str:
        return to_text(self)


def _escape(s: str) -> str:
    out = []
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append(f"\\{ch:03o}")
    return "".join(out)


def _unescape(s: str) -> str:
    out = bytearray()
    i = 0
    raw = s.encode("utf-8")
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord('"'): 34, ord("'"): 39, ord("\\"): 92}
    while i < len(raw):
        b = raw[i]
        if b != 92:
            out.append(b)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif 48 <= nxt <= 55:
            j = i + 1
            while j < len(raw) and j < i + 4 and 48 <= raw[j] <= 55:
                j += 1
            out.append(int(raw[i + 1:j], 8) & 0xFF)
            i = j
        elif nxt == ord("x"):
            j = i + 2
            while j < len(raw) and j < i + 4 and chr(raw[j]) in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(raw[i + 2:j], 16))
            i = j
        else:
            raise ValueError(f"unknown escape \\{chr(nxt)}")
    return out.decode("utf-8")


def to_text(state: CheckpointState) -> str:
    lines = [f'model_checkpoint_path: "{_escape(state.model_checkpoint_path)}"']
    lines += [f'all_model_checkpoint_paths: "{_escape(p)}"' for p in state.all_model_checkpoint_paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in state.all_model_checkpoint_timestamps]
    if state.last_preserved_timestamp:
        lines.append(f"last_preserved_timestamp: {state.last_preserved_timestamp!r}")
    return "\n".join(lines) + "\n"


def parse_text(text: str) -> CheckpointState:
    """Parses the text form; raises ValueError on anything it does not understand."""
    state = CheckpointState()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None or m.group(1) not in _FIELDS:
            raise ValueError(f"line {n}: cannot parse {line[:80]!r}")
        name, string, number = m.group(1), m.group(2), m.group(3)
        if name in ("model_checkpoint_path", "all_model_checkpoint_paths"):
            if string is None:
                raise ValueError(f"line {n}: {name} needs a quoted string")
            if name == "model_checkpoint_path":
                state.model_checkpoint_path = _unescape(string)
            else:
                state.all_model_checkpoint_paths.append(_unescape(string))
        else:
            if number is None:
                raise ValueError(f"line {n}: {name} needs a number")
            if name == "last_preserved_timestamp":
                state.last_preserved_timestamp = float(number)
            else:
                state.all_model_checkpoint_timestamps.append(float(number))
    return state


def _state_file(checkpoint_dir: str, latest_filename: str | None) -> str:
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: list[str] | None = None,
                            latest_filename: str | None = None,
                            all_model_checkpoint_timestamps: list[float] | None = None,
                            last_preserved_timestamp: float | None = None,
                            save_relative_paths: bool = False) -> None:
    """Writes the state file (atomically). ``model_checkpoint_path`` is appended to the list if absent."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths = [p for p in paths if p != model_checkpoint_path] + [model_checkpoint_path]
    if save_relative_paths or not os.path.isabs(save_dir):
        def rel(p: str) -> str:
            return p if os.path.isabs(p) and not save_relative_paths else os.path.relpath(p, save_dir)
        model_checkpoint_path, paths = rel(model_checkpoint_path), [rel(p) for p in paths]
    state = CheckpointState(model_checkpoint_path, paths, list(all_model_checkpoint_timestamps or []),
                            last_preserved_timestamp or 0.0)
    path = _state_file(save_dir, latest_filename)
    if os.path.normpath(path) == os.path.normpath(model_checkpoint_path):
        raise CheckpointError(f"the checkpoint state file '{path}' would overwrite the checkpoint itself",
                              fix="use a different save path or latest_filename")
    write_text(path, to_text(state))


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """The folder's state (paths joined with the folder), or None if there is none or it is unreadable."""
    path = _state_file(os.fspath(checkpoint_dir), latest_filename)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        warnings.warn(f"{path}: cannot read the checkpoint state ({e}); ignored", RuntimeWarning, stacklevel=2)
        return None
    try:
        state = parse_text(text)
    except (ValueError, IndexError) as e:
        warnings.warn(f"{path}: {e}; checkpoint state ignored", RuntimeWarning, stacklevel=2)
        return None
    if not state.model_checkpoint_path:
        warnings.warn(f"{path}: no model_checkpoint_path; checkpoint state ignored", RuntimeWarning, stacklevel=2)
        return None

    def absolute(p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(os.fspath(checkpoint_dir), p)
    state.model_checkpoint_path = absolute(state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [absolute(p) for p in state.all_model_checkpoint_paths]
    return state


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """True if a V2 checkpoint's index file exists at ``checkpoint_prefix``."""
    if not isinstance(checkpoint_prefix, (str, os.PathLike)):
        return False
    return os.path.isfile(index_path(os.fspath(checkpoint_prefix)))


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The newest checkpoint's prefix in ``checkpoint_dir``, or None (no state file, or its files are gone)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None:
        return None
    if checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    warnings.warn(f"couldn't find the files of checkpoint '{state.model_checkpoint_path}' listed in "
                  f"{_state_file(checkpoint_dir, latest_filename)}", RuntimeWarning, stacklevel=2)
    return None


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: int = 2,
                      meta_graph_suffix: str = "meta") -> None:
    """Deletes a checkpoint's files (index, data, and a ``.meta`` file if one is there)."""
    for path in (index_path(checkpoint_prefix), data_path(checkpoint_prefix),
                 f"{checkpoint_prefix}.{meta_graph_suffix}"):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def get_checkpoint_mtimes(checkpoint_prefixes: list[str]) -> list[float]:
    """The modification times of the checkpoints' index files (those that exist)."""
    return [os.path.getmtime(index_path(p)) for p in checkpoint_prefixes if checkpoint_exists(p)]
