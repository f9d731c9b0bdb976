"""The IR: `Graph`, `Node` (TF1's Operation) and `Value` (TF1's Tensor).

Invariants (checked by `graphrnn.ir.verify`):
- ``graph.nodes`` is in topological order: a node's inputs are params of its graph or outputs of
  earlier nodes of the same graph.
- Subgraphs (While cond/body, If branches) are closed: they refer to outer values only through
  their params; the node that owns them passes the outer values as explicit inputs.
- A value's ``type`` is what the op's shape rule computes from its inputs' types and its attrs.
Users of a value are derived on demand (`Graph.consumers`), never stored, so rewrites cannot leave
stale use lists behind.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from graphrnn.ir.dtypes import DType
from graphrnn.ir.errors import GraphError
from graphrnn.ir.types import TensorShape, TensorType

if TYPE_CHECKING:
    from graphrnn.ir.builder import BuildState


class IdentityComparisonWarning(UserWarning):
    """``tensor == number``: Python's ``==`` on tensors is identity (TF1), not an elementwise test."""


class Value:
    """A typed edge: output ``index`` of ``node``, or param ``index`` of ``graph`` when node is None.

    This is the user's ``Tensor``; Python operators build new nodes in the default graph.
    """

    __slots__ = ("node", "index", "type", "graph", "param_name", "__weakref__")

    def __init__(self, node: Node | None, index: int, type: TensorType, graph: Graph,
                 param_name: str | None = None) -> None:
        self.node = node
        self.index = index
        self.type = type
        self.graph = graph
        self.param_name = param_name

    # --- TF1 Tensor surface -------------------------------------------------------------------
    @property
    def name(self) -> str:
        if self.node is None:
            return f"{self.param_name}:0"
        return f"{self.node.name}:{self.index}"

    @property
    def op(self) -> Node | None:
        return self.node

    @property
    def device(self) -> str:
        """The device requested for the op that makes this tensor ('' for none; see gr.device)."""
        return self.node.device if self.node is not None else ""

    @property
    def dtype(self) -> DType:
        return self.type.dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self.type.shape)

    def get_shape(self) -> TensorShape:
        return TensorShape(self.type.shape)

    def set_shape(self, shape: Any) -> None:
        """TF1 `Tensor.set_shape`: merges ``shape`` into this tensor's static shape (a ShapeError if
        they conflict); see graphrnn.ops.set_shape for how the graph records it."""
        from graphrnn.ops.set_shape import set_shape
        set_shape(self, shape)

    @property
    def ndim(self) -> int | None:
        return self.type.rank  # None when the rank is unknown

    def eval(self, feed_dict: Mapping[Any, Any] | None = None, session: Any = None) -> Any:
        from graphrnn.session import get_default_session
        sess = session or get_default_session()
        return sess.run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<gr.Tensor '{self.name}' shape={self.type.shape} dtype={self.dtype.name}>"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        """Identity, as in TF1 (tensors are dict keys); use ``gr.equal`` for elementwise equality.

        Comparing with a number or an array is almost always a mistake (``t % 2 == 0`` is False
        whatever t holds), so that warns.
        """
        if isinstance(other, (int, float, complex, np.ndarray, np.generic)):
            warnings.warn(f"'{self.name}' == {other!r} compares a symbolic tensor by identity (always False, "
                          f"as in TF1); use gr.equal(tensor, value) for an elementwise comparison",
                          IdentityComparisonWarning, stacklevel=2)
        return self is other

    def __bool__(self) -> bool:
        raise GraphError(
            f"the truth value of symbolic tensor '{self.name}' is not known while building the graph",
            fix="use gr.cond(pred, true_fn, false_fn) or gr.where for data-dependent choices, "
                "or compare shapes (tensor.shape) instead of values",
        )

    def __iter__(self) -> Iterator[Value]:
        n = self.type.shape[0] if self.type.shape else None
        if n is None:
            raise GraphError(f"cannot iterate over tensor '{self.name}' whose first dim is unknown",
                             fix="use gr.unstack(t, num=N) or gr.while_loop")
        from graphrnn.ops.array import unstack
        return iter(unstack(self, num=n))

    def __len__(self) -> int:
        n = self.type.shape[0] if self.type.shape else None
        if n is None:
            raise GraphError(f"len() of tensor '{self.name}' with unknown first dim")
        return n

    # Operators live in graphrnn.ops.overloads (installed there, so the IR does not import ops).


class Node:
    """An operation: ``op`` applied to ``inputs`` with ``attrs``; produces ``outputs``.

    ``attrs`` maps names to immutable values (ints, floats, strings, bools, tuples, DTypes,
    TensorTypes, NumPy constant arrays marked read-only, or `Graph` for subgraphs).
    ``source`` is ``(filename, lineno)`` of the user code that created the node.
    ``control_inputs`` are nodes that must run before this one (for grouped updates).
    """

    __slots__ = ("op", "name", "inputs", "attrs", "outputs", "source", "graph", "control_inputs", "device",
                 "__weakref__")

    def __init__(self, op: str, name: str, inputs: tuple[Value, ...], attrs: dict[str, Any],
                 output_types: tuple[TensorType, ...], graph: Graph,
                 source: tuple[str, int] | None = None,
                 control_inputs: tuple[Node, ...] = ()) -> None:
        self.op = op
        self.name = name
        self.inputs = inputs
        self.attrs = attrs
        self.graph = graph
        self.source = source
        self.control_inputs = control_inputs
        self.device = ""  # TF1's requested device (graphrnn.ir.device); recorded, never used to run
        self.outputs = tuple(Value(self, i, t, graph) for i, t in enumerate(output_types))

    # --- TF1 Operation surface ----------------------------------------------------------------
    @property
    def type(self) -> str:
        return self.op

    @property
    def subgraphs(self) -> dict[str, Graph]:
        return {k: v for k, v in self.attrs.items() if isinstance(v, Graph)}

    @property
    def output(self) -> Value:
        return self.outputs[0]

    def get_attr(self, name: str) -> Any:
        return self.attrs[name]

    @property
    def source_line(self) -> str | None:
        if self.source is None:
            return None
        return f"{self.source[0]}:{self.source[1]}"

    def run(self, feed_dict: Mapping[Any, Any] | None = None, session: Any = None) -> None:
        from graphrnn.session import get_default_session
        (session or get_default_session()).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<gr.Operation '{self.name}' type={self.op}>"


class Graph:
    """A list of nodes in topological order, with params and results when it is a subgraph.

    A top-level graph has no params and no results; it owns the build state (name scopes,
    variables, collections) in ``self.build``. Subgraphs (``parent`` set) are the bodies of
    While/If nodes; they share their root's build state while being traced.
    """

    def __init__(self, parent: Graph | None = None, name: str = "graph") -> None:
        self.nodes: list[Node] = []
        self.params: list[Value] = []
        self.results: list[Value] = []
        self.parent = parent
        # The root, fixed with the parent at construction: looked up for every node built, so in a
        # loop nest hundreds deep a walk up the parents each time would make building quadratic.
        self._root: Graph = self if parent is None else parent.root
        self.name = name
        # Outer values this subgraph refers to while it is being traced, in param order
        # (after the leading params); filled by the builder, empty once the owner node is built.
        self.captures: list[Value] = []
        self._capture_index: dict[int, Value] = {}
        self._build: BuildState | None = None
        self.seed: int | None = None
        self.version = 0

    # --- structure ----------------------------------------------------------------------------
    @property
    def root(self) -> Graph:
        return self._root

    @property
    def build(self) -> BuildState:
        if self._build is not None:  # fast path: a top-level graph that has been built into
            return self._build
        root = self.root
        if root._build is None:
            from graphrnn.ir.builder import BuildState
            root._build = BuildState(root)
        return root._build

    def add_param(self, type: TensorType, name: str) -> Value:
        v = Value(None, len(self.params), type, self, param_name=name)
        self.params.append(v)
        return v

    def is_ancestor_of(self, other: Graph) -> bool:
        g: Graph | None = other.parent
        while g is not None:
            if g is self:
                return True
            g = g.parent
        return False

    def consumers(self) -> dict[Value, list[Node]]:
        """Maps each value of this graph to the nodes (of this graph) that read it, in order."""
        users: dict[Value, list[Node]] = {}
        for n in self.nodes:
            for v in n.inputs:
                users.setdefault(v, []).append(n)
        return users

    # --- TF1 Graph surface --------------------------------------------------------------------
    def get_operations(self) -> list[Node]:
        """Top-level nodes in order (nested bodies are not included; see `walk`)."""
        return list(self.nodes)

    def walk(self) -> Iterator[Node]:
        """Every node, nested subgraph nodes included (pre-order, iterative: no recursion limit)."""
        stack: list[Iterator[Node]] = [iter(self.nodes)]
        while stack:
            for n in stack[-1]:
                yield n
                subs = [v for v in n.attrs.values() if isinstance(v, Graph)]
                if subs:
                    stack.append(iter([m for s in subs for m in s.nodes]))
                    break
            else:
                stack.pop()

    def node_count(self, nested: bool = True) -> int:
        if not nested:
            return len(self.nodes)
        return sum(1 for _ in self.walk())

    def get_operation_by_name(self, name: str) -> Node:
        for n in self.walk():
            if n.name == name:
                return n
        raise KeyError(f"no operation named {name!r} in the graph")

    def get_tensor_by_name(self, name: str) -> Value:
        op_name, _, idx = name.rpartition(":")
        if not op_name:
            raise KeyError(f"tensor names look like 'op_name:0', got {name!r}")
        return self.get_operation_by_name(op_name).outputs[int(idx)]

    def as_default(self) -> Any:
        from graphrnn.ir.builder import as_default
        return as_default(self)

    def name_scope(self, name: str | None) -> Any:
        from graphrnn.ir.builder import name_scope
        with self.as_default():
            return name_scope(name)

    # Collections (TF1): named lists of anything, kept in the build state. The semantics live in
    # graphrnn.ops.collections, which also holds GraphKeys.
    def get_collection(self, key: str, scope: str | None = None) -> list[Any]:
        """A copy of collection ``key``; with ``scope``, only the items whose ``name`` matches it
        from the start (a regular expression, as in TF1; items without a name are left out)."""
        from graphrnn.ops.collections import filter_by_scope
        return filter_by_scope(self.build.collections.get(key, []), scope)

    def get_collection_ref(self, key: str) -> list[Any]:
        """The collection itself (created empty if missing): changes to it change the graph's."""
        return self.build.collections.setdefault(key, [])

    def add_to_collection(self, key: str, value: Any) -> None:
        self.build.collections.setdefault(key, []).append(value)

    def add_to_collections(self, keys: Any, value: Any) -> None:
        from graphrnn.ops.collections import collection_keys
        for key in collection_keys(keys):
            self.add_to_collection(key, value)

    def clear_collection(self, key: str) -> None:
        self.build.collections.pop(key, None)

    def get_all_collection_keys(self) -> list[str]:
        return list(self.build.collections)

    @property
    def collections(self) -> list[str]:
        return list(self.build.collections)

    def device(self, device_name_or_function: Any) -> Any:
        """TF1's ``graph.device(...)``: records a device on the nodes created in the block."""
        from graphrnn.ir.device import device_scope
        return device_scope(self, device_name_or_function)

    def finalize(self) -> None:
        self.build.finalized = True

    def __str__(self) -> str:
        from graphrnn.ir.printer import format_graph
        return format_graph(self)

    def __repr__(self) -> str:
        return f"<gr.Graph {self.name!r} with {len(self.nodes)} nodes>"
