"""A minimal PNG encoder for image summaries (8-bit gray, RGB or RGBA), with zlib from the stdlib.

Rows are stored unfiltered (filter type 0); any PNG reader, TensorBoard's included, decodes them.
Invariant: decoding ``encode_png(pixels)`` gives ``pixels`` back exactly.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG color type (gray, RGB, RGBA)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG bytes of a ``uint8`` array of shape ``(height, width, channels)``, channels 1, 3 or 4."""
    h, w, c = pixels.shape
    if pixels.dtype != np.uint8 or c not in COLOR_TYPES:
        raise ValueError(f"encode_png takes uint8 (h, w, 1|3|4) pixels, got {pixels.dtype} {pixels.shape}")
    rows = np.zeros((h, 1 + w * c), dtype=np.uint8)  # a leading 0 per row: filter type None
    rows[:, 1:] = pixels.reshape(h, w * c)
    header = struct.pack(">IIBBBBB", w, h, 8, COLOR_TYPES[c], 0, 0, 0)
    return (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + _chunk(b"IEND", b""))
