"""Kernels of source and state ops: Const, VariableV2, VarInit, Assign, NoOp."""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.ir.builder import format_source
from graphrnn.ir.errors import ExecutionError
from graphrnn.ir.graph import Node
from graphrnn.ops.initializers import truncated_standard_normal


@kernel("Const")
def _const(node: Node, ctx: RunContext) -> Any:
    value = node.attrs["value"]
    return lambda: value  # read-only array: consumers never mutate inputs


@kernel("Placeholder")
def _placeholder(node: Node, ctx: RunContext) -> Any:
    def run() -> Any:  # plans feed placeholders as inputs, so this only runs if that logic is bypassed
        raise ExecutionError(f"placeholder '{node.name}' was not fed", node=node.name, op=node.op)
    return run


def _uninitialized(node: Node, name: str) -> ExecutionError:
    return ExecutionError(
        f"attempting to use uninitialized variable '{name}'", op=node.op, node=node.name,
        source=format_source(node.source),
        fix="run sess.run(gr.global_variables_initializer()) first, or load a value with var.load(value, sess)",
    )


@kernel("VariableV2")
def _variable(node: Node, ctx: RunContext) -> Any:
    name = node.attrs["var_name"]
    store = ctx.variables

    def run() -> Any:
        try:
            return store[name]
        except KeyError:
            raise _uninitialized(node, name) from None
    return run


@kernel("VarInit")
def _var_init(node: Node, ctx: RunContext) -> Any:
    """Stores the initial value: the input when the variable was made from a tensor, else the initializer's."""
    name, init, seed, t = node.attrs["var_name"], node.attrs["initializer"], node.attrs["seed"], node.attrs["type"]

    def run(*initial: Any) -> None:
        if initial:
            arr = np.array(initial[0], dtype=t.dtype.np, copy=True)
        else:
            arr = init(tuple(t.shape), t.dtype, seed)
        arr.setflags(write=False)
        ctx.write_variable(name, arr)  # journaled: a failing run is undone
    return run


@kernel("Assign")
def _assign(node: Node, ctx: RunContext) -> Any:
    name, dt = node.attrs["var_name"], node.outputs[0].dtype.np

    def run(old: Any, value: Any) -> Any:
        arr = np.array(value, dtype=dt, copy=True)
        if old is not None and np.shape(old) != arr.shape:
            raise ExecutionError(f"Assign to '{name}': value of shape {arr.shape} does not match the "
                                 f"variable's shape {np.shape(old)}")
        arr.setflags(write=False)
        ctx.write_variable(name, arr)  # journaled: a failing run is undone
        return arr
    return run


@kernel("NoOp")
def _noop(node: Node, ctx: RunContext) -> Any:
    return lambda: None


@kernel("RandomNormal")
def _random_normal(node: Node, ctx: RunContext) -> Any:
    shape, dt, mean, std = node.attrs["shape"], node.attrs["dtype"].np, node.attrs["mean"], node.attrs["stddev"]
    return lambda: ctx.rng_for(node).normal(mean, std, size=shape).astype(dt)


@kernel("RandomUniform")
def _random_uniform(node: Node, ctx: RunContext) -> Any:
    shape, dt, lo, hi = node.attrs["shape"], node.attrs["dtype"].np, node.attrs["minval"], node.attrs["maxval"]
    return lambda: ctx.rng_for(node).uniform(lo, hi, size=shape).astype(dt)


@kernel("TruncatedNormal")
def _truncated_normal(node: Node, ctx: RunContext) -> Any:
    shape, dt, mean, std = node.attrs["shape"], node.attrs["dtype"].np, node.attrs["mean"], node.attrs["stddev"]

    return lambda: (mean + std * truncated_standard_normal(ctx.rng_for(node), shape)).astype(dt)
