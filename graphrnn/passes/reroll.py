"""``reroll``: turns an unrolled recurrence (``static_rnn``, or a Python loop calling a cell with
``reuse_variables()``) back into one ``While``.

How steps are found (top-level graph only):
1. The *sequence* is the graph's node list without its sources (nodes with no inputs: constants,
   variables, placeholders), which any step may read.
2. An *anchor group* is the set of readers of one value (typically a shared weight) that have the
   same op, attrs and input position. N >= 2 readers equally spaced by L in the sequence propose N
   steps of L nodes; each offset of the anchor inside its step is tried, earliest start first.
3. The N segments must be *structurally identical*: node by node the same op, attrs, output types
   and, for each input, the same kind of source:
   - *internal*: an earlier node of the same step (same position in every step);
   - *carry*: a node of the previous step (same position in every step k >= 1; in step 0 the
     position reads a value from before the steps: the carry's initial value);
   - *external*: a value from outside the steps. The same value in every step becomes a capture;
     equal constants become one constant in the body; otherwise the N values (equal types) are
     stacked and step k reads row k (per-step inputs, per-step time constants of sequence_length).
   A step that reads a step other than the previous one, a stateful node, a node with a control
   edge or a subgraph, or a pinned (fetched-by-name) node refuses the rewrite; the reason is
   reported (`PassContext.block`).
4. The rewrite: one ``While`` carrying ``(t, *carries, *output buffers)``; each step value read after
   the steps (the per-step output list, a fetched intermediate) is written into a buffer and the
   buffer is split by one ``Unpack``; a carry only the last step's value of which is read outside
   is the While's output. Node count no longer grows with N.

Invariant: the result computes the same values for every fetch (the body is a copy of step 0's
nodes, names and source lines kept; the sequence order is the original topological order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphrnn.ir import dtypes
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.types import TensorType
from graphrnn.passes.rebuild import PassContext, Rewriter, Writer, is_stateful, used_node_names

MIN_STEPS = 3  # two steps in a loop are no smaller than two steps unrolled
MAX_REROLLS_PER_RUN = 64  # rerolls per pass run (each one removes at least N-1 steps)


def _attr_key(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return ("nd", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, Graph):
        return ("graph", id(v))
    if isinstance(v, (list, tuple)):
        return tuple(_attr_key(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _attr_key(x)) for k, x in v.items()))
    return repr(v)


def node_signature(n: Node) -> tuple[Any, ...]:
    """What must be equal for two nodes to be the same step node (inputs aside)."""
    return (n.op, _attr_key(n.attrs), tuple(v.type for v in n.outputs), len(n.inputs))


def _const_key(v: Value) -> Any:
    if v.node is not None and v.node.op == "Const":
        return _attr_key(v.node.attrs["value"])
    return None


@dataclass
class StepMatch:
    """N structurally identical segments of the sequence; see the module docstring."""

    segments: list[list[Node]]
    # per (position j, input i): ("int", j', idx) | ("carry", j', idx) | ("ext",)
    kinds: dict[tuple[int, int], tuple[Any, ...]] = field(default_factory=dict)
    carries: dict[tuple[int, int], Value] = field(default_factory=dict)   # (j', idx) -> initial value
    outside: set[int] = field(default_factory=set)   # positions computed before the loop (per-step inputs)

    def step_nodes(self) -> list[list[Node]]:
        """Each step's nodes that move into the loop body."""
        return [[n for j, n in enumerate(seg) if j not in self.outside] for seg in self.segments]


def _refuse_reason(n: Node, pinned: frozenset[str]) -> str | None:
    if is_stateful(n):
        return f"step node '{n.name}' ({n.op}) is stateful: its runs cannot be merged into a loop"
    if n.subgraphs:
        return f"step node '{n.name}' holds a {n.op} (nested control flow in steps is not rerolled)"
    if n.control_inputs:
        return f"step node '{n.name}' has control inputs"
    if n.name in pinned:
        return f"step node '{n.name}' is fetched by name or is a control-edge source"
    return None


