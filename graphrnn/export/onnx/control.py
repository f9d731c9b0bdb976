"""While -> ONNX Loop, If -> ONNX If.

A graphrnn ``While`` takes ``carries + captures``; ``cond`` and ``body`` both take them as params. The
Loop evaluates ``cond`` once before the loop (its first condition) and again at the end of each body
on the new carries (the body's condition output), with no trip count, so it runs exactly as often
as the While. Captures are not carried: the bodies read the outer names directly (ONNX's outer-scope
references), which keeps them loop invariant and costs nothing per iteration.

TensorArrays: a carry whose only use in the body is one ``TensorArrayWrite`` along axis 0 whose
result is the carry's new value (what ``dynamic_rnn``, ``raw_rnn`` and ``tf.map_fn`` build) is not
carried at all: the body emits the written value and its index as **scan outputs**, and after the
Loop one ScatterND puts the rows at their indices into the initial buffer (zeros of the
TensorArray's size for a fresh ``TensorArrayNew``), so unwritten rows stay zero as in TF. Any other
TensorArray carry is carried as a dense tensor (see the TensorArray rules).

An ``If`` becomes an ONNX ``If`` whose branches read the captures as outer-scope names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from graphrnn.export.onnx.emitter import Emitter, _onnx, onnx_dtype
from graphrnn.ir.graph import Graph, Node, Value

LowerFn = Callable[[Emitter, Graph, list[Value]], None]


def _rank_only(v: Value) -> list[None] | None:
    """The declared shape of a subgraph input/output: its rank, every dim left free (bodies run with
    shapes that may differ from the static ones at each iteration)."""
    return [None] * v.type.rank if v.type.has_rank else None


def _value_info(name: str, v: Value, extra_leading: bool = False) -> Any:
    onnx = _onnx()
    shape = _rank_only(v)
    if shape is not None and extra_leading:
        shape = [None, *shape]
    return onnx.helper.make_tensor_value_info(name, onnx_dtype(v.dtype), shape)


def _produced(em: Emitter) -> set[str]:
    return {o for n in em.nodes for o in n.output}


def _own_outputs(em: Emitter, names: list[str]) -> list[str]:
    """Subgraph outputs must be produced inside the subgraph (not an input or an outer name), and
    each only once: Identity where needed."""
    made = _produced(em)
    out: list[str] = []
    for name in names:
        out.append(name if name in made and name not in out else em.op1("Identity", [name]))
    return out


def scan_carries(node: Node) -> list[int]:
    """The carries of While ``node`` that are TensorArrays written once per iteration (see the module
    docstring): ``p -> TensorArrayWrite(axis 0) -> result k`` and no other use, in body and cond."""
    n = node.attrs["n_carry"]
    body: Graph = node.attrs["body"]
    cond: Graph = node.attrs["cond"]
    users = body.consumers()
    cond_users = cond.consumers()
    out = []
    for k in range(n):
        p = body.params[k]
        us = users.get(p, [])
        if len(us) != 1 or us[0].op != "TensorArrayWrite" or cond_users.get(cond.params[k]):
            continue
        w = us[0]
        if w.inputs[0] is not p or p in w.inputs[1:] or (w.attrs.get("axis", 0) or 0) != 0:
            continue
        if body.results[k] is not w.outputs[0] or users.get(w.outputs[0]):
            continue
        if sum(1 for r in body.results if r is w.outputs[0]) != 1 or p in body.results:
            continue
        out.append(k)
    return out


def lower_while(em: Emitter, node: Node, ins: list[str], lower: LowerFn) -> list[str]:
    onnx = _onnx()
    n = node.attrs["n_carry"]
    cond: Graph = node.attrs["cond"]
    body: Graph = node.attrs["body"]
    caps = ins[n:]
    scans = scan_carries(node)
    kept = [k for k in range(n) if k not in scans]

    # The first condition, on the initial carries, in the enclosing graph.
    for p, name in zip(cond.params, ins):
        em.env[p] = name
    lower(em, cond, cond.results)
    cond0 = em.env[cond.results[0]]

    be = Emitter(em.ctx)
    be.scope = node.name
    iter_name = be.namer.unique(f"{node.name}/iteration")
    cond_in = be.namer.unique(f"{node.name}/cond_in")
    carry_in = {k: be.namer.unique(f"{node.name}/{body.params[k].param_name}") for k in kept}
    for k in kept:
        be.env[body.params[k]] = carry_in[k]
    for p, name in zip(body.params[n:], caps):
        be.env[p] = name  # outer-scope reference
    writes = {k: body.results[k].node for k in scans}
    wanted = [body.results[k] for k in kept] + [v for k in scans for v in writes[k].inputs[1:]]
    lower(be, body, wanted)
    new_carries = {k: be.env[body.results[k]] for k in kept}
    # The next condition, on the new carries.
    for k in kept:
        be.env[cond.params[k]] = new_carries[k]
    for p, name in zip(cond.params[n:], caps):
        be.env[p] = name
    lower(be, cond, cond.results)
    be.scope = node.name
    scan_out: list[str] = []
    for k in scans:
        w = writes[k]
        scan_out.append(be.env[w.inputs[2]])
        scan_out.append(be.op1("Reshape", [be.cast(be.env[w.inputs[1]], np.dtype(np.int64)), be.i64([])]))
    outs = _own_outputs(be, [be.env[cond.results[0]], *(new_carries[k] for k in kept), *scan_out])

    inputs = [onnx.helper.make_tensor_value_info(iter_name, onnx.TensorProto.INT64, []),
              onnx.helper.make_tensor_value_info(cond_in, onnx.TensorProto.BOOL, [])]
    inputs += [_value_info(carry_in[k], body.params[k]) for k in kept]
    out_infos = [onnx.helper.make_tensor_value_info(outs[0], onnx.TensorProto.BOOL, [])]
    out_infos += [_value_info(name, body.results[k]) for name, k in zip(outs[1:], kept)]
    for j, k in enumerate(scans):
        out_infos.append(_value_info(outs[1 + len(kept) + 2 * j], writes[k].inputs[2]))
        out_infos.append(onnx.helper.make_tensor_value_info(outs[2 + len(kept) + 2 * j], onnx.TensorProto.INT64, []))
    graph = onnx.helper.make_graph(be.nodes, f"{node.name}/body", inputs, out_infos)

    em.scope = node.name
    loop_outs = em.op("Loop", ["", cond0, *(ins[k] for k in kept)], n_out=len(kept) + 2 * len(scans), body=graph)
    result: dict[int, str] = dict(zip(kept, loop_outs))
    for j, k in enumerate(scans):
        values, index = loop_outs[len(kept) + 2 * j], loop_outs[len(kept) + 2 * j + 1]
        result[k] = _scatter_rows(em, node, k, ins[k], values, index)
    return [result[k] for k in range(n)]


def _scatter_rows(em: Emitter, node: Node, k: int, initial: str, values: str, index: str) -> str:
    """The TensorArray after the loop: ``values[j]`` at row ``index[j]`` of the initial buffer."""
    init_node = node.inputs[k].node
    if init_node is not None and init_node.op == "TensorArrayNew":
        size = em.to_i64_vector(em.env[init_node.inputs[0]], init_node.inputs[0].dtype)
        if init_node.attrs.get("dynamic_size"):  # grown to the largest index written
            last = em.op1("ReduceMax", [em.op1("Concat", [em.op1("Sub", [size, em.i64([1])]), index], axis=0)],
                          keepdims=1)
            size = em.op1("Add", [last, em.i64([1])])
        shape = em.op1("Concat", [size, em.op1("Shape", [values], start=1)], axis=0)
        zero = em.const(np.asarray(0, node.outputs[k].dtype.np))
        initial = em.op1("Expand", [zero, shape])
    return em.op1("ScatterND", [initial, em.unsqueeze(index, [1]), values])


def lower_if(em: Emitter, node: Node, ins: list[str], lower: LowerFn) -> list[str]:
    onnx = _onnx()
    caps = ins[1:]
    branches = {}
    for key in ("then_branch", "else_branch"):
        g: Graph = node.attrs[key]
        be = Emitter(em.ctx)
        for p, name in zip(g.params, caps):
            be.env[p] = name
        lower(be, g, g.results)
        be.scope = node.name
        outs = _own_outputs(be, [be.env[r] for r in g.results])
        branches[key] = onnx.helper.make_graph(be.nodes, f"{node.name}/{key}", [],
                                               [_value_info(o, r) for o, r in zip(outs, g.results)])
    if not node.outputs:
        return []
    em.scope = node.name
    cond = ins[0]
    if node.inputs[0].type.rank:  # a [1]-shaped predicate: ONNX wants a scalar
        cond = em.op1("Reshape", [cond, em.i64([])])
    return em.op("If", [cond], n_out=len(node.outputs), then_branch=branches["then_branch"],
                 else_branch=branches["else_branch"])
