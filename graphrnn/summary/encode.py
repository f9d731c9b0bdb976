"""Serialized Summary protos: what the ScalarSummary, HistogramSummary and MergeSummary ops return.

Each function returns the bytes of a ``Summary`` message (TF1's string tensor), built with
tensorboardX's protos; with tensorboardX missing they return ``b""`` (an empty Summary).
Errors are `ExecutionError`s with TF1's wording (a histogram of NaN, a duplicate tag in a merge).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from graphrnn.ir.errors import ExecutionError
from graphrnn.summary.buckets import histogram_fields
from graphrnn.summary.png import encode_png
from graphrnn.summary.protos import load
from graphrnn.summary.wav import encode_wav


def scalar_summary(tag: str, value: Any) -> bytes:
    """A Summary with one ``simple_value`` (a float32, as in TF1)."""
    p = load()
    if p is None:
        return b""
    v = p.summary.Summary.Value(tag=tag, simple_value=float(np.asarray(value)))
    return p.summary.Summary(value=[v]).SerializeToString()  # type: ignore[no-any-return]


def histogram_summary(tag: str, values: Any) -> bytes:
    """A Summary with one ``histo`` in TF1's default buckets; NaN or ±inf is an error, as in TF1."""
    p = load()
    if p is None:
        return b""
    v = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(v)):
        what = "Nan" if np.any(np.isnan(v)) else "Infinity"
        raise ExecutionError(f"{what} in summary histogram for: {tag}",
                             fix="find where the values stop being finite (e.g. a learning rate too large), "
                                 "or clip them before the summary")
    f = histogram_fields(v)
    histo = p.summary.HistogramProto(min=f.min, max=f.max, num=f.num, sum=f.sum, sum_squares=f.sum_squares,
                                     bucket_limit=f.bucket_limit, bucket=f.bucket)
    return p.summary.Summary(value=[p.summary.Summary.Value(tag=tag, histo=histo)]).SerializeToString()  # type: ignore[no-any-return]


_ZERO_THRESHOLD = np.float32(1e-6)


