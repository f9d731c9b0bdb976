"""Input-projection hoisting (``hoist-input-projection``; not in the default pipeline).

An RNN step computes ``concat([x_t, h]) @ W``; the ``x_t`` half does not depend on the recurrence,
so it can be computed for every step at once. The pass composes three rewrites:
1. ``split_input_matmul``: ``concat([x_t, h]) @ W = x_t @ W[:I] + h @ W[I:]`` when ``x_t`` is a
   per-step read (``TensorArrayRead`` of a loop param, or an output of ``Unpack``);
2. LICM moves the weight slices ``W[:I]``/``W[I:]`` in front of the loop;
3. ``hoist_read_matmul``: in a While body, ``read(X, t, axis) @ Wx`` with ``X`` and ``Wx`` loop
   invariant becomes ``read(X @ Wx, t, axis)`` with ``X @ Wx`` one `BatchMatMulV2` before the loop
   (rank-3 ``X`` read along axis 0 or 1: a read along its last axis would not commute with ``@``);
   ``batch_unstacked_matmul``: at any level, ``unstack(X)[i] @ Wx`` for several i becomes
   ``unstack(X @ Wx)[i]`` (one batched matmul for a `static_rnn` instead of N).
Afterwards every matmul inside the loop multiplies the ``[B, H]`` recurrent operand only.
Whether it pays depends on the backend and the shapes: for NumPy at the MNIST shape it loses
(the large prologue matmul is memory-bound), so ``hoist-input-projection`` (always hoists) is
opt-in, and the default pipeline runs ``hoist-input-projection-auto``, which hoists only what the
cost model `profitable` accepts (wide inputs); `benchmarks/passes_bench.py` measures both.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import get_opdef
from graphrnn.ir.trampoline import Step
from graphrnn.passes.cse import cse
from graphrnn.passes.licm import licm
from graphrnn.passes.rebuild import PassContext, Rewriter, Visited, Writer, remove_unread
from graphrnn.passes.rewrite import Match, on, run_rules


def _step_input(v: Value) -> bool:
    n = v.node
    if n is None:
        return False
    if n.op == "TensorArrayRead":
        return n.inputs[0].node is None and n.inputs[0].type.rank == 3
    return n.op == "Unpack" and n.inputs[0].type.rank == 3


PROFITABLE = "hoist_only_if_profitable"  # ctx option set by the cost-model variant of the pass


def profitable(w: Writer | PassContext, n_in: int | None, n_out: int | None) -> bool:
    """The cost model of the ``-auto`` variant: hoist ``x_t @ W_x`` (``[B, I] @ [I, N]``) when I >= N.

    On the NumPy backend the all-steps product is memory-bound (it writes and re-reads a
    ``[T, B, N]`` array); `benchmarks/passes_bench.py` measured it losing for I = 28 and 256 at
    N = 512 (LSTM, hidden 128) and winning by 5-7% for I = 1024. Without the option it always hoists.
    """
    ctx = w.ctx if isinstance(w, Writer) else w
    if not ctx.options.get(PROFITABLE):
        return True
    return n_in is not None and n_out is not None and n_in >= n_out


@on("MatMul")
def split_input_matmul(m: Match, w: Writer) -> Sequence[Value] | None:
    """concat([x_t, h], 1) @ W = x_t @ W[:I] + h @ W[I:]"""
    if m.attrs.get("transpose_a") or m.attrs.get("transpose_b"):
        return None
    c, wt = m.inputs
    cn = c.node
    if cn is None or cn.op != "ConcatV2" or len(cn.inputs) < 2 or cn.attrs["axis"] % 2 != 1:
        return None
    x, rest = cn.inputs[0], list(cn.inputs[1:])
    width = x.type.shape[1]
    if not _step_input(x) or width is None or wt.type.shape[0] is None or not profitable(w, width, wt.type.shape[1]):
        return None
    wx = w.emit("StridedSlice", [wt], {"spec": (("slice", None, width, None),)}, like=m.node).outputs[0]
    wh = w.emit("StridedSlice", [wt], {"spec": (("slice", width, None, None),)}, like=m.node).outputs[0]
    h = rest[0] if len(rest) == 1 else w.emit("ConcatV2", rest, dict(cn.attrs), like=cn).outputs[0]
    attrs = dict(m.attrs)
    px = w.emit("MatMul", [x, wx], attrs, like=m.node, base=f"{m.node.name}/input_projection").outputs[0]
    ph = w.emit("MatMul", [h, wh], attrs, like=m.node, keep_name=True).outputs[0]
    return w.emit("Add", [px, ph], {}, like=m.node).outputs


class _HoistReads(Rewriter):
    """``read(X, t) @ Wx`` in a body, X and Wx invariant params, becomes ``read(X @ Wx, t)``."""

    def __init__(self, ctx: PassContext) -> None:
        super().__init__(ctx)
        self.groups: dict[tuple[int, int], Sequence[Value]] = {}

    def visit(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if n.op != "While":
            return self._batch_unstacked(n, ins, w)
        return self._while(n, ins, w)

    def _while(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Step[Sequence[Value]]:
        """A step (`graphrnn.ir.trampoline`): the body and cond are rebuilt first, then edited."""
        attrs = yield self.sub_attrs_steps(n, w)
        body: Graph = attrs["body"]
        cond: Graph = attrs["cond"]
        k = n.attrs["n_carry"]
        inv = {id(p): ins[i] for i, p in enumerate(body.params) if i >= k or body.results[i] is p}
        new_ins = list(ins)
        memo: dict[tuple[int, int, int], Value] = {}
        orphans: list[Node] = []
        edits = 0
        ctrl = {id(c) for m in body.nodes for c in m.control_inputs}
        for m in body.nodes:
            if m.op != "MatMul" or m.attrs.get("transpose_a") or m.attrs.get("transpose_b"):
                continue
            if m.control_inputs or id(m) in ctrl:  # control edges tie the node itself to the body
                continue
            r, wx = m.inputs
            rn = r.node
            if rn is None or rn.op != "TensorArrayRead" or id(rn.inputs[0]) not in inv or id(wx) not in inv:
                continue
            if not profitable(self.ctx, wx.type.shape[0], wx.type.shape[1]):
                continue
            axis = rn.attrs.get("axis", 0)
            x_out, w_out = inv[id(rn.inputs[0])], inv[id(wx)]
            # read(X, t, axis) @ W = read(X @ W, t, axis) only if the read keeps X's last axis (the
            # one X @ W contracts): a read along it (e.g. from a sunk transpose) contracts another.
            if x_out.type.rank != 3 or axis % 3 == 2:
                continue
            # X @ W runs even when the loop does not: with the contracted dims known, the shape rule
            # has checked they agree, so the product cannot raise (as LICM's `safe_to_speculate`).
            if x_out.type.shape[2] is None or w_out.type.shape[0] is None:
                continue
            try:
                p_type = get_opdef("BatchMatMulV2").infer([x_out.type, w_out.type], {"adj_x": False, "adj_y": False})[0]
                r_type = get_opdef("TensorArrayRead").infer([p_type, rn.inputs[1].type], {"axis": axis})[0]
            except GraphError:
                continue
            if r_type != m.outputs[0].type:
                continue
            key = (id(rn.inputs[0]), id(wx), axis)
            param = memo.get(key)
            if param is None:
                proj = w.emit("BatchMatMulV2", [x_out, w_out], {"adj_x": False, "adj_y": False},
                              like=m, base=f"{m.name}/hoisted").outputs[0]
                param = body.add_param(proj.type, f"{body.name}_projection_{len(body.params)}")
                cond.add_param(proj.type, f"{cond.name}_projection_{len(cond.params)}")
                new_ins.append(proj)
                memo[key] = param
            read = Node("TensorArrayRead", self.ctx.names.fresh(f"{m.name}/read"), (param, rn.inputs[1]),
                        {"axis": axis}, (m.outputs[0].type,), body, m.source)
            _replace(body, m, read)
            orphans.append(rn)
            self.ctx.fired("hoist_read_matmul", m.name, read.name, detail=f"X @ W for all steps before '{n.name}'")
            edits += 1
        if edits:
            remove_unread(body, orphans)
            self.changed = True
        return w.copy(n, new_ins, attrs).outputs

    def _batch_unstacked(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if n.op != "MatMul" or n.attrs.get("transpose_a") or n.attrs.get("transpose_b") or \
                n.name in self.ctx.pinned or n.control_inputs:  # fetched as a target, or on a control edge
            return super().visit(n, ins, w)
        x, wx = ins
        u = x.node
        if u is None or u.op != "Unpack" or u.inputs[0].type.rank != 3 or u.attrs["axis"] % 3 == 2 or \
                not profitable(self.ctx, wx.type.shape[0], wx.type.shape[1]):
            return super().visit(n, ins, w)
        key = (id(u), id(wx))
        groups = self.groups
        got = groups.get(key)
        if got is None:
            proj = w.emit("BatchMatMulV2", [u.inputs[0], wx], {"adj_x": False, "adj_y": False}, like=n,
                          base=f"{n.name}/batched").outputs[0]
            got = w.emit("Unpack", [proj], dict(u.attrs), like=u, base=f"{u.name}/projected").outputs
            groups[key] = got
        self.ctx.fired("batch_unstacked_matmul", n.name, got[x.index].node.name if got[x.index].node else "")
        self.changed = True
        return (got[x.index],)


def _replace(g: Graph, old: Node, new: Node) -> None:
    """In a graph this pass just built (owned here): ``new`` takes ``old``'s place and readers."""
    i = g.nodes.index(old)
    g.nodes[i] = new
    rep = {id(old.outputs[0]): new.outputs[0]}
    for m in g.nodes[i + 1:]:
        if any(id(v) in rep for v in m.inputs):
            m.inputs = tuple(rep.get(id(v), v) for v in m.inputs)
    g.results = [rep.get(id(v), v) for v in g.results]


