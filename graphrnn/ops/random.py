"""Random tensors (TF1's `random_normal`, `random_uniform`, `truncated_normal`).

Each op draws from its own stream (`RunContext.rng_for`), seeded from the graph seed and the op
seed (or the node name), so a program gives the same numbers on every run of the process, and a
new sample on every `Session.run`, as TF1 with seeds does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, STATEFUL, register
from graphrnn.ir.types import TensorType, as_shape
from graphrnn.ops.convert import int_arg
from graphrnn.ops.initializers import derive_seed


def _random_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    d = attrs["dtype"]
    if not d.is_floating:
        raise DTypeError(f"random values must be floating point, got {d.name}", fix="pass dtype=gr.float32")
    return (TensorType(d, attrs["shape"]),)


for _op, _doc in (("RandomNormal", "normal samples: mean + stddev * N(0, 1)"),
                  ("RandomUniform", "uniform samples in [minval, maxval)"),
                  ("TruncatedNormal", "normal samples redrawn until within 2 stddev of the mean")):
    register(_op, _random_rule, _doc, traits=(STATEFUL, NON_DIFFERENTIABLE), num_inputs=0)


def _param(v: Any, what: str) -> float:
    """A distribution parameter (mean, stddev, minval, maxval) as a Python float."""
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise DTypeError(f"{what} must be a Python number here, got {v!r}",
                         fix="pass a number; for a tensor-valued parameter, scale a standard sample: "
                             "mean + stddev * gr.random_normal(shape)")
    return float(v)


def _random(op: str, shape: Any, dtype: Any, seed: int | None, name: str, **params: float) -> Value:
    if shape is None or isinstance(shape, (bool, int, np.integer)):
        raise ShapeError(f"{op}'s shape must be a list of dims, got {shape!r}", fix="pass e.g. [batch, 10]")
    shp = as_shape(shape)
    if any(d is None for d in shp):
        raise DTypeError(f"{op} needs a fully known shape, got {list(shp)}")
    g = builder.get_default_graph()
    node_name_hint = name
    if seed is not None:
        seed = int_arg(seed, "seed")
    attrs = {"shape": shp, "dtype": dtypes.as_dtype(dtype), **{k: _param(v, k) for k, v in params.items()}}
    node = builder.add_node(op, [], attrs, name=node_name_hint)
    node.attrs["seed"] = derive_seed(g.seed, seed, node.name)
    return node.outputs[0]


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = dtypes.float32,
                  seed: int | None = None, name: str = "random_normal") -> Value:
    return _random("RandomNormal", shape, dtype, seed, name, mean=mean, stddev=stddev)


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = dtypes.float32,
                   seed: int | None = None, name: str = "random_uniform") -> Value:
    return _random("RandomUniform", shape, dtype, seed, name, minval=minval, maxval=maxval)


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = dtypes.float32,
                     seed: int | None = None, name: str = "truncated_normal") -> Value:
    return _random("TruncatedNormal", shape, dtype, seed, name, mean=mean, stddev=stddev)


__all__ = ["random_normal", "random_uniform", "truncated_normal"]
