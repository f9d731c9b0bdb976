"""Snappy decompression (the raw block format), for table blocks a writer chose to compress.

TF writes checkpoint index blocks uncompressed, but the table format allows Snappy blocks; this
reader accepts them so that any valid index loads. Format: a varint of the uncompressed length,
then elements tagged by their low two bits: 0 a literal, 1/2/3 a copy of earlier output with a
1-, 2- or 4-byte offset.
"""

from __future__ import annotations

from graphrnn.io.protowire import WireError, decode_varint


def decompress(data: bytes) -> bytes:
    """The uncompressed bytes; raises `WireError` on any malformed element."""
    length, pos = decode_varint(data, 0)
    out = bytearray()
    n = len(data)
    while pos < n:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                if pos + extra > n:
                    raise WireError("snappy: truncated literal length")
                size = int.from_bytes(data[pos:pos + extra], "little")
                pos += extra
            size += 1
            if pos + size > n:
                raise WireError("snappy: literal runs past the end")
            out += data[pos:pos + size]
            pos += size
            continue
        if kind == 1:
            if pos + 1 > n:
                raise WireError("snappy: truncated copy")
            size = 4 + ((tag >> 2) & 7)
            offset = ((tag >> 5) << 8) | data[pos]
            pos += 1
        else:
            width = 2 if kind == 2 else 4
            if pos + width > n:
                raise WireError("snappy: truncated copy")
            size = (tag >> 2) + 1
            offset = int.from_bytes(data[pos:pos + width], "little")
            pos += width
        if offset == 0 or offset > len(out):
            raise WireError(f"snappy: copy offset {offset} outside the {len(out)} bytes written")
        start = len(out) - offset
        for i in range(size):  # copies may overlap their own output (run-length style)
            out.append(out[start + i])
        if len(out) > length:
            raise WireError("snappy: output longer than declared")
    if len(out) != length:
        raise WireError(f"snappy: {len(out)} bytes decoded, {length} declared")
    return bytes(out)