def match_steps(seq: list[Node], start: int, n_steps: int, length: int, pinned: frozenset[str]
                ) -> tuple[StepMatch | None, str]:
    """The match of ``n_steps`` segments of ``length`` nodes from ``seq[start]``, or (None, why not)."""
    segs = [seq[start + k * length: start + (k + 1) * length] for k in range(n_steps)]
    where: dict[int, tuple[int, int]] = {}  # id(node) -> (step, position)
    for k, seg in enumerate(segs):
        for j, n in enumerate(seg):
            where[id(n)] = (k, j)
    m = StepMatch(segs)
    # A position whose nodes read only values from before the steps and differ in attrs (the
    # per-step input slice ``inputs[:, t, :]`` of a Python loop) stays outside the loop: its N
    # values become a per-step input.
    for j in range(length):
        nodes = [seg[j] for seg in segs]
        if len({node_signature(n) for n in nodes}) > 1 and len({n.op for n in nodes}) == 1 and \
                not any(n.subgraphs or is_stateful(n) for n in nodes) and \
                all(v.node is None or id(v.node) not in where for n in nodes for v in n.inputs):
            m.outside.add(j)
            for n in nodes:
                del where[id(n)]
    for j in range(length):
        if j in m.outside:
            continue
        sig = node_signature(segs[0][j])
        for k in range(1, n_steps):
            if node_signature(segs[k][j]) != sig:
                return None, (f"steps differ: '{segs[0][j].name}' ({segs[0][j].op}) and "
                              f"'{segs[k][j].name}' ({segs[k][j].op}) hold the same place in steps 0 and {k}")
    for k, seg in enumerate(segs):
        for j, n in enumerate(seg):
            if j in m.outside:
                continue
            why = _refuse_reason(n, pinned)
            if why:
                return None, why
            for i, v in enumerate(n.inputs):
                src = where.get(id(v.node)) if v.node is not None else None
                if src is None:
                    kind: tuple[Any, ...] = ("ext",)
                elif src[0] == k:
                    kind = ("int", src[1], v.index)
                elif src[0] == k - 1:
                    kind = ("carry", src[1], v.index)
                else:
                    return None, (f"a step reads another step's intermediate: '{n.name}' (step {k}) reads "
                                  f"'{v.name}' of step {src[0]}")
                if k == 0:
                    m.kinds[(j, i)] = kind
                    continue
                first = m.kinds[(j, i)]
                if k == 1 and kind[0] == "carry" and first == ("ext",):
                    m.kinds[(j, i)] = kind
                    key = (kind[1], kind[2])
                    init = segs[0][j].inputs[i]
                    if key in m.carries and m.carries[key] is not init:
                        return None, (f"steps differ: the first step reads two initial values "
                                      f"('{m.carries[key].name}', '{init.name}') where later steps read "
                                      f"'{v.name}'")
                    m.carries[key] = init
                    continue
                if kind != m.kinds[(j, i)]:
                    return None, (f"steps differ: input {i} of '{n.name}' (step {k}) comes from another "
                                  f"place than in the step before")
    for (jp, idx), init in m.carries.items():
        t = segs[-1][jp].outputs[idx].type
        if not init.type.refines(t):
            return None, f"the initial value '{init.name}' ({init.type}) does not fit the carry type {t}"
    if not m.carries:
        return None, "the repeated segments carry nothing from one step to the next (no recurrence)"
    return m, ""


def _pre_computable(g: Graph) -> set[int]:
    """Ids of nodes that read only sources and other such nodes (per-step input slices of a
    Python loop: ``inputs[:, t, :]`` has t in its attrs, so it cannot be a step node)."""
    out: set[int] = set()
    for n in g.nodes:
        if n.inputs and not n.subgraphs and not is_stateful(n) and \
                all(v.node is None or not v.node.inputs or id(v.node) in out for v in n.inputs):
            out.add(id(n))
    return out


def find_steps(g: Graph, pinned: frozenset[str]) -> tuple[StepMatch | None, list[tuple[str, str]]]:
    """The first rerollable run of steps in ``g``, and the reasons candidates were refused.

    Steps are looked for in the node list without sources; if none match, again without the
    nodes that read only sources (they then become per-step inputs of the loop)."""
    m, refusals = _find_in([n for n in g.nodes if n.inputs], pinned)
    if m is None:
        pre = _pre_computable(g)
        if pre:
            m2, _ = _find_in([n for n in g.nodes if n.inputs and id(n) not in pre], pinned)
            if m2 is not None:
                return m2, []
    return m, refusals


