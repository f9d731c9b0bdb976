"""TF1's variable updates as functions: `assign`, `assign_add`, `assign_sub`.

``Assign`` (registered with the variables in `graphrnn.ops.state`) stores a value; ``AssignAdd``
and ``AssignSub`` read the variable's value *when they run* and store it plus/minus the delta, as
TF1's ref ops do: two ``v.assign_add(1)`` in one ``Session.run`` add 2. (Reading the variable
through its ``VariableV2`` node instead would read it once per run, so both would add 1 to the same
old value.) All three output the new value and take the variable's read as input 0 only to tie
the op to its variable in the graph (and for the shape rule); their kernels write through
`RunContext.write_variable`, so a failing run is undone.
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Value
from graphrnn.ir.registry import NON_DIFFERENTIABLE, STATEFUL, register
from graphrnn.ir.types import TensorType, format_shape
from graphrnn.ops.convert import convert_to_tensor


def _update_rule(types: Any, attrs: Any) -> tuple[TensorType, ...]:
    """``var op= delta``: the delta has the variable's dtype and exactly its shape (TF1 checks
    the shapes are equal at run time; where the static shapes already differ we say so now)."""
    var_t, delta_t = types
    if var_t.dtype is not delta_t.dtype:
        raise DTypeError(f"cannot update a {var_t.dtype.name} variable with a {delta_t.dtype.name} value",
                         fix="cast the value to the variable's dtype")
    if not var_t.is_compatible_with(delta_t):
        raise ShapeError(f"cannot update variable '{attrs['var_name']}' of shape {format_shape(var_t.shape)} "
                         f"with a value of shape {format_shape(delta_t.shape)}",
                         fix="give the value the variable's shape")
    return (var_t,)


register("AssignAdd", _update_rule, "var := var + delta, reading var when it runs; outputs the new value",
         traits=(STATEFUL, NON_DIFFERENTIABLE), num_inputs=2)
register("AssignSub", _update_rule, "var := var - delta, reading var when it runs; outputs the new value",
         traits=(STATEFUL, NON_DIFFERENTIABLE), num_inputs=2)


def as_variable(ref: Any, what: str) -> Any:
    """The `Variable` that ``ref`` names: a Variable, or the value its ``VariableV2`` node reads.

    Anything else (a computed tensor, a number) cannot be assigned to; TF1 fails with "requires an
    l-value input", graphrnn says which argument and what to pass.
    """
    from graphrnn.ops.state import Variable
    if isinstance(ref, Variable):
        return ref
    if isinstance(ref, Value) and ref.node is not None and ref.node.op == "VariableV2":
        got = ref.graph.build.variables.get(ref.node.attrs["var_name"])
        if got is not None:
            return got
    shown = ref.name if isinstance(ref, Value) else repr(ref)
    raise GraphError(f"{what} needs a variable to update, got {shown}",
                     source=builder.format_source(builder.source_location()),
                     fix="pass the gr.Variable itself (from gr.Variable(...) or gr.get_variable(...)), "
                         "not a tensor computed from it")


def _delta(var: Any, value: Any) -> Value:
    """``value`` as a tensor of ``var``'s dtype: Python numbers take the variable's dtype (as TF1
    converts them), tensors must already have it."""
    if isinstance(value, Value) or hasattr(value, "_as_graph_value"):
        return convert_to_tensor(value)
    return convert_to_tensor(value, var.dtype)


def assign(ref: Any, value: Any, validate_shape: Any = None, use_locking: Any = None,
           name: str | None = None) -> Value:
    """TF1 `tf.assign`: stores ``value`` in variable ``ref``; returns the new value.

    ``validate_shape=False`` (TF1: the variable takes the value's shape) is refused: a variable's
    shape is part of its static type here.
    """
    var = as_variable(ref, "assign")
    if validate_shape is False:
        v = _delta(var, value)
        if tuple(v.type.shape) != tuple(var.shape):
            raise ShapeError(f"assign(validate_shape=False) would change the shape of '{var.op.name}' from "
                             f"{format_shape(tuple(var.shape))} to {format_shape(v.type.shape)}",
                             source=builder.format_source(builder.source_location()),
                             fix="graphrnn variables keep their shape: create a new variable of the new shape")
    return builder.add_op("Assign", [var.value(), _delta(var, value)], {"var_name": var.op.name},
                          name=name or "Assign")


def assign_add(ref: Any, value: Any, use_locking: Any = None, name: str | None = None) -> Value:
    """TF1 `tf.assign_add`: ``ref += value`` when the op runs; returns the new value."""
    var = as_variable(ref, "assign_add")
    return builder.add_op("AssignAdd", [var.value(), _delta(var, value)], {"var_name": var.op.name},
                          name=name or "AssignAdd")


def assign_sub(ref: Any, value: Any, use_locking: Any = None, name: str | None = None) -> Value:
    """TF1 `tf.assign_sub`: ``ref -= value`` when the op runs; returns the new value."""
    var = as_variable(ref, "assign_sub")
    return builder.add_op("AssignSub", [var.value(), _delta(var, value)], {"var_name": var.op.name},
                          name=name or "AssignSub")


__all__ = ["assign", "assign_add", "assign_sub"]
