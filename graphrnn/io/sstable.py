"""The sorted string table TF's checkpoint index is stored in (LevelDB's table format).

Layout of a table file, as TF's ``table_builder.cc`` writes it::

    data block 0 .. data block k      sorted (key, value) entries, prefix-compressed
    meta-index block                  empty (TF writes no filters)
    index block                       one entry per data block: separator key -> block handle
    footer (48 bytes)                 meta-index handle, index handle, zero padding, magic number

A block is a run of entries ``varint shared | varint non_shared | varint value_len | key suffix |
value``; every ``restart_interval``-th entry stores its whole key (a restart point), and the block
ends with the restart offsets (uint32 each) and their count. Each block is followed by a 5-byte
trailer: its compression type and the masked CRC-32C of the block and that type byte.

`write_table` reproduces TF's bytes exactly (same block size, restart interval, separator keys),
so a checkpoint index written here is byte-for-byte the one TF would write. `read_table` checks
every length, offset, CRC and the key order, and raises `TableError` on any inconsistency.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from graphrnn.io.crc32c import crc32c, mask
from graphrnn.io.protowire import WireError, decode_varint, encode_varint

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
NO_COMPRESSION, SNAPPY_COMPRESSION = 0, 1
BLOCK_SIZE = 256 * 1024  # TF's table::Options default
RESTART_INTERVAL = 16


class TableError(ValueError):
    """A malformed table (internal: the checkpoint reader wraps it with the file's name)."""


# --- writing ------------------------------------------------------------------------------------

class _BlockBuilder:
    def __init__(self, restart_interval: int) -> None:
        self.interval = restart_interval
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < self.interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += encode_varint(shared) + encode_varint(len(key) - shared) + encode_varint(len(value))
        self.buf += key[shared:] + value
        self.last_key = key
        self.counter += 1

    def size_estimate(self) -> int:
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self) -> bytes:
        return bytes(self.buf) + struct.pack(f"<{len(self.restarts)}I", *self.restarts) + \
            struct.pack("<I", len(self.restarts))


def _handle(offset: int, size: int) -> bytes:
    return encode_varint(offset) + encode_varint(size)


def _shortest_separator(start: bytes, limit: bytes) -> bytes:
    """A short key k with start <= k < limit (LevelDB's bytewise comparator rule)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n and start[i] < 0xFF and start[i] + 1 < limit[i]:
        return start[:i] + bytes([start[i] + 1])
    return start


def _short_successor(key: bytes) -> bytes:
    """A short key k >= key."""
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


def write_table(entries: Iterable[tuple[bytes, bytes]], block_size: int = BLOCK_SIZE,
                restart_interval: int = RESTART_INTERVAL) -> bytes:
    """The table file holding ``entries`` (keys strictly increasing, as bytes compare)."""
    out = bytearray()
    data = _BlockBuilder(restart_interval)
    index = _BlockBuilder(1)
    pending: bytes | None = None  # the handle of the last flushed block, awaiting its separator
    last_key: bytes | None = None

    def write_block(block: _BlockBuilder) -> bytes:
        raw = block.finish()
        handle = _handle(len(out), len(raw))
        out.extend(raw)
        out.extend(bytes([NO_COMPRESSION]) + struct.pack("<I", mask(crc32c(raw + bytes([NO_COMPRESSION])))))
        return handle

    for key, value in entries:
        if last_key is not None and key <= last_key:
            raise TableError(f"table keys must be strictly increasing: {key!r} after {last_key!r}")
        if pending is not None:
            index.add(_shortest_separator(last_key or b"", key), pending)
            pending = None
        data.add(key, value)
        last_key = key
        if data.size_estimate() >= block_size:
            pending = write_block(data)
            data = _BlockBuilder(restart_interval)
    if data.buf:
        pending = write_block(data)
    meta_handle = write_block(_BlockBuilder(restart_interval))
    if pending is not None:
        index.add(_short_successor(last_key or b""), pending)
    index_handle = write_block(index)
    footer = (meta_handle + index_handle).ljust(FOOTER_SIZE - 8, b"\0") + struct.pack("<Q", MAGIC)
    out.extend(footer)
    return bytes(out)


# --- reading ------------------------------------------------------------------------------------

def _read_handle(data: bytes, pos: int, limit: int) -> tuple[int, int, int]:
    offset, pos = decode_varint(data, pos, limit)
    size, pos = decode_varint(data, pos, limit)
    return offset, size, pos


def _read_block(data: bytes, offset: int, size: int, what: str) -> bytes:
    if offset + size + 5 > len(data) - FOOTER_SIZE:
        raise TableError(f"{what} block at byte {offset} (size {size}) runs past the end of the file")
    raw = data[offset:offset + size]
    kind = data[offset + size]
    (stored,) = struct.unpack_from("<I", data, offset + size + 1)
    if mask(crc32c(raw + bytes([kind]))) != stored:
        raise TableError(f"{what} block at byte {offset}: checksum mismatch (the file is corrupted)")
    if kind == SNAPPY_COMPRESSION:
        from graphrnn.io.snappy import decompress
        return decompress(raw)
    if kind != NO_COMPRESSION:
        raise TableError(f"{what} block at byte {offset}: unknown compression type {kind}")
    return raw


def _block_entries(block: bytes, what: str) -> list[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise TableError(f"{what} block is too short ({len(block)} bytes)")
    (n_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * n_restarts
    if n_restarts == 0 or end < 0:
        raise TableError(f"{what} block has a bad restart count {n_restarts}")
    entries: list[tuple[bytes, bytes]] = []
    key = b""
    pos = 0
    while pos < end:
        shared, pos = decode_varint(block, pos, end)
        non_shared, pos = decode_varint(block, pos, end)
        value_len, pos = decode_varint(block, pos, end)
        if shared > len(key) or non_shared + value_len > end - pos:
            raise TableError(f"{what} block: entry at byte {pos} has inconsistent lengths")
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        entries.append((key, block[pos:pos + value_len]))
        pos += value_len
    return entries


def read_table(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (key, value) of a table file, in key order. Raises `TableError` if malformed."""
    try:
        if len(data) < FOOTER_SIZE:
            raise TableError(f"file is too short to be a table ({len(data)} bytes)")
        footer_at = len(data) - FOOTER_SIZE
        (magic,) = struct.unpack_from("<Q", data, len(data) - 8)
        if magic != MAGIC:
            raise TableError("bad magic number (not a TensorFlow checkpoint index)")
        _, _, pos = _read_handle(data, footer_at, len(data) - 8)
        index_offset, index_size, _ = _read_handle(data, pos, len(data) - 8)
        index = _block_entries(_read_block(data, index_offset, index_size, "index"), "index")
        entries: list[tuple[bytes, bytes]] = []
        for sep, handle in index:
            offset, size, end = _read_handle(handle, 0, len(handle))
            if end != len(handle):
                raise TableError("index entry has trailing bytes after its block handle")
            block = _block_entries(_read_block(data, offset, size, "data"), "data")
            for key, value in block:
                if entries and key <= entries[-1][0]:
                    raise TableError(f"keys out of order: {key!r} after {entries[-1][0]!r}")
                if key > sep:
                    raise TableError(f"key {key!r} is past its block's index key {sep!r}")
                entries.append((key, value))
        return entries
    except (WireError, struct.error) as e:
        raise TableError(str(e)) from None
