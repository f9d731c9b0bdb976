"""TF's V2 checkpoint format (a "tensor bundle"): ``<prefix>.index`` + ``<prefix>.data-00000-of-00001``.

The data file is the tensors' raw little-endian bytes, one after another in key order, with no
padding. The index is a table (`graphrnn.io.sstable`) whose first entry, under the empty key, is a
``BundleHeaderProto`` (``num_shards = 1``, ``endianness = LITTLE``, ``version {producer: 1}``)
and whose other entries map each tensor name to a ``BundleEntryProto``::

    dtype (1, enum DataType) | shape (2, TensorShapeProto: repeated dim {size}) | shard_id (3) |
    offset (4) | size (5) | crc32c (6, fixed32, the masked CRC-32C of the tensor's bytes) |
    slices (7, only for partitioned variables, which graphrnn does not write or read)

`write_bundle` produces the same bytes as TF's ``BundleWriter`` for the same tensors (a test
compares against files TF wrote). `BundleReader` checks everything it reads: the header's version,
every entry's dtype/shape/size against each other, offsets inside the data file, and the CRC of
each tensor before returning it (TF checks it too); any inconsistency is a `CheckpointError`
naming the file and the tensor.

A checkpoint may also hold tensors graphrnn cannot load (strings, bfloat16, resources, partitioned
variables' slices), e.g. one TF1 wrote for a graph with a string variable. They do not make the
whole checkpoint unreadable, as they do not in TF1: they are listed (name, shape, `BundleEntry.kind`)
and only reading one of them is a `CheckpointError`. The slice entries of a partitioned variable
(keys starting with a NUL byte, TF's encoding of "name + slice spec") are not listed; the variable's
full entry is, as in TF's ``list_variables``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from graphrnn.io.atomic import atomic_write_group
from graphrnn.io.crc32c import crc32c, mask, unmask
from graphrnn.io.protowire import ProtoWriter, WireError, as_int64, first, parse
from graphrnn.io.sstable import TableError, read_table, write_table
from graphrnn.ir.errors import CheckpointError

# TF's DataType enum values, for the dtypes a variable can have.
_DT_TO_NP: dict[int, np.dtype] = {
    1: np.dtype(np.float32), 2: np.dtype(np.float64), 3: np.dtype(np.int32), 4: np.dtype(np.uint8),
    5: np.dtype(np.int16), 6: np.dtype(np.int8), 8: np.dtype(np.complex64), 9: np.dtype(np.int64),
    10: np.dtype(np.bool_), 17: np.dtype(np.uint16), 18: np.dtype(np.complex128), 19: np.dtype(np.float16),
    22: np.dtype(np.uint32), 23: np.dtype(np.uint64),
}
_NP_TO_DT = {v: k for k, v in _DT_TO_NP.items()}
_DT_NAMES = {7: "string", 14: "bfloat16", 20: "resource", 21: "variant"}
BUNDLE_VERSION = 1  # TF's kTensorBundleVersion: the producer version written, the newest we read


def data_path(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_path(prefix: str) -> str:
    return prefix + ".index"


@dataclass(frozen=True)
class BundleEntry:
    """Where one tensor lives in the data file(s), and what it is."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    crc32c: int  # unmasked
    # Why get_tensor cannot return this tensor (e.g. "dtype string"), or None when it can.
    # Unloadable entries are never size-checked; their dtype is object when NumPy has none for it.
    unloadable: str | None = None

    @property
    def kind(self) -> str:
        """The dtype's name, also for dtypes NumPy has no type for ("string", "bfloat16", ...)."""
        if self.unloadable is not None and self.unloadable.startswith("dtype "):
            return self.unloadable[len("dtype "):]
        return self.dtype.name


def _shape_proto(shape: tuple[int, ...]) -> bytes:
    w = ProtoWriter()
    for d in shape:
        w.message(2, ProtoWriter().varint(1, d).getvalue())
    return w.getvalue()


