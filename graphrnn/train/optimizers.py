"""TF1's optimizers with TF1's update rules, slot names and numbers.

Each update is written in the order TF1's CPU kernel (training_ops.cc) evaluates it, with the
hyperparameters cast to the variable's dtype (see `graphrnn.train.optimizer`), so float64 models
match TF1 to ~1e-15 and float32 models to rounding (tests/data/optimizers/ holds TF1's numbers).

- GradientDescentOptimizer: ``var -= grad * lr``.
- MomentumOptimizer (slot ``momentum``: ``<var>/Momentum``): ``accum = accum * momentum + grad``;
  ``var -= accum * lr``, or with ``use_nesterov`` ``var -= grad * lr + accum * momentum * lr``.
- AdamOptimizer (slots ``m``: ``<var>/Adam``, ``v``: ``<var>/Adam_1``; non-slot variables
  ``beta1_power``/``beta2_power`` made from beta1/beta2, float32 for Python floats, multiplied by
  them after each step): ``alpha = lr * sqrt(1 - beta2_power) / (1 - beta1_power)``,
  ``m += (grad - m) * (1 - beta1)``, ``v += (grad^2 - v) * (1 - beta2)``,
  ``var -= m * alpha / (sqrt(v) + epsilon)``.
- RMSPropOptimizer (slots ``rms``: ``<var>/RMSProp``, starting at ones; ``mg``: ``<var>/RMSProp_1``
  when ``centered``; ``momentum``: the next ``<var>/RMSProp_k``): ``ms += (grad^2 - ms) * (1 - decay)``;
  centered: ``mg += (grad - mg) * (1 - decay)``, ``denom = ms - mg^2 + epsilon``, else
  ``denom = ms + epsilon``; ``mom = mom * momentum + grad * lr / sqrt(denom)``; ``var -= mom``.
- AdagradOptimizer (slot ``accumulator``: ``<var>/Adagrad``, starting at
  ``initial_accumulator_value`` > 0): ``accum += grad^2``; ``var -= grad * lr * rsqrt(accum)``.
- AdadeltaOptimizer (slots ``accum``: ``<var>/Adadelta``, ``accum_update``: ``<var>/Adadelta_1``):
  ``accum = accum * rho + grad^2 * (1 - rho)``;
  ``update = sqrt(accum_update + eps) * rsqrt(accum + eps) * grad``; ``var -= update * lr``;
  ``accum_update = accum_update * rho + update^2 * (1 - rho)``.
- ProximalGradientDescentOptimizer (no slots): ``prox = var - grad * lr``; with ``l1 > 0``
  ``var = sign(prox) * max(|prox| - lr * l1, 0) / (1 + l2 * lr)``, else ``var = prox / (1 + l2 * lr)``.
  (TF1 does not cast its hyperparameters here, so a float64 model fails there; graphrnn casts.)
"""

from __future__ import annotations

from typing import Any

from graphrnn.ir import builder
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Node, Value
from graphrnn.ops import math as m
from graphrnn.ops.initializers import constant_initializer, ones_initializer
from graphrnn.ops.state import Variable, group
from graphrnn.train.optimizer import Optimizer, check_hyperparameter


def _const_one(like: Value) -> Value:
    from graphrnn.ops.convert import constant
    return constant(1, dtype=like.dtype)


