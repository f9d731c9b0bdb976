"""The gradient of a `While` node: a loop tape in the forward loop and a reverse While.

**What is stored.** When a gradient reaches a forward While, the node is rewritten in place
(`instrument`): it gains an int32 trip counter and, per saved value, a loop-carried stack
(`StackPush`: one ``[capacity, *shape]`` array, sized by the loop's trip bound when the loop
counts ``i < n`` from its start, otherwise grown by doubling, O(1) amortized per step; values whose
shape changes between iterations, or an inner loop's ragged stacks, make it a 1-D object array of
per-iteration copies). Copying into one preallocated block, rather than keeping a reference to
each iteration's array, costs ~1 ms per LSTM step of 28 but keeps the heap steady: with glibc's
default malloc, references made the dynamic LSTM's training step 3.6x its forward instead of
2.9x (`benchmarks/grad_bench.py`, GRAPHRNN_MALLOC=system). The saved values are
- every loop-carried value at the start of each iteration that the body reads, except
  TensorArray buffers the body only writes to (dynamic_rnn's outputs: a T x T copy otherwise),
- the outputs of stateful body nodes (random numbers, e.g. dropout masks), which cannot be
  recomputed, and all outputs of a cond whose branches draw random numbers (it exports its draws,
  `graphrnn.autodiff.if_tape`) or of a nested loop without back_prop that draws,
- each nested loop a gradient may enter (`stored_whole`), whole: it is instrumented first (its
  own tape), and per outer step all its outputs, tape included, are packed into one `TapePack`
  value (a tuple referencing the arrays, no copy) pushed on one stack, as TF1 keeps an inner
  loop's tape per outer step,
- the outputs of the body's matrix products and of its sigmoid and tanh nodes (`SAVED_OPS`):
  recomputing a product would cost as much as its gradient (a third matmul per matmul); a
  sigmoid's or tanh's gradient reads only its output, so with the activations saved the backward
  loop never recomputes the chain product -> bias -> split -> activation (in an optimized run the
  ``simplify`` pass turns each `Replay` into the saved values, and DCE drops what only fed them,
  the saved products included: an LSTM stores its four ``[B, H]`` gate activations and
  ``tanh(c)``, not the ``[B, 4H]`` pre-activations).
So memory grows like T x (state size + activations), not T x (body size): for an LSTM, the carries
``(c, h)`` and five ``[B, H]`` activations per step (unoptimized runs also keep the products).
The user's output Values keep their positions (the tape comes after them), ``graph.root.version``
is bumped so Sessions re-plan, and a second gradient of the same loop reuses the tape. Forward-only
runs of an instrumented loop still fill the tape (as in TF1) unless a pass drops the unused carries.

**What is recomputed.** The backward loop runs ``trip`` iterations from the last to the first.
Iteration j reads the saved carries of step j, recomputes that step's forward body from them (a
copy of the body's nodes, saved values replayed; after the passes only what the gradient rules
read remains: for an LSTM, the input concat for the weight gradient and ``c_t``'s two products,
read for their shape), and backpropagates the carry gradients through it
(`graphrnn.autodiff.gradients.backprop`). It carries the gradients of the carries (the result is
the gradient of the initial carries, e.g. ``initial_state``) and one accumulator per captured
float value (weights: summed over the iterations; TensorArray inputs read at index t: added into
row t in place).

**Nested loops: size linear in the depth.** A nested loop is not recomputed in the backward body:
it is replayed from its saved `TapePack` (`TapeUnpack` -> a `Replay` of the loop), and its own
backward loop reads the tape the forward run stored. So each level of a D-deep nest adds a
constant number of nodes: the forward tape (counter, stacks of the level's own values, one stack
of packs per nested loop) and one backward loop (~28 nodes per level for a one-carry nest, its
tapes included). Before, each backward body held a copy of the whole inner nest (recomputed
forward, with its own tape and backward loop): ~3.3·D² nodes, and a run recomputed the inner
forward nest at every level. Without packing, storing an inner loop whole would still be
quadratic: level d would keep one stack per stack of the levels inside it. Memory: the tape keeps
every inner iteration's saved values (as TF1 does), i.e. it grows like the total number of
iterations of the nest, not its depth. Names still nest (``gradients/while_grad/while_grad/...``):
the total length of the node names grows like D², as in TF1. Building is iterative (a rule that
needs a nested backprop yields it, `graphrnn.ir.trampoline`), so depth is not bounded by Python's
recursion limit.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from graphrnn.autodiff.clone import clone_nodes, drop_dead, needed_nodes, replay
from graphrnn.autodiff.gradients import backprop_steps
from graphrnn.autodiff.if_tape import _IF_TAPES, draws_random, instrument_if, instrument_if_one
from graphrnn.autodiff.ops import stack_type
from graphrnn.autodiff.registry import GRADIENTS, GradContext, IndexedGrad, add_op, densify, grad_rule, zeros_like
from graphrnn.ir import builder, dtypes
from graphrnn.ir.builder import seal_captures
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import STATEFUL, get_opdef
from graphrnn.ir.trampoline import Step, is_step
from graphrnn.ir.types import TensorType
from graphrnn.ops.convert import constant

_INT = TensorType(dtypes.int32, ())
# Ops whose outputs the loop tape stores instead of recomputing them (see the module docstring).
SAVED_OPS = frozenset({"MatMul", "BatchMatMulV2", "Sigmoid", "Tanh"})


@dataclass
class LoopTape:
    """How a forward While was instrumented: ``n_user`` original carries, the trip counter's
    output index, and for each saved value (a body param or a stateful body output) the output
    index of its stack."""

    n_user: int
    counter: int
    saved_params: dict[int, int]      # body param index -> stack output index
    saved_values: dict[int, int]      # id(body value) -> stack output index
    buffer_carries: frozenset[int]    # float carries the body only writes (TensorArray outputs)
    packed: dict[int, int]            # id(nested While of the body) -> index of its stack of TapePacks


_TAPES: weakref.WeakKeyDictionary[Node, LoopTape] = weakref.WeakKeyDictionary()
# The same tapes keyed by the loop's body Graph, which a `Replay` of the loop shares with it.
_BODY_TAPES: weakref.WeakKeyDictionary[Graph, LoopTape] = weakref.WeakKeyDictionary()


def _is_buffer_write(n: Node, p: Value) -> bool:
    return n.op == "TensorArrayWrite" and n.inputs[0] is p and all(v is not p for v in n.inputs[1:])


def _write_only(p: Value, users: dict[int, list[Node]]) -> bool:
    """The body only writes into ``p`` (a chain of TensorArrayWrites ending in a result), so the
    backward pass never needs its forward contents."""
    v = p
    while True:
        us = users.get(id(v), [])
        if not us:
            return True
        if len(us) != 1 or not _is_buffer_write(us[0], v):
            return False
        v = us[0].outputs[0]


def stored_whole(n: Node) -> bool:
    """Whether the tape of a loop whose body holds ``n`` stores ``n`` whole per iteration (its
    outputs, a nested loop's own tape included, packed) so that the backward loop replays it
    instead of recomputing it: a nested loop that a gradient may enter (back_prop, a float output),
    as TF1 stores it. Recomputing it would put a copy of the whole inner nest (and that copy's own
    backward loop) into every enclosing backward body: ~3.3·D² gradient nodes for a D-deep nest."""
    return n.op == "While" and n.attrs.get("back_prop") is not False and any(o.dtype.is_floating for o in n.outputs)


def _plan_tape(node: Node) -> tuple[list[int], list[Value], frozenset[int], list[Node]]:
    """(saved carry indices, values stored per iteration, write-only buffer carries, nested loops
    stored whole) of ``node``, whose `stored_whole` nested loops are already instrumented
    (`instrument` does them first). A nested loop is stored packed (one `TapePack` per iteration),
    so it is not among the values."""
    body: Graph = node.attrs["body"]
    n0 = node.attrs["n_carry"]
    nodes = needed_nodes(body, body.results[:n0])
    # Nested loops are stored whole, their tapes included (see `stored_whole`). An If that draws
    # random numbers exports its draws (`instrument_if`) and is stored whole too; so is a loop that
    # draws but has back_prop=False (no gradient enters it: only its outputs are stored).
    replayed: set[int] = set()
    nested = [n for n in nodes if stored_whole(n)]
    for n in nodes:
        if n.op == "If" and instrument_if(n).exports:
            replayed.add(id(n))
        elif n.op == "While" and not stored_whole(n) and draws_random(n.attrs["body"]):
            replayed.add(id(n))
    users: dict[int, list[Node]] = {}
    for n in nodes:
        for v in n.inputs:
            users.setdefault(id(v), []).append(n)
    saved, buffers = [], []
    for i, p in enumerate(body.params[:n0]):
        us = users.get(id(p), [])
        if not us:
            continue
        if p.dtype.is_floating and _write_only(p, users):
            buffers.append(i)
        else:
            saved.append(i)
    # A nested loop's empty stacks (StackNew) are made again by the backward loop, not stored.
    stateful = [v for n in nodes if n.op != "StackNew" and (
                get_opdef(n.op).has(STATEFUL) or n.op in SAVED_OPS or id(n) in replayed) for v in n.outputs]
    return saved, stateful, frozenset(buffers), nested


def _insert_before(graph: Graph, anchor: Node, new: list[Node]) -> None:
    ids = {id(n) for n in new}
    rest = [n for n in graph.nodes if id(n) not in ids]
    k = rest.index(anchor)
    graph.nodes = rest[:k] + new + rest[k:]


def instrument(node: Node) -> LoopTape:
    """Adds the trip counter and the per-iteration stacks to forward While ``node`` (once), and
    first to the loops and conds nested in it that its tape stores whole (`instrument_nest`)."""
    tape = _BODY_TAPES.get(node.attrs["body"])
    if tape is None:
        instrument_nest(node)
        tape = _BODY_TAPES[node.attrs["body"]]
    return tape


def _instrumented(n: Node) -> bool:
    return (n.attrs["body"] in _BODY_TAPES) if n.op == "While" else (n.attrs["then_branch"] in _IF_TAPES)


def _nested_to_instrument(n: Node) -> list[Node]:
    """The loops and conds directly inside While or If ``n`` that are instrumented before it: in a
    loop body, the nested loops its tape stores whole and every cond (which may export draws or
    loops); in a branch, the same, and loops without back_prop that draw."""
    if n.op == "While":
        body: Graph = n.attrs["body"]
        return [m for m in needed_nodes(body, body.results[:n.attrs["n_carry"]]) if stored_whole(m) or m.op == "If"]
    return [m for key in ("then_branch", "else_branch") for m in n.attrs[key].nodes
            if m.op == "If" or stored_whole(m) or (m.op == "While" and draws_random(m.attrs["body"]))]


def instrument_nest(node: Node) -> None:
    """Instruments While or If ``node`` and, first, what is nested in it (`_nested_to_instrument`),
    innermost first: a worklist, so a nest deeper than Python's recursion limit instruments too."""
    order: list[Node] = []  # pre-order: each node before the nodes nested in it
    seen: set[int] = set()
    work = [node]
    while work:
        n = work.pop()
        if id(n) in seen or _instrumented(n):
            continue
        seen.add(id(n))
        order.append(n)
        work.extend(_nested_to_instrument(n))
    for n in reversed(order):  # every node after all nodes nested in it
        if not _instrumented(n):
            if n.op == "While":
                _instrument_one(n)
            else:
                instrument_if_one(n)


def _instrument_one(node: Node) -> LoopTape:
    """`instrument` for one loop whose nested stored-whole loops already have their tapes."""
    body: Graph = node.attrs["body"]
    cond: Graph = node.attrs["cond"]
    graph = node.graph
    n0 = node.attrs["n_carry"]
    saved, stateful, buffers, nested = _plan_tape(node)
    to_save: list[tuple[Value, TensorType]] = [(body.params[i], body.params[i].type) for i in saved]
    to_save += [(v, v.type) for v in stateful]
    with builder.name_scope(node.name.rsplit("/", 1)[-1] + "_tape"):
        packs = [builder.add_node("TapePack", list(m.outputs), {}, name="pack", graph=body).outputs[0]
                 for m in nested]
        to_save += [(v, v.type) for v in packs]
        mark = len(graph.nodes)
        zero = builder.add_node("Const", [], {"value": _const_int(0), "type": _INT}, name="trip_counter",
                                graph=graph)
        cap = _trip_bound(node, graph)
        cap = zero.outputs[0] if cap is None else cap
        for _, t in to_save:
            builder.add_node("StackNew", [cap], {"type": stack_type(t)}, name="stack", graph=graph)
        added = graph.nodes[mark:]
        news = [n for n in added if n.op == "StackNew"]
        _insert_before(graph, node, added)
        new_types = [_INT, *(stack_type(t) for _, t in to_save)]
        for sub in (body, cond):
            extra = [Value(None, 0, t, sub, param_name=f"{sub.name}_tape_{i}") for i, t in enumerate(new_types)]
            sub.params = sub.params[:n0] + extra + sub.params[n0:]
            for i, p in enumerate(sub.params):
                p.index = i
        cp = body.params[n0]
        one = builder.add_node("Const", [], {"value": _const_int(1), "type": _INT}, name="one", graph=body)
        nxt = builder.add_node("Add", [cp, one.outputs[0]], {}, name="trip_next", graph=body)
        pushes = []
        for k, (v, _) in enumerate(to_save):
            sp = body.params[n0 + 1 + k]
            pushes.append(builder.add_node("StackPush", [sp, cp, v], {}, name="push", graph=body).outputs[0])
        body.results = [*body.results[:n0], nxt.outputs[0], *pushes]
    node.inputs = (*node.inputs[:n0], zero.outputs[0], *(n.outputs[0] for n in news), *node.inputs[n0:])
    node.attrs = {**node.attrs, "n_carry": n0 + len(new_types)}
    node.outputs = (*node.outputs, *(Value(node, n0 + i, t, graph) for i, t in enumerate(new_types)))
    graph.root.version += 1
    tape = LoopTape(n_user=n0, counter=n0,
                    saved_params={i: n0 + 1 + k for k, i in enumerate(saved)},
                    saved_values={id(v): n0 + 1 + len(saved) + k for k, v in enumerate(stateful)},
                    buffer_carries=buffers,
                    packed={id(m): n0 + 1 + len(saved) + len(stateful) + k for k, m in enumerate(nested)})
    _TAPES[node] = _BODY_TAPES[body] = tape
    return tape


def _trip_bound(node: Node, graph: Graph) -> Value | None:
    """``max(n - i0, 0)`` built in ``graph`` when the loop's condition is ``i < n`` for a carry ``i``
    that starts at ``i0`` and the body adds 1 to (dynamic_rnn's time loop), else None."""
    cond: Graph = node.attrs["cond"]
    body: Graph = node.attrs["body"]
    n0 = node.attrs["n_carry"]
    r = cond.results[0]
    if r.node is None or r.node.op != "Less":
        return None
    i, n = r.node.inputs
    if i.node is not None or i.graph is not cond or i.index >= n0 or not i.dtype.is_integer:
        return None
    step = body.results[i.index].node
    if step is None or step.op != "Add" or body.params[i.index] not in step.inputs:
        return None
    one = step.inputs[1] if step.inputs[0] is body.params[i.index] else step.inputs[0]
    if one.node is None or one.node.op != "Const" or int(one.node.attrs["value"]) != 1:
        return None
    start = node.inputs[i.index]
    if n.dtype is not dtypes.int32 or start.dtype is not dtypes.int32:
        return None
    if n.node is None and n.graph is cond and n.index >= n0:
        bound = node.inputs[n.index]
    elif n.node is not None and n.node.op == "Const":
        if start.node is not None and start.node.op == "Const":  # both known: a constant capacity
            trips = max(int(n.node.attrs["value"]) - int(start.node.attrs["value"]), 0)
            return builder.add_node("Const", [], {"value": _const_int(trips), "type": _INT}, name="capacity",
                                    graph=graph).outputs[0]
        bound = builder.add_node("Const", [], dict(n.node.attrs), name="trip_bound", graph=graph).outputs[0]
    else:
        return None
    left = builder.add_node("Sub", [bound, start], {}, name="trips", graph=graph).outputs[0]
    zero = builder.add_node("Const", [], {"value": _const_int(0), "type": _INT}, name="zero", graph=graph)
    return builder.add_node("Maximum", [left, zero.outputs[0]], {}, name="capacity", graph=graph).outputs[0]


def _const_int(x: int) -> Any:
    import numpy as np
    a = np.asarray(x, np.int32)
    a.setflags(write=False)
    return a


class _Replayed:
    """What a gradient rule sees of a `Replay` node: the original op, attrs, inputs and outputs."""

    def __init__(self, node: Node) -> None:
        k = node.attrs["n_out"]
        self.op = node.attrs["orig_op"]
        self.attrs = dict(node.attrs["orig_attrs"])
        self.name, self.source, self.graph = node.name, node.source, node.graph
        self.inputs = node.inputs[:len(node.inputs) - k]
        self.outputs = node.outputs


@grad_rule("Replay")
def _replay(node: Node, grads: list[Any], ctx: GradContext) -> list[Any] | Step[list[Any]]:
    orig = _Replayed(node)
    sub = GradContext(owned=ctx.owned, needed=list(ctx.needed)[:len(orig.inputs)])
    res = GRADIENTS[orig.op](orig, grads, sub)  # type: ignore[arg-type]
    if is_step(res):  # a replayed loop or cond: its gradient is a nested build
        return _padded(res, len(node.inputs))  # type: ignore[arg-type]
    return _pad(list(res), len(node.inputs))


def _pad(res: list[Any], n: int) -> list[Any]:
    return res + [None] * (n - len(res))


def _padded(step: Step[Any], n: int) -> Step[list[Any]]:
    res = yield step
    return _pad(list(res), n)


def _fit(g: Value, like: Value) -> Value:
    """``g`` with a type that refines ``like``'s (gradients can lose static dims)."""
    if g.type.refines(like.type):
        return g
    return add_op("ReshapeLike", [g, like], name="ReshapeLike")


def _tape_inputs(n: Node) -> range:
    """Positions of the tape inputs (trip counter, empty stacks) of an instrumented loop ``n``
    (none for a cond)."""
    if n.op != "While":
        return range(0)
    return range(_BODY_TAPES[n.attrs["body"]].n_user, n.attrs["n_carry"])


def recomputed(graph: Graph, roots: list[Value], packed: dict[int, int]) -> list[Node]:
    """The nodes of ``graph`` a gradient rebuilds for ``roots``, in order: `needed_nodes`, except
    what only the tape inputs of a ``packed`` nested loop need (its replay stands in saved values)."""
    live: set[int] = set()
    work = [v.node for v in roots if v.node is not None and v.graph is graph]
    while work:
        n = work.pop()
        if id(n) in live:
            continue
        live.add(id(n))
        skip = _tape_inputs(n) if id(n) in packed else range(0)
        work.extend(v.node for k, v in enumerate(n.inputs) if v.node is not None and k not in skip)
        work.extend(n.control_inputs)
    return [n for n in graph.nodes if id(n) in live]


def replay_packed(n: Node, box: Value, vmap: dict[int, Value]) -> None:
    """Replays nested loop (or cond) ``n`` from its saved `TapePack` ``box``: its outputs (tape
    included) unpacked; for a loop, the unpacked final tape values stand in for its tape inputs
    (never read: a `Replay` outputs what was saved, and the loop's gradient reads only its captures
    and outputs)."""
    outs = list(builder.add_node("TapeUnpack", [box], {"types": tuple(o.type for o in n.outputs)},
                                 name="saved_loop_outputs").outputs)
    tape_in = _tape_inputs(n)
    ins = [outs[k] if k in tape_in else vmap[id(v)] for k, v in enumerate(n.inputs)]
    replay(n, outs, vmap, inputs=ins)


def _reverse_body(node: Node, tape: LoopTape, fcar: list[int], fcap: list[int], ptypes: list[TensorType],
                  outer: Graph) -> Step[Graph]:
    """The backward loop's body: params ``(j, *carry grads, *capture accumulators)``; it recomputes
    step j from the tape, backpropagates the carry gradients through it and accumulates (a build
    step: the backprop of the body is yielded, `graphrnn.ir.trampoline`)."""
    body: Graph = node.attrs["body"]
    nc = node.attrs["n_carry"]
    caps = list(node.inputs[nc:])
    bsub = Graph(parent=outer, name="body")
    ps = [bsub.add_param(t, name=f"body_carry_{k}") for k, t in enumerate(ptypes)]
    jp, gps, aps = ps[0], ps[1:1 + len(fcar)], ps[1 + len(fcar):]
    with builder.tracing(bsub):
        vmap: dict[int, Value] = {}
        for i, k in tape.saved_params.items():
            vmap[id(body.params[i])] = add_op("StackRead", [node.outputs[k], jp], name="saved_carry")
        for i, gp in zip(fcar, gps):
            vmap.setdefault(id(body.params[i]), gp)  # write-only buffers: never read (see module doc)
        for p, c in zip(body.params[nc:], caps):
            vmap[id(p)] = builder.capture(c, bsub)
        for n in recomputed(body, [body.results[i] for i in fcar], tape.packed):
            k = tape.packed.get(id(n))
            if k is not None:
                replay_packed(n, add_op("StackRead", [node.outputs[k], jp], name="saved_loop"), vmap)
            elif tape.saved_values.get(id(n.outputs[0]) if n.outputs else 0) is None:
                clone_nodes([n], vmap)
            else:
                replay(n, [add_op("StackRead", [node.outputs[tape.saved_values[id(v)]], jp], name="saved_value")
                           for v in n.outputs], vmap)
        ys = [vmap[id(body.results[i])] for i in fcar]
        xs = [vmap[id(body.params[i])] for i in fcar] + [vmap[id(body.params[nc + j])] for j in fcap]
        owned = {id(gp) for i, gp in zip(fcar, gps) if i in tape.buffer_carries}
        res = yield backprop_steps(ys, list(gps), xs, owned=owned)
        new_g = []
        for gp, r in zip(gps, res[:len(fcar)]):
            d = densify(r)
            new_g.append(zeros_like(gp) if d is None else _fit(d, gp))
        new_acc = []
        for ap, r in zip(aps, res[len(fcar):]):
            if r is None:
                new_acc.append(ap)
            elif isinstance(r, IndexedGrad):
                new_acc.append(add_op("AccumulateAt", [ap, r.index, r.value], {"axis": r.axis}, name="accumulate"))
            else:
                new_acc.append(add_op("Add", [ap, _fit(r, ap)], name="accumulate"))
        prev = add_op("Sub", [jp, constant(1, dtypes.int32)], name="prev_step")
        bsub.results = [prev, *new_g, *new_acc]
    return bsub


@grad_rule("While")
def _while(node: Node, grads: list[Any], ctx: GradContext) -> Step[list[Any]]:
    """A build step (`graphrnn.ir.trampoline`): the backward body's backprop is yielded."""
    if node.attrs.get("back_prop") is False:  # TF1: while_loop(back_prop=False) stops gradients
        return [None] * len(node.inputs)
    fresh = node.attrs["body"] not in _BODY_TAPES
    tape = instrument(node)
    body: Graph = node.attrs["body"]
    n0, nc = tape.n_user, node.attrs["n_carry"]
    caps = list(node.inputs[nc:])
    # A write-only buffer (a TensorArray of outputs) that no gradient reaches keeps a zero gradient
    # through the whole loop: leave it out instead of carrying a [T, ...] buffer of zeros.
    fcar = [i for i in range(n0) if node.outputs[i].dtype.is_floating
            and not (i in tape.buffer_carries and grads[i] is None)]
    # ctx.needed was computed before a first rewrite: its capture entries start at the old n_carry.
    cap0 = n0 if fresh else nc
    fcap = [j for j, c in enumerate(caps) if c.dtype.is_floating and ctx.needed[cap0 + j]]
    if not fcar:
        return [None] * len(node.inputs)
    outer = builder.current_graph()
    trip = node.outputs[tape.counter]
    inits: list[Value] = [add_op("Sub", [trip, constant(1, dtypes.int32)], name="last_step")]
    for i in fcar:
        g = grads[i]
        if i in tape.buffer_carries:  # a private copy: the backward loop zeroes its rows in place
            g = add_op("AccumulatorCopy", [g])
        elif g is None:
            g = zeros_like(node.outputs[i])
        inits.append(g)
    inits += [add_op("AccumulatorZerosLike", [caps[j]], name="accumulator") for j in fcap]
    ptypes = [_INT, *(body.params[i].type for i in fcar), *(body.params[nc + j].type for j in fcap)]

    bsub = yield from _reverse_body(node, tape, fcar, fcap, ptypes, outer)
    csub = Graph(parent=outer, name="cond")
    cps = [csub.add_param(t, name=f"cond_carry_{k}") for k, t in enumerate(ptypes)]
    with builder.tracing(csub):
        csub.results = [add_op("GreaterEqual", [cps[0], constant(0, dtypes.int32)], name="more")]
    union = seal_captures([bsub, csub], len(ptypes))
    drop_dead(bsub)
    attrs = {"cond": csub, "body": bsub, "n_carry": len(ptypes), "maximum_iterations": None,
             "parallel_iterations": node.attrs.get("parallel_iterations", 10),
             "swap_memory": node.attrs.get("swap_memory", False), "back_prop": False}
    wnode = builder.add_node("While", [*inits, *union], attrs, name="while")
    out: list[Any] = [None] * len(node.inputs)
    for k, i in enumerate(fcar):
        out[i] = wnode.outputs[1 + k]
    for k, j in enumerate(fcap):
        out[nc + j] = wnode.outputs[1 + len(fcar) + k]
    return out