def _find_in(seq: list[Node], pinned: frozenset[str]) -> tuple[StepMatch | None, list[tuple[str, str]]]:
    pos = {id(n): i for i, n in enumerate(seq)}
    readers: dict[tuple[Any, ...], list[int]] = {}   # (value, reader signature, input index) -> positions
    for m in seq:
        sig = node_signature(m)
        for i, u in enumerate(m.inputs):
            readers.setdefault((id(u), sig, i), []).append(pos[id(m)])
    groups = {key: sorted(set(ps)) for key, ps in readers.items() if len(set(ps)) >= 2}
    refusals: list[tuple[str, str]] = []
    tried: set[tuple[int, int, int]] = set()
    for ps in sorted(groups.values(), key=lambda p: -len(p)):
        gaps = {b - a for a, b in zip(ps, ps[1:])}
        if len(gaps) != 1:
            refusals.append((seq[ps[0]].name, f"{len(ps)} similar nodes read one value but are not equally "
                                              f"spaced: the steps differ in size"))
            continue
        length, n_all = gaps.pop(), len(ps)
        last_why = ""
        # N-1: the fetches may not need all of the last step (pruned), which then stays unrolled.
        for n_steps, off in [(n, o) for n in (n_all, n_all - 1) if n >= MIN_STEPS for o in range(length - 1, -1, -1)]:
            start = ps[0] - off
            if start < 0 or start + n_steps * length > len(seq) or (start, length, n_steps) in tried:
                continue
            tried.add((start, length, n_steps))
            m, why = match_steps(seq, start, n_steps, length, pinned)
            if m is not None:
                return m, refusals
            last_why = last_why or why
        if last_why:
            refusals.append((seq[ps[0]].name, last_why))
    return None, refusals


def _outside_reads(g: Graph, m: StepMatch) -> dict[tuple[int, int], set[int]]:
    """(position, output index) -> the steps whose value there is read outside the steps."""
    inside = {id(n) for seg in m.step_nodes() for n in seg}
    out: dict[tuple[int, int], set[int]] = {}
    where = {id(n): (k, j) for k, seg in enumerate(m.segments) for j, n in enumerate(seg) if j not in m.outside}

    def note(v: Value) -> None:
        if v.node is not None and id(v.node) in where:
            k, j = where[id(v.node)]
            out.setdefault((j, v.index), set()).add(k)
    for n in g.nodes:
        if id(n) not in inside:
            for v in n.inputs:
                note(v)
    for r in g.results:
        note(r)
    return out


def reroll_once(g: Graph, m: StepMatch, ctx: PassContext) -> Graph:
    """``g`` with the steps of ``m`` replaced by one While (see the module docstring)."""
    segs, n_steps = m.segments, len(m.segments)
    last = segs[-1]
    inside = {id(n) for seg in m.step_nodes() for n in seg}
    region_end = last[-1]
    reads_out = _outside_reads(g, m)
    w = Writer(g, g.parent, ctx)
    vmap: dict[int, Value] = {}
    for p in g.params:
        vmap[id(p)] = w.param(p.type, p.param_name)
    i32 = dtypes.int32
    copier = Rewriter(ctx)
    for n in g.nodes:
        if id(n) not in inside:
            vmap_ins = tuple(vmap[id(v)] for v in n.inputs)
            # Subgraphs (a While rerolled before, user loops) are rebuilt under the new graph.
            node = w.copy(n, vmap_ins, copier.sub_attrs(n, w) if n.subgraphs else dict(n.attrs))
            for v, nv in zip(n.outputs, node.outputs):
                vmap[id(v)] = nv
        if n is region_end:  # everything the loop reads is written by now (topological order)
            _emit_loop(g, m, w, vmap, reads_out, n_steps, i32)
    w.g.results = [vmap[id(r)] for r in g.results]
    w.cleanup(used_node_names(g))
    steps = m.step_nodes()
    ctx.fired("reroll", steps[0][0].name, detail=f"{n_steps} steps of {len(steps[0])} nodes ('{steps[0][0].name}' "
                                                 f".. '{steps[-1][-1].name}') -> one While")
    return w.g


