"""The IR: graphs, nodes, values, the op registry, the verifier, the text form and the JSON format.

``gr.ir.save(graph, path)`` / ``gr.ir.load(path)`` (and ``to_json``/``from_json``) are the JSON
save and load of `graphrnn.ir.serialize`, resolved on first use so that importing any IR module
does not import the serializer (which reaches into graphrnn.ops while loading).
"""

from __future__ import annotations

from typing import Any

_SERIALIZE_NAMES = ("save", "load", "to_json", "from_json")


def __getattr__(name: str) -> Any:
    if name in _SERIALIZE_NAMES:
        from graphrnn.ir import serialize
        return getattr(serialize, name)
    raise AttributeError(f"module 'graphrnn.ir' has no attribute {name!r}")
