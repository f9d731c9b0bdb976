"""TF1's summary ops: ``gr.summary.scalar``, ``histogram``, ``image``, ``audio``, ``text``, ``merge``,
``merge_all``.

Each op returns a rank-0 `gr.string` tensor holding a serialized ``Summary`` proto; running it
gives ``bytes`` (`FileWriter.add_summary` takes them). Tags and node names follow TF1's
summary_op_util: the summary opens a name scope named after it, so its tag is that unique scope
(``"train/loss"`` inside ``name_scope("train")``, ``"loss_1"`` for a second ``"loss"``), with the
``family`` prefix first when given; the node gets the scope's name. New summaries go in the
graph's ``"summaries"`` collection (TF1's ``GraphKeys.SUMMARIES``), which `merge_all` reads.

The ops are pure (their bytes depend only on their inputs and tag) and not differentiable.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, PURE, register
from graphrnn.ir.types import TensorType, format_shape
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.summary import protos

SUMMARIES = "summaries"  # TF1's GraphKeys.SUMMARIES
_STRING_SCALAR = TensorType(dtypes.string, ())


def _require_real(t: TensorType, op: str) -> None:
    if not (t.dtype.is_floating or t.dtype.is_integer):
        raise DTypeError(f"{op} takes a real number tensor (float or int), got {t.dtype.name}",
                         fix="cast it first, e.g. gr.cast(x, gr.float32)")


def _scalar_rule(types: Sequence[TensorType], attrs: Mapping[str, Any]) -> tuple[TensorType, ...]:
    (t,) = types
    _require_real(t, "ScalarSummary")
    if t.rank is not None and t.rank != 0:
        raise ShapeError(f"a scalar summary needs a scalar (shape []), got shape {format_shape(t.shape)}",
                         fix="reduce it first (gr.reduce_mean(x)), or use gr.summary.histogram for many values")
    return (_STRING_SCALAR,)


def _histogram_rule(types: Sequence[TensorType], attrs: Mapping[str, Any]) -> tuple[TensorType, ...]:
    (t,) = types
    _require_real(t, "HistogramSummary")
    return (_STRING_SCALAR,)


def _image_rule(types: Sequence[TensorType], attrs: Mapping[str, Any]) -> tuple[TensorType, ...]:
    (t,) = types
    if not t.dtype.is_floating:
        raise DTypeError(f"an image summary takes float16/32/64 images, got {t.dtype.name}",
                         fix="cast the images to gr.float32 (graphrnn has no uint8)")
    if t.rank is not None and (t.rank != 4 or t.shape[3] not in (1, 3, 4, None)):
        raise ShapeError(f"an image summary takes [batch, height, width, channels] with 1, 3 or 4 channels, "
                         f"got shape {format_shape(t.shape)}",
                         fix="reshape, e.g. gr.expand_dims(x, -1) for gray images")
    return (_STRING_SCALAR,)


def _audio_rule(types: Sequence[TensorType], attrs: Mapping[str, Any]) -> tuple[TensorType, ...]:
    audio, rate = types
    if audio.dtype.name != "float32":
        raise DTypeError(f"an audio summary takes float32 samples in [-1, 1], got {audio.dtype.name}",
                         fix="cast it with gr.cast(x, gr.float32)")
    if audio.rank is not None and audio.rank not in (2, 3):
        raise ShapeError(f"an audio summary takes [batch, frames] or [batch, frames, channels], "
                         f"got shape {format_shape(audio.shape)}")
    if rate.dtype.name != "float32" or (rate.rank is not None and rate.rank != 0):
        raise DTypeError(f"sample_rate must be a float32 scalar, got {rate!r}")
    return (_STRING_SCALAR,)


def _text_rule(types: Sequence[TensorType], attrs: Mapping[str, Any]) -> tuple[TensorType, ...]:
    if len(types) > 1 or (not types and "text" not in attrs):
        raise GraphError("TextSummary takes one string tensor, or its text in attr 'text'")
    if types and types[0].dtype is not dtypes.string:
        raise DTypeError(f"a text summary takes a string tensor, got {types[0].dtype.name}",
                         fix="pass the text itself (a str or a list of str), e.g. gr.summary.text('config', str(cfg))")
    return (_STRING_SCALAR,)


def _merge_rule(types: Sequence[TensorType], attrs: Mapping[str, Any]) -> tuple[TensorType, ...]:
    if not types:
        raise GraphError("MergeSummary needs at least one summary to merge")
    for i, t in enumerate(types):
        if t.dtype is not dtypes.string:
            raise DTypeError(f"MergeSummary input {i} is a {t.dtype.name} tensor, not a serialized summary",
                             fix="merge only tensors returned by gr.summary.scalar/histogram/merge")
    return (_STRING_SCALAR,)


_TRAITS = (PURE, NON_DIFFERENTIABLE)
register("ScalarSummary", _scalar_rule, "a Summary with the scalar input as simple_value under attr 'tag'",
         traits=_TRAITS, num_inputs=1)
register("HistogramSummary", _histogram_rule, "a Summary with a histogram of the input under attr 'tag'",
         traits=_TRAITS, num_inputs=1)
register("ImageSummary", _image_rule, "a Summary with the first attr 'max_images' input images as PNGs",
         traits=_TRAITS, num_inputs=1)
register("AudioSummaryV2", _audio_rule, "a Summary with the first attr 'max_outputs' clips as WAV files",
         traits=_TRAITS, num_inputs=2)
register("TextSummary", _text_rule, "a Summary with a string tensor (the input, or attrs 'text' and 'shape') "
         "for TensorBoard's text plugin", traits=_TRAITS, num_inputs=None)
register("MergeSummary", _merge_rule, "the union of the values of the input Summaries (tags must differ)",
         traits=_TRAITS, num_inputs=None)


_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def clean_tag(name: str | None) -> str | None:
    """TF1: characters a node name cannot hold become '_', leading slashes go (logged at INFO)."""
    if name is None:
        return None
    new = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if new != name:
        from graphrnn.platform import tf_logging
        tf_logging.info("Summary name %s is illegal; using %s instead.", name, new)
    return new


@contextlib.contextmanager
def summary_scope(name: str, family: str | None = None,
                  default_name: str | None = None) -> Iterator[tuple[str, str]]:
    """Opens the summary's unique name scope; yields ``(tag, scope)`` as TF1's summary_op_util does."""
    name_c, family_c = clean_tag(name), clean_tag(family)
    base = name_c if family_c is None else f"{family_c}/{name_c}"
    with builder.name_scope(base or None, default_name) as scope:
        tag = scope.rstrip("/")
        yield (tag if family_c is None else f"{family_c}/{tag}"), scope


def collect(value: Value, collections: Sequence[str] | None, default: Sequence[str]) -> None:
    graph = builder.get_default_graph()
    for key in default if collections is None else collections:
        graph.add_to_collection(key, value)


_PUBLIC = {"ScalarSummary": "scalar", "HistogramSummary": "histogram", "ImageSummary": "image", "TextSummary": "text",
           "AudioSummaryV2": "audio"}


def _summary(op: str, name: str, tensor: Any, collections: Sequence[str] | None, family: str | None,
             default_name: str | None = None, attrs: Mapping[str, Any] | None = None,
             extra: Any = None) -> Value:
    protos.warn_if_missing(f"gr.summary.{_PUBLIC[op]}", stacklevel=4)
    if not isinstance(name, str) and not (name is None and default_name):
        raise GraphError(f"a summary name must be a string, got {name!r}",
                         fix='pass the name first: gr.summary.scalar("loss", loss)')
    if family is not None and not isinstance(family, str):
        raise GraphError(f"a summary family must be a string, got {family!r}")
    if collections is not None and (isinstance(collections, str) or not isinstance(collections, Sequence)):
        raise GraphError(f"collections must be a list of collection names, got {collections!r}",
                         fix=f"wrap it in a list: collections=[{collections!r}]")
    with summary_scope(name, family, default_name) as (tag, scope):
        x = tensor if isinstance(tensor, Value) else convert_to_tensor(tensor, name="values")
        inputs = [x]
        if extra is not None:  # the audio sample rate, converted inside the scope as TF1 does
            inputs.append(extra if isinstance(extra, Value) else convert_to_tensor(extra, dtype=dtypes.float32,
                                                                                   name="sample_rate"))
        value = builder.add_op(op, inputs, {"tag": tag, **(attrs or {})}, name=scope)
        collect(value, collections, [SUMMARIES])
    return value


def scalar(name: str, tensor: Any, collections: Sequence[str] | None = None, family: str | None = None) -> Value:
    """A Summary holding the scalar ``tensor`` (a real number) as ``simple_value`` under the summary's tag."""
    return _summary("ScalarSummary", name, tensor, collections, family)


