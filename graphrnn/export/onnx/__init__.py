"""ONNX export: `to_onnx` writes a graphrnn graph, frozen with a session's variable values, as an
ONNX model that onnxruntime runs without graphrnn (see docs/onnx.md).

Modules: `emitter` (names, constants, errors), `rules` (one lowering rule per op), `control`
(While -> Loop, If -> If), `lower` (the graph walk), `writer` (`to_onnx`).
Needs the optional extra: ``pip install "graphrnn[onnx]"``.
"""

from graphrnn.export.onnx.emitter import OnnxExportError
from graphrnn.export.onnx.writer import DEFAULT_OPSET, OnnxExport, to_onnx

__all__ = ["DEFAULT_OPSET", "OnnxExport", "OnnxExportError", "to_onnx"]
