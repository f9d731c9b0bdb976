"""TF1's global step: an int64 scalar, non-trainable variable in the ``global_step`` collection.

TF1 (training_util.py) creates it with ``get_variable("global_step")`` after resetting the *name*
scope only, so the enclosing *variable* scope still prefixes it: inside
``variable_scope("Model")`` it is ``Model/global_step``; inside only ``name_scope("ns")`` it is
``global_step``. Creating a second one is an error, and `get_global_step` finds it through the
collection, else by the name ``global_step``.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import GraphError
from graphrnn.ops.initializers import zeros_initializer
from graphrnn.ops.state import Variable, get_variable

GLOBAL_STEP = "global_step"


def _check(v: Any) -> Variable:
    """TF1's ``assert_global_step``: an integer scalar variable."""
    if not isinstance(v, Variable) or not v.dtype.is_integer or tuple(v.shape) != ():
        raise GraphError(f"the global step must be an integer scalar variable, got {v!r}",
                         fix="create it with gr.train.get_or_create_global_step()")
    return v


def get_global_step(graph: Any = None) -> Variable | None:
    """The graph's global step, or None: the ``global_step`` collection's only entry, else the
    variable named ``global_step``."""
    g = graph or builder.get_default_graph()
    got = g.get_collection(GLOBAL_STEP)
    if len(got) > 1:
        raise GraphError(f"the graph has {len(got)} global steps: {[v.op.name for v in got]}",
                         fix="create it once, with gr.train.get_or_create_global_step()")
    if got:
        return _check(got[0])
    named = g.build.variables.get(GLOBAL_STEP)
    return _check(named) if named is not None else None


def create_global_step(graph: Any = None) -> Variable:
    """Creates the global step (see the module docstring); an error if the graph has one."""
    g = graph or builder.get_default_graph()
    if get_global_step(g) is not None:
        raise GraphError('"global_step" already exists',
                         source=builder.format_source(builder.source_location()),
                         fix="use gr.train.get_or_create_global_step() to reuse it")
    with g.as_default(), builder.name_scope(None):
        v = get_variable(GLOBAL_STEP, shape=[], dtype=dtypes.int64, initializer=zeros_initializer(),
                         trainable=False)
        g.add_to_collection(GLOBAL_STEP, v)
    return v


def get_or_create_global_step(graph: Any = None) -> Variable:
    """The graph's global step, created if it has none."""
    g = graph or builder.get_default_graph()
    return get_global_step(g) or create_global_step(g)
