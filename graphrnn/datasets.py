"""Small data loaders for the training demo: sklearn's 8x8 digits and MNIST in IDX files.

Invariants:

* Images come back as float32 in ``[0, 1]`` shaped ``[N, rows, cols]``, so each image row is one
  time step of ``cols`` features; labels come back as int64 ``[N]``.
* Both loaders return ``((x_train, y_train), (x_test, y_test))``.
* Nothing is downloaded: the digits ship with scikit-learn and MNIST is read from files the user
  already has. Any malformed IDX file raises :class:`DatasetError` naming the file and the fault.
* This module imports nothing from the rest of graphrnn but its atomic file writer.
"""

from __future__ import annotations

import gzip
import os
import pathlib
import zlib
from collections.abc import Iterator

import numpy as np

from graphrnn.io.atomic import write_bytes

Split = tuple[np.ndarray, np.ndarray]

# IDX type byte -> big-endian NumPy dtype (the format always stores data most significant byte first).
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES: dict[np.dtype, int] = {dt.newbyteorder("="): code for code, dt in _IDX_DTYPES.items()}

# MNIST's file names and the magic numbers they must carry (type byte 0x08, then the rank).
_MNIST_IMAGES_MAGIC = 0x00000803
_MNIST_LABELS_MAGIC = 0x00000801
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DatasetError(ValueError):
    """A data file exists but its content is not what the loader expects."""


def load_digits_sequences(test_fraction: float = 0.2, seed: int = 0) -> tuple[Split, Split]:
    """sklearn's 1797 8x8 digits as sequences: 8 steps of 8 features, float32 in [0, 1].

    The split is a seeded random permutation: the same ``seed`` always gives the same split, and the
    train and test parts together hold every image exactly once.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits_sequences needs scikit-learn; install it with: pip install graphrnn[examples]"
        ) from exc
    digits = load_digits()
    # Pixel values are integers 0..16, so dividing by 16 maps them exactly onto [0, 1].
    images = (np.asarray(digits.images, dtype=np.float32) / np.float32(16.0)).reshape(-1, 8, 8)
    labels = np.asarray(digits.target, dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = min(max(int(round(len(labels) * test_fraction)), 1), len(labels) - 1)
    test, train = order[:n_test], order[n_test:]
    return (images[train], labels[train]), (images[test], labels[test])


def _read_bytes(path: pathlib.Path) -> bytes:
    if path.name.endswith(".gz"):
        try:
            with gzip.open(path, "rb") as f:
                return f.read()
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise DatasetError(f"{path}: not a readable gzip file ({exc})") from exc
    return path.read_bytes()


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (gzip-compressed when the name ends in ``.gz``) into a native-endian array.

    Checks that the magic number is well formed (two zero bytes, a known type byte, a rank) and that
    the data size matches the header exactly: a truncated or over-long file is an error.
    """
    path = pathlib.Path(path)
    return _parse_idx(path, _read_bytes(path))


def _parse_idx(path: pathlib.Path, raw: bytes) -> np.ndarray:
    if len(raw) < 4:
        raise DatasetError(f"{path}: file is {len(raw)} bytes, too short for an IDX magic number")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DatasetError(
            f"{path}: bad IDX magic number 0x{int.from_bytes(raw[:4], 'big'):08x} "
            "(expected 0x0000TTNN with a known type byte TT)"
        )
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(
            f"{path}: truncated header: {ndim} dimensions need {header} bytes, file has {len(raw)}"
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise DatasetError(
            f"{path}: file {what}: header shape {shape} needs {expected} data bytes, found {actual}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``.

    Supported dtypes are the IDX ones: uint8, int8, int16, int32, float32, float64.
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _IDX_CODES:
        raise ValueError(f"IDX cannot store dtype {array.dtype}; use one of {sorted(map(str, _IDX_CODES))}")
    if array.ndim > 255:
        raise ValueError("IDX stores at most 255 dimensions")
    code = _IDX_CODES[native]
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + array.astype(_IDX_DTYPES[code], copy=False).tobytes()
    path = pathlib.Path(path)
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    write_bytes(path, payload)  # atomic: a failed write leaves an existing file intact


def _find(data_dir: pathlib.Path, name: str) -> pathlib.Path:
    for candidate in (data_dir / name, data_dir / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"MNIST file {name} (or {name}.gz) not found in {data_dir}")


def _load_mnist_split(data_dir: pathlib.Path, images_name: str, labels_name: str) -> Split:
    images_path, labels_path = _find(data_dir, images_name), _find(data_dir, labels_name)
    arrays = []
    for path, magic, what in (
        (images_path, _MNIST_IMAGES_MAGIC, "images"),
        (labels_path, _MNIST_LABELS_MAGIC, "labels"),
    ):
        raw = _read_bytes(path)
        # MNIST pins the whole magic number (uint8 data of a fixed rank), stricter than IDX itself;
        # checking it first also catches swapped image/label files with a precise message.
        found = int.from_bytes(raw[:4], "big")
        if len(raw) >= 4 and found != magic:
            raise DatasetError(f"{path}: magic number 0x{found:08x} is not MNIST {what} (0x{magic:08x})")
        arrays.append(_parse_idx(path, raw))
    images, labels = arrays
    if images.shape[1:] != (28, 28):
        raise DatasetError(f"{images_path}: images are {images.shape[1:]}, expected 28x28")
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels"
        )
    if labels.size and labels.max() > 9:
        raise DatasetError(f"{labels_path}: label {int(labels.max())} is not a digit 0..9")
    return (images.astype(np.float32) / np.float32(255.0), labels.astype(np.int64))


def load_mnist_idx(data_dir: str | os.PathLike[str]) -> tuple[Split, Split]:
    """MNIST from the four standard IDX files in ``data_dir`` (each plain or ``.gz``).

    Returns float32 images in [0, 1] shaped ``[N, 28, 28]`` and int64 labels ``[N]``. A missing file
    raises ``FileNotFoundError``; a wrong magic number, size or label raises :class:`DatasetError`.
    """
    data_dir = pathlib.Path(data_dir)
    train = _load_mnist_split(data_dir, *_MNIST_FILES["train"])
    test = _load_mnist_split(data_dir, *_MNIST_FILES["test"])
    return train, test


def batches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator | None = None,
    drop_remainder: bool = False,
) -> Iterator[Split]:
    """Yield ``(x_batch, y_batch)`` pairs covering the data once (one epoch).

    With ``rng`` the order is a fresh permutation drawn from it; without, the data order. The last
    batch may be smaller unless ``drop_remainder``.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    order = rng.permutation(len(x)) if rng is not None else np.arange(len(x))
    stop = len(x) - len(x) % batch_size if drop_remainder else len(x)
    for start in range(0, stop, batch_size):
        idx = order[start : start + batch_size]
        yield x[idx], y[idx]
