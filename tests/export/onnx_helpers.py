"""Shared by the ONNX tests: run an exported model in onnxruntime (one thread, warnings off)."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnxruntime as ort

from graphrnn.export.onnx import OnnxExport


def run_onnx(ex: OnnxExport | bytes | str, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    model: Any = ex.serialized() if isinstance(ex, OnnxExport) else ex
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)
