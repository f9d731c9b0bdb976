"""TF's checkpoint format: CRC-32C, the wire codec, the table, and bundles TF wrote (byte identity)."""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphrnn.io.crc32c import crc32c, crc32c_numpy, mask, unmask
from graphrnn.io.protowire import ProtoWriter, WireError, decode_varint, encode_varint, parse
from graphrnn.io.snappy import decompress
from graphrnn.io.sstable import TableError, read_table, write_table
from graphrnn.io.tensor_bundle import BundleReader, data_path, index_path, write_bundle
from graphrnn.ir.errors import CheckpointError

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "checkpoints")


def _reference_crc(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def test_crc32c_known_values():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c_numpy(b"") == 0 and crc32c_numpy(b"123456789") == 0xE3069283
    assert unmask(mask(0xDEADBEEF)) == 0xDEADBEEF


@pytest.mark.parametrize("n", [1, 4095, 4096, 5000, 70_001, 1 << 20])
def test_crc32c_vectorized_matches_bytewise(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    want = _reference_crc(data) if n < 10_000 else crc32c_numpy(data[: n // 2] + data[n // 2:])
    assert crc32c_numpy(data) == want == crc32c(data)
    if n >= 10_000:  # against the bytewise form over the same data, through the small-input path
        from graphrnn.io.crc32c import _process_python
        assert crc32c_numpy(data) == _process_python(0xFFFFFFFF, data) ^ 0xFFFFFFFF


@given(st.integers(min_value=-(1 << 63), max_value=(1 << 64) - 1))
def test_varint_round_trip(v):
    enc = encode_varint(v)
    got, end = decode_varint(enc, 0)
    assert end == len(enc) and got == v % (1 << 64)


def test_wire_errors():
    for bad in (b"\x08", b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", b"\x12\x05ab", b"\x00\x01", b"\x0b"):
        with pytest.raises(WireError):
            parse(bad)
    msg = ProtoWriter().varint(1, 0).varint(2, 7).bytes_(3, b"hi").fixed32(4, 9).getvalue()
    assert parse(msg) == {2: [7], 3: [b"hi"], 4: [9]}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=20), st.binary(max_size=40)), max_size=120),
       st.integers(min_value=64, max_value=600))
def test_table_round_trip(pairs, block_size):
    entries = sorted(dict(pairs).items())
    assert read_table(write_table(entries, block_size=block_size)) == entries


def test_snappy_literal_and_overlapping_copy():
    # "abcabcabcabcX": literal "abc", copy len 9 offset 3 (1-byte-offset form), literal "X"
    data = encode_varint(13) + bytes([2 << 2 | 0]) + b"abc" + bytes([((9 - 4) << 2) | 1, 3]) + bytes([0]) + b"X"
    assert decompress(data) == b"abcabcabcabcX"
    with pytest.raises(WireError):
        decompress(encode_varint(5) + bytes([((5 - 4) << 2) | 1, 9]))


def test_reads_tensorflow_bundle_with_every_dtype():
    ref = np.load(os.path.join(DATA, "dtypes.npz"))
    r = BundleReader(os.path.join(DATA, "dtypes", "model.ckpt"))
    assert r.names() == sorted(k[4:] for k in ref.files)
    for name in r.names():
        got, want = r.get_tensor(name), ref["var/" + name]
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)


def test_writes_the_bytes_tensorflow_writes(tmp_path):
    ref = np.load(os.path.join(DATA, "dtypes.npz"))
    prefix = str(tmp_path / "model.ckpt")
    write_bundle(prefix, {k[4:]: ref[k] for k in ref.files})
    with open(os.path.join(DATA, "layout.json")) as f:
        layout = json.load(f)["dtypes/model.ckpt"]
    with open(index_path(prefix), "rb") as f:
        assert f.read().hex() == layout["index_hex"]
    with open(data_path(prefix), "rb") as f, open(data_path(os.path.join(DATA, "dtypes", "model.ckpt")), "rb") as g:
        assert f.read() == g.read()


def test_many_entries_span_several_index_blocks(tmp_path):
    tensors = {f"model/layer_{i:05d}/kernel": np.full((2,), i, np.float32) for i in range(6000)}
    prefix = str(tmp_path / "big")
    write_bundle(prefix, tensors)
    with open(index_path(prefix), "rb") as f:
        assert len(read_table(f.read())) == 6001
    r = BundleReader(prefix)
    assert np.array_equal(r.get_tensor("model/layer_04321/kernel"), [4321, 4321])


def _copy_ckpt(tmp_path):
    src = os.path.join(DATA, "adam_f32", "model.ckpt-3")
    dst = str(tmp_path / "m")
    for suffix in (".index", ".data-00000-of-00001"):
        with open(src + suffix, "rb") as f, open(dst + suffix, "wb") as g:
            g.write(f.read())
    return dst


def test_corrupted_files_are_checkpoint_errors(tmp_path):
    """Byte flips, truncations and insertions in the index or the data: never a raw exception,
    never a silently wrong tensor (the CRCs catch changed bytes)."""
    prefix = _copy_ckpt(tmp_path)
    clean = BundleReader(prefix)
    want = {n: clean.get_tensor(n) for n in clean.names()}
    originals = {}
    for suffix in (".index", ".data-00000-of-00001"):
        with open(prefix + suffix, "rb") as f:
            originals[suffix] = f.read()
    rng = random.Random(0)
    outcomes = {"error": 0, "same": 0}
    for trial in range(300):
        suffix = ".index" if trial % 2 else ".data-00000-of-00001"
        data = bytearray(originals[suffix])
        kind = trial % 3
        i = rng.randrange(len(data))
        if kind == 0:
            data[i] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[i:]
        else:
            data.insert(i, rng.randrange(256))
        with open(prefix + suffix, "wb") as f:
            f.write(bytes(data))
        try:
            r = BundleReader(prefix)
            got = {n: r.get_tensor(n) for n in r.names()}
        except CheckpointError:
            outcomes["error"] += 1
        else:
            assert got.keys() == want.keys()
            for n in want:
                assert got[n].dtype == want[n].dtype and np.array_equal(got[n], want[n]), n
            outcomes["same"] += 1
        with open(prefix + suffix, "wb") as f:
            f.write(originals[suffix])
    assert outcomes["error"] > 250


def test_missing_and_wrong_names():
    with pytest.raises(CheckpointError, match="does not exist"):
        BundleReader(os.path.join(DATA, "nope"))
    r = BundleReader(os.path.join(DATA, "dtypes", "model.ckpt"))
    with pytest.raises(CheckpointError, match="not found"):
        r.get_tensor("a/f64")
    with pytest.raises(TableError):
        read_table(b"\0" * 10)
