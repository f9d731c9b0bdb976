"""TF1's device placement requests: `DeviceSpec`, ``gr.device(...)`` and ``node.device``.

``with gr.device("/cpu:0"):`` records a device string on every node created inside (``op.device``,
``tensor.device``), exactly as TF1 1.15 would; nothing else changes: the NumPy backend runs every
node in this process. Scopes nest like TF1's: the innermost scope applies first, and each enclosing
string scope fills in the fields (job, replica, task, device type, index) the inner ones left
open; ``gr.device(None)`` ignores all enclosing scopes; ``gr.device("")`` changes nothing. A device
function ``fn(op) -> str | DeviceSpec`` sets the op's device to whatever it returns (TF1 does not
canonicalize a function's string).

The device string is kept on the user's graph; graphs saved by `graphrnn.ir.serialize` and the
optimized copies a Session compiles do not carry it.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from graphrnn.ir.errors import GraphError

if TYPE_CHECKING:
    from graphrnn.ir.graph import Graph, Node


class DeviceSpecError(GraphError, ValueError):
    """A device string or argument of ``gr.device`` that TF1 would refuse."""


class DeviceSpec:
    """A (partial) device: ``/job:<name>/replica:<id>/task:<id>/device:<TYPE>:<id>``; every part optional.

    ``device_index`` None means any device of that type (``:*``). Lower-case ``cpu``/``gpu`` become
    upper-case, as in TF1.
    """

    def __init__(self, job: str | None = None, replica: int | None = None, task: int | None = None,
                 device_type: str | None = None, device_index: int | None = None) -> None:
        self.job = None if job is None else str(job)
        self.replica = None if replica is None else _index(replica, "replica", str(replica))
        self.task = None if task is None else _index(task, "task", str(task))
        self.device_type = device_type.upper() if device_type in ("cpu", "gpu") else device_type
        self.device_index = None if device_index is None else _index(device_index, "device index", str(device_index))

    @staticmethod
    def from_string(spec: str) -> DeviceSpec:
        """Parses TF1's forms: '/job:ps/task:1/device:GPU:0', '/cpu:0', 'gpu:1', 'CPU', '/cpu:*'."""
        if not isinstance(spec, str):
            raise DeviceSpecError(f"a device string must be a str, got {spec!r}",
                                  fix="write e.g. '/cpu:0' or '/job:worker/task:0/device:GPU:0'")
        out = DeviceSpec()
        for part in spec.split("/"):
            fields = part.split(":")
            n, key = len(fields), fields[0]
            if n == 2 and key in ("job", "replica", "task"):
                if key == "job":
                    out.job = fields[1]
                else:
                    setattr(out, key, _index(fields[1], key, spec))
            elif n in (1, 2) and key.upper() in ("CPU", "GPU"):
                out._set_type(key.upper(), fields[1] if n == 2 else "*", spec)
            elif n == 3 and key == "device":
                out._set_type(fields[1].upper() if fields[1] in ("cpu", "gpu") else fields[1], fields[2], spec)
            elif part:
                raise DeviceSpecError(f"unknown part {key!r} in device string {spec!r}",
                                      fix="device strings look like '/job:<name>/replica:<i>/task:<i>/device:"
                                          "<TYPE>:<i>' or '/cpu:0', '/gpu:1'")
        return out

    def _set_type(self, device_type: str, index: str, spec: str) -> None:
        if self.device_type is not None:
            raise DeviceSpecError(f"device string {spec!r} names more than one device type",
                                  fix="name one device, e.g. '/job:worker/device:GPU:0'")
        self.device_type = device_type
        self.device_index = None if index == "*" else _index(index, "device index", spec)

    def merge_from(self, other: DeviceSpec) -> None:
        """Takes every field ``other`` sets (TF1's merge: ``other`` wins)."""
        for name in ("job", "replica", "task", "device_type", "device_index"):
            value = getattr(other, name)
            if value is not None:
                setattr(self, name, value)

    def to_string(self) -> str:
        """The canonical form, e.g. '/job:ps/task:0/device:GPU:1' ('' when nothing is set)."""
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            out += f"/device:{self.device_type}:{'*' if self.device_index is None else self.device_index}"
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"gr.DeviceSpec.from_string({self.to_string()!r})"


def _index(text: Any, what: str, spec: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise DeviceSpecError(f"the {what} in device {spec!r} must be a whole number, got {text!r}",
                              fix="write e.g. '/task:0' or '/device:GPU:1'") from None


def canonical_name(device: str | DeviceSpec | None) -> str:
    """TF1's canonical device string of ``device`` ('' for None)."""
    if device is None:
        return ""
    return (device if isinstance(device, DeviceSpec) else DeviceSpec.from_string(device)).to_string()


class _Scope:
    """One ``gr.device(...)`` on the stack: a spec to merge, a function, or a reset (None)."""

    __slots__ = ("spec", "function", "is_reset")

    def __init__(self, spec: DeviceSpec | None, function: Callable[[Any], Any] | None, is_reset: bool) -> None:
        self.spec, self.function, self.is_reset = spec, function, is_reset


def _scope_for(device_name_or_function: Any) -> _Scope:
    arg = device_name_or_function
    if arg is None:
        return _Scope(None, None, True)
    if isinstance(arg, DeviceSpec):
        return _Scope(copy.copy(arg), None, False)
    if isinstance(arg, str):
        return _Scope(DeviceSpec.from_string(arg), None, False)
    if callable(arg):
        return _Scope(None, arg, False)
    raise DeviceSpecError(f"gr.device expects a device string, a gr.DeviceSpec, a function or None, got {arg!r}",
                          fix="write gr.device('/cpu:0'), gr.device(lambda op: '/cpu:0') or gr.device(None)")


def _function_result(scope: _Scope, node: Node) -> str:
    assert scope.function is not None
    got = scope.function(node)
    if isinstance(got, DeviceSpec):
        return got.to_string()
    if isinstance(got, str):
        return got  # TF1 keeps a device function's string as it is
    raise DeviceSpecError(f"the device function {getattr(scope.function, '__name__', scope.function)!r} returned "
                          f"{got!r} for node '{node.name}' ({node.op})", op=node.op, node=node.name,
                          fix="return a device string ('' for no device) or a gr.DeviceSpec")


def assign_device(node: Node, stack: list[_Scope]) -> None:
    """Sets ``node.device`` from the device scopes in force (innermost last in ``stack``), as TF1."""
    device = node.device
    for scope in reversed(stack):
        if scope.is_reset:
            break
        if scope.function is not None:
            device = _function_result(scope, node)
            continue
        assert scope.spec is not None
        if not scope.spec.to_string():  # gr.device(""): no change
            continue
        merged = copy.copy(scope.spec)
        merged.merge_from(DeviceSpec.from_string(device))  # the inner scopes' fields win
        device = merged.to_string()
    node.device = device


@contextlib.contextmanager
def device_scope(graph: Graph, device_name_or_function: Any) -> Iterator[None]:
    """``graph.device(...)``: a device scope for the nodes created in ``graph`` (and its loop bodies)."""
    scope = _scope_for(device_name_or_function)  # a bad argument raises here, as in TF1
    stack = graph.root.build.device_stack
    stack.append(scope)
    try:
        yield
    finally:
        stack.remove(scope)


def device(device_name_or_function: Any) -> contextlib.AbstractContextManager[None]:
    """``tf.device``: records a device on the nodes created in the block, in the default graph."""
    from graphrnn.ir.builder import get_default_graph
    return device_scope(get_default_graph(), device_name_or_function)
