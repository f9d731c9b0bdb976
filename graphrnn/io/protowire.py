"""A tiny protocol-buffers wire codec: just what TF's checkpoint index needs, no ``protobuf`` package.

Writing: `ProtoWriter` appends fields in the order given (callers give them in field-number order,
as protoc does, so our bytes equal TF's). Reading: `parse` splits a message into
``{field_number: [values]}``; varints are ints, length-delimited fields are bytes, fixed32/64
fields are ints. Every malformation (truncation, overlong varint, a wire type this format never
uses) raises `WireError` with the byte offset, which callers turn into a user-facing error.
"""

from __future__ import annotations

import struct

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


class WireError(ValueError):
    """Malformed protobuf bytes (internal: callers wrap it with the file and field it came from)."""


def encode_varint(value: int) -> bytes:
    """Base-128 varint; negative int32/int64 values are encoded in 10 bytes as two's complement."""
    if value < 0:
        value &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode_varint(data: bytes | memoryview, pos: int, limit: int | None = None) -> tuple[int, int]:
    """Returns ``(value, next_pos)``; at most 10 bytes, never past ``limit`` (default: the end)."""
    end = len(data) if limit is None else limit
    result = shift = 0
    start = pos
    while True:
        if pos >= end:
            raise WireError(f"truncated varint at byte {start}")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError(f"varint longer than 10 bytes at byte {start}")


def as_int64(value: int) -> int:
    """Reinterprets a decoded varint as a signed 64-bit integer (protobuf's int64)."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >> 63 else value


class ProtoWriter:
    """Builds one message. Default (zero/empty) scalars are omitted, as proto3 does."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def varint(self, field: int, value: int, *, keep_zero: bool = False) -> ProtoWriter:
        if value or keep_zero:
            self._buf += encode_varint(field << 3 | VARINT) + encode_varint(int(value))
        return self

    def fixed32(self, field: int, value: int) -> ProtoWriter:
        self._buf += encode_varint(field << 3 | FIXED32) + struct.pack("<I", value & 0xFFFFFFFF)
        return self

    def bytes_(self, field: int, value: bytes, *, keep_empty: bool = False) -> ProtoWriter:
        """A length-delimited field (a string, bytes or a sub-message, which is always kept)."""
        if value or keep_empty:
            self._buf += encode_varint(field << 3 | LENGTH) + encode_varint(len(value)) + value
        return self

    def message(self, field: int, value: bytes) -> ProtoWriter:
        return self.bytes_(field, value, keep_empty=True)

    def getvalue(self) -> bytes:
        return bytes(self._buf)


def parse(data: bytes | memoryview) -> dict[int, list[int | bytes]]:
    """Splits a message into its fields (repeated fields keep their order)."""
    fields: dict[int, list[int | bytes]] = {}
    pos, end = 0, len(data)
    while pos < end:
        key, pos = decode_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError(f"field number 0 at byte {pos}")
        value: int | bytes
        if wire == VARINT:
            value, pos = decode_varint(data, pos)
        elif wire == LENGTH:
            n, pos = decode_varint(data, pos)
            if n > end - pos:
                raise WireError(f"field {number}: length {n} runs past the end ({end - pos} bytes left)")
            value, pos = bytes(data[pos:pos + n]), pos + n
        elif wire == FIXED32:
            if end - pos < 4:
                raise WireError(f"field {number}: truncated fixed32")
            value, pos = struct.unpack_from("<I", data, pos)[0], pos + 4
        elif wire == FIXED64:
            if end - pos < 8:
                raise WireError(f"field {number}: truncated fixed64")
            value, pos = struct.unpack_from("<Q", data, pos)[0], pos + 8
        else:
            raise WireError(f"field {number}: unsupported wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def first(fields: dict[int, list[int | bytes]], number: int, default: int | bytes) -> int | bytes:
    """The last value of a singular field (protobuf: the last one wins), or ``default``."""
    values = fields.get(number)
    if not values:
        return default
    value = values[-1]
    if type(value) is not type(default):
        raise WireError(f"field {number} has the wrong wire type")
    return value
