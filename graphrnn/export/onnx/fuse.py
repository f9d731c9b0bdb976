"""RNN recognition: a `dynamic_rnn` While running a standard LSTM cell becomes one ONNX ``LSTM`` node.

Recognized (everything else stays a ``Loop``, and `ExportContext.notes` says why):
carries ``(time, output TensorArray, c, h)``, ``time`` starting at 0 and counting by 1 to
``x.shape[0]`` (no ``sequence_length``), the input read at ``time`` from a captured time-major ``x``,
and the body exactly TF1's LSTM step without peepholes, projection or clipping::

    i, j, f, o = split(concat([x_t, h], 1) @ kernel + bias, 4, axis=1)
    c' = sigmoid(f + forget_bias) * c + sigmoid(i) * tanh(j);  h' = sigmoid(o) * tanh(c')

with ``h'`` written to the TensorArray at ``time``; kernel and bias are variables or constants, so
their values are re-laid out at export time: ONNX's ``W``/``R`` are the input and recurrent rows of
the kernel transposed, gates in ONNX's order (i, o, f, c) from TF's (i, j=c, f, o), and the forget
bias folded into ``Wb``. Only float32: onnxruntime has no float64 kernels for the fused RNN ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphrnn.export.onnx.control import scan_carries
from graphrnn.export.onnx.emitter import Emitter
from graphrnn.ir.graph import Graph, Node, Value

TF_TO_ONNX_LSTM_GATES = (0, 3, 2, 1)  # ONNX i, o, f, c taken from TF's blocks i, j, f, o


class NotFused(Exception):
    """Why a loop is not a standard LSTM (the report's reason)."""


def _op(v: Value, op: str) -> Node:
    if v.node is None or v.node.op != op:
        raise NotFused(f"expected {op} at {v.name}, found {v.node.op if v.node else 'a loop input'}")
    return v.node


def _commuted(node: Node, left_op: str) -> tuple[Value, Value]:
    """The inputs of a commutative node with the one made by ``left_op`` first."""
    a, b = node.inputs
    if a.node is not None and a.node.op == left_op:
        return a, b
    if b.node is not None and b.node.op == left_op:
        return b, a
    raise NotFused(f"expected a {left_op} operand of {node.name}")


def _const_value(em: Emitter, outer: Value) -> np.ndarray:
    n = outer.node
    if n is not None and n.op == "VariableV2":
        return np.asarray(em.ctx.variable_value(n))
    if n is not None and n.op == "Const":
        return np.asarray(n.attrs["value"])
    raise NotFused(f"the cell's weights ({outer.name}) are neither a variable nor a constant")


def _match_lstm(node: Node) -> dict[str, Any]:
    body: Graph = node.attrs["body"]
    cond: Graph = node.attrs["cond"]
    n = node.attrs["n_carry"]
    if n != 4 or scan_carries(node) != [1]:
        raise NotFused("not a (time, outputs, c, h) loop")
    p_time, _, p_c, p_h = body.params[:4]
    r_time, r_ta, r_c, r_h = body.results
    write = r_ta.node
    if write.inputs[1] is not p_time or write.inputs[2] is not r_h:
        raise NotFused("the output written is not the new h at index time (sequence_length or a wrapper)")
    step = _op(r_time, "Add")
    one = step.inputs[1]
    if step.inputs[0] is not p_time or one.node is None or one.node.op != "Const" or one.node.attrs["value"] != 1:
        raise NotFused("time does not count by 1")
    mul_h = _op(r_h, "Mul")
    sig_o, tanh_c = _commuted(mul_h, "Sigmoid")
    if _op(tanh_c, "Tanh").inputs[0] is not r_c:
        raise NotFused("h is not sigmoid(o) * tanh(c)")
    add_c = _op(r_c, "Add")
    m1, m2 = (_op(v, "Mul") for v in add_c.inputs)
    forget_mul, input_mul = (m1, m2) if p_c in m1.inputs else (m2, m1)
    if p_c not in forget_mul.inputs:
        raise NotFused("c is not f * c + i * j")
    sig_f = _op(next(v for v in forget_mul.inputs if v is not p_c), "Sigmoid")
    f_add = _op(sig_f.inputs[0], "Add")
    f_gate, fb = f_add.inputs
    if fb.node is None or fb.node.op != "Const" or np.ndim(fb.node.attrs["value"]) != 0:
        raise NotFused("the forget gate's bias is not a scalar constant")
    sig_i, tanh_j = _commuted(input_mul, "Sigmoid")
    i_gate, j_gate, o_gate = sig_i.node.inputs[0], _op(tanh_j, "Tanh").inputs[0], _op(sig_o, "Sigmoid").inputs[0]
    split = _op(i_gate, "Split")
    if split.attrs["num_split"] != 4 or split.attrs["axis"] not in (1, -1):
        raise NotFused("the gates are not a 4-way split of the last axis")
    if [i_gate, j_gate, f_gate, o_gate] != list(split.outputs):
        raise NotFused("the gates are not TF's i, j, f, o")
    bias_add = _op(split.inputs[0], "BiasAdd")
    matmul = _op(bias_add.inputs[0], "MatMul")
    if matmul.attrs["transpose_a"] or matmul.attrs["transpose_b"]:
        raise NotFused("the kernel is transposed")
    concat = _op(matmul.inputs[0], "ConcatV2")
    if concat.attrs["axis"] not in (1, -1) or len(concat.inputs) != 2 or concat.inputs[1] is not p_h:
        raise NotFused("the kernel does not multiply concat([x_t, h])")
    read = _op(concat.inputs[0], "TensorArrayRead")
    if read.inputs[1] is not p_time or (read.attrs.get("axis", 0) or 0) != 0:
        raise NotFused("x_t is not x[time]")
    params = list(body.params)
    for v in (read.inputs[0], matmul.inputs[1], bias_add.inputs[1]):
        if v not in params[n:]:
            raise NotFused(f"{v.name} is not a loop-invariant capture")
    outer = {name: node.inputs[params.index(v)] for name, v in
             (("x", read.inputs[0]), ("kernel", matmul.inputs[1]), ("bias", bias_add.inputs[1]))}
    # cond: time < x.shape[0], so the loop runs over every step of x
    less = _op(cond.results[0], "Less")
    if less.inputs[0] is not cond.params[0] or less.inputs[1] not in cond.params[n:]:
        raise NotFused("the condition is not time < bound")
    bound = node.inputs[list(cond.params).index(less.inputs[1])]
    steps = outer["x"].type.shape[0] if outer["x"].type.has_rank else None
    if bound.node is not None and bound.node.op == "Const" and steps is not None:
        if int(np.asarray(bound.node.attrs["value"])) != steps:  # T known when building: a constant bound
            raise NotFused("the loop does not run over every step of x")
    else:
        sl = _op(bound, "StridedSlice")
        if sl.attrs["spec"] != (("int", 0),) or _op(sl.inputs[0], "Shape").inputs[0] is not outer["x"]:
            raise NotFused("the loop does not run over every step of x (sequence_length or maximum_iterations)")
    t0 = node.inputs[0].node
    if t0 is None or t0.op != "Const" or t0.attrs["value"] != 0:
        raise NotFused("time does not start at 0")
    return {**outer, "forget_bias": float(fb.node.attrs["value"])}


def try_fuse_lstm(em: Emitter, node: Node, ins: list[str]) -> list[str] | None:
    """The While's outputs computed by one ONNX LSTM node, or None (the reason in the report)."""
    try:
        if node.outputs[2].dtype.name != "float32":
            raise NotFused(f"{node.outputs[2].dtype.name}: onnxruntime has no float64 LSTM kernel")
        m = _match_lstm(node)
        kernel = _const_value(em, m["kernel"])
        bias = _const_value(em, m["bias"])
    except NotFused as why:
        em.ctx.notes.append(f"{node.name}: kept as Loop ({why})")
        return None
    hidden = kernel.shape[1] // 4
    n_in = kernel.shape[0] - hidden
    blocks = [kernel[:, g * hidden:(g + 1) * hidden] for g in range(4)]
    bias_blocks = [bias[g * hidden:(g + 1) * hidden].copy() for g in range(4)]
    bias_blocks[2] = bias_blocks[2] + np.asarray(m["forget_bias"], bias.dtype)
    order = TF_TO_ONNX_LSTM_GATES
    w = np.concatenate([blocks[g][:n_in].T for g in order])[None]
    r = np.concatenate([blocks[g][n_in:].T for g in order])[None]
    b = np.concatenate([*(bias_blocks[g] for g in order), np.zeros(4 * hidden, bias.dtype)])[None]
    em.scope = node.name
    x = em.env[m["x"]]
    y, y_h, y_c = em.op("LSTM", [x, em.const(w.astype(np.float32), hint="W"), em.const(r.astype(np.float32), hint="R"),
                                 em.const(b.astype(np.float32), hint="B"), "",
                                 em.unsqueeze(ins[3], [0]), em.unsqueeze(ins[2], [0])],
                        n_out=3, hidden_size=hidden)
    steps = em.cast(em.squeeze(em.op1("Shape", [x], start=0, end=1), [0]), node.outputs[0].dtype)
    em.ctx.notes.append(f"{node.name}: fused into one ONNX LSTM ({hidden} units)")
    return [steps, em.squeeze(y, [1]), em.squeeze(y_c, [0]), em.squeeze(y_h, [0])]
