"""Exporters: Graphviz DOT (`to_dot`, `render`), networkx (`to_networkx` and graph analyses) and ONNX
(`to_onnx`, in graphrnn.export.onnx; needs the ``onnx`` extra, imported on first use)."""

from typing import Any

from graphrnn.export.dot import GraphvizNotFoundError, render, to_dot
from graphrnn.export.nx import critical_path_length, max_fan_out, summary, to_networkx


def to_onnx(graph_or_session: Any, fetches: Any, feeds: Any, path: Any = None, **options: Any) -> Any:
    """`graphrnn.export.onnx.to_onnx` (imported here on first use, so onnx stays optional)."""
    from graphrnn.export.onnx import to_onnx as export
    return export(graph_or_session, fetches, feeds, path, **options)


__all__ = ["GraphvizNotFoundError", "critical_path_length", "max_fan_out", "render", "summary", "to_dot",
           "to_networkx", "to_onnx"]
