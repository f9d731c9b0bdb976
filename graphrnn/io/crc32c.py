"""CRC-32C (Castagnoli), as TensorFlow's checkpoints and TFRecord files use it, with TF's masking.

`crc32c(data)` uses a C implementation when one is installed (the ``crc32c`` or ``google-crc32c``
package) and otherwise a NumPy one that is fast enough for checkpoints of any size: the data is cut
into ``n`` equal chunks whose CRC registers advance together, one vectorized step per byte
position, and the chunk registers are then combined with the linear map "advance over L zero
bytes" (a CRC register update is linear over GF(2) in both the register and the data, so
``process(s, A + B) = zeros_L(process(s, A)) ^ process(0, B)`` for ``len(B) == L``).

Invariant: every implementation returns the standard CRC-32C (initial value and final xor
0xFFFFFFFF, reflected polynomial 0x82F63B78); ``crc32c(b"123456789") == 0xE3069283``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8


def _make_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table[i] = c
    return table


_TABLE = _make_table()
_TABLE_LIST = [int(x) for x in _TABLE]
_SMALL = 4096  # below this many bytes a plain Python loop is faster than the vectorized form


def _process_python(state: int, data: bytes | memoryview) -> int:
    """Advances a raw CRC register (no initial/final xor) over ``data``, byte by byte."""
    t = _TABLE_LIST
    for b in bytes(data):
        state = t[(state ^ b) & 0xFF] ^ (state >> 8)
    return state


@functools.lru_cache(maxsize=16)
def _zeros_tables(length: int) -> tuple[np.ndarray, ...]:
    """The linear map "advance the register over ``length`` zero bytes", as four byte-indexed tables."""
    basis = np.left_shift(np.uint32(1), np.arange(32, dtype=np.uint32))
    for _ in range(length):
        basis = _TABLE[basis & 0xFF] ^ (basis >> 8)
    tables = []
    for k in range(4):
        cols = basis[8 * k:8 * k + 8]
        t = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            t[(np.arange(256) >> bit) & 1 == 1] ^= cols[bit]
        tables.append(t)
    return tuple(tables)


def _process_numpy(state: int, data: bytes | memoryview) -> int:
    arr = np.frombuffer(data, dtype=np.uint8)
    n = arr.size
    chunk = max(1024, math.isqrt(n))
    count = n // chunk
    columns = np.ascontiguousarray(arr[:count * chunk].reshape(count, chunk).T)
    regs = np.zeros(count, dtype=np.uint32)
    for j in range(chunk):
        regs = _TABLE[(regs ^ columns[j]) & 0xFF] ^ (regs >> 8)
    t0, t1, t2, t3 = (t.tolist() for t in _zeros_tables(chunk))
    for r in regs.tolist():
        state = (t0[state & 0xFF] ^ t1[(state >> 8) & 0xFF] ^ t2[(state >> 16) & 0xFF] ^ t3[state >> 24]) ^ r
    return _process_python(state, arr[count * chunk:].tobytes())


def crc32c_numpy(data: bytes | bytearray | memoryview) -> int:
    """CRC-32C without any C extension (the fallback; also what the tests compare against)."""
    view = memoryview(data).cast("B")
    state = _process_python(0xFFFFFFFF, view) if len(view) < _SMALL else _process_numpy(0xFFFFFFFF, view)
    return state ^ 0xFFFFFFFF


def _native() -> object | None:
    try:
        import google_crc32c  # type: ignore[import-not-found]
        if google_crc32c.implementation == "c":
            return lambda data: google_crc32c.value(bytes(data))
    except Exception:  # not installed, or a build without its C library
        pass
    try:
        import crc32c as _crc32c  # type: ignore[import-not-found]
        return lambda data: _crc32c.crc32c(data)
    except Exception:
        return None


_NATIVE = _native()


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """The CRC-32C of ``data`` (an unsigned 32-bit int)."""
    if _NATIVE is not None:
        return int(_NATIVE(data))  # type: ignore[operator]
    return crc32c_numpy(data)


def mask(crc: int) -> int:
    """TF/LevelDB's masked CRC, stored so that a CRC of data containing CRCs is not degenerate."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    """The inverse of `mask`."""
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
