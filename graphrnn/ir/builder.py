"""Building graphs: the default graph, name scopes, control dependencies, captures, node creation.

`add_node` is the one way user-facing constructors create nodes. It
- converts inputs that belong to an enclosing graph into explicit captures of the subgraph being
  traced (so While/If bodies are closed),
- runs the op's shape rule and turns its error into one that names the node and the user's line,
- gives the node a unique TF-style name under the current name scope,
- records the user's source line (the first stack frame outside the graphrnn package).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from graphrnn.ir.errors import GraphError, ScopeError, ShapeError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import check_signature, get_opdef
from graphrnn.ir.types import TensorType

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BuildState:
    """Mutable state used while building a top-level graph (shared by its subgraphs)."""

    def __init__(self, root: Graph) -> None:
        self.root = root
        self.name_counts: dict[str, int] = {}
        self.scope: list[str] = []              # name-scope prefix parts, each ending without '/'
        self.var_scope: list[Any] = []          # graphrnn.ops.state.VariableScope stack
        self.variables: dict[str, Any] = {}     # full name -> Variable
        self.collections: dict[str, list[Any]] = {}
        self.trace: list[Graph] = []            # subgraphs being traced, innermost last
        self.control: list[tuple[Node, ...]] = []
        self.device_stack: list[Any] = []          # graphrnn.ir.device scopes, innermost last
        self.finalized = False
        self.op_seed_counter = 0
        self.warned: set[str] = set()

    def unique_name(self, base: str, scoped: bool = True) -> str:
        """TF1 naming: 'scope/base', then 'scope/base_1', ... (unique across the whole root graph).

        A name ending in '/' (a name scope string) is used exactly, without the slash, as in TF1.
        """
        if base.endswith("/"):
            self.name_counts.setdefault(base[:-1], 1)
            return base[:-1]
        full = "/".join([*self.scope, base]) if scoped and self.scope else base
        n = self.name_counts.get(full)
        if n is None:
            self.name_counts[full] = 1
            return full
        while True:
            cand = f"{full}_{n}"
            n += 1
            if cand not in self.name_counts:
                self.name_counts[full] = n
                self.name_counts[cand] = 1
                return cand

    def reserve(self, name: str) -> None:
        self.name_counts.setdefault(name, 1)


class _DefaultGraphStack(threading.local):
    def __init__(self) -> None:
        self.stack: list[Graph] = []
        self.global_default: Graph | None = None


_DEFAULT = _DefaultGraphStack()


def get_default_graph() -> Graph:
    if _DEFAULT.stack:
        return _DEFAULT.stack[-1]
    if _DEFAULT.global_default is None:
        _DEFAULT.global_default = Graph()
    return _DEFAULT.global_default


def reset_default_graph() -> None:
    if _DEFAULT.stack:
        raise GraphError("reset_default_graph() called inside a `with graph.as_default()` block",
                         fix="call it outside any graph context")
    _DEFAULT.global_default = Graph()


@contextlib.contextmanager
def as_default(graph: Graph) -> Iterator[Graph]:
    if graph.parent is not None:
        raise GraphError("only a top-level graph can be made the default graph")
    _DEFAULT.stack.append(graph)
    try:
        yield graph
    finally:
        _DEFAULT.stack.pop()


def current_graph() -> Graph:
    """The graph new nodes go into: the innermost subgraph being traced, else the default graph."""
    g = get_default_graph()
    b = g.build
    return b.trace[-1] if b.trace else g


@contextlib.contextmanager
def tracing(sub: Graph) -> Iterator[Graph]:
    """Makes ``sub`` (a subgraph of the current graph) the target of new nodes."""
    b = sub.root.build
    b.trace.append(sub)
    saved_control = b.control
    b.control = []  # control deps do not cross into bodies; they would make them non-closed
    try:
        yield sub
    finally:
        b.trace.pop()
        b.control = saved_control


@contextlib.contextmanager
def name_scope(name: str | None, default_name: str | None = None, values: Any = None) -> Iterator[str]:
    """TF1 name scope (``tf.name_scope(name, default_name=None, values=None)``). A name ending in
    '/' re-enters that exact scope; ``name`` None uses ``default_name`` (made unique); both None
    resets to the root. ``values`` are the tensors the ops in the scope will read: as in TF1 the
    scope opens in their graph (`scope_values_graph`), and giving them without any name is an error.

    Yields the scope string with a trailing '/', as TF1 does.
    """
    if name is None and default_name is None and values is not None:
        raise ScopeError("name_scope needs a name or a default_name when values are given",
                         source=format_source(source_location()),
                         fix="write gr.name_scope(name, 'default', [tensors])")
    if name is not None and not isinstance(name, str):
        raise ScopeError(f"a name scope must be a string, got {name!r}", source=format_source(source_location()))
    if default_name is not None and not isinstance(default_name, str):
        raise ScopeError(f"name_scope's default_name must be a string, got {default_name!r}",
                         source=format_source(source_location()))
    with _in_graph_of(values, "name_scope"):
        with _name_scope(name, default_name) as scope:
            yield scope


@contextlib.contextmanager
def _name_scope(name: str | None, default_name: str | None) -> Iterator[str]:
    b = get_default_graph().build
    saved = b.scope
    if name is None and default_name is None:
        b.scope = []
        try:
            yield ""
        finally:
            b.scope = saved
        return
    name = name if name is not None else default_name
    assert name is not None
    if name == "":
        b.scope = []
    elif name.endswith("/"):
        b.scope = [p for p in name[:-1].split("/") if p]
    else:
        unique = b.unique_name(name)
        b.scope = unique.split("/")
    try:
        yield "/".join(b.scope) + "/" if b.scope else ""
    finally:
        b.scope = saved


def scope_values_graph(values: Any, what: str) -> Graph | None:
    """The graph of TF1's ``values`` argument of the scopes (tensors or variables), or None when
    they hold no tensor. As in TF1, the scope is opened in that graph (made the default for its
    duration), and tensors from two different graphs are an error."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") or isinstance(values, Value):
        raise ScopeError(f"{what}'s values must be a list of tensors, got {values!r}",
                         source=format_source(source_location()), fix="pass values=[x, y]")
    found: Graph | None = None
    for v in values:
        conv = getattr(v, "_as_graph_value", None)
        if conv is not None:  # a Variable: its read value
            v = conv()
        if not isinstance(v, Value):
            continue
        if found is not None and v.graph.root is not found:
            raise ScopeError(f"{what}'s values come from different graphs ('{v.name}' is in another graph)",
                             source=format_source(source_location()),
                             fix="pass tensors of one graph")
        found = v.graph.root
    return found


