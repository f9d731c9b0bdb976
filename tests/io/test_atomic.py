"""Atomic writes: a failed or killed write leaves the previous file intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from graphrnn.io.atomic import atomic_write, write_bytes, write_text


def test_write_replaces_content_and_keeps_mode(tmp_path):
    p = tmp_path / "f.txt"
    write_text(p, "one")
    os.chmod(p, 0o640)
    write_text(p, "two")
    assert p.read_text() == "two"
    assert os.stat(p).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["f.txt"]


def test_failure_leaves_previous_file_and_no_temp(tmp_path):
    p = tmp_path / "f.bin"
    write_bytes(p, b"previous")
    with pytest.raises(RuntimeError), atomic_write(p) as f:
        f.write(b"half")
        raise RuntimeError("disk full")
    assert p.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_bad_mode_is_refused(tmp_path):
    with pytest.raises(ValueError), atomic_write(tmp_path / "x", "a"):
        pass


_WRITER = """
import sys
from graphrnn.io.atomic import write_bytes
path = sys.argv[1]
k = 0
while True:
    k += 1
    write_bytes(path, bytes([k % 251]) * 4_000_000)
"""


@pytest.mark.parametrize("trial", range(3))
def test_killed_writer_never_leaves_a_torn_file(tmp_path, trial):
    p = tmp_path / "big.bin"
    write_bytes(p, b"\x07" * 4_000_000)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(p)])
    time.sleep(0.3 + 0.2 * trial)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = p.read_bytes()
    assert len(data) == 4_000_000 and data == data[:1] * len(data)


def test_group_renames_all_or_none(tmp_path, monkeypatch):
    from graphrnn.io.atomic import atomic_write_group
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    with pytest.raises(RuntimeError), atomic_write_group([a, b]) as (fa, fb):
        fa.write(b"new a")
        raise RuntimeError("failed before the renames")
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    with atomic_write_group([a, b]) as (fa, fb):
        fa.write(b"new a")
        fb.write(b"new b")
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b")
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]
