"""Loop-invariant code motion (``licm``): compute once before a While what every iteration recomputes.

A body node is invariant when it is pure and not stateful, has no subgraphs, is at neither end
of a control edge, and reads only invariant values: captures, carries the body passes through
unchanged, constants and other invariant nodes. Invariant nodes (constants aside: they cost nothing per iteration) move
in front of the While, keeping their names and source lines; each moved value the body still reads
becomes a new capture. Nested loops are handled innermost first, so a value can move out level
by level. The per-iteration node count never grows.

Hoisting runs the node even when the loop runs zero times, so ops whose kernels can fail on
values (reads with an index, gathers, integer division, data-dependent shapes, run-time checks),
or on dims unknown at build time, are not moved (`safe_to_speculate`): a loop that does not run
must not raise.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphrnn.ir.analysis import live_nodes
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import ELEMENTWISE, get_opdef
from graphrnn.ir.trampoline import Step
from graphrnn.passes.rebuild import PassContext, Rewriter, Visited, Writer, is_stateful

# Kernels that may raise on input *values* (not only on types the verifier already checked);
# TensorArrayNew/TensorArrayNewAxis reject a negative size.
MAY_FAIL = frozenset({"TensorArrayRead", "TensorArrayWrite", "TensorArrayNew", "TensorArrayNewAxis",
                      "GatherV2", "ReshapeDynamic", "FloorDiv",
                      "FloorMod", "Range", "Fill", "SequenceMask", "ReverseSequence", "OneHot",
                      "SparseSoftmaxCrossEntropyWithLogits", "CheckSequenceLength", "CheckStaticSteps",
                      "While", "If", "Placeholder", "Assign"})
# Ops that cannot fail whatever the (unknown) dims of their input.
_SHAPE_AGNOSTIC = frozenset({"Shape", "Size", "Rank", "Identity", "StopGradient", "Cast", "Transpose",
                             "ExpandDims", "ZerosLike", "OnesLike"})


def safe_to_speculate(n: Node) -> bool:
    """Running ``n`` although the loop would not run cannot raise.

    With every input dim known, the shape rule has already checked what the kernel would (matmul
    inner dims, broadcasting, slice bounds); with unknown dims only unary elementwise and
    shape-agnostic ops are sure not to fail.
    """
    if n.op in MAY_FAIL:
        return False
    if all(v.type.has_rank and None not in v.type.shape for v in n.inputs):
        return True
    return n.op in _SHAPE_AGNOSTIC or (len(n.inputs) == 1 and get_opdef(n.op).has(ELEMENTWISE))


def _control_sources(g: Graph) -> set[int]:
    """Ids of the nodes of ``g`` that are control inputs of nodes of ``g``."""
    return {id(c) for m in g.nodes for c in m.control_inputs}


def invariant_nodes(body: Graph, n_carry: int) -> list[Node]:
    """The invariant nodes of ``body`` that its results need (dead code is DCE's, not moved)."""
    live = live_nodes(body, body.results)
    inv_vals: set[int] = {id(p) for i, p in enumerate(body.params) if i >= n_carry or body.results[i] is p}
    ctrl = _control_sources(body)  # a control edge ties both ends to the body: neither moves
    hoist: list[Node] = []
    for m in body.nodes:
        if m.op == "Const":
            inv_vals.update(id(v) for v in m.outputs)
            continue
        if m.subgraphs or m.control_inputs or id(m) in ctrl or is_stateful(m) or not safe_to_speculate(m) \
                or not m.outputs:
            continue
        if all(id(v) in inv_vals for v in m.inputs):
            inv_vals.update(id(v) for v in m.outputs)
            if id(m) in live:
                hoist.append(m)
    return hoist


class LicmRewriter(Rewriter):
    def visit(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Visited:
        if n.op != "While":
            return super().visit(n, ins, w)
        return self._while(n, ins, w)

    def _while(self, n: Node, ins: tuple[Value, ...], w: Writer) -> Step[Sequence[Value]]:
        """A step (`graphrnn.ir.trampoline`): the body and cond are rebuilt first, then hoisted from."""
        attrs = yield self.sub_attrs_steps(n, w)  # fresh subgraphs, owned here: edited in place below
        body: Graph = attrs["body"]
        cond: Graph = attrs["cond"]
        k = n.attrs["n_carry"]
        hoist = invariant_nodes(body, k)
        if not hoist:
            return w.copy(n, ins, attrs).outputs
        outer: dict[int, Value] = {id(p): ins[i] for i, p in enumerate(body.params)}
        hoisted_ids = {id(m) for m in hoist}
        for m in hoist:
            for v in m.inputs:  # constants the moved nodes read are copied out (fresh names)
                if id(v) not in outer and v.node is not None and v.node.op == "Const":
                    outer[id(v)] = w.emit("Const", (), dict(v.node.attrs), like=v.node,
                                          types=[v.type]).outputs[0]
        for m in hoist:
            moved = w.copy(m, [outer[id(v)] for v in m.inputs])
            for v, nv in zip(m.outputs, moved.outputs):
                outer[id(v)] = nv
            self.ctx.fired("hoist_invariant", m.name, detail=f"out of While '{n.name}'")
        # Values of moved nodes the rest of the body still reads become captures.
        rest = [m for m in body.nodes if id(m) not in hoisted_ids]
        needed: list[Value] = []
        seen: set[int] = set()
        for v in [v for m in rest for v in m.inputs] + list(body.results):
            if v.node is not None and id(v.node) in hoisted_ids and id(v) not in seen:
                seen.add(id(v))
                needed.append(v)
        remap: dict[int, Value] = {}
        new_ins = list(ins)
        for v in needed:
            name = f"{body.name}_hoisted_{len(body.params)}"
            remap[id(v)] = body.add_param(v.type, name)
            cond.add_param(v.type, f"{cond.name}_hoisted_{len(cond.params)}")
            new_ins.append(outer[id(v)])
        for m in rest:
            if any(id(v) in remap for v in m.inputs):
                m.inputs = tuple(remap.get(id(v), v) for v in m.inputs)
        body.results = [remap.get(id(v), v) for v in body.results]
        read = {id(v) for m in rest for v in m.inputs} | {id(v) for v in body.results}
        ctrl = _control_sources(body)
        # Constants only the moved nodes read are dead now (they were copied out); a constant that
        # is a control input stays, as the edge's source.
        body.nodes = [m for m in rest if m.op != "Const" or id(m.outputs[0]) in read or id(m) in ctrl]
        self.changed = True
        return w.copy(n, new_ins, attrs).outputs


def _has_invariants(graph: Graph) -> bool:
    work = [graph]
    while work:
        g = work.pop()
        for n in g.nodes:
            work.extend(n.subgraphs.values())
            if n.op == "While" and invariant_nodes(n.attrs["body"], n.attrs["n_carry"]):
                return True
    return False


def licm(graph: Graph, ctx: PassContext) -> tuple[Graph, bool]:
    if not _has_invariants(graph):
        return graph, False
    rw = LicmRewriter(ctx)
    g = rw.run(graph)
    return g, rw.changed