def histogram(name: str, values: Any, collections: Sequence[str] | None = None,
              family: str | None = None) -> Value:
    """A Summary holding a histogram of ``values`` (any shape); NaN or inf is an error when it runs."""
    return _summary("HistogramSummary", name, values, collections, family, default_name="HistogramSummary")


def image(name: str, tensor: Any, max_outputs: int = 3, collections: Sequence[str] | None = None,
          family: str | None = None) -> Value:
    """A Summary with up to ``max_outputs`` images of ``tensor`` ([batch, h, w, 1|3|4], float) as PNGs,
    each normalized as TF1 does (see `graphrnn.summary.encode.normalize_image`); tags ``name/image``
    or ``name/image/0``, ``name/image/1``... (TF1's)."""
    if isinstance(max_outputs, bool) or not isinstance(max_outputs, int) or not 1 <= max_outputs < 2**31:
        raise GraphError(f"max_outputs must be a positive int, got {max_outputs!r}")
    return _summary("ImageSummary", name, tensor, collections, family, attrs={"max_images": max_outputs})


def audio(name: str, tensor: Any, sample_rate: Any, max_outputs: int = 3, collections: Sequence[str] | None = None,
          family: str | None = None) -> Value:
    """A Summary with up to ``max_outputs`` clips of ``tensor`` ([batch, frames] or [batch, frames,
    channels], float32 in [-1, 1]) as 16-bit WAV files at ``sample_rate`` Hz (a number or a float32
    scalar tensor); tags ``name/audio`` or ``name/audio/0``... (TF1's)."""
    if isinstance(max_outputs, bool) or not isinstance(max_outputs, int) or not 1 <= max_outputs < 2**31:
        raise GraphError(f"max_outputs must be a positive int, got {max_outputs!r}")
    if isinstance(sample_rate, (int, float)) and not isinstance(sample_rate, bool) and not sample_rate > 0:
        raise GraphError(f"sample_rate must be > 0, got {sample_rate!r}")
    return _summary("AudioSummaryV2", name, tensor, collections, family, attrs={"max_outputs": max_outputs},
                    extra=sample_rate)