def _has_candidates(graph: Graph) -> bool:
    """A scan: some MatMul reads a per-step input (a TensorArrayRead or an Unpack output)."""
    work = [graph]
    while work:
        g = work.pop()
        for n in g.nodes:
            work.extend(n.subgraphs.values())
            if n.op != "MatMul":
                continue
            a = n.inputs[0].node
            if a is not None and (a.op in ("TensorArrayRead", "Unpack") or a.op == "ConcatV2" and any(
                    _step_input(v) for v in a.inputs[:1])):
                return True
    return False


def hoist_input_projection(graph: Graph, ctx: PassContext, cost_model: bool = False) -> tuple[Graph, bool]:
    """The pass; with ``cost_model`` only the products `profitable` accepts move (the ``-auto`` variant)."""
    if not _has_candidates(graph):
        return graph, False
    if cost_model:
        ctx.options = dict(ctx.options, **{PROFITABLE: True})
    g, changed = run_rules(graph, ctx, (split_input_matmul,))
    g1 = graph
    if changed:  # merge the per-step weight slices, then move them out of loops
        g1, _ = cse(g, ctx)
        g1, _ = licm(g1, ctx)
    rw = _HoistReads(ctx)
    g2 = rw.run(g1)
    return (g2, True) if (rw.changed or changed) else (graph, False)
