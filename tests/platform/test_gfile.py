"""gr.gfile: TF1's file API on the local file system, atomic writes, TF1's errors."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphrnn as tf
from graphrnn.platform import file_errors

gfile = tf.gfile


def test_write_read_text_and_binary(tmp_path):
    p = str(tmp_path / "a.txt")
    with gfile.GFile(p, "w") as f:
        f.write("line one\r\n")
        f.write(b"line two\n")
        f.write("tail")
        assert not os.path.exists(p)  # atomic: visible only when closed
        assert f.size() == len("line one\r\nline two\ntail")
    with gfile.GFile(p) as f:
        assert f.readline() == "line one\r\n"  # lines end at \n only, \r kept (TF1)
        assert f.tell() == 10
        assert list(f) == ["line two\n", "tail"]
        f.seek(0)
        assert f.read(4) == "line"
        f.seek(position=5)
        assert f.read() == "one\r\nline two\ntail"
    with gfile.Open(p, "rb") as f:
        assert f.read() == b"line one\r\nline two\ntail"
        assert f.size() == 23
    with gfile.FastGFile(p, "a") as f:
        f.write("!")
    assert gfile.GFile(p, "rb").readlines() == [b"line one\r\n", b"line two\n", b"tail!"]


def test_exception_inside_with_leaves_the_old_file(tmp_path):
    p = str(tmp_path / "keep.txt")
    with gfile.GFile(p, "w") as f:
        f.write("old")
    with pytest.raises(RuntimeError), gfile.GFile(p, "w") as f:
        f.write("new, half written")
        raise RuntimeError("crash")
    assert open(p).read() == "old"
    assert os.listdir(tmp_path) == ["keep.txt"]  # no temporary file left behind


def test_unclosed_file_is_written_when_collected(tmp_path):
    p = str(tmp_path / "gc.txt")
    f = gfile.GFile(p, "w")
    f.write("data")
    del f
    assert open(p).read() == "data"


def test_file_operations(tmp_path):
    d = str(tmp_path / "x" / "y")
    gfile.MakeDirs(d)
    gfile.MakeDirs(d)  # fine when it exists
    assert gfile.IsDirectory(d) and gfile.Exists(d)
    with pytest.raises(file_errors.AlreadyExistsError):
        gfile.MkDir(d)
    with pytest.raises(file_errors.NotFoundError):
        gfile.MkDir(str(tmp_path / "no" / "parent"))
    gfile.MkDir(str(tmp_path / "x" / "z"))
    a = os.path.join(d, "a.bin")
    with gfile.GFile(a, "wb") as f:
        f.write(b"\x00\x01")
    st_ = gfile.Stat(a)
    assert st_.length == 2 and not st_.is_directory and st_.mtime_nsec > 0
    assert gfile.Stat(d).is_directory
    assert gfile.ListDirectory(str(tmp_path / "x")) == ["y", "z"]
    assert gfile.Glob(str(tmp_path / "x" / "*" / "*.bin")) == [a]
    b = os.path.join(d, "b.bin")
    gfile.Copy(a, b)
    with pytest.raises(file_errors.AlreadyExistsError, match="overwrite=True"):
        gfile.Copy(a, b)
    gfile.Copy(a, b, overwrite=True)
    with pytest.raises(file_errors.AlreadyExistsError):
        gfile.Rename(a, b)
    gfile.Rename(a, b, overwrite=True)
    assert not gfile.Exists(a) and open(b, "rb").read() == b"\x00\x01"
    walk = list(gfile.Walk(str(tmp_path / "x")))
    assert walk == [(str(tmp_path / "x"), ["y", "z"], []), (d, [], ["b.bin"]), (str(tmp_path / "x" / "z"), [], [])]
    assert [w[0] for w in gfile.Walk(str(tmp_path / "x"), in_order=False)][-1] == str(tmp_path / "x")
    assert list(gfile.Walk(str(tmp_path / "missing"))) == []
    with pytest.raises(file_errors.FailedPreconditionError, match="DeleteRecursively"):
        gfile.Remove(d)
    gfile.Remove(b)
    with pytest.raises(file_errors.NotFoundError):
        gfile.Remove(b)
    gfile.DeleteRecursively(str(tmp_path / "x"))
    assert not gfile.Exists(str(tmp_path / "x"))
    with pytest.raises(file_errors.NotFoundError):
        gfile.DeleteRecursively(str(tmp_path / "x"))


def test_errors_are_graph_errors_and_oserrors(tmp_path):
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(file_errors.NotFoundError) as e:
        gfile.GFile(missing).read()
    assert isinstance(e.value, tf.GraphError) and isinstance(e.value, FileNotFoundError)
    assert missing in str(e.value)
    with pytest.raises(file_errors.NotFoundError, match="Could not find directory"):
        gfile.ListDirectory(missing)
    with pytest.raises(file_errors.NotFoundError):
        gfile.Stat(missing)
    with pytest.raises(file_errors.InvalidArgumentError, match="mode"):
        gfile.GFile(missing, "r+")
    with pytest.raises(file_errors.InvalidArgumentError, match="string"):
        gfile.Exists(3)
    with pytest.raises(file_errors.FailedPreconditionError, match="directory"):
        gfile.GFile(str(tmp_path))
    p = str(tmp_path / "f")
    with gfile.GFile(p, "w") as f:
        f.write("x")
        with pytest.raises(file_errors.FailedPreconditionError, match="cannot be read"):
            f.read()
        with pytest.raises(file_errors.InvalidArgumentError, match="str or bytes"):
            f.write(3)
    with gfile.GFile(p) as f, pytest.raises(file_errors.FailedPreconditionError, match="cannot be written"):
        f.write("y")
    with pytest.raises(file_errors.FailedPreconditionError, match="a file of that name"):
        gfile.MakeDirs(os.path.join(p))
    with gfile.GFile(p) as f:
        for bad in (lambda: f.read("3"), lambda: f.seek("0"), lambda: f.seek(0, whence=7), lambda: f.seek(-5)):
            with pytest.raises(file_errors.InvalidArgumentError):
                bad()
    with open(p, "wb") as f:
        f.write(b"\xff\xfe")
    with pytest.raises(file_errors.InvalidArgumentError, match="not UTF-8"):
        gfile.GFile(p).read()


@settings(max_examples=25)  # each example fsyncs a file
@given(st.lists(st.binary(max_size=50), max_size=6))
def test_chunks_written_are_read_back(tmp_path_factory, chunks):
    p = str(tmp_path_factory.mktemp("h") / "f.bin")
    with gfile.GFile(p, "wb") as f:
        for c in chunks:
            f.write(c)
    with gfile.GFile(p, "rb") as f:
        assert f.read() == b"".join(chunks)
        f.seek(0)
        assert b"".join(f) == b"".join(chunks)