def _text_attrs(text: Any) -> dict[str, Any]:
    """The text of a Python str/bytes or a nested list/array of them, as attrs 'text' and 'shape'."""
    import numpy as np
    arr = np.array(text, dtype=object)
    items = []
    for x in arr.ravel():
        if isinstance(x, bytes):
            try:
                x = x.decode("utf-8")
            except UnicodeDecodeError:
                raise GraphError(f"text summary bytes must be UTF-8, got {x[:20]!r}...") from None
        if not isinstance(x, str):
            raise GraphError(f"gr.summary.text takes text (str, bytes, or lists of them), got an item {x!r}",
                             fix="format it first, e.g. str(value)")
        items.append(x)
    return {"text": tuple(items), "shape": tuple(int(d) for d in arr.shape)}


def text(name: str, tensor: Any, collections: Sequence[str] | None = None) -> Value:
    """A Summary for TensorBoard's text tab: ``tensor`` is a string tensor, or (graphrnn has no string
    constants) the text itself, a str or a nested list of str (markdown, as in TF1)."""
    protos.warn_if_missing("gr.summary.text", stacklevel=3)
    if not isinstance(name, str):
        raise GraphError(f"a summary name must be a string, got {name!r}",
                         fix='pass the name first: gr.summary.text("notes", "some text")')
    if collections is not None and (isinstance(collections, str) or not isinstance(collections, Sequence)):
        raise GraphError(f"collections must be a list of collection names, got {collections!r}")
    attrs = {} if isinstance(tensor, Value) else _text_attrs(tensor)
    with summary_scope(name) as (tag, scope):
        value = builder.add_op("TextSummary", [tensor] if isinstance(tensor, Value) else [], {"tag": tag, **attrs},
                               name=scope)
        collect(value, collections, [SUMMARIES])
    return value


def merge(inputs: Sequence[Any], collections: Sequence[str] | None = None, name: str | None = None) -> Value:
    """A Summary with the values of all ``inputs`` (string tensors of serialized Summaries)."""
    if isinstance(inputs, Value) or not isinstance(inputs, Sequence) or not inputs:
        raise GraphError(f"gr.summary.merge takes a non-empty list of summary tensors, got {inputs!r}",
                         fix="pass a list, e.g. gr.summary.merge([loss_summary, weights_summary])")
    for x in inputs:
        if isinstance(x, Value) and x.graph.parent is not None:  # TF1 refuses this too, less clearly
            raise GraphError(
                f"summary '{x.name}' was made inside a while_loop/cond body: its value exists only inside "
                "that body, so it cannot be merged or fetched",
                op=x.node.op if x.node is not None else None, node=x.node.name if x.node is not None else None,
                source=builder.format_source(x.node.source) if x.node is not None else None,
                fix="summarize a loop output instead (e.g. the final state, or stack per-step values in a "
                    "gr.TensorArray), or pass collections=[] to summaries made inside the body")
    name = clean_tag(name)
    with builder.name_scope(name, "Merge"):
        ins = [convert_to_tensor(x) for x in inputs]
        value = builder.add_op("MergeSummary", ins, {}, name=name)
        collect(value, collections, [])
    return value


def merge_all(key: str = SUMMARIES, scope: str | None = None, name: str | None = None) -> Value | None:
    """Merges every summary in the default graph's collection ``key`` (those whose name
    ``re.match``es ``scope``, when given); None when there are none, as in TF1."""
    items = builder.get_default_graph().get_collection(key)
    if scope is not None:
        try:
            pattern = re.compile(scope)
        except (re.error, TypeError) as e:
            raise GraphError(f"merge_all's scope must be a regular expression, got {scope!r} ({e})") from None
        items = [x for x in items if isinstance(getattr(x, "name", None), str) and pattern.match(x.name)]
    if not items:
        return None
    return merge(items, name=name)


__all__ = ["audio", "clean_tag", "histogram", "image", "merge", "merge_all", "scalar", "summary_scope", "SUMMARIES",
           "text"]
