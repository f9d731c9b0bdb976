"""TF1's graph collections: `GraphKeys` and the module-level functions on the default graph.

A collection is a named list of anything (variables, ops, tensors, summaries) kept by the graph
(`Graph.get_collection` and friends); these functions act on the default graph. graphrnn fills
TF1's standard keys where TF1 does:

- ``variables`` (GLOBAL_VARIABLES) and ``trainable_variables``: every variable / trainable
  variable, when it is created (`graphrnn.ops.state.Variable`).
- ``global_step``: the variable `gr.train.create_global_step` makes.
- ``train_op``: each training op `Optimizer.apply_gradients` returns.
- ``losses``, ``summaries``, ``update_ops``: by the ops that produce them (TF1's ``tf.losses.*``,
  ``tf.summary.*``, batch normalization) where graphrnn has them; users add to them freely.

Invariant: `get_collection` returns a copy (appending to it changes nothing);
`get_collection_ref` returns the list itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError


class GraphKeys:
    """TF1's standard collection names (the same strings, so TF1 code that spells them works)."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"  # TF1's deprecated alias of GLOBAL_VARIABLES
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


def _check_key(key: Any) -> str:
    """Collection names are strings here (TF1 allows any hashable; graphrnn's JSON needs names)."""
    if not isinstance(key, str):
        raise GraphError(f"a collection name must be a string, got {key!r}",
                         source=builder.format_source(builder.source_location()),
                         fix="use a gr.GraphKeys constant or your own string")
    return key


def collection_keys(keys: Any) -> list[str]:
    """``keys`` (one name or an iterable of names) as a list without repeats, in order (TF1)."""
    if isinstance(keys, str):
        return [keys]
    if not isinstance(keys, Iterable):
        return [_check_key(keys)]
    out: list[str] = []
    for k in keys:
        if _check_key(k) not in out:
            out.append(k)
    return out


def filter_by_scope(items: list[Any], scope: str | None) -> list[Any]:
    """The items whose ``name`` matches regular expression ``scope`` at its start (all, as a copy,
    when ``scope`` is None); items without a string ``name`` are left out when filtering (TF1)."""
    if scope is None:
        return list(items)
    try:
        pattern = re.compile(scope)
    except (re.error, TypeError) as e:
        raise GraphError(f"get_collection: scope {scope!r} is not a regular expression ({e})",
                         fix="pass a name prefix such as 'model/' (a regex matched at the start of names)") from None
    out = []
    for item in items:
        name = getattr(item, "name", None)
        if isinstance(name, str) and pattern.match(name):
            out.append(item)
    return out


def add_to_collection(name: str, value: Any) -> None:
    """TF1 `tf.add_to_collection`: appends ``value`` to collection ``name`` of the default graph."""
    builder.get_default_graph().add_to_collection(_check_key(name), value)


def add_to_collections(names: Any, value: Any) -> None:
    """TF1 `tf.add_to_collections`: adds ``value`` to each named collection once."""
    builder.get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: str | None = None) -> list[Any]:
    """TF1 `tf.get_collection`: a copy of the default graph's collection (filtered by ``scope``)."""
    return builder.get_default_graph().get_collection(_check_key(key), scope)


def get_collection_ref(key: str) -> list[Any]:
    """TF1 `tf.get_collection_ref`: the default graph's collection list itself."""
    return builder.get_default_graph().get_collection_ref(_check_key(key))


__all__ = ["GraphKeys", "add_to_collection", "add_to_collections", "get_collection", "get_collection_ref"]
