"""The TF1 `Optimizer` protocol: `compute_gradients`, `apply_gradients`, `minimize`, slots.

Updates are functional: each step reads every variable once (its `VariableV2` node), computes the
new values in the order TF1's fused kernels (training_ops.cc) compute them, and `Assign`s them; the
training op groups those assigns, so ``sess.run(train_op)`` updates the session's variables.

What TF1 does and graphrnn does too:
- Hyperparameters become tensors once per `apply_gradients`, in `_prepare`, as TF1's
  ``convert_to_tensor`` makes them (a Python float is a float32 tensor), and each update casts them
  to the variable's dtype. So a float64 model trains with ``float64(float32(0.1))``, bit for bit
  TF1's numbers.
- Slot variables are non-trainable variables named ``<variable scope>/<var>/<Optimizer>`` (then
  ``_1``, ``_2``...), e.g. ``Model/Model/w/Adam`` inside ``variable_scope("Model")``; they are
  created outside any control-dependency block, under the current name scope.
- Non-slot variables (Adam's ``beta1_power``) are created from the hyperparameter itself, under the
  current name scope: from a Python float they are float32 even in a float64 model.
- With ``global_step`` the training op is the ``AssignAdd`` that increments it (named like the
  optimizer's scope), run after a group of the updates named ``<scope>/update``; without it, the
  group itself. The training op is added to the ``train_op`` collection.

Where TF1 fails late or not at all, graphrnn fails while building, with a `GraphError` naming the
argument: a learning rate (or other hyperparameter) that is None, a string, a bool, NaN or
infinite, or a tensor that is not a real scalar; a loss that is not a float tensor; gradients of
the wrong dtype. Negative learning rates are accepted, as in TF1 (they ascend the loss).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from graphrnn.autodiff.gradients import gradients
from graphrnn.ir import builder
from graphrnn.ir.errors import DTypeError, GraphError, ShapeError
from graphrnn.ir.graph import Node, Value
from graphrnn.ops import math as m
from graphrnn.ops.assign import as_variable, assign_add
from graphrnn.ops.convert import convert_to_tensor
from graphrnn.ops.initializers import Initializer, zeros_initializer
from graphrnn.ops.state import Variable, get_variable_scope, group, trainable_variables

GradsAndVars = list[tuple[Value | None, Variable]]
TRAIN_OP = "train_op"  # TF1's GraphKeys.TRAIN_OP

# TF1's gate_gradients values (GATE_NONE, GATE_OP, GATE_GRAPH); graphrnn computes all gradients
# before any update, which satisfies each of them.
GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2


def _where() -> str | None:
    return builder.format_source(builder.source_location())


def check_hyperparameter(value: Any, what: str, optimizer: str) -> Any:
    """``value`` if it can be a hyperparameter (a real number, a real scalar tensor or variable, or
    a callable returning one); a `GraphError` naming ``what`` otherwise.

    Invariant: a number that passes is finite, so no update computes NaN from the optimizer's
    own constants.
    """
    if callable(value) and not isinstance(value, (Value, Variable)):
        return value  # TF1 calls it in `_prepare`; the result is checked then
    src = _where()
    if isinstance(value, Variable):
        value = value.value()
    if isinstance(value, Value):
        if not (value.dtype.is_floating or value.dtype.is_integer):
            raise DTypeError(f"{optimizer}: {what} must be a real number, got tensor '{value.name}' of dtype "
                             f"{value.dtype.name}", source=src, fix="pass a float, or gr.cast the tensor")
        if isinstance(value.type.shape, tuple) and len(value.type.shape) != 0:  # unknown rank: TF1 checks at run time
            raise ShapeError(f"{optimizer}: {what} must be a scalar, got tensor '{value.name}' of shape "
                             f"{list(value.type.shape)}", source=src,
                             fix="reduce it to a scalar (e.g. gr.reshape(t, []))")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise DTypeError(f"{optimizer}: {what} must be a number or a scalar tensor, got {value!r}",
                         source=src, fix=f"pass e.g. {what}=0.001")
    if not math.isfinite(float(value)):
        raise GraphError(f"{optimizer}: {what} is {value!r}; every update would be NaN or infinite",
                         source=src, fix=f"pass a finite {what}")
    return value


class Optimizer:
    """Base class: subclasses implement `_apply_dense(grad, var)` (returning the assigns of one
    variable's update) and may create slots in `_create_slots`, hyperparameter tensors in
    `_prepare` (through `_hyper_tensor`) and extra updates in `_finish`."""

    def __init__(self, use_locking: bool = False, name: str = "Optimizer") -> None:
        if not isinstance(name, str) or not name:
            raise GraphError(f"an optimizer's name must be a non-empty string, got {name!r}", source=_where())
        self._name = name
        self._use_locking = use_locking
        self._slots: dict[str, dict[str, Variable]] = {}
        self._non_slot: dict[tuple[str, int], Variable] = {}
        self._hyper: dict[str, Any] = {}
        self._tensors: dict[str, Value] = {}

    # --- public TF1 API ---------------------------------------------------------------------------
    def get_name(self) -> str:
        return self._name

    def compute_gradients(self, loss: Value, var_list: Sequence[Variable] | None = None,
                          gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                          colocate_gradients_with_ops: bool = False, grad_loss: Value | None = None,
                          stop_gradients: Any = None) -> GradsAndVars:
        """``[(gradient or None, variable)]`` for the trainable variables (or ``var_list``)."""
        if callable(loss) and not isinstance(loss, Value):
            loss = loss()
        if not isinstance(loss, Value):
            raise GraphError(f"compute_gradients needs a loss tensor, got {loss!r}", source=_where())
        if not loss.dtype.is_floating:
            raise DTypeError(f"the loss '{loss.name}' has dtype {loss.dtype.name}; gradients need a float loss",
                             source=_where(), fix="gr.cast the loss to gr.float32")
        if gate_gradients not in (GATE_NONE, GATE_OP, GATE_GRAPH):
            raise GraphError(f"gate_gradients must be one of 0, 1, 2 (GATE_NONE, GATE_OP, GATE_GRAPH), got "
                             f"{gate_gradients!r}", source=_where())
        variables = list(var_list) if var_list is not None else trainable_variables(loss.graph)
        if not variables:
            raise GraphError("no variables to optimize", source=_where(),
                             fix="create variables (trainable=True) before minimize()")
        for v in variables:
            if not isinstance(v, Variable):
                raise GraphError(f"var_list must hold variables, got {v!r}", source=_where())
            if not v.dtype.is_floating:
                raise DTypeError(f"cannot optimize '{v.op.name}' of dtype {v.dtype.name}: only float variables "
                                 "have gradients", source=_where(),
                                 fix="leave it out of var_list, or create it with trainable=False")
        grads = gradients(loss, variables, grad_ys=None if grad_loss is None else [grad_loss],
                          stop_gradients=stop_gradients)
        return list(zip(grads, variables))

    def apply_gradients(self, grads_and_vars: Sequence[tuple[Value | None, Variable]],
                        global_step: Variable | None = None, name: str | None = None) -> Node:
        """The op that updates every variable that has a gradient (and increments ``global_step``)."""
        pairs = self._checked_pairs(grads_and_vars)
        if global_step is not None:
            global_step = as_variable(global_step, "apply_gradients(global_step=...)")
        graph = pairs[0][1].graph
        with graph.as_default():
            with builder.control_dependencies(None):  # TF1 creates slots in init_scope
                self._create_slots([v for _, v in pairs])
            with builder.name_scope(name or self._name) as scope:
                self._prepare()
                updates: list[Any] = []
                for g, v in pairs:
                    with builder.name_scope("update_" + v.op.name):
                        updates.extend(self._apply_dense(g, v))
                if global_step is None:
                    train_op = self._finish(updates, scope)
                else:
                    with builder.control_dependencies([self._finish(updates, "update")]):
                        train_op = assign_add(global_step, 1, name=scope).node
                        assert train_op is not None
        train_ops = graph.build.collections.setdefault(TRAIN_OP, [])
        if train_op not in train_ops:
            train_ops.append(train_op)
        return train_op

    def minimize(self, loss: Value, global_step: Variable | None = None, var_list: Sequence[Variable] | None = None,
                 gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                 colocate_gradients_with_ops: bool = False, name: str | None = None,
                 grad_loss: Value | None = None) -> Node:
        """`compute_gradients` then `apply_gradients`: the training op."""
        gv = self.compute_gradients(loss, var_list=var_list, gate_gradients=gate_gradients, grad_loss=grad_loss)
        if all(g is None for g, _ in gv):
            raise GraphError("no gradients provided for any variable: "
                             + ", ".join(v.op.name for _, v in gv) + f" (loss '{loss.name}')", source=_where(),
                             fix="check that the loss depends on the variables (and not through integer ops)")
        return self.apply_gradients(gv, global_step=global_step, name=name)

    def get_slot(self, var: Variable, name: str) -> Variable | None:
        return self._slots.get(name, {}).get(var.op.name)

    def get_slot_names(self) -> list[str]:
        return sorted(self._slots)

    def variables(self) -> list[Variable]:
        """Slot and non-slot variables, sorted by name (TF1 keeps those of the default graph; an
        optimizer used in one graph has the same list)."""
        found = [v for slots in self._slots.values() for v in slots.values()]
        return sorted([*found, *self._non_slot.values()], key=lambda v: v.name)

    # --- for subclasses ---------------------------------------------------------------------------
    def _create_slots(self, var_list: list[Variable]) -> None:
        pass

    def _prepare(self) -> None:
        """Turns every hyperparameter declared with `_set_hyper` into a tensor (TF1's `_prepare`)."""
        for key, value in self._hyper.items():
            self._hyper_tensor(key, value)

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        raise NotImplementedError

    def _finish(self, updates: list[Any], name_scope: str) -> Node:
        return group(*updates, name=name_scope)

    def _set_hyper(self, key: str, value: Any) -> None:
        """Declares a hyperparameter (checked now, converted in `_prepare`)."""
        self._hyper[key] = check_hyperparameter(value, key, type(self).__name__)

    def _hyper_tensor(self, key: str, value: Any) -> Value:
        """``value`` as TF1's ``convert_to_tensor(value, name=key)`` makes it (Python floats are float32)."""
        if callable(value) and not isinstance(value, (Value, Variable)):
            value = check_hyperparameter(value(), key, type(self).__name__)
        t = convert_to_tensor(value, name=key)
        self._tensors[key] = t
        return t

    def _get(self, key: str, var: Variable) -> Value:
        """The prepared hyperparameter ``key`` cast to ``var``'s dtype (TF1 casts per update)."""
        return m.cast(self._tensors[key], var.dtype)

    def _zeros_slot(self, var: Variable, slot_name: str, op_name: str) -> Variable:
        return self._make_slot(var, slot_name, op_name, zeros_initializer())

    def _make_slot(self, var: Variable, slot_name: str, op_name: str, init: Initializer) -> Variable:
        table = self._slots.setdefault(slot_name, {})
        got = table.get(var.op.name)
        if got is None:
            scope = get_variable_scope().name
            base = f"{scope}/{var.op.name}/{op_name}" if scope else f"{var.op.name}/{op_name}"
            got = Variable(None, trainable=False, dtype=var.dtype, shape=tuple(var.shape), _initializer=init,
                           _full_name=_unique_var_name(base))
            table[var.op.name] = got
        return got

    def _create_non_slot_variable(self, initial_value: Any, name: str, colocate_with: Variable) -> Variable:
        """A variable of the optimizer itself (Adam's beta powers), one per graph, named ``name``
        under the current name scope; its dtype is the initial value's (float32 for a Python float)."""
        key = (name, id(colocate_with.graph))
        got = self._non_slot.get(key)
        if got is None:
            got = Variable(initial_value, trainable=False, name=name)
            self._non_slot[key] = got
        return got

    def _get_non_slot_variable(self, name: str, graph: Any) -> Variable:
        return self._non_slot[(name, id(graph))]

    def _checked_pairs(self, grads_and_vars: Any) -> list[tuple[Value, Variable]]:
        """The ``(gradient, variable)`` pairs that have a gradient; a `GraphError` for malformed input."""
        try:
            items = list(grads_and_vars)
        except TypeError:
            raise GraphError(f"apply_gradients needs a list of (gradient, variable) pairs, got {grads_and_vars!r}",
                             source=_where()) from None
        if not items:
            raise GraphError("apply_gradients got no variables", source=_where(),
                             fix="pass the list compute_gradients returned")
        pairs = []
        for item in items:
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise GraphError(f"apply_gradients needs (gradient, variable) pairs, got {item!r}", source=_where())
            g, v = item
            if not isinstance(v, Variable):
                raise GraphError(f"apply_gradients: {v!r} is not a variable", source=_where())
            if g is None:
                continue
            if not isinstance(g, Value):
                raise GraphError(f"the gradient for '{v.op.name}' must be a tensor or None, got {g!r}",
                                 source=_where())
            if g.dtype is not v.dtype:
                raise DTypeError(f"the gradient for '{v.op.name}' has dtype {g.dtype.name}, the variable "
                                 f"{v.dtype.name}", source=_where(), fix="gr.cast the gradient")
            if not g.type.is_compatible_with(v.value().type):
                raise ShapeError(f"the gradient for '{v.op.name}' has shape {list(g.type.shape)}, the variable "
                                 f"{list(v.shape)}", source=_where())
            pairs.append((g, v))
        if not pairs:
            raise GraphError("no gradients provided for any variable: "
                             + ", ".join(v.op.name for _, v in items), source=_where(),
                             fix="check that the loss depends on the variables (and not through integer ops)")
        return pairs


def _unique_var_name(name: str) -> str:
    """TF1 names a second slot of the same name ``<name>_1``; variable names are also op names."""
    b = builder.get_default_graph().build
    if name not in b.variables and name not in b.name_counts:
        b.reserve(name)
        return name
    k = 1
    while f"{name}_{k}" in b.variables or f"{name}_{k}" in b.name_counts:
        k += 1
    b.reserve(f"{name}_{k}")
    return f"{name}_{k}"