def write_bundle(prefix: str, tensors: dict[str, np.ndarray]) -> None:
    """Writes ``tensors`` (name -> array) as a V2 checkpoint at ``prefix``.

    Both files are written and fsynced as temporary files first (`atomic_write_group`); then the
    data file and the index (what readers open first) are renamed into place back to back. A failure
    or kill before the renames leaves a previous checkpoint at the same prefix untouched; between the
    two renames (microseconds) a reader would see the new data with the old index, which the
    per-tensor CRCs turn into a `CheckpointError`, never into wrong values. (Saving with a
    ``global_step`` gives every checkpoint its own prefix, and the ``checkpoint`` state file names a
    prefix only after both renames.)
    """
    for name, arr in tensors.items():
        if not isinstance(name, str) or not name:
            raise CheckpointError(f"checkpoint tensor names must be non-empty strings, got {name!r}")
        if np.asarray(arr).dtype not in _NP_TO_DT:
            raise CheckpointError(f"cannot write tensor '{name}' of dtype {np.asarray(arr).dtype} to a checkpoint")
    entries: list[tuple[bytes, bytes]] = [
        (b"", ProtoWriter().varint(1, 1).message(3, ProtoWriter().varint(1, BUNDLE_VERSION).getvalue()).getvalue())]
    offset = 0
    with atomic_write_group([data_path(prefix), index_path(prefix)]) as (f, index_file):
        for name in sorted(tensors, key=lambda n: n.encode("utf-8")):
            arr = np.asarray(tensors[name])
            raw = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
            f.write(raw)
            entry = (ProtoWriter().varint(1, _NP_TO_DT[arr.dtype]).message(2, _shape_proto(arr.shape))
                     .varint(4, offset).varint(5, len(raw)).fixed32(6, mask(crc32c(raw))).getvalue())
            entries.append((name.encode("utf-8"), entry))
            offset += len(raw)
        index_file.write(write_table(entries))


