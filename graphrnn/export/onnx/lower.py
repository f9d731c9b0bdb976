"""Lowers a graphrnn graph (or a While/If body) into an `Emitter`, node by node.

Only the nodes the wanted values depend on are lowered (data edges; control dependencies order side
effects, which an inference model has none of). Each node goes to its rule in
`graphrnn.export.onnx.rules`, or to `graphrnn.export.onnx.control` for While and If; an op without a
rule is an `OnnxExportError` naming the op, the node and the user's line.
"""

from __future__ import annotations

from graphrnn.export.onnx import control
from graphrnn.export.onnx.emitter import Emitter, node_error
from graphrnn.export.onnx.rules import RULES, UNSUPPORTED
from graphrnn.ir.graph import Graph, Node, Value

CONTROL_OPS = ("While", "If")


def fresh_scan_buffers(node: Node) -> set[Value]:
    """Inputs of While ``node`` that are fresh TensorArrays carried as scan outputs: the Loop never
    reads them (it needs only their size), so they are not lowered."""
    if node.op != "While":
        return set()
    return {node.inputs[k] for k in control.scan_carries(node)
            if node.inputs[k].node is not None and node.inputs[k].node.op == "TensorArrayNew"}


def needed_nodes(graph: Graph, wanted: list[Value]) -> set[Node]:
    """The nodes of ``graph`` that ``wanted`` depend on through data edges (iterative)."""
    seen: set[Node] = set()
    stack = [v.node for v in wanted if v.node is not None and v.graph is graph]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        skip = fresh_scan_buffers(n)
        for v in n.inputs:
            if v in skip:  # only the size of the fresh buffer is read
                stack.extend(u.node for u in v.node.inputs if u.node is not None)
            elif v.node is not None and v.node not in seen:
                stack.append(v.node)
    return seen


def lower_graph(em: Emitter, graph: Graph, wanted: list[Value]) -> None:
    """Lowers what ``wanted`` needs of ``graph`` into ``em``; ``em.env`` must already hold the params
    (and, at the top level, the fed placeholders)."""
    needed = needed_nodes(graph, wanted)
    for node in graph.nodes:
        if node not in needed or all(v in em.env for v in node.outputs) and node.outputs:
            continue
        unread = fresh_scan_buffers(node)
        missing = [v for v in node.inputs if v not in em.env and v not in unread]
        if missing:  # a placeholder nobody fed, or a value of another graph
            raise node_error(node, f"input {missing[0].name} is not available to the exported graph",
                             fix="list every placeholder the fetches depend on in feeds")
        ins = [em.env.get(v, "") for v in node.inputs]
        em.scope = node.name
        outs = lower_node(em, node, ins)
        em.scope = ""
        for v, name in zip(node.outputs, outs):
            em.env[v] = name


def lower_node(em: Emitter, node: Node, ins: list[str]) -> list[str]:
    if node.op == "While":
        if em.ctx.fuse_rnn:
            from graphrnn.export.onnx.fuse import try_fuse_lstm
            fused = try_fuse_lstm(em, node, ins)
            if fused is not None:
                return fused
        return control.lower_while(em, node, ins, lower_graph)
    if node.op == "If":
        return control.lower_if(em, node, ins, lower_graph)
    if node.op == "Placeholder":
        raise node_error(node, f"placeholder '{node.name}' is needed by the fetches but not in feeds",
                         fix=f"add '{node.name}' to feeds (the exported model's inputs)")
    fn = RULES.get(node.op)
    if fn is None:
        reason = UNSUPPORTED.get(node.op)
        if reason is not None:
            raise node_error(node, f"{node.op} cannot be exported to ONNX: it {reason}")
        raise node_error(node, f"no ONNX lowering rule for op {node.op}",
                         fix="export a graph without this op, or add a rule in graphrnn/export/onnx/rules.py")
    outs = fn(em, node, ins)
    if len(outs) != len(node.outputs):
        raise node_error(node, f"the ONNX rule for {node.op} gave {len(outs)} outputs for {len(node.outputs)}")
    return outs
