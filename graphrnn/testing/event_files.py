"""Reading TensorBoard event files back, independently of the library that wrote them (for tests).

An event file is a sequence of TFRecords: ``uint64 length``, ``uint32 masked_crc32c(length
bytes)``, ``data``, ``uint32 masked_crc32c(data)`` (little-endian), each ``data`` a serialized
``Event``. `read_records` checks both checksums with its own CRC-32C, so a test that reads a file
this way knows TensorBoard's reader would accept the framing.
"""

from __future__ import annotations

import glob
import os
import struct
from typing import Any

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected


def _table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's mask: rotate right by 15 bits and add a constant (mod 2**32)."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path: str) -> list[bytes]:
    """The records of a TFRecord file; AssertionError on a bad length, checksum or a torn tail."""
    with open(path, "rb") as f:
        blob = f.read()
    out, pos = [], 0
    while pos < len(blob):
        assert pos + 12 <= len(blob), f"{path}: torn record header at byte {pos}"
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        assert hcrc == masked_crc32c(header), f"{path}: bad length checksum at byte {pos}"
        start, end = pos + 12, pos + 12 + length
        assert end + 4 <= len(blob), f"{path}: torn record at byte {pos}"
        data = blob[start:end]
        (dcrc,) = struct.unpack("<I", blob[end:end + 4])
        assert dcrc == masked_crc32c(data), f"{path}: bad data checksum at byte {pos}"
        out.append(data)
        pos = end + 4
    return out


def read_events(path: str) -> list[Any]:
    """The ``Event`` protos of one event file (tensorboardX's Event message)."""
    from tensorboardX.proto.event_pb2 import Event
    events = []
    for data in read_records(path):
        e = Event()
        e.ParseFromString(data)
        events.append(e)
    return events


def event_files(logdir: str) -> list[str]:
    """The event files in ``logdir``, in the order TensorBoard reads them (by name)."""
    return sorted(glob.glob(os.path.join(logdir, "*tfevents*")))
