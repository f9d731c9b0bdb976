"""`Saver`: TF1's checkpointing of a Session's variables, in TF's own V2 checkpoint format.

A checkpoint written here restores in TF1 (``tf.train.Saver().restore``) by variable name, and one
TF1 wrote restores here; optimizer slots (Adam's ``m``/``v``, the beta powers) and ``global_step``
are ordinary variables, saved with their own dtypes, so training resumes exactly.

Invariants:
- ``save`` never leaves a torn checkpoint: each file is written atomically, data before index, and
  the ``checkpoint`` state file last, so `latest_checkpoint` only ever names complete checkpoints.
- ``restore`` is all-or-nothing: every tensor is read, checked (present, dtype, shape, CRC) and
  only then loaded into the Session; any problem is a `CheckpointError` and no variable changes.
- The variables a Saver covers are fixed when it is built (``var_list=None`` means the global
  variables that exist then), as in TF1.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from graphrnn.io.tensor_bundle import BundleReader, write_bundle
from graphrnn.ir.errors import CheckpointError, GraphError
from graphrnn.ir.graph import Value
from graphrnn.ops.state import Variable, global_variables
from graphrnn.train.checkpoint_state import checkpoint_exists, remove_checkpoint, update_checkpoint_state

_UNSUPPORTED = ("reshape", "sharded", "saver_def", "builder", "filename")


def _named_variables(var_list: Any) -> dict[str, Variable]:
    """``{checkpoint name: variable}`` from TF1's accepted forms of ``var_list``."""
    if var_list is None:
        var_list = global_variables()
    if isinstance(var_list, Mapping):
        items = list(var_list.items())
    elif isinstance(var_list, (list, tuple, set, frozenset)):
        items = []
        for v in var_list:
            if not isinstance(v, Variable):
                raise CheckpointError(f"Saver var_list holds {type(v).__name__} {v!r}, not a variable",
                                      fix="pass gr.Variable objects (e.g. gr.global_variables()) or a "
                                          "{name: variable} dict")
            items.append((v.op.name, v))
    else:
        raise CheckpointError(f"Saver var_list must be a list or a dict of variables, got {type(var_list).__name__}")
    named: dict[str, Variable] = {}
    for name, v in items:
        if not isinstance(name, str) or not name:
            raise CheckpointError(f"Saver var_list names must be non-empty strings, got {name!r}")
        if not isinstance(v, Variable):
            raise CheckpointError(f"Saver var_list['{name}'] is {type(v).__name__}, not a variable")
        if name in named:
            raise CheckpointError(f"at least two variables have the same name: {name}",
                                  fix="give each variable its own name, or pass a {name: variable} dict")
        named[name] = v
    return named


def _session_store(sess: Any) -> Any:
    from graphrnn.session import Session
    if not isinstance(sess, Session):
        raise CheckpointError(f"expected a gr.Session, got {type(sess).__name__}",
                              fix="call saver.save(sess, path) / saver.restore(sess, path) with the Session")
    if getattr(sess, "_closed", False):
        raise CheckpointError("attempted to use a closed Session")
    return sess