@contextlib.contextmanager
def _in_graph_of(values: Any, what: str) -> Iterator[None]:
    """Makes the graph of the scope's ``values`` the default graph while the scope is open."""
    g = scope_values_graph(values, what)
    if g is None or g is get_default_graph():
        yield
        return
    with as_default(g):
        yield


def current_scope() -> str:
    s = get_default_graph().build.scope
    return "/".join(s) + "/" if s else ""


@contextlib.contextmanager
def control_dependencies(ops: Sequence[Any] | None) -> Iterator[None]:
    b = get_default_graph().build
    saved = b.control
    if ops is None:
        b.control = []
    else:
        nodes = []
        for o in ops:
            if isinstance(o, Node):
                n = o
            elif isinstance(o, Value):
                n = o.node
            else:  # a Variable or another object with an `op` property
                n = getattr(o, "op", None)
            if not isinstance(n, Node):
                raise GraphError(f"control_dependencies expects ops or tensors, got {o!r}")
            nodes.append(n)
        b.control = [*saved, tuple(nodes)]
    try:
        yield
    finally:
        b.control = saved


_INTERNAL_CODE: dict[Any, bool] = {}


def _is_internal(code: Any) -> bool:
    fn = code.co_filename
    internal = fn.startswith(_PKG_DIR) and "/graphrnn/testing/" not in fn
    _INTERNAL_CODE[code] = internal
    return internal


def source_location() -> tuple[str, int] | None:
    """The first caller frame outside the graphrnn package (the user's line that built a node).

    Whether a code object is ours is cached per code object: this runs once per node built.
    """
    f = sys._getframe(1)
    cache = _INTERNAL_CODE
    while f is not None:
        code = f.f_code
        internal = cache.get(code)
        if internal is None:
            internal = _is_internal(code)
        if not internal:
            return (code.co_filename, f.f_lineno)
        f = f.f_back
    return None


def format_source(src: tuple[str, int] | None) -> str | None:
    return None if src is None else f"{src[0]}:{src[1]}"


