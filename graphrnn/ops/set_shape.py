"""``Tensor.set_shape`` and ``tf.ensure_shape``: telling the graph a static shape it could not infer.

TF1's ``t.set_shape(shape)`` merges ``shape`` into ``t``'s static shape (a `ShapeError` if they
conflict) and adds no op; ops built afterwards see the refined shape. graphrnn keeps its IR
invariant that every value's type is what its op's shape rule computes, so it does that in one of
two ways:

- ``t`` is a placeholder: the placeholder's declared type is refined in place and the static types
  of the ops already built on it are re-inferred (they only become more specific; if one of them now
  conflicts, e.g. ``x + y`` with ``x`` set to ``[?, 4]`` and ``y`` of shape ``[?, 5]``, that is a
  `ShapeError` naming it, and nothing changes). Feeds are then checked against the refined shape.
- any other tensor: ``t`` becomes the output of an ``EnsureShape`` node that reads the original
  value; ops built earlier keep reading the original (as in TF1, their static shapes do not
  change), ops built later read ``t``. ``EnsureShape`` checks at run time that the value has the
  promised shape (TF1 does not check; a broken promise would let passes that trust static shapes
  compute wrong values silently), and its gradient is the identity.

``gr.ensure_shape(t, shape)`` (TF 1.15's ``tf.ensure_shape``) is that node as a function: a new
tensor, ``t`` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError, ShapeError
from graphrnn.ir.graph import Graph, Node, Value
from graphrnn.ir.registry import PURE, get_opdef, register
from graphrnn.ir.types import UNKNOWN_RANK, TensorType, as_shape, format_shape, merge_shapes
from graphrnn.ops.convert import convert_to_tensor


def _ensure_shape_rule(types: Sequence[TensorType], attrs: Any) -> tuple[TensorType, ...]:
    t = types[0]
    want = attrs["shape"]
    want = UNKNOWN_RANK if want is None else tuple(want)
    return (TensorType(t.dtype, merge_shapes(t.shape, want)),)


register("EnsureShape", _ensure_shape_rule,
         "its input, whose shape is checked at run time against attr 'shape' (None dims match any size)",
         traits=(PURE,), num_inputs=1)


def _where() -> str | None:
    return builder.format_source(builder.source_location())


def _merged(t: Value, shape: Any) -> Any:
    """``t``'s static shape merged with ``shape``; a ShapeError naming both if they conflict."""
    user = as_shape(shape, allow_unknown_rank=True)
    try:
        return merge_shapes(t.type.shape, user)
    except ShapeError:
        raise ShapeError(f"set_shape: shapes {format_shape(t.type.shape)} (of '{t.name}') and {format_shape(user)} "
                         "are not compatible", source=_where(),
                         fix="the new shape must agree with every dim already known") from None


def ensure_shape(x: Any, shape: Any, name: str | None = None) -> Value:
    """TF1 `tf.ensure_shape`: ``x`` with static shape ``shape`` merged in, checked at run time."""
    t = convert_to_tensor(x)
    merged = _merged(t, shape)
    attr = None if merged is UNKNOWN_RANK else tuple(merged)
    return builder.add_op("EnsureShape", [t], {"shape": attr}, name=name or "EnsureShape")


def set_shape(t: Value, shape: Any) -> None:
    """TF1 `Tensor.set_shape` (see the module docstring)."""
    merged = _merged(t, shape)
    if merged == t.type.shape:
        return
    if t.node is not None and t.node.op == "Placeholder":
        _refine_placeholder(t.node, TensorType(t.dtype, merged))
    else:
        _rewire_through_ensure_shape(t, merged)


# --- placeholders: refine in place ----------------------------------------------------------------

def _refine_placeholder(node: Node, new_type: TensorType) -> None:
    """Sets the placeholder's type and re-infers the types of the nodes after it in its graph;
    all or nothing (a conflict raises before anything changes)."""
    g = node.graph
    new_types: dict[int, TensorType] = {id(node.outputs[0]): new_type}
    retyped: list[tuple[Node, tuple[TensorType, ...]]] = []
    start = g.nodes.index(node)
    for n in g.nodes[start + 1:]:
        if not any(id(v) in new_types for v in n.inputs):
            continue
        ins = [new_types.get(id(v), v.type) for v in n.inputs]
        try:
            outs = tuple(get_opdef(n.op).infer(ins, n.attrs))
        except GraphError as e:
            raise ShapeError(f"set_shape({format_shape(new_type.shape)}) on '{node.name}' conflicts with op "
                             f"{n.op} '{n.name}' built on it: {e.message}", op=n.op, node=n.name,
                             source=builder.format_source(n.source),
                             fix="set the shape before building ops on the placeholder, or fix the shape") from None
        if outs != tuple(v.type for v in n.outputs):
            retyped.append((n, outs))
            for v, t in zip(n.outputs, outs):
                new_types[id(v)] = t
    node.attrs = {**node.attrs, "type": new_type}  # a new dict: cached plans see the node changed
    node.outputs[0].type = new_type
    for n, outs in retyped:
        for v, t in zip(n.outputs, outs):
            v.type = t
    g.root.version += 1


# --- other values: rewire through EnsureShape -------------------------------------------------------

def _tracing_target(g: Graph) -> bool:
    """True when new nodes may be added to ``g``: a top-level graph, or a body being traced."""
    return g.parent is None or g in g.root.build.trace


def _rewire_through_ensure_shape(t: Value, merged: Any) -> None:
    """Makes the Python object ``t`` the output of a new EnsureShape node reading ``t``'s old value;
    the consumers already built (and the graph's results) keep reading the old value."""
    g = t.graph
    if not _tracing_target(g):
        raise GraphError(f"set_shape on '{t.name}': its loop or cond body is already built", source=_where(),
                         fix="call set_shape inside the body function, or use gr.ensure_shape on the result")
    old = Value(t.node, t.index, t.type, g, t.param_name)
    if t.node is None:
        g.params[t.index] = old
    else:
        t.node.outputs = tuple(old if v is t else v for v in t.node.outputs)
    for n in g.nodes:
        if any(v is t for v in n.inputs):
            n.inputs = tuple(old if v is t else v for v in n.inputs)
    g.results = [old if v is t else v for v in g.results]
    attr = None if merged is UNKNOWN_RANK else tuple(merged)
    with builder.control_dependencies(None):
        ensure = builder.add_node("EnsureShape", [old], {"shape": attr}, name="EnsureShape", graph=g)
    fresh = ensure.outputs[0]
    t.node, t.index, t.type, t.param_name = ensure, 0, fresh.type, None
    ensure.outputs = (t,)
    g.root.version += 1