class BundleReader:
    """Reads a V2 checkpoint: its tensor names, dtypes, shapes and (checked) values."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        path = index_path(prefix)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise CheckpointError(f"no checkpoint at '{prefix}' ({path} does not exist)",
                                  fix="pass the prefix Saver.save returned (e.g. 'ckpt/model.ckpt-100'), "
                                      "or gr.train.latest_checkpoint(dir)") from None
        except OSError as e:
            raise CheckpointError(f"cannot read checkpoint index '{path}': {e.strerror}") from None
        try:
            table = read_table(data)
        except TableError as e:
            raise CheckpointError(f"checkpoint index '{path}' is corrupted: {e}") from None
        if not table or table[0][0] != b"":
            raise CheckpointError(f"checkpoint index '{path}' has no bundle header")
        self.num_shards = self._read_header(table[0][1], path)
        self.entries: dict[str, BundleEntry] = {}
        for key, value in table[1:]:
            if key.startswith(b"\x00"):
                continue  # one slice of a partitioned variable; its full entry names the variable
            entry = self._read_entry(key, value, path)
            self.entries[entry.name] = entry

    def _read_header(self, value: bytes, path: str) -> int:
        try:
            h = parse(value)
            num_shards = as_int64(int(first(h, 1, 0)))
            endianness = int(first(h, 2, 0))
            version = parse(bytes(first(h, 3, b"")))
            producer = as_int64(int(first(version, 1, 0)))
            min_consumer = as_int64(int(first(version, 2, 0)))
            bad = [as_int64(int(v)) for v in version.get(3, [])]
        except (WireError, TypeError) as e:
            raise CheckpointError(f"checkpoint index '{path}': malformed header ({e})") from None
        if endianness != 0:
            raise CheckpointError(f"checkpoint '{path}' was written on a big-endian machine; "
                                  "graphrnn reads little-endian checkpoints only")
        if min_consumer > BUNDLE_VERSION or BUNDLE_VERSION in bad or producer < 0:
            raise CheckpointError(f"checkpoint '{path}' needs a newer reader (bundle version: producer {producer}, "
                                  f"min_consumer {min_consumer}); graphrnn reads version {BUNDLE_VERSION}")
        if not 1 <= num_shards <= 100_000:
            raise CheckpointError(f"checkpoint index '{path}': bad shard count {num_shards}")
        return num_shards

    def _read_entry(self, key: bytes, value: bytes, path: str) -> BundleEntry:
        try:
            name = key.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError(f"checkpoint index '{path}': a tensor name is not UTF-8 ({key[:60]!r})") from None
        shown = name.encode("unicode_escape").decode("ascii")[:200]
        try:
            e = parse(value)
            dt = int(first(e, 1, 0))
            shape_fields = parse(bytes(first(e, 2, b"")))
            if first(shape_fields, 3, 0):
                raise WireError("unknown rank")
            shape = tuple(as_int64(int(first(parse(bytes(d)), 1, 0))) for d in shape_fields.get(2, []))
            shard = as_int64(int(first(e, 3, 0)))
            offset = as_int64(int(first(e, 4, 0)))
            size = as_int64(int(first(e, 5, 0)))
            crc = int(first(e, 6, 0))
            slices = e.get(7, [])
        except (WireError, TypeError) as err:
            raise CheckpointError(f"checkpoint index '{path}': entry '{shown}' is malformed ({err})") from None
        if any(d < 0 for d in shape) or len(shape) > 64:
            raise CheckpointError(f"checkpoint tensor '{shown}' has an invalid shape {shape}")
        unloadable = None
        if dt not in _DT_TO_NP:
            unloadable = f"dtype {_DT_NAMES.get(dt, f'DataType {dt}')}"
        elif slices:
            unloadable = "a partitioned variable (saved as slices)"
        if unloadable is not None:
            dtype_or_object = _DT_TO_NP.get(dt, np.dtype(object))
            return BundleEntry(name, dtype_or_object, shape, shard, offset, size, unmask(crc), unloadable)
        dtype = _DT_TO_NP[dt]
        want = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if size != want or offset < 0 or not 0 <= shard < self.num_shards:
            raise CheckpointError(f"checkpoint index '{path}': entry '{shown}' is inconsistent (shape {shape} "
                                  f"of {dtype} needs {want} bytes, entry says {size} at offset {offset}, "
                                  f"shard {shard} of {self.num_shards})")
        return BundleEntry(name, dtype, shape, shard, offset, size, unmask(crc))

    def names(self) -> list[str]:
        return sorted(self.entries)

    def has_tensor(self, name: str) -> bool:
        return name in self.entries

    def get_tensor(self, name: str) -> np.ndarray:
        """The tensor's value (a fresh, writable array), after checking its size and CRC."""
        entry = self.entries.get(name)
        if entry is None:
            raise CheckpointError(f"tensor '{name}' not found in checkpoint '{self.prefix}'",
                                  fix="list the names with gr.train.list_variables(path)")
        if entry.unloadable is not None:
            raise CheckpointError(f"checkpoint tensor '{name}' in '{self.prefix}' is {entry.unloadable}, which "
                                  "graphrnn cannot load", fix="leave it out of the Saver's var_list (or save it "
                                  "from TF as a plain numeric, unpartitioned variable)")
        path = data_path(self.prefix, entry.shard_id, self.num_shards)
        try:
            with open(path, "rb") as f:
                f.seek(entry.offset)
                raw = f.read(entry.size)
        except OSError as e:
            raise CheckpointError(f"cannot read checkpoint data '{path}': {e.strerror or e}") from None
        if len(raw) != entry.size:
            raise CheckpointError(f"checkpoint data '{path}' is truncated: tensor '{name}' needs bytes "
                                  f"{entry.offset}..{entry.offset + entry.size}, the file has {os.path.getsize(path)}")
        if crc32c(raw) != entry.crc32c:
            raise CheckpointError(f"checkpoint data '{path}' is corrupted: tensor '{name}' fails its checksum")
        arr = np.frombuffer(raw, dtype=entry.dtype.newbyteorder("<")).astype(entry.dtype, copy=True)
        return arr.reshape(entry.shape)
