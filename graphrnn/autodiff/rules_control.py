"""Gradient rules of `If` and of the TensorArray ops (the While rule is in `while_grad`).

- If: a second If on the same predicate; each branch recomputes its forward branch from the
  captures and backpropagates through it, returning the gradients of the captures.
- TensorArrayRead(buf, i): the buffer's gradient is zero except row i (`IndexedGrad`; dense: a
  write into a zero buffer).
- TensorArrayWrite(buf, i, v): v gets row i of the output gradient, buf gets the output gradient
  with row i zeroed (the old row was overwritten). Inside a backward loop the gradient buffer is
  private, so the zeroing is done in place (`TensorArrayWriteGradInPlace`).
"""

from __future__ import annotations

from typing import Any

from graphrnn.autodiff.clone import clone_nodes, replay
from graphrnn.autodiff.gradients import backprop_steps
from graphrnn.autodiff.if_tape import IfTape, if_tape, instrument_if
from graphrnn.autodiff.registry import GradContext, IndexedGrad, add_node, densify, grad_rule, zeros_like
from graphrnn.autodiff.while_grad import recomputed, replay_packed
from graphrnn.ir import builder
from graphrnn.ir.builder import seal_captures
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.trampoline import Step


@grad_rule("TensorArrayRead")
def _ta_read(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    buf, idx = node.inputs
    return [IndexedGrad(buf, idx, grads[0], node.attrs.get("axis", 0)), None]


@grad_rule("TensorArrayWrite")
def _ta_write(node: Node, grads: list[Any], ctx: GradContext) -> list[Any]:
    g = grads[0]
    idx = node.inputs[1]
    op = "TensorArrayWriteGradInPlace" if id(g) in ctx.owned else "TensorArrayWriteGrad"
    row, rest = add_node(op, [g, idx], {"axis": node.attrs.get("axis", 0)}).outputs
    return [rest, None, row]


@grad_rule("If")
def _if(node: Node, grads: list[Any], ctx: GradContext) -> Step[list[Any]]:
    """A build step (`graphrnn.ir.trampoline`): each branch's backprop is yielded."""
    caps = list(node.inputs[1:])
    fcap = [j for j, c in enumerate(caps) if c.dtype.is_floating and ctx.needed[1 + j]]
    # An If is instrumented the first time (its random draws become extra outputs); a replayed If
    # (a `Replay` of it inside a backward loop) was instrumented with its forward loop.
    if isinstance(node, Node):
        tape = instrument_if(node)
    else:
        tape = if_tape(node) or IfTape(len(node.outputs), {})
    fout = [i for i, o in enumerate(node.outputs[:tape.n_user]) if o.dtype.is_floating]
    if not fcap or not fout:
        return [None] * len(node.inputs)
    gs = [grads[i] if grads[i] is not None else zeros_like(node.outputs[i]) for i in fout]
    outer = builder.current_graph()
    subs = []
    for key in ("then_branch", "else_branch"):
        br: Graph = node.attrs[key]
        sub = Graph(parent=outer, name=key)
        with builder.tracing(sub):
            vmap: dict[int, Value] = {id(p): builder.capture(c, sub) for p, c in zip(br.params, caps)}
            for n in recomputed(br, [br.results[i] for i in fout], tape.packed):
                k = tape.packed.get(id(n))
                if k is not None:  # a nested loop or cond: replayed from its exported pack
                    replay_packed(n, builder.capture(node.outputs[k], sub), vmap)
                elif n.outputs and id(n.outputs[0]) in tape.saved:
                    replay(n, [builder.capture(node.outputs[tape.saved[id(v)]], sub) for v in n.outputs], vmap)
                else:
                    clone_nodes([n], vmap)
            ys = [vmap[id(br.results[i])] for i in fout]
            gys = [builder.capture(g, sub) for g in gs]
            xs = [vmap[id(br.params[j])] for j in fcap]
            res = yield backprop_steps(ys, gys, xs)
            outs = []
            for x, r in zip(xs, res):
                d = densify(r)
                outs.append(zeros_like(x) if d is None else d)
            sub.results = [builder.capture(o, sub) if o.graph is not sub else o for o in outs]
        subs.append(sub)
    union = seal_captures(subs, 0)
    new = builder.add_node("If", [node.inputs[0], *union], {"then_branch": subs[0], "else_branch": subs[1]},
                           name="cond")
    out: list[Any] = [None] * len(node.inputs)
    for k, j in enumerate(fcap):
        out[1 + j] = new.outputs[k]
    return out
