"""Kernels of AssignAdd and AssignSub (graphrnn.ops.assign): read-modify-write of a variable.

They read the session's current value when they run (not the ``VariableV2`` read wired to input 0,
which a run computes once), so updates in one run compose as TF1's ref ops do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.ir.builder import format_source
from graphrnn.ir.errors import ExecutionError
from graphrnn.ir.graph import Node


def _update(node: Node, ctx: RunContext, combine: Callable[[Any, Any], Any]) -> Any:
    name, dt = node.attrs["var_name"], node.outputs[0].dtype.np

    def run(_read: Any, delta: Any) -> Any:
        current = ctx.variables[name]  # input 0 ran first, so the variable has a value
        delta = np.asarray(delta)
        if delta.shape != np.shape(current):
            raise ExecutionError(f"{node.op} to '{name}': a value of shape {list(delta.shape)} does not match "
                                 f"the variable's shape {list(np.shape(current))}", op=node.op, node=node.name,
                                 source=format_source(node.source),
                                 fix="give the value exactly the variable's shape")
        arr = np.asarray(combine(current, delta), dtype=dt)
        arr.setflags(write=False)
        ctx.write_variable(name, arr)  # journaled: a failing run is undone
        return arr
    return run


@kernel("AssignAdd")
def _assign_add(node: Node, ctx: RunContext) -> Any:
    return _update(node, ctx, np.add)


@kernel("AssignSub")
def _assign_sub(node: Node, ctx: RunContext) -> Any:
    return _update(node, ctx, np.subtract)
