"""Kernels of control flow: While and If run compiled plans of their subgraphs; TensorArray ops.

While: carries and captures come in as arrays; the cond plan and the body plan are compiled once
(when the enclosing plan is compiled) and run in order, one iteration at a time, whatever
``parallel_iterations`` says (the run report notes this). Carried TensorArray buffers that the
body only overwrites are copied once on entry and then updated in place by the body.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.backends.numpy.context import RunContext
from graphrnn.backends.numpy.kernel_registry import kernel
from graphrnn.backends.numpy.plan import compile_plan
from graphrnn.ir.errors import ExecutionError, GraphError
from graphrnn.ir.graph import Graph, Node


def _in_place_carries(body: Graph, n_carry: int) -> list[int]:
    """Carries the body may update in place: ``p -> TensorArrayWrite -> result i`` and nothing else.

    The param's only reader is the write (so no view of the old buffer exists in the body), and the
    write's output is read by nothing but result slot i (so no view of the new buffer is carried
    into the next iteration, where the buffer will be written again).
    """
    users = body.consumers()
    result_uses: dict[int, int] = {}
    for r in body.results:
        result_uses[id(r)] = result_uses.get(id(r), 0) + 1
    out = []
    for i, p in enumerate(body.params[:n_carry]):
        us = users.get(p, [])
        if len(us) != 1 or us[0].op != "TensorArrayWrite" or us[0].inputs[0] is not p or id(p) in result_uses:
            continue
        w = us[0].outputs[0]
        if body.results[i] is w and result_uses.get(id(w)) == 1 and not users.get(w):
            out.append(i)
    return out


@kernel("While")
def _while(node: Node, ctx: RunContext) -> Any:
    cond_g: Graph = node.attrs["cond"]
    body_g: Graph = node.attrs["body"]
    n = node.attrs["n_carry"]
    inplace = _in_place_carries(body_g, n)
    cond_plan = compile_plan(cond_g, cond_g.params, cond_g.results, ctx)
    body_plan = compile_plan(body_g, body_g.params, body_g.results, ctx,
                             owned_inputs=[body_g.params[i] for i in inplace])
    cond_run, body_run = cond_plan.run, body_plan.run
    name = node.name

    def run(*args: Any) -> Any:
        carries = list(args[:n])
        caps = list(args[n:])
        for i in inplace:
            carries[i] = np.array(carries[i], copy=True)
        steps = 0
        try:
            while cond_run((*carries, *caps))[0]:
                carries = body_run((*carries, *caps))
                steps += 1
        except GraphError as e:
            e.message = f"{e.message}\n  (in iteration {steps} of while loop '{name}')"
            e.args = (e._format(),)
            raise
        its = ctx.stats.while_iterations  # the session replaces stats at each run
        its[name] = its.get(name, 0) + steps
        return carries[0] if n == 1 else tuple(carries)
    return run


@kernel("If")
def _if(node: Node, ctx: RunContext) -> Any:
    then_g, else_g = node.attrs["then_branch"], node.attrs["else_branch"]
    tp = compile_plan(then_g, then_g.params, then_g.results, ctx)
    ep = compile_plan(else_g, else_g.params, else_g.results, ctx)
    single = len(node.outputs) == 1

    def run(pred: Any, *caps: Any) -> Any:
        res = (tp if pred else ep).run(caps)
        return res[0] if single else tuple(res)
    return run


@kernel("TensorArrayNew")
def _ta_new(node: Node, ctx: RunContext) -> Any:
    t = node.attrs["type"]
    # Unknown dims (or an unknown rank: one 0-sized dim) are allocated empty; the first write sets them.
    elem = tuple(0 if d is None else d for d in t.shape[1:]) if t.has_rank else (0,)
    dt = t.dtype.np

    def run(size: Any) -> Any:
        s = int(size)
        if s < 0:
            raise ExecutionError(f"TensorArray size must be >= 0, got {s}")
        return np.zeros((s, *elem), dt)
    return run


def _check_index(i: int, n: int, what: str) -> None:
    if not 0 <= i < n:
        raise ExecutionError(f"{what} index {i} is out of range for a TensorArray of size {n}",
                             fix="use an index in [0, size) or create the TensorArray with dynamic_size=True")


@kernel("TensorArrayWrite")
def _ta_write(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)
    grow = node.attrs.get("dynamic_size", False)
    in_place = id(node) in ctx.donated
    lead = (slice(None),) * axis

    def run(buf: Any, index: Any, value: Any) -> Any:
        i = int(index)
        n = buf.shape[axis]
        elem = buf.shape[:axis] + buf.shape[axis + 1:]
        vshape = np.shape(value)
        if elem != vshape:
            if buf.size == 0 or any(d == 0 for d in elem):  # element dims set by the first write
                shape = (*vshape[:axis], n, *vshape[axis:])
                buf = np.zeros(shape, buf.dtype)
            else:
                raise ExecutionError(f"cannot write a value of shape {vshape} into a TensorArray whose "
                                     f"elements have shape {elem}")
        elif not in_place:
            buf = buf.copy()
        if i >= n and grow and i >= 0:
            pad = list(buf.shape)
            pad[axis] = i + 1 - n
            buf = np.concatenate([buf, np.zeros(pad, buf.dtype)], axis=axis)
        else:
            _check_index(i, n, "write")
        buf[(*lead, i)] = value
        return buf
    return run


@kernel("TensorArrayRead")
def _ta_read(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)
    lead = (slice(None),) * axis

    def run(buf: Any, index: Any) -> Any:
        i = int(index)
        _check_index(i, buf.shape[axis], "read")
        return buf[(*lead, i)]
    return run


@kernel("TensorArraySize")
def _ta_size(node: Node, ctx: RunContext) -> Any:
    axis = node.attrs.get("axis", 0)
    return lambda buf: np.int32(buf.shape[axis])
