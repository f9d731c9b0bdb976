"""`to_onnx`: a graphrnn graph and its session's variable values as one ONNX inference model.

The model (TF1's "freeze"):
- inputs: the fed placeholders, under their names, with their static shapes; unknown dims become
  symbolic dims (``batch`` for dim 0, ``time`` for dim 1 of a rank-3 input; ``dim_params`` overrides);
- initializers: every variable the fetches read, named like the variable (``rnn/lstm_cell/kernel``),
  holding the session's current value;
- outputs: the fetches, named by the ``fetches`` dict's keys, or by the tensor's op name (``:k`` added
  for outputs other than 0).
The model passes ``onnx.checker.check_model(full_check=True)`` (strict shape inference) before it is
written, atomically, to ``path``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphrnn.export.onnx.emitter import Emitter, ExportContext, OnnxExportError, _onnx, onnx_dtype
from graphrnn.export.onnx.lower import lower_graph
from graphrnn.ir.graph import Graph, Value

DEFAULT_OPSET = 18
MIN_OPSET = 18  # Split(num_outputs=) and the Reduce* ops' axes input


@dataclass
class OnnxExport:
    """What `to_onnx` made: the ModelProto, its input/output names, and the report of the export."""

    model: Any
    input_names: list[str]
    output_names: list[str]
    report: list[str] = field(default_factory=list)

    def serialized(self) -> bytes:
        return self.model.SerializeToString()


def _default_dims(name: str, v: Value, dim_params: Mapping[str, Sequence[str | None]] | None) -> list[Any]:
    shape = list(v.type.shape)
    given = (dim_params or {}).get(name)
    out: list[Any] = []
    for i, d in enumerate(shape):
        if d is not None:
            out.append(d)
        elif given is not None and i < len(given) and given[i]:
            out.append(given[i])
        elif i == 0:
            out.append("batch")
        elif i == 1 and len(shape) == 3:
            out.append("time")
        else:
            out.append(f"{name}_dim{i}")
    return out


def _as_list(x: Any, what: str) -> list[Any]:
    if isinstance(x, Value):
        return [x]
    if isinstance(x, Mapping):
        return list(x.values())
    try:
        return list(x)
    except TypeError:
        raise OnnxExportError(f"{what} must be a tensor, a list of tensors or a dict of tensors, "
                              f"got {type(x).__name__}") from None


def _output_names(fetches: Any, values: list[Value]) -> list[str]:
    if isinstance(fetches, Mapping):
        names = [str(k) for k in fetches]
    else:
        names = [v.node.name if v.index == 0 else f"{v.node.name}:{v.index}" for v in values]
    if len(set(names)) != len(names):
        raise OnnxExportError(f"two fetches have the same output name: {names}",
                              fix="pass fetches as a dict {output_name: tensor}")
    return names


def _referenced(nodes: list[Any], into: set[str]) -> None:
    """Adds every name ``nodes`` read, inside their Loop/If bodies too (outer-scope references)."""
    for n in nodes:
        into.update(n.input)
        for a in n.attribute:
            if a.type == a.GRAPH:
                _referenced(list(a.g.node), into)
                into.update(o.name for o in a.g.output)


def _drop_dead(nodes: list[Any], outputs: set[str]) -> list[Any]:
    """The top-level nodes whose outputs something reads (rules lower inputs an ONNX op does not need,
    e.g. a run-time check's bounds); bodies are lowered from their results, so they hold no dead nodes."""
    live = list(nodes)
    while True:
        used = set(outputs)
        _referenced(live, used)
        kept = [n for n in live if any(o in used for o in n.output)]
        if len(kept) == len(live):
            return kept
        live = kept


def to_onnx(graph_or_session: Any, fetches: Any, feeds: Any, path: Any = None, *, opset: int = DEFAULT_OPSET,
            fuse_rnn: bool = False, dim_params: Mapping[str, Sequence[str | None]] | None = None,
            check: bool = True) -> OnnxExport:
    """Exports what ``fetches`` compute from ``feeds`` (placeholders) as an ONNX model.

    ``graph_or_session``: a `Session` (its variables' current values are frozen into the model) or a
    `Graph` without variables. ``fetches``: a tensor, a list or a dict ``{output_name: tensor}``.
    ``feeds``: the placeholders that become the model's inputs (a list, or a feed dict whose keys are
    used). ``path``: where to write the ``.onnx`` file (atomically), or None to only return it.
    ``fuse_rnn``: turn each loop that runs a standard LSTM cell into one ONNX ``LSTM`` node (see
    graphrnn.export.onnx.fuse); ``OnnxExport.report`` says which loops were fused and why not the others.
    ``dim_params``: names for a placeholder's unknown dims, e.g. ``{"x": ["time", "batch", None]}``.
    """
    onnx = _onnx()
    from graphrnn.session import Session
    if isinstance(graph_or_session, Session):
        sess, graph = graph_or_session, graph_or_session.graph
    elif isinstance(graph_or_session, Graph):
        sess, graph = None, graph_or_session
    else:
        raise OnnxExportError(f"to_onnx takes a Session or a Graph, got {type(graph_or_session).__name__}",
                              fix="pass the Session whose variable values the model should hold")
    newest = onnx.defs.onnx_opset_version()
    if not isinstance(opset, int) or isinstance(opset, bool) or not MIN_OPSET <= opset <= newest:
        raise OnnxExportError(f"opset {opset!r} is not supported",
                              fix=f"use an opset from {MIN_OPSET} to {newest} (the installed onnx's newest)")
    fetch_values = _as_list(fetches, "fetches")
    feed_values = _as_list(feeds.keys() if isinstance(feeds, Mapping) else feeds, "feeds")
    for v in [*fetch_values, *feed_values]:
        if not isinstance(v, Value) or v.graph is not graph:
            raise OnnxExportError(f"{v!r} is not a tensor of the exported graph",
                                  fix="pass tensors of the session's graph (not names or arrays)")
    for v in feed_values:
        if v.node is None or v.node.op != "Placeholder":
            raise OnnxExportError(f"feed {v.name} is not a placeholder; ONNX inputs are placeholders",
                                  fix="list the placeholders the fetches depend on")
    report: list[str] = []

    def variable_value(node: Any) -> Any:
        if sess is None:
            raise OnnxExportError(f"the graph reads variable '{node.attrs['var_name']}': export from the Session "
                                  "that holds its value", op=node.op, node=node.name, source=node.source_line,
                                  fix="gr.export.to_onnx(sess, fetches, feeds, path)")
        return sess.run(node.outputs[0])

    ctx = ExportContext(opset, variable_value)
    ctx.fuse_rnn = bool(fuse_rnn)
    for n in graph.walk():  # names kept as they are: variables and placeholders first
        if n.op == "VariableV2":
            ctx.namer.reserve(n.attrs["var_name"])
    em = Emitter(ctx)
    inputs = []
    input_names = []
    for v in feed_values:
        name = ctx.namer.unique(v.node.name)
        em.env[v] = name
        input_names.append(name)
        inputs.append(onnx.helper.make_tensor_value_info(name, onnx_dtype(v.dtype),
                                                         _default_dims(v.node.name, v, dim_params)
                                                         if v.type.has_rank else None))
    lower_graph(em, graph, fetch_values)
    names = _output_names(fetches, fetch_values)
    outputs = []
    for name, v in zip(names, fetch_values):
        if name in ctx.namer._used:  # an output name may not clash with an inner name
            name = ctx.namer.unique(name)
        else:
            ctx.namer.reserve(name)
        em.nodes.append(onnx.helper.make_node("Identity", [em.env[v]], [name], name=ctx.namer.unique(f"{name}/output")))
        outputs.append(onnx.helper.make_tensor_value_info(
            name, onnx_dtype(v.dtype), list(v.type.shape) if v.type.has_rank else None))
    live_nodes = _drop_dead(em.nodes, {o.name for o in outputs})
    read: set[str] = set()
    _referenced(live_nodes, read)  # a fused loop reads its weights re-laid out, not the variables
    initializers = [t for name, t in ctx.initializers.items() if name in read]
    model_graph = onnx.helper.make_graph(live_nodes, "graphrnn", inputs, outputs,
                                         initializer=initializers)
    model = onnx.helper.make_model(model_graph, opset_imports=[onnx.helper.make_opsetid("", opset)],
                                   producer_name="graphrnn")
    model.ir_version = min(model.ir_version, 10)  # what current onnxruntime releases read
    if check:
        try:
            onnx.checker.check_model(model, full_check=True)
        except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
            raise OnnxExportError(f"the exported model does not pass onnx.checker: {str(e).splitlines()[0]}",
                                  fix="report this as a graphrnn bug, with the graph") from None
    report.extend(ctx.notes)
    result = OnnxExport(model, input_names, [o.name for o in outputs], report)
    if path is not None:
        from graphrnn.io.atomic import write_bytes
        write_bytes(path, result.serialized())
    return result