def _emit_loop(g: Graph, m: StepMatch, w: Writer, vmap: dict[int, Value],
               reads_out: dict[tuple[int, int], set[int]], n_steps: int, i32: Any) -> None:
    segs, first = m.segments, m.segments[0]
    anchor = m.step_nodes()[0][0]
    n_const = w.const(np.array(n_steps, np.int32), anchor, base=f"{anchor.name}/reroll/steps")
    zero = w.const(np.array(0, np.int32), anchor, base=f"{anchor.name}/reroll/time")
    carry_keys = list(m.carries)
    # Outputs read outside: the last step's carry value comes from the While; the rest are buffered.
    buffered = [key for key, steps in reads_out.items() if not (key in m.carries and steps == {n_steps - 1})]
    outer_ins: list[Value] = [zero, *[vmap[id(m.carries[k])] for k in carry_keys]]
    buf_types: list[TensorType] = []
    for jp, idx in buffered:
        t = segs[-1][jp].outputs[idx].type
        bt = TensorType(t.dtype, (n_steps, *t.shape)) if t.has_rank else TensorType(t.dtype, None)
        buf = w.emit("TensorArrayNew", (n_const,), {"type": bt, "dynamic_size": False}, like=anchor,
                     base=f"{anchor.name}/reroll/output_ta", types=[bt])
        buf_types.append(bt)
        outer_ins.append(buf.outputs[0])
    n_carry = len(outer_ins)
    # Captures: invariant externals, stacked per-step externals.
    caps: list[Value] = []
    cap_of: dict[tuple[int, int], tuple[str, int]] = {}   # (j, i) -> ("cap", index) | ("row", index) | ("const",)
    cap_index: dict[int, int] = {}
    for (j, i), kind in m.kinds.items():
        if kind != ("ext",):
            continue
        vals = [seg[j].inputs[i] for seg in segs]
        if all(v is vals[0] for v in vals):
            if id(vals[0]) not in cap_index:
                cap_index[id(vals[0])] = len(caps)
                caps.append(vmap[id(vals[0])])
            cap_of[(j, i)] = ("cap", cap_index[id(vals[0])])
            continue
        keys = [_const_key(v) for v in vals]
        if keys[0] is not None and all(k == keys[0] for k in keys):
            cap_of[(j, i)] = ("const", 0)
            continue
        if all(k is not None for k in keys):
            stacked = w.const(np.stack([v.node.attrs["value"] for v in vals]), first[j],
                              base=f"{first[j].name}/reroll/per_step")
        else:
            stacked = _stack_per_step(w, [vmap[id(v)] for v in vals], n_steps, first[j])
        cap_of[(j, i)] = ("row", len(caps))
        caps.append(stacked)
    all_types = [v.type for v in outer_ins[:1]] + \
        [segs[-1][jp].outputs[idx].type for jp, idx in carry_keys] + buf_types + [v.type for v in caps]

    def sub(kind: str) -> tuple[Graph, list[Value]]:
        s = Graph(parent=w.g, name=kind)
        return s, [s.add_param(t, f"{kind}_carry_{q}" if q < n_carry else f"{kind}_capture_{q - n_carry}")
                   for q, t in enumerate(all_types)]
    cond, cps = sub("cond")
    cw = Writer.__new__(Writer)
    cw.ctx, cw.old, cw.g, cw.by_name, cw.created = w.ctx, g, cond, {}, set()
    lim = cw.const(np.array(n_steps, np.int32), anchor, base=f"{anchor.name}/reroll/limit")
    cond.results = [cw.emit("Less", (cps[0], lim), {}, like=anchor, base=f"{anchor.name}/reroll/Less").outputs[0]]
    body, bps = sub("body")
    bw = Writer.__new__(Writer)
    bw.ctx, bw.old, bw.g, bw.by_name, bw.created = w.ctx, g, body, {}, set()
    t = bps[0]
    carry_param = {key: bps[1 + q] for q, key in enumerate(carry_keys)}
    cap_params = bps[n_carry:]
    rows: dict[int, Value] = {}
    consts: dict[tuple[int, int], Value] = {}
    local: dict[tuple[int, int], Value] = {}   # (j, idx) -> body value
    for j, n in enumerate(first):
        if j in m.outside:
            continue
        ins: list[Value] = []
        for i, v in enumerate(n.inputs):
            kind = m.kinds[(j, i)]
            if kind[0] == "int":
                ins.append(local[(kind[1], kind[2])])
            elif kind[0] == "carry":
                ins.append(carry_param[(kind[1], kind[2])])
            else:
                how = cap_of[(j, i)]
                if how[0] == "cap":
                    ins.append(cap_params[how[1]])
                elif how[0] == "const":
                    if (j, i) not in consts:
                        consts[(j, i)] = bw.copy(v.node, ()).outputs[0]
                    ins.append(consts[(j, i)])
                else:
                    if how[1] not in rows:
                        rows[how[1]] = bw.emit("TensorArrayRead", (cap_params[how[1]], t), {"axis": 0}, like=n,
                                               base=f"{n.name}/reroll/read").outputs[0]
                    ins.append(rows[how[1]])
        node = bw.copy(n, ins, dict(n.attrs))
        for idx, nv in enumerate(node.outputs):
            local[(j, idx)] = nv
    one = bw.const(np.array(1, np.int32), anchor, base=f"{anchor.name}/reroll/one")
    results = [bw.emit("Add", (t, one), {}, like=anchor, base=f"{anchor.name}/reroll/next").outputs[0]]
    results += [local[key] for key in carry_keys]
    for q, key in enumerate(buffered):
        results.append(bw.emit("TensorArrayWrite", (bps[1 + len(carry_keys) + q], t, local[key]),
                               {"axis": 0, "dynamic_size": False}, like=first[key[0]],
                               base=f"{first[key[0]].name}/reroll/write").outputs[0])
    body.results = results
    loop = w.emit("While", [*outer_ins, *caps],
                  {"cond": cond, "body": body, "n_carry": n_carry, "maximum_iterations": None,
                   "parallel_iterations": 32, "swap_memory": False, "back_prop": True},
                  like=anchor, base=f"{anchor.name}/reroll/while")
    outs = loop.outputs
    for q, key in enumerate(carry_keys):
        if key in reads_out and key not in buffered:
            vmap[id(segs[-1][key[0]].outputs[key[1]])] = outs[1 + q]
    for q, key in enumerate(buffered):
        bufv = outs[1 + len(carry_keys) + q]
        un = w.emit("Unpack", (bufv,), {"axis": 0, "num": n_steps}, like=first[key[0]],
                    base=f"{first[key[0]].name}/reroll/unstack")
        for k in reads_out[key]:
            vmap[id(segs[k][key[0]].outputs[key[1]])] = un.outputs[k]


