"""TF1's histogram summary buckets (tensorflow/core/lib/histogram), computed with NumPy.

The default bucket limits grow by 10% from 1e-12 to 1e20, mirrored for negative values, with 0
and ±DBL_MAX at the ends. A value v falls in the first bucket whose limit is greater than v
(``upper_bound``). The encoded proto keeps every non-empty bucket and collapses each run of empty
buckets into one entry at the run's last limit, as TF1's ``EncodeToProto(preserve_zero_buckets=
false)`` does, so TensorBoard draws our histograms exactly like TF1's.

Invariant: for the same values, `histogram_fields` gives the same numbers as TF1's
HistogramSummary op (sums are accumulated in order, in float64, like TF1's loop).
"""

from __future__ import annotations

import sys
from typing import NamedTuple

import numpy as np

DBL_MAX = sys.float_info.max


def _default_limits() -> np.ndarray:
    positive: list[float] = []
    v = 1.0e-12
    while v < 1.0e20:  # the same float64 products as TF1's loop, so the limits are bit-identical
        positive.append(v)
        v *= 1.1
    positive.append(DBL_MAX)
    negative = [-x for x in reversed(positive)]
    return np.array([*negative, 0.0, *positive], dtype=np.float64)


DEFAULT_LIMITS = _default_limits()
DEFAULT_LIMITS.setflags(write=False)


class HistogramFields(NamedTuple):
    """The fields of a HistogramProto."""

    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: list[float]
    bucket: list[float]


def histogram_fields(values: np.ndarray) -> HistogramFields:
    """The histogram of ``values`` (any shape, finite real numbers) in TF1's default buckets."""
    v = np.asarray(values, dtype=np.float64).ravel()
    limits = DEFAULT_LIMITS
    # upper_bound; DBL_MAX itself (past TF1's last limit, out of its array) goes in the last bucket.
    index = np.minimum(np.searchsorted(limits, v, side="right"), len(limits) - 1)
    counts = np.bincount(index, minlength=len(limits)).astype(np.float64)
    if v.size:
        lo, hi = float(v.min()), float(v.max())
        # np.cumsum adds left to right like TF1's loop (np.sum's pairwise order would differ in the last bits).
        total, squares = float(np.cumsum(v)[-1]), float(np.cumsum(v * v)[-1])
    else:
        lo, hi, total, squares = DBL_MAX, -DBL_MAX, 0.0, 0.0
    nonempty = counts > 0
    # Keep each non-empty bucket, and an empty one only where its run of empty buckets ends.
    run_ends = np.ones_like(nonempty)
    run_ends[:-1] = nonempty[1:]
    keep = nonempty | run_ends
    return HistogramFields(lo, hi, float(v.size), total, squares,
                           limits[keep].tolist(), counts[keep].tolist())
