"""Placeholders, variables, variable scopes and grouping ops (TF1's `tf.Variable` world).

Variable nodes (`VariableV2`) always live in the top-level graph, even when `get_variable` is
called while a While body is being traced (a cell called inside `dynamic_rnn`): the body then
captures the variable's value like any other outer tensor. Values live in the Session, keyed by
the variable's full name, so TF1 weights load by name (`Variable.load`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.errors import DTypeError, GraphError, ScopeError, ShapeError
from graphrnn.ir.graph import Node, Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, STATEFUL, register
from graphrnn.ir.types import TensorShape, TensorType, as_shape, format_shape
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.initializers import GlorotUniform, Initializer, constant_initializer, derive_seed
from graphrnn.ops.rules import attr_type

register("Placeholder", attr_type, "a value fed at run time (feed_dict)",
         traits=(STATEFUL, NON_DIFFERENTIABLE), num_inputs=0)
register("VariableV2", attr_type, "reads the session's value of variable attr 'var_name'",
         traits=(STATEFUL,), num_inputs=0)


def _assign_rule(types: Any, attrs: Any) -> tuple[TensorType, ...]:
    var_t, val_t = types
    if var_t.dtype is not val_t.dtype:
        raise DTypeError(f"cannot assign a {val_t.dtype.name} value to a {var_t.dtype.name} variable",
                         fix="cast the value to the variable's dtype")
    if not var_t.is_compatible_with(val_t):
        raise ShapeError(f"cannot assign a value of shape {format_shape(val_t.shape)} to variable "
                         f"'{attrs['var_name']}' of shape {format_shape(var_t.shape)}")
    return (var_t,)


register("Assign", _assign_rule, "var := value; outputs the new value", traits=(STATEFUL, NON_DIFFERENTIABLE),
         num_inputs=2)
def _var_init_rule(types: Any, attrs: Any) -> tuple[TensorType, ...]:
    if len(types) > 1 or (types and not types[0].refines(attrs["type"])):
        raise ShapeError(f"a variable's initial value must have type {attrs['type']}, got {list(types)}")
    return ()


register("VarInit", _var_init_rule, "sets variable 'var_name' to its initializer's value, or to input 0",
         traits=(STATEFUL, NON_DIFFERENTIABLE))
register("NoOp", lambda types, attrs: (), "does nothing; groups control dependencies",
         traits=(STATEFUL, NON_DIFFERENTIABLE), num_inputs=0)

GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"
FEED_HINTS = "feed_hints"  # (value, advice): what the Session adds when it rejects a feed of value


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Value:
    """A value to feed. ``shape=None`` (TF1's default) gives a tensor of unknown rank: any array of
    the dtype can be fed, and ops that need a rank refuse it at build time (``set_shape`` fixes it)."""
    d = dtypes.as_dtype(dtype)
    shp = as_shape(shape, allow_unknown_rank=True)
    return builder.add_op("Placeholder", [], {"type": TensorType(d, shp)}, name=name or "Placeholder")


# --- variables ----------------------------------------------------------------------------------

class _AutoReuse:
    def __repr__(self) -> str:
        return "AUTO_REUSE"


AUTO_REUSE: Any = _AutoReuse()


@dataclass
class VariableScope:
    """A variable scope: its full name, reuse mode and default initializer/dtype."""

    name: str
    reuse: Any = None
    initializer: Initializer | None = None
    dtype: dtypes.DType | None = None
    original_name_scope: str = ""

    def reuse_variables(self) -> None:
        self.reuse = True

    def set_initializer(self, initializer: Initializer) -> None:
        self.initializer = initializer


def get_variable_scope() -> VariableScope:
    stack = builder.get_default_graph().build.var_scope
    return stack[-1] if stack else VariableScope("")


@contextlib.contextmanager
def variable_scope(name_or_scope: Any = None, default_name: str | None = None, values: Any = None,
                   initializer: Initializer | None = None, regularizer: Any = None, caching_device: Any = None,
                   partitioner: Any = None, custom_getter: Any = None, reuse: Any = None, dtype: Any = None,
                   use_resource: Any = None, constraint: Any = None,
                   auxiliary_name_scope: bool = True) -> Iterator[VariableScope]:
    """TF1 variable scope, with TF1's signature and argument order: prefixes variable names and
    opens a name scope of the same name.

    ``reuse=True`` requires the variables to exist; ``AUTO_REUSE`` creates or reuses; reuse is
    inherited by nested scopes (TF1 semantics: once reusing, always reusing inside). ``values``
    are checked as TF1 does (tensors of the default graph). ``caching_device`` and
    ``use_resource`` change nothing here (one device, one kind of variable); a ``regularizer``,
    ``partitioner``, ``custom_getter`` or ``constraint`` would change the variables, and graphrnn
    does not support them: passing one is an error rather than silently ignored.
    """
    for arg, what, instead in ((regularizer, "regularizer", "add the penalty to the loss yourself, e.g. "
                                "loss + scale * gr.add_n([gr.nn.l2_loss(v) for v in gr.trainable_variables()])"),
                               (partitioner, "partitioner", "create unpartitioned variables"),
                               (custom_getter, "custom_getter", "wrap gr.get_variable in your own function"),
                               (constraint, "constraint", "apply the projection after each training step")):
        if arg is not None:
            raise ScopeError(f"variable_scope's {what} is not supported by graphrnn",
                             source=builder.format_source(builder.source_location()), fix=instead)
    g = builder.scope_values_graph(values, "variable_scope")
    if g is not None and g is not builder.get_default_graph():
        with builder.as_default(g), variable_scope(name_or_scope, default_name, None, initializer, reuse=reuse,
                                                   dtype=dtype, auxiliary_name_scope=auxiliary_name_scope) as vs:
            yield vs
        return
    b = builder.get_default_graph().build
    parent = get_variable_scope()
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        base = full.rsplit("/", 1)[-1]
        scope_reuse = name_or_scope.reuse if reuse is None else reuse
        init = initializer or name_or_scope.initializer
        dt = dtypes.as_dtype(dtype) if dtype is not None else name_or_scope.dtype
    else:
        base = name_or_scope if name_or_scope is not None else default_name
        if base is None:
            raise ScopeError("variable_scope needs a name or a default_name")
        if name_or_scope is None:
            # default_name is uniquified like a name scope (TF1: 'rnn', then 'rnn_1').
            taken = {v.rsplit("/", 1)[0] for v in b.variables}
            cand, k = base, 0
            pfx = parent.name + "/" if parent.name else ""
            while any(t == pfx + cand or t.startswith(pfx + cand + "/") for t in taken):
                k += 1
                cand = f"{base}_{k}"
            base = cand
        full = f"{parent.name}/{base}" if parent.name else base
        scope_reuse = reuse
        init = initializer or parent.initializer
        dt = dtypes.as_dtype(dtype) if dtype is not None else parent.dtype
    if parent.reuse is True and scope_reuse is not AUTO_REUSE:
        scope_reuse = True
    if scope_reuse is None:
        scope_reuse = parent.reuse if parent.reuse is AUTO_REUSE else None
    scope = VariableScope(full, scope_reuse, init, dt)
    b.var_scope.append(scope)
    try:
        if auxiliary_name_scope:
            with builder.name_scope(base) as ns:
                scope.original_name_scope = ns
                yield scope
        else:
            yield scope
    finally:
        b.var_scope.pop()


# TF1's other Variable arguments: accepted where graphrnn's behaviour is TF1's anyway (placement
# and caching hints; validate_shape=True, the only shape mode graphrnn has), refused where not.
_TF1_VARIABLE_OPTIONS_IGNORED = {"caching_device", "use_resource", "synchronization", "aggregation", "import_scope",
                                 "expected_shape", "variable_def"}


def _check_tf1_variable_options(options: dict[str, Any]) -> None:
    src = builder.format_source(builder.source_location())
    for key, value in options.items():
        if key in _TF1_VARIABLE_OPTIONS_IGNORED:
            if key == "variable_def" and value is not None:
                raise GraphError("Variable(variable_def=...) is not supported (graphrnn has no VariableDef protos)",
                                 source=src, fix="create the variable from its initial value")
            continue
        if key == "validate_shape":
            if value is False:
                raise ShapeError("Variable(validate_shape=False) is not supported: graphrnn variables keep a "
                                 "fully known shape", source=src,
                                 fix="give the initial value a fully known shape and drop validate_shape")
            continue
        if key == "collections":
            if value is not None and (isinstance(value, str) or not all(isinstance(k, str) for k in value)):
                raise GraphError(f"Variable(collections=...) must be a list of collection names, got {value!r}",
                                 source=src, fix="e.g. collections=[gr.GraphKeys.GLOBAL_VARIABLES, 'my_vars']")
            continue
        if key == "constraint":
            if value is not None:
                raise GraphError("Variable(constraint=...) is not supported", source=src,
                                 fix="apply the constraint with an explicit assign after each training step")
            continue
        raise GraphError(f"Variable() got an unexpected keyword argument '{key}'", source=src,
                         fix="TF1's Variable takes initial_value, trainable, name, dtype, shape, validate_shape, ...")


class Variable:
    """A TF1 variable: a named, session-held array read by a `VariableV2` node.

    Converts to a tensor wherever one is expected (``_as_graph_value``), so ``x @ var`` works.
    """

    def __init__(self, initial_value: Any = None, trainable: bool = True, name: str | None = None,
                 dtype: Any = None, shape: Any = None, *, _initializer: Initializer | None = None,
                 _full_name: str | None = None, _seed: int | None = None, **tf1_options: Any) -> None:
        _check_tf1_variable_options(tf1_options)
        self._build(initial_value, trainable, name, dtype, shape, _initializer, _full_name, _seed)
        collections = tf1_options.get("collections")
        if collections is not None:  # TF1: these instead of [GLOBAL_VARIABLES] (+ TRAINABLE_VARIABLES if trainable)
            store = self.graph.build.collections
            if GLOBAL_VARIABLES not in collections:
                store[GLOBAL_VARIABLES] = [v for v in store.get(GLOBAL_VARIABLES, []) if v is not self]
            for key in dict.fromkeys(collections):
                if key != GLOBAL_VARIABLES:
                    self.graph.add_to_collection(key, self)

    def _build(self, initial_value: Any, trainable: bool, name: str | None, dtype: Any, shape: Any,
               _initializer: Initializer | None, _full_name: str | None, _seed: int | None) -> None:
        g = builder.get_default_graph()
        b = g.build
        if _initializer is None:
            if initial_value is None:
                raise GraphError("Variable needs an initial_value")
            if isinstance(initial_value, (Value, Variable)):
                init_value = convert_to_tensor(initial_value, dtype)
                if any(d is None for d in init_value.type.shape):
                    raise ShapeError(f"a variable's initial value needs a fully known shape, got "
                                     f"{format_shape(init_value.type.shape)}")
                self._init_from(g, init_value, trainable, name)
                return
            arr = np.asarray(initial_value)
            d = dtypes.as_dtype(dtype) if dtype is not None else (
                dtypes.float32 if arr.dtype == np.float64 and not isinstance(initial_value, np.ndarray)
                else dtypes.as_dtype(arr.dtype))
            arr = arr.astype(d.np)
            _initializer = constant_initializer(arr if arr.ndim else arr.item())
            shape = arr.shape
            dtype = d
        d = dtypes.as_dtype(dtype if dtype is not None else dtypes.float32)
        shp = as_shape(shape)
        if any(s is None for s in shp):
            raise ShapeError(f"variable shape must be fully defined, got {format_shape(shp)}")
        if _full_name is None:
            _full_name = b.unique_name(name or "Variable")
        self._name = _full_name
        self.trainable = trainable
        self.initializer_desc = _initializer
        seed = derive_seed(g.seed, _seed if _seed is not None else getattr(_initializer, "seed", None),
                           _full_name)
        t = TensorType(d, shp)
        attrs = {"type": t, "var_name": _full_name, "trainable": bool(trainable)}
        # A trailing '/' names the node exactly (the name is unique: get_variable checked it).
        self._node: Node = builder.add_node("VariableV2", [], attrs, name=_full_name + "/", graph=g)
        self.initializer: Node = builder.add_node(
            "VarInit", [], {"var_name": _full_name, "type": t, "initializer": _initializer, "seed": seed},
            name=_full_name + "/Initializer/", graph=g)
        self.source = self._node.source
        b.variables[_full_name] = self
        g.add_to_collection(GLOBAL_VARIABLES, self)
        if trainable:
            g.add_to_collection(TRAINABLE_VARIABLES, self)

    def _init_from(self, g: Any, value: Value, trainable: bool, name: str | None) -> None:
        """A variable whose initializer is a tensor (TF1's ``Variable(tf.random_normal(...))``)."""
        b = g.build
        self._name = b.unique_name(name or "Variable")
        self.trainable = trainable
        self.initializer_desc = None
        t = value.type
        self._node = builder.add_node("VariableV2", [], {"type": t, "var_name": self._name,
                                                         "trainable": bool(trainable)}, name=self._name + "/")
        self.initializer = builder.add_node(
            "VarInit", [value], {"var_name": self._name, "type": t, "initializer": None, "seed": 0},
            name=self._name + "/Assign/")
        self.source = self._node.source
        b.variables[self._name] = self
        g.add_to_collection(GLOBAL_VARIABLES, self)
        if trainable:
            g.add_to_collection(TRAINABLE_VARIABLES, self)

    @classmethod
    def _adopt(cls, node: Node, initializer: Node | None | bool = True) -> Variable:
        """Wraps an existing `VariableV2` node (e.g. of a graph loaded from JSON) as a Variable.

        ``initializer`` is its `VarInit` node (None: it has none); True searches the graph for it,
        which is linear per variable, so loaders that wrap many variables pass it.
        """
        self = cls.__new__(cls)
        g = node.graph
        self._name = node.attrs["var_name"]
        self._node = node
        self.trainable = bool(node.attrs.get("trainable", True))
        if initializer is True:
            initializer = next((n for n in g.nodes if n.op == "VarInit" and n.attrs["var_name"] == self._name),
                               None)
        init = [initializer] if isinstance(initializer, Node) else []
        self.initializer = init[0] if init else None  # type: ignore[assignment]
        self.initializer_desc = init[0].attrs["initializer"] if init else None
        self.source = node.source
        g.build.variables[self._name] = self
        g.add_to_collection(GLOBAL_VARIABLES, self)
        if self.trainable:
            g.add_to_collection(TRAINABLE_VARIABLES, self)
        return self

    # TF1 surface
    @property
    def name(self) -> str:
        return self._name + ":0"

    @property
    def op(self) -> Node:
        return self._node

    @property
    def graph(self) -> Any:
        return self._node.graph

    @property
    def dtype(self) -> dtypes.DType:
        return self._node.outputs[0].dtype

    @property
    def shape(self) -> TensorShape:
        return self._node.outputs[0].shape

    def get_shape(self) -> TensorShape:
        return self.shape

    def value(self) -> Value:
        return self._node.outputs[0]

    def read_value(self) -> Value:
        return self._node.outputs[0]

    def _as_graph_value(self) -> Value:
        return self._node.outputs[0]

    def assign(self, value: Any, name: str | None = None) -> Value:
        v = convert_to_tensor(value, self.dtype)
        return builder.add_op("Assign", [self.value(), v], {"var_name": self._name}, name=name or "Assign")

    def assign_add(self, delta: Any, use_locking: Any = None, name: str | None = None) -> Value:
        from graphrnn.ops.assign import assign_add
        return assign_add(self, delta, name=name)

    def assign_sub(self, delta: Any, use_locking: Any = None, name: str | None = None) -> Value:
        from graphrnn.ops.assign import assign_sub
        return assign_sub(self, delta, name=name)

    def load(self, value: Any, session: Any = None) -> None:
        from graphrnn.session import get_default_session
        (session or get_default_session()).load_variable(self, value)

    def eval(self, session: Any = None) -> Any:
        from graphrnn.session import get_default_session
        return (session or get_default_session()).run(self.value())

    def __repr__(self) -> str:
        return f"<gr.Variable '{self.name}' shape={tuple(self.shape)} dtype={self.dtype.name}>"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Any = None, trainable: bool = True, collections: Any = None,
                 **unused: Any) -> Variable:
    """TF1 `get_variable`: creates ``<scope>/<name>`` or, under reuse, returns the existing one."""
    g = builder.get_default_graph()
    b = g.build
    scope = get_variable_scope()
    full = f"{scope.name}/{name}" if scope.name else name
    existing = b.variables.get(full)
    src = builder.format_source(builder.source_location())
    if existing is not None:
        if scope.reuse is None or scope.reuse is False:
            raise ScopeError(
                f"variable '{full}' already exists (created at {builder.format_source(existing.source)}); "
                f"creating it again here is disallowed",
                source=src,
                fix="pass reuse=True (or gr.AUTO_REUSE) to the enclosing variable_scope to share it, "
                    "or give the second cell/layer its own scope (scope='...') to get new weights",
            )
        if shape is not None and tuple(as_shape(shape)) != tuple(existing.shape):
            raise ShapeError(f"variable '{full}' has shape {tuple(existing.shape)}, reuse asked for "
                             f"{tuple(as_shape(shape))}", source=src)
        return existing
    if scope.reuse is True:
        raise ScopeError(f"variable '{full}' does not exist, and the scope has reuse=True", source=src,
                         fix="create it first, or use reuse=gr.AUTO_REUSE")
    if shape is None:
        raise ShapeError(f"get_variable('{full}') needs a shape", source=src)
    d = dtypes.as_dtype(dtype if dtype is not None else (scope.dtype or dtypes.float32))
    init = initializer if initializer is not None else scope.initializer
    if init is None:
        init = GlorotUniform()
    if not isinstance(init, Initializer):
        if callable(init) and not isinstance(init, (np.ndarray, int, float)):
            init = init()  # e.g. gr.zeros_initializer passed without calling it
        else:
            init = constant_initializer(init)
    if not isinstance(init, Initializer):
        raise GraphError(f"unsupported initializer {initializer!r} for '{full}'")
    with builder.name_scope(None):
        return Variable(None, trainable=trainable, dtype=d, shape=shape, _initializer=init, _full_name=full)


def global_variables(graph: Any = None) -> list[Variable]:
    return (graph or builder.get_default_graph()).get_collection(GLOBAL_VARIABLES)


def trainable_variables(graph: Any = None) -> list[Variable]:
    return (graph or builder.get_default_graph()).get_collection(TRAINABLE_VARIABLES)


def no_op(name: str | None = None) -> Node:
    return builder.add_node("NoOp", [], {}, name=name or "NoOp")


def group(*inputs: Any, name: str | None = None) -> Node:
    """A NoOp that runs after all ``inputs`` (ops or tensors)."""
    flat: list[Any] = []
    for i in inputs:
        flat.extend(i if isinstance(i, (list, tuple)) else [i])
    with builder.control_dependencies(flat):
        return no_op(name or "group_deps")


def variables_initializer(var_list: list[Variable], name: str = "init") -> Node:
    for v in var_list:  # collections can hold anything (gr.add_to_collection): say which item is wrong
        if not isinstance(v, Variable):
            raise GraphError(f"cannot initialize {v!r}: it is not a variable", source=builder.format_source(
                builder.source_location()), fix="only gr.Variable objects belong in var_list and in the "
                                                "variables/trainable_variables collections")
    with builder.control_dependencies([v.initializer for v in var_list]):
        return builder.add_node("NoOp", [], {}, name=name)


def global_variables_initializer() -> Node:
    return variables_initializer(global_variables(), name="init")


def set_random_seed(seed: int) -> None:
    builder.get_default_graph().seed = int(seed)