def _per_step_axis(vals: Sequence[Value], n: int) -> tuple[Value, int] | None:
    """``(x, axis)`` when ``vals[k]`` is exactly ``x``'s slice ``k`` along ``axis`` for every step
    (outputs of one ``Unpack``, or ``x[:, k, :]``-style ``StridedSlice``s) and x has n there."""
    node = vals[0].node
    if node is None:
        return None
    if node.op == "Unpack" and len(node.outputs) == n and \
            all(v.node is node and v.index == k for k, v in enumerate(vals)):
        x = node.inputs[0]
        return (x, node.attrs["axis"] % x.type.rank) if x.type.has_rank else None
    full = ("slice", None, None, None)
    if node.op != "StridedSlice" or len(node.inputs) != 1:
        return None
    x = node.inputs[0]
    spec = node.attrs.get("spec")
    if not x.type.has_rank or not isinstance(spec, tuple) or len(spec) > x.type.rank:
        return None
    ints = [d for d, e in enumerate(spec) if e != full]
    if len(ints) != 1 or x.type.shape[ints[0]] != n:
        return None
    d = ints[0]
    for k, v in enumerate(vals):
        m = v.node
        if m is None or m.op != "StridedSlice" or m.inputs[0] is not x or v.index != 0 or \
                tuple(m.attrs.get("spec", ())) != (*spec[:d], ("int", k), *spec[d + 1:]):
            return None
    return x, d


def _stack_per_step(w: Writer, vals: Sequence[Value], n: int, like: Node) -> Value:
    """One ``[n, ...]`` tensor of the per-step values: the sliced tensor itself (transposed when
    its step axis is not first) or a ``Pack``."""
    found = _per_step_axis(vals, n)
    if found is None:
        return w.emit("Pack", list(vals), {"axis": 0}, like=like, base=f"{like.name}/reroll/stack").outputs[0]
    x, axis = found
    if axis == 0:
        return x
    perm = (axis, *[d for d in range(x.type.rank) if d != axis])
    return w.emit("Transpose", (x,), {"perm": perm}, like=like, base=f"{like.name}/reroll/time_major").outputs[0]


def reroll(graph: Graph, ctx: PassContext) -> tuple[Graph, bool]:
    """The pass: rerolls each run of steps in the top-level graph (see the module docstring)."""
    g, changed = graph, False
    reported: set[tuple[str, str]] = set()
    for _ in range(MAX_REROLLS_PER_RUN):
        m, refusals = find_steps(g, ctx.pinned)
        for r in refusals:
            if r not in reported:
                reported.add(r)
                ctx.block(*r)
        if m is None:
            break
        trial = ctx.child()
        g2 = reroll_once(g, m, trial)
        if g2.node_count(nested=True) >= g.node_count(nested=True):
            ctx.block(m.step_nodes()[0][0].name, f"rerolling {len(m.segments)} steps would not make the graph "
                                                 "smaller; left unrolled")
            break
        ctx.rewrites.extend(trial.rewrites)
        g, changed = g2, True
    return g, changed
