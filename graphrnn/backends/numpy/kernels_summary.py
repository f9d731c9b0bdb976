"""Kernels of the summary ops: each returns the bytes of a serialized Summary (a gr.string scalar).

The encoding lives in `graphrnn.summary.encode` (tensorboardX's protos; ``b""`` without them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.ir.errors import ExecutionError
from graphrnn.ir.graph import Node
from graphrnn.summary import protos
from graphrnn.summary.encode import (
    audio_summary,
    histogram_summary,
    image_summary,
    merge_summaries,
    scalar_summary,
    text_summary,
)


def _check_protos(node: Node) -> None:
    """Imports tensorboardX when the plan is compiled; if that fails, the one warning is given here."""
    if protos.load() is None:
        protos.warn_if_missing(f"summary op '{node.name}'", stacklevel=2)


@kernel("ScalarSummary")
def _scalar_summary(node: Node, ctx: RunContext) -> Any:
    _check_protos(node)
    tag = node.attrs["tag"]

    def run(value: Any) -> bytes:
        if np.ndim(value) != 0:  # only reachable when the static rank was unknown
            raise ExecutionError(f"tags and values not the same shape: [] != {list(np.shape(value))} (tag '{tag}')",
                                 fix="a scalar summary takes one number: reduce the tensor first")
        return scalar_summary(tag, value)
    return run


@kernel("HistogramSummary")
def _histogram_summary(node: Node, ctx: RunContext) -> Any:
    _check_protos(node)
    tag = node.attrs["tag"]
    return lambda values: histogram_summary(tag, values)


@kernel("ImageSummary")
def _image_summary(node: Node, ctx: RunContext) -> Any:
    _check_protos(node)
    tag, max_images = node.attrs["tag"], node.attrs["max_images"]
    return lambda images: image_summary(tag, images, max_images)


@kernel("AudioSummaryV2")
def _audio_summary(node: Node, ctx: RunContext) -> Any:
    _check_protos(node)
    tag, max_outputs = node.attrs["tag"], node.attrs["max_outputs"]
    return lambda audio, sample_rate: audio_summary(tag, audio, sample_rate, max_outputs)


@kernel("TextSummary")
def _text_summary(node: Node, ctx: RunContext) -> Any:
    _check_protos(node)
    tag = node.attrs["tag"]
    if "text" in node.attrs:  # the text is in the node: build the bytes once
        data = text_summary(tag, np.array(node.attrs["text"], dtype=object).reshape(node.attrs["shape"]))
        return lambda: data
    return lambda text: text_summary(tag, text)


@kernel("MergeSummary")
def _merge_summary(node: Node, ctx: RunContext) -> Any:
    _check_protos(node)
    return lambda *inputs: merge_summaries(inputs)
