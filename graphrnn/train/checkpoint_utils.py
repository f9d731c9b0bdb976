"""Reading checkpoints without a graph: TF1's ``tf.train.load_checkpoint``, ``list_variables``,
``load_variable`` and ``NewCheckpointReader``.

Each accepts a checkpoint prefix or a folder (whose newest checkpoint, per its ``checkpoint``
state file, is read).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from graphrnn.io.tensor_bundle import BundleReader
from graphrnn.ir import dtypes
from graphrnn.ir.errors import CheckpointError
from graphrnn.train.checkpoint_state import latest_checkpoint


def _checkpoint_prefix(ckpt_dir_or_file: Any) -> str:
    if not isinstance(ckpt_dir_or_file, (str, os.PathLike)):
        raise CheckpointError(f"expected a checkpoint path or folder, got {type(ckpt_dir_or_file).__name__}")
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        prefix = latest_checkpoint(path)
        if prefix is None:
            raise CheckpointError(f"couldn't find a 'checkpoint' file or checkpoints in the folder {path}",
                                  fix="pass a checkpoint prefix such as 'dir/model.ckpt-100'")
        return prefix
    return path


class CheckpointReader:
    """The tensors of one checkpoint, by name (TF1's ``CheckpointReader``)."""

    def __init__(self, prefix: str) -> None:
        self._bundle = BundleReader(prefix)

    def has_tensor(self, name: str) -> bool:
        return self._bundle.has_tensor(name)

    def get_tensor(self, name: str) -> np.ndarray:
        return self._bundle.get_tensor(name)

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {n: list(e.shape) for n, e in self._bundle.entries.items()}

    def get_variable_to_dtype_map(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n, e in self._bundle.entries.items():
            try:
                out[n] = dtypes.as_dtype(e.kind)
            except Exception:  # a dtype graphrnn has no DType for (e.g. uint16, bfloat16): give its name
                out[n] = e.dtype if e.unloadable is None else e.kind
        return out

    def debug_string(self) -> bytes:
        lines = [f"{n} ({e.kind}) {list(e.shape)}" for n, e in sorted(self._bundle.entries.items())]
        return ("\n".join(lines) + "\n").encode("utf-8")


def NewCheckpointReader(filepattern: str) -> CheckpointReader:  # noqa: N802 - TF1's name
    return CheckpointReader(_checkpoint_prefix(filepattern))


def load_checkpoint(ckpt_dir_or_file: Any) -> CheckpointReader:
    """A reader for the checkpoint (or the newest one in a folder)."""
    return CheckpointReader(_checkpoint_prefix(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file: Any, name: str) -> np.ndarray:
    """One tensor's value; a trailing ``:0`` is ignored, as in TF1."""
    if isinstance(name, str) and name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file: Any) -> list[tuple[str, list[int]]]:
    """``[(name, shape)]`` of every tensor in the checkpoint, sorted by name."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return sorted(shapes.items())