def capture(value: Value, graph: Graph) -> Value:
    """Returns the value to use inside ``graph`` for ``value`` (a param if ``value`` is outer).

    Captures are transitive: a value two levels out becomes a capture of each enclosing subgraph.
    """
    if value.graph is graph:
        return value
    if not value.graph.is_ancestor_of(graph):
        raise GraphError(
            f"tensor '{value.name}' belongs to another graph than the one being built",
            fix="create all tensors of a computation inside the same `with graph.as_default():` block",
        )
    key = id(value)
    got = graph._capture_index.get(key)
    if got is not None:
        return got
    # The subgraphs between value's graph and ``graph``, outermost first: a loop (not recursion
    # per level), so values captured through hundreds of nested bodies stay within the stack.
    chain: list[Graph] = []
    g: Graph | None = graph
    while g is not value.graph:
        assert g is not None  # value.graph is an ancestor of graph
        chain.append(g)
        g = g.parent
    outer = value
    for sub in reversed(chain):
        inner = sub._capture_index.get(key)
        if inner is None:
            inner = sub.add_param(value.type, name=f"capture_{len(sub.captures)}")
            sub.captures.append(outer)
            sub._capture_index[key] = inner
            # Keep the outer value alive while tracing, so id() stays unique.
            sub._capture_index[id(outer)] = inner
        outer = inner
    return outer


def seal_captures(subs: Sequence[Graph], lead: int) -> list[Value]:
    """Closes subgraphs traced together (a While's cond and body, an If's branches).

    Gives them one shared capture list, the union of their captures in first-seen order, as params
    after their first ``lead`` params (adding params a subgraph does not use), so all of them take
    the same signature; returns that list (the owner node's capture inputs).
    """
    union: list[Value] = []
    seen: set[int] = set()
    for s in subs:
        for c in s.captures:
            if id(c) not in seen:
                seen.add(id(c))
                union.append(c)
    for s in subs:
        mine = {id(c): s._capture_index[id(c)] for c in s.captures}
        params = s.params[:lead]
        for c in union:
            p = mine.get(id(c))
            params.append(p if p is not None else Value(None, 0, c.type, s, param_name=""))
        for i, p in enumerate(params):
            p.index = i
            if i >= lead:
                p.param_name = f"{s.name}_capture_{i - lead}"
        s.params = params
        s.captures = []
        s._capture_index = {}
    return union


def add_node(op: str, inputs: Sequence[Value], attrs: dict[str, Any] | None = None,
             name: str | None = None, *, graph: Graph | None = None,
             output_types: Sequence[TensorType] | None = None, scoped: bool = True) -> Node:
    """Creates a node of ``op`` in the current graph (or ``graph``) and returns it."""
    g = graph if graph is not None else current_graph()
    b = g.build
    if b.finalized:
        raise GraphError("the graph is finalized and cannot be modified",
                         fix="build all ops before creating the Session, or use a new graph")
    attrs = attrs or {}
    ins: list[Value] = []
    for v in inputs:
        if not isinstance(v, Value):
            raise GraphError(f"input to {op} is not a tensor: {v!r}")
        ins.append(v if v.graph is g else capture(v, g))
    src = source_location()
    opdef = get_opdef(op)
    # Before the shape rule: a rule indexing a missing attr or input would fail with a raw error.
    check_signature(opdef, len(ins), attrs, node="/".join([*b.scope, name or op]), source=format_source(src))
    if output_types is None:
        try:
            out_types = opdef.infer([v.type for v in ins], attrs)
        except GraphError as e:
            raise e.attach(op=op, node="/".join([*b.scope, name or op]),
                           shapes=", ".join(repr(v.type) for v in ins),
                           source=format_source(src)) from None
        except (TypeError, IndexError) as e:
            # A rule written for known ranks met an input of unknown rank (rank None in arithmetic).
            if all(v.type.has_rank for v in ins):
                raise
            raise ShapeError(f"{op} needs the rank of its inputs, and one has an unknown rank ({e})",
                             op=op, node="/".join([*b.scope, name or op]),
                             shapes=", ".join(repr(v.type) for v in ins), source=format_source(src),
                             fix="give the tensor a rank: declare the placeholder with a shape, call "
                                 "t.set_shape([...]), or gr.reshape it to a known shape") from None
    else:
        out_types = tuple(output_types)
    node_name = b.unique_name(name or op, scoped=scoped)
    control = tuple(n for group in b.control for n in group if n.graph is g) if b.control else ()
    node = Node(op, node_name, tuple(ins), attrs, tuple(out_types), g, src, control)
    if b.device_stack:
        from graphrnn.ir.device import assign_device
        assign_device(node, b.device_stack)
    g.nodes.append(node)
    return node


def add_op(op: str, inputs: Sequence[Value], attrs: dict[str, Any] | None = None,
           name: str | None = None) -> Value:
    """`add_node` for single-output ops: returns the output value."""
    return add_node(op, inputs, attrs, name).outputs[0]