def normalize_image(values: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """TF1's float image to uint8: all >= 0 scales the max to 255; any < 0 maps 0 to 128 and the
    largest magnitude to 127 away from it. The range ignores pixels with a non-finite channel,
    which become ``bad_color``. Scale and offset are float32 numbers cast to the image's dtype and
    the result is truncated to uint8, as TF1's kernel does.
    """
    h, w, c = values.shape
    flat = values.reshape(h * w, c)
    finite = np.all(np.isfinite(flat), axis=1)
    good = flat[finite].astype(np.float32)
    lo = np.float32(good.min()) if good.size else np.float32(np.inf)
    hi = np.float32(good.max()) if good.size else np.float32(-np.inf)
    if lo < 0:
        max_val = np.maximum(np.abs(lo), np.abs(hi))
        scale = np.float32(0.0) if max_val < _ZERO_THRESHOLD else np.float32(127.0) / max_val
        offset = np.float32(128.0)
    else:
        scale = np.float32(0.0) if hi < _ZERO_THRESHOLD else np.float32(255.0) / hi
        offset = np.float32(0.0)
    t = values.dtype.type
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = flat * t(scale) + t(offset)
    out = np.empty((h * w, c), dtype=np.uint8)
    out[finite] = scaled[finite].astype(np.uint8)
    out[~finite] = bad_color[:c]
    return out.reshape(h, w, c)


def image_summary(tag: str, images: Any, max_images: int, bad_color: Any = (255, 0, 0, 255)) -> bytes:
    """A Summary with the first ``max_images`` images of a ``[batch, h, w, 1|3|4]`` float tensor as
    PNGs, tagged ``tag/image`` (max_images 1) or ``tag/image/<i>`` (TF1)."""
    p = load()
    if p is None:
        return b""
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[3] not in (1, 3, 4):
        raise ExecutionError(f"Tensor must be 4-D with last dim 1, 3, or 4, not {list(x.shape)} (tag '{tag}')",
                             fix="pass images as [batch, height, width, channels] with 1, 3 or 4 channels")
    color = np.asarray(bad_color, dtype=np.uint8)
    s = p.summary.Summary()
    for i in range(min(max_images, x.shape[0])):
        v = s.value.add()
        v.tag = f"{tag}/image/{i}" if max_images > 1 else f"{tag}/image"
        pixels = normalize_image(x[i], color)
        v.image.height, v.image.width, v.image.colorspace = x.shape[1], x.shape[2], x.shape[3]
        v.image.encoded_image_string = encode_png(pixels)
    return s.SerializeToString()  # type: ignore[no-any-return]


def audio_summary(tag: str, audio: Any, sample_rate: Any, max_outputs: int) -> bytes:
    """A Summary with the first ``max_outputs`` clips of ``[batch, frames(, channels)]`` float32 audio
    as WAV files, tagged ``tag/audio`` (max_outputs 1) or ``tag/audio/<i>`` (TF1's AudioSummaryV2)."""
    p = load()
    if p is None:
        return b""
    x = np.asarray(audio, dtype=np.float32)
    rate = np.float32(sample_rate)
    if x.ndim not in (2, 3):
        raise ExecutionError(f"Tensor must be 3-D or 2-D, got: {list(x.shape)} (tag '{tag}')",
                             fix="pass audio as [batch, frames] or [batch, frames, channels]")
    if not rate > 0:
        raise ExecutionError(f"sample_rate must be > 0, got {float(rate)} (tag '{tag}')")
    if x.ndim == 2:
        x = x[:, :, None]
    if x.shape[1] == 0 or x.shape[2] == 0:
        raise ExecutionError(f"audio summary '{tag}' needs at least one frame and one channel, got {list(x.shape)}")
    hz = max(int(np.rint(rate)), 1)  # lrintf: halves to even; 0 becomes 1, as in TF1
    s = p.summary.Summary()
    for i in range(min(max_outputs, x.shape[0])):
        v = s.value.add()
        v.tag = f"{tag}/audio/{i}" if max_outputs > 1 else f"{tag}/audio"
        a = v.audio
        a.sample_rate, a.num_channels, a.length_frames = float(rate), x.shape[2], x.shape[1]
        a.content_type = "audio/wav"
        a.encoded_audio_string = encode_wav(x[i], hz)
    return s.SerializeToString()  # type: ignore[no-any-return]


def text_summary(tag: str, text: Any) -> bytes:
    """A Summary with a DT_STRING tensor for TensorBoard's text plugin (TF1's text_summary)."""
    p = load()
    if p is None:
        return b""
    arr = np.asarray(text, dtype=object) if not isinstance(text, bytes) else np.array(text, dtype=object)
    s = p.summary.Summary()
    v = s.value.add()
    v.tag = tag
    v.tensor.dtype = p.types.DT_STRING
    v.tensor.tensor_shape.SetInParent()  # TF writes the (empty) shape of a scalar too
    for d in arr.shape:
        v.tensor.tensor_shape.dim.add(size=int(d))
    for item in arr.ravel():
        if not isinstance(item, (bytes, str)):
            raise ExecutionError(f"text summary '{tag}' got a {type(item).__name__} item, not text")
        v.tensor.string_val.append(item.encode("utf-8") if isinstance(item, str) else item)
    v.metadata.plugin_data.plugin_name = "text"
    return s.SerializeToString()  # type: ignore[no-any-return]


def serialized_items(x: Any) -> Iterable[bytes]:
    """The serialized summaries in one input of MergeSummary: a bytes scalar or an array of them."""
    if isinstance(x, bytes):
        yield x
        return
    for item in np.asarray(x, dtype=object).ravel():
        if not isinstance(item, bytes):
            raise ExecutionError(f"MergeSummary input holds {type(item).__name__}, not a serialized Summary")
        yield item


def merge_summaries(inputs: Iterable[Any]) -> bytes:
    """The union of the values of serialized Summaries; a tag seen twice is an error (TF1)."""
    p = load()
    if p is None:
        return b""
    merged = p.summary.Summary()
    tags: set[str] = set()
    for x in inputs:
        for data in serialized_items(x):
            s = p.summary.Summary()
            try:
                s.ParseFromString(data)
            except Exception as e:  # noqa: BLE001 - protobuf's DecodeError has no stable import path
                raise ExecutionError(f"MergeSummary: could not parse a summary input ({e})",
                                     fix="merge only the outputs of gr.summary ops") from None
            for value in s.value:
                if value.tag in tags:
                    raise ExecutionError(f"Duplicate tag {value.tag} found in summary inputs",
                                         fix="give each summary its own name, or merge disjoint sets of summaries")
                tags.add(value.tag)
                merged.value.add().CopyFrom(value)
    return merged.SerializeToString()  # type: ignore[no-any-return]
