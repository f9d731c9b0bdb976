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
from graphrnn.summary.protos import load


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