class Saver:
    """Saves and restores variables (TF1's ``tf.train.Saver``, V2 format)."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: int | None = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: str | None = None, restore_sequentially: bool = False, saver_def: Any = None,
                 builder: Any = None, defer_build: bool = False, allow_empty: bool = False,
                 write_version: int = 2, pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: str | None = None) -> None:
        given = {"reshape": reshape, "sharded": sharded, "saver_def": saver_def, "builder": builder,
                 "filename": filename}
        for key in _UNSUPPORTED:
            if given[key]:
                raise GraphError(f"Saver({key}=...) is not supported by graphrnn",
                                 fix=f"drop the {key} argument (graphrnn writes one-shard V2 checkpoints)")
        if write_version not in (2,):
            raise GraphError(f"Saver(write_version={write_version!r}): graphrnn writes only the V2 format",
                             fix="use write_version=gr.train.SaverDef.V2 (the default)")
        if max_to_keep is not None and (not isinstance(max_to_keep, (int, np.integer)) or isinstance(max_to_keep, bool)
                                        or max_to_keep < 0):
            raise GraphError(f"Saver(max_to_keep={max_to_keep!r}) must be a non-negative int or None")
        hours = keep_checkpoint_every_n_hours
        if not isinstance(hours, (int, float)) or isinstance(hours, bool) or not hours > 0:
            raise GraphError(f"Saver(keep_checkpoint_every_n_hours={keep_checkpoint_every_n_hours!r}) must be a "
                             "positive number of hours")
        self._defer = defer_build and var_list is None
        self._var_list_arg = var_list
        self._vars: dict[str, Variable] | None = None if self._defer else _named_variables(var_list)
        self._allow_empty = allow_empty
        if self._vars is not None:
            self._check_not_empty()
        self._max_to_keep = int(max_to_keep or 0)
        self._keep_every = float(keep_checkpoint_every_n_hours)
        self._next_keep_time = time.time() + self._keep_every * 3600
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._last: list[tuple[str, float]] = []
        # Held while a save records its checkpoint, writes the state file and deletes the ones that
        # fell off: saves from several threads then write state files in the order they record, and
        # a state file never names a checkpoint another thread already deleted.
        self._state_lock = threading.Lock()
        self.name = name or "save"

    def _check_not_empty(self) -> None:
        if not self._vars and not self._allow_empty:
            raise CheckpointError("no variables to save", fix="create variables before the Saver, or pass "
                                  "allow_empty=True")

    def build(self) -> None:
        """Fixes the variable list (for ``defer_build=True``)."""
        if self._vars is None:
            self._vars = _named_variables(self._var_list_arg)
            self._check_not_empty()

    # --- TF1's bookkeeping of recent checkpoints -------------------------------------------------
    @property
    def last_checkpoints(self) -> list[str]:
        """The prefixes of the checkpoints not yet deleted, oldest first."""
        return [p for p, _ in self._last]

    def set_last_checkpoints(self, last_checkpoints: Sequence[str]) -> None:
        self._last = [(str(p), math.inf) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: Sequence[tuple[str, float]]) -> None:
        self._last = [(str(p), float(t)) for p, t in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths: Sequence[str]) -> None:
        """Picks up the checkpoints an earlier process kept (those whose files still exist)."""
        kept = [(p, os.path.getmtime(p + ".index")) for p in checkpoint_paths if checkpoint_exists(p)]
        self.set_last_checkpoints_with_time(kept)

    def _record(self, path: str) -> list[str]:
        """Appends ``path``; returns the checkpoints that fell off the end (to delete)."""
        if not self._max_to_keep:
            return []
        self._last = [(p, t) for p, t in self._last if p != path]
        self._last.append((path, time.time()))
        doomed: list[str] = []
        while len(self._last) > self._max_to_keep:
            p, t = self._last.pop(0)
            if t > self._next_keep_time:  # keep one every keep_checkpoint_every_n_hours
                self._next_keep_time += self._keep_every * 3600
                continue
            doomed.append(p)
        return doomed

    def _check_graph(self, sess: Any) -> None:
        """The Saver's variables must live in the Session's graph (TF1 runs the Saver's own ops in
        ``sess``, which fails for another graph); matching names alone would save or restore another
        graph's variables of the same names, unchecked against their shapes."""
        for name, var in (self._vars or {}).items():
            if var.graph.root is not sess.graph:
                raise CheckpointError(f"the Saver's variable '{name}' is not in this Session's graph",
                                      fix="build the Saver in the graph the Session runs (inside "
                                          "`with graph.as_default():`), or pass Session(graph=that graph)")

    # --- save / restore ---------------------------------------------------------------------------
    def save(self, sess: Any, save_path: str, global_step: Any = None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> str:
        """Writes the variables' current values; returns the checkpoint's prefix.

        With ``global_step`` (an int, a variable or a tensor) the prefix is ``save_path-<step>``.
        ``write_meta_graph`` is accepted and ignored: graphrnn does not write TF MetaGraphs (save
        the graph with ``gr.ir.save`` if you need it).
        """
        _session_store(sess)
        self.build()
        self._check_graph(sess)
        if not isinstance(save_path, (str, os.PathLike)) or not os.fspath(save_path):
            raise CheckpointError(f"save_path must be a non-empty path, got {save_path!r}")
        path = os.fspath(save_path)
        if global_step is not None:
            step = self._step_value(sess, global_step)
            path = f"{path}-{step:08d}" if self._pad_step_number else f"{path}-{step}"
        parent = os.path.dirname(path) or "."
        if not os.path.isdir(parent):
            raise CheckpointError(f"parent directory of {path} doesn't exist, can't save",
                                  fix=f"create it first (os.makedirs({parent!r}, exist_ok=True))")
        if latest_filename is not None and (not isinstance(latest_filename, str) or os.sep in latest_filename):
            raise CheckpointError(f"latest_filename must be a plain file name, got {latest_filename!r}")
        store = sess.variables
        values: dict[str, np.ndarray] = {}
        missing = []
        for name, var in (self._vars or {}).items():
            arr = store.get(var.op.attrs["var_name"])
            if arr is None:
                missing.append(name)
            else:
                values[name] = np.asarray(arr, dtype=var.dtype.np)
        if missing:
            raise CheckpointError(f"cannot save uninitialized variable(s): {', '.join(missing[:5])}"
                                  + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                                  fix="run gr.global_variables_initializer() (or restore) before saving")
        try:
            write_bundle(path, values)
        except OSError as e:
            raise CheckpointError(f"cannot write checkpoint '{path}': {e.strerror or e}") from None
        if write_state:
            with self._state_lock:
                doomed = self._record(path)
                try:
                    update_checkpoint_state(parent, path, self.last_checkpoints or [path],
                                            latest_filename=latest_filename,
                                            save_relative_paths=self._save_relative_paths)
                except OSError as e:
                    raise CheckpointError(f"cannot write the checkpoint state in '{parent}': "
                                          f"{e.strerror or e}") from None
                for p in doomed:
                    remove_checkpoint(p, meta_graph_suffix=meta_graph_suffix)
        return path

    @staticmethod
    def _step_value(sess: Any, global_step: Any) -> int:
        if isinstance(global_step, (Variable, Value)):
            global_step = sess.run(global_step)
        try:
            arr = np.asarray(global_step)
            if arr.shape != () or arr.dtype.kind not in "iuf" or not float(arr) == int(arr):
                raise ValueError
            return int(arr)
        except (TypeError, ValueError, OverflowError):
            raise CheckpointError(f"global_step must be an integer (or a scalar variable/tensor), got "
                                  f"{global_step!r}") from None

    def restore(self, sess: Any, save_path: str) -> None:
        """Loads every variable of this Saver from the checkpoint at ``save_path`` (all or nothing)."""
        _session_store(sess)
        self.build()
        self._check_graph(sess)
        if save_path is None:
            raise CheckpointError("can't load save_path when it is None",
                                  fix="check gr.train.latest_checkpoint(dir) is not None before restoring")
        if not isinstance(save_path, (str, os.PathLike)):
            raise CheckpointError(f"save_path must be a path, got {type(save_path).__name__}")
        path = os.fspath(save_path)
        if not checkpoint_exists(path):
            hint = (f"'{path}' is a folder: pass gr.train.latest_checkpoint({path!r})" if os.path.isdir(path)
                    else "pass the prefix Saver.save returned (without .index / .data-...)")
            raise CheckpointError(f"the passed save_path is not a valid checkpoint: {path}", fix=hint)
        reader = BundleReader(path)
        loaded: list[tuple[Variable, np.ndarray]] = []
        for name, var in (self._vars or {}).items():
            if not reader.has_tensor(name):
                raise CheckpointError(f"key {name} not found in checkpoint {path}",
                                      fix="the graph's variable names differ from the checkpoint's: compare with "
                                          "gr.train.list_variables(path), or map names with Saver({name: var})")
            entry = reader.entries[name]
            if entry.unloadable is not None:
                raise CheckpointError(f"variable '{name}' cannot be restored: the checkpoint holds it as "
                                      f"{entry.unloadable}", fix="leave it out of the Saver's var_list")
            want_shape = tuple(var.shape)
            if entry.shape != want_shape:
                raise CheckpointError(f"variable '{name}' has shape {list(want_shape)} but the checkpoint holds "
                                      f"shape {list(entry.shape)}", fix="build the graph with the sizes the "
                                      "checkpoint was trained with")
            if entry.dtype != var.dtype.np:
                raise CheckpointError(f"variable '{name}' is {var.dtype.name} but the checkpoint holds "
                                      f"{entry.dtype}", fix="create the variable with the checkpoint's dtype")
            loaded.append((var, reader.get_tensor(name)))
        for var, arr in loaded:
            sess.load_variable(var, arr)

    # --- TF1 names graphrnn does not implement ---------------------------------------------------
    def export_meta_graph(self, *args: Any, **kwargs: Any) -> Any:
        raise GraphError("Saver.export_meta_graph is not supported: graphrnn does not write TF MetaGraphs",
                         fix="save the graph with gr.ir.save(graph, path) and the weights with Saver.save")

    def as_saver_def(self) -> Any:
        raise GraphError("Saver.as_saver_def is not supported (graphrnn has no SaverDef protos)")

    def __repr__(self) -> str:
        n = "deferred" if self._vars is None else len(self._vars)
        return f"<gr.train.Saver variables={n} max_to_keep={self._max_to_keep}>"


class SaverDef:
    """TF1's ``tf.train.SaverDef`` format constants (only V2 is written)."""

    LEGACY = 0
    V1 = 1
    V2 = 2