class GradientDescentOptimizer(Optimizer):
    def __init__(self, learning_rate: Any, use_locking: bool = False, name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._set_hyper("learning_rate", learning_rate)

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w = var.value()
        return [var.assign(m.subtract(w, m.multiply(grad, self._get("learning_rate", var))))]


class MomentumOptimizer(Optimizer):
    def __init__(self, learning_rate: Any, momentum: Any, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("momentum", momentum)
        self._nesterov = bool(use_nesterov)

    def _create_slots(self, var_list: list[Variable]) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w, slot = var.value(), self.get_slot(var, "momentum")
        assert slot is not None
        lr, mu = self._get("learning_rate", var), self._get("momentum", var)
        accum = m.add(m.multiply(slot.value(), mu), grad)
        if self._nesterov:
            step = m.add(m.multiply(grad, lr), m.multiply(m.multiply(accum, mu), lr))
        else:
            step = m.multiply(accum, lr)
        return [slot.assign(accum), var.assign(m.subtract(w, step))]


class AdamOptimizer(Optimizer):
    def __init__(self, learning_rate: Any = 0.001, beta1: Any = 0.9, beta2: Any = 0.999, epsilon: Any = 1e-8,
                 use_locking: bool = False, name: str = "Adam") -> None:
        super().__init__(use_locking, name)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("beta1", beta1)
        self._set_hyper("beta2", beta2)
        self._set_hyper("epsilon", epsilon)

    def _get_beta_accumulators(self) -> tuple[Variable, Variable]:
        g = builder.get_default_graph()
        return self._get_non_slot_variable("beta1_power", g), self._get_non_slot_variable("beta2_power", g)

    def _create_slots(self, var_list: list[Variable]) -> None:
        first = min(var_list, key=lambda v: v.name)
        # TF1 passes the hyperparameter itself: a Python float makes a float32 variable.
        self._create_non_slot_variable(self._initial(self._hyper["beta1"]), "beta1_power", first)
        self._create_non_slot_variable(self._initial(self._hyper["beta2"]), "beta2_power", first)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    @staticmethod
    def _initial(value: Any) -> Any:
        return value() if callable(value) and not isinstance(value, (Value, Variable)) else value

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w = var.value()
        ms, vs = self.get_slot(var, "m"), self.get_slot(var, "v")
        assert ms is not None and vs is not None
        b1p, b2p = (m.cast(p.value(), var.dtype) for p in self._get_beta_accumulators())
        lr, b1, b2, eps = (self._get(k, var) for k in ("learning_rate", "beta1", "beta2", "epsilon"))
        one = _const_one(w)
        alpha = m.divide(m.multiply(lr, m.sqrt(m.subtract(one, b2p))), m.subtract(one, b1p))
        mv, vv = ms.value(), vs.value()
        m_t = m.add(mv, m.multiply(m.subtract(grad, mv), m.subtract(one, b1)))
        v_t = m.add(vv, m.multiply(m.subtract(m.square(grad), vv), m.subtract(one, b2)))
        step = m.divide(m.multiply(m_t, alpha), m.add(m.sqrt(v_t), eps))
        return [ms.assign(m_t), vs.assign(v_t), var.assign(m.subtract(w, step))]

    def _finish(self, updates: list[Any], name_scope: str) -> Node:
        b1p, b2p = self._get_beta_accumulators()
        with builder.control_dependencies(updates):
            # The accumulators keep their own dtype: beta_t is converted like the accumulator was.
            new1 = b1p.assign(m.multiply(b1p.value(), m.cast(self._tensors["beta1"], b1p.dtype)))
            new2 = b2p.assign(m.multiply(b2p.value(), m.cast(self._tensors["beta2"], b2p.dtype)))
        return group(*updates, new1, new2, name=name_scope)


class RMSPropOptimizer(Optimizer):
    def __init__(self, learning_rate: Any, decay: Any = 0.9, momentum: Any = 0.0, epsilon: Any = 1e-10,
                 use_locking: bool = False, centered: bool = False, name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", decay)
        self._set_hyper("momentum", momentum)
        self._set_hyper("epsilon", epsilon)
        self._centered = bool(centered)

    def _create_slots(self, var_list: list[Variable]) -> None:
        for v in var_list:
            self._make_slot(v, "rms", self._name, ones_initializer())
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w = var.value()
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        assert rms is not None and mom is not None
        lr, rho, mu, eps = (self._get(k, var) for k in ("learning_rate", "decay", "momentum", "epsilon"))
        one_minus_rho = m.subtract(_const_one(w), rho)
        ms = rms.value()
        ms_t = m.add(ms, m.multiply(m.subtract(m.square(grad), ms), one_minus_rho))
        assigns = [rms.assign(ms_t)]
        if self._centered:
            mg = self.get_slot(var, "mg")
            assert mg is not None
            mgv = mg.value()
            mg_t = m.add(mgv, m.multiply(m.subtract(grad, mgv), one_minus_rho))
            denom = m.add(m.subtract(ms_t, m.square(mg_t)), eps)
            assigns.append(mg.assign(mg_t))
        else:
            denom = m.add(ms_t, eps)
        mom_t = m.add(m.multiply(mom.value(), mu), m.divide(m.multiply(grad, lr), m.sqrt(denom)))
        return [*assigns, mom.assign(mom_t), var.assign(m.subtract(w, mom_t))]


class AdagradOptimizer(Optimizer):
    def __init__(self, learning_rate: Any, initial_accumulator_value: Any = 0.1, use_locking: bool = False,
                 name: str = "Adagrad") -> None:
        value = check_hyperparameter(initial_accumulator_value, "initial_accumulator_value", "AdagradOptimizer")
        if isinstance(value, Value) or callable(value) or value <= 0.0:
            raise GraphError(f"AdagradOptimizer: initial_accumulator_value must be a positive number, got {value!r}",
                             source=builder.format_source(builder.source_location()),
                             fix="pass e.g. initial_accumulator_value=0.1 (TF1's default)")
        super().__init__(use_locking, name)
        self._set_hyper("learning_rate", learning_rate)
        self._initial_accumulator_value = float(value)

    def _create_slots(self, var_list: list[Variable]) -> None:
        for v in var_list:
            self._make_slot(v, "accumulator", self._name, constant_initializer(self._initial_accumulator_value))

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w, acc = var.value(), self.get_slot(var, "accumulator")
        assert acc is not None
        acc_t = m.add(acc.value(), m.square(grad))
        step = m.multiply(m.multiply(grad, self._get("learning_rate", var)), m.rsqrt(acc_t))
        return [acc.assign(acc_t), var.assign(m.subtract(w, step))]


class AdadeltaOptimizer(Optimizer):
    def __init__(self, learning_rate: Any = 0.001, rho: Any = 0.95, epsilon: Any = 1e-8, use_locking: bool = False,
                 name: str = "Adadelta") -> None:
        super().__init__(use_locking, name)
        self._set_hyper("lr", learning_rate)
        self._set_hyper("rho", rho)
        self._set_hyper("epsilon", epsilon)

    def _create_slots(self, var_list: list[Variable]) -> None:
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w = var.value()
        accum, accum_update = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        assert accum is not None and accum_update is not None
        lr, rho, eps = (self._get(k, var) for k in ("lr", "rho", "epsilon"))
        one_minus_rho = m.subtract(_const_one(w), rho)
        acc_t = m.add(m.multiply(accum.value(), rho), m.multiply(m.square(grad), one_minus_rho))
        au = accum_update.value()
        update = m.multiply(m.multiply(m.sqrt(m.add(au, eps)), m.rsqrt(m.add(acc_t, eps))), grad)
        au_t = m.add(m.multiply(au, rho), m.multiply(m.square(update), one_minus_rho))
        return [accum.assign(acc_t), var.assign(m.subtract(w, m.multiply(update, lr))),
                accum_update.assign(au_t)]


class ProximalGradientDescentOptimizer(Optimizer):
    def __init__(self, learning_rate: Any, l1_regularization_strength: Any = 0.0,
                 l2_regularization_strength: Any = 0.0, use_locking: bool = False,
                 name: str = "ProximalGradientDescent") -> None:
        super().__init__(use_locking, name)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("l1_regularization_strength", l1_regularization_strength)
        self._set_hyper("l2_regularization_strength", l2_regularization_strength)

    def _apply_dense(self, grad: Value, var: Variable) -> list[Value]:
        w = var.value()
        lr = self._get("learning_rate", var)
        l1 = self._get("l1_regularization_strength", var)
        l2 = self._get("l2_regularization_strength", var)
        prox = m.subtract(w, m.multiply(grad, lr))
        denom = m.add(_const_one(w), m.multiply(l2, lr))
        plain = m.divide(prox, denom)
        l1_value = self._hyper["l1_regularization_strength"]
        if not isinstance(l1_value, (Value, Variable)) and not callable(l1_value) and l1_value <= 0:
            return [var.assign(plain)]  # TF1's kernel takes this branch for l1 <= 0
        shrunk = m.divide(m.multiply(m.sign(prox), m.maximum(m.subtract(m.abs(prox), m.multiply(lr, l1)),
                                                             _zero_like(w))), denom)
        if not isinstance(l1_value, (Value, Variable)) and not callable(l1_value):
            return [var.assign(shrunk)]
        # l1 known only at run time: pick the branch with an exact 0/1 blend (scalar condition).
        pick = m.cast(m.greater(l1, _zero_like(w)), var.dtype)
        blended = m.add(m.multiply(pick, shrunk), m.multiply(m.subtract(_const_one(w), pick), plain))
        return [var.assign(blended)]


def _zero_like(like: Value) -> Value:
    from graphrnn.ops.convert import constant
    return constant(0, dtype=like.dtype)
