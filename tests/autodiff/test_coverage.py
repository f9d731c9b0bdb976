"""Every registered op has a gradient rule or is marked NON_DIFFERENTIABLE (a deliberate choice)."""

from __future__ import annotations

import graphrnn  # noqa: F401 - registers every op family
import graphrnn.autodiff as ad
import graphrnn.passes  # noqa: F401 - passes may register ops of their own
from graphrnn.ir.registry import NON_DIFFERENTIABLE, STATEFUL, all_opdefs

# Ops marked NON_DIFFERENTIABLE on purpose, and why (the test checks the marks are still there).
EXCLUDED = {
    "Placeholder": "a fed value: its gradient is reported through gradients(ys, [placeholder])",
    "Assign": "stateful update; optimizers differentiate the loss, not the assignment",
    "VarInit": "stateful initializer", "NoOp": "no outputs",
    "Shape": "integer result", "Size": "integer result", "Rank": "integer result",
    "ArgMax": "integer result", "ArgMin": "integer result", "Range": "integer/constant result",
    "OneHot": "built from integer indices", "SequenceMask": "bool result",
    "StopGradient": "its meaning", "ZerosLike": "constant in its input", "OnesLike": "constant in its input",
    "Floor": "zero almost everywhere (TF1 too)", "Ceil": "zero almost everywhere", "Sign": "zero almost everywhere",
    "FloorDiv": "zero almost everywhere",
    "TensorArrayNew": "zeros", "TensorArraySize": "integer result",
    # gradient-only ops: no second-order gradients through them
    "StackNew": "loop tape", "StackPush": "loop tape", "StackRead": "loop tape",
    "AccumulatorZerosLike": "loop tape", "AccumulatorCopy": "loop tape", "AccumulateAt": "loop tape",
    "TensorArrayWriteGradInPlace": "loop tape", "TensorArrayWriteGrad": "gradient-only",
    "ReduceToShapeOf": "gradient-only", "BroadcastToShapeOf": "gradient-only", "ReshapeLike": "gradient-only",
    "ReduceGrad": "gradient-only", "ReduceExtremumGrad": "gradient-only", "ReduceProdGrad": "gradient-only",
    "ConcatGrad": "gradient-only", "SliceGrad": "gradient-only", "StridedSliceGrad": "gradient-only",
    "StridedSliceDynamicGrad": "gradient-only",
    "PadGrad": "gradient-only", "TileGrad": "gradient-only", "GatherGrad": "gradient-only",
    "SparseXentGrad": "gradient-only",
}


def test_every_op_has_a_rule_or_is_non_differentiable() -> None:
    missing = [name for name, od in all_opdefs().items()
               if name not in ad.GRADIENTS and not od.has(NON_DIFFERENTIABLE)]
    assert missing == [], f"ops without a gradient rule: {missing}"


def test_rules_name_registered_ops_and_exclusions_are_marked() -> None:
    ops = all_opdefs()
    assert set(ad.GRADIENTS) <= set(ops)
    for name in EXCLUDED:
        if name in ops:
            assert ops[name].has(NON_DIFFERENTIABLE) and name not in ad.GRADIENTS, name


def test_stateful_ops_are_either_sources_or_excluded() -> None:
    """Stateful ops that are differentiable: variables (a source) and dropout (mask read off y)."""
    stateful = {n for n, od in all_opdefs().items() if od.has(STATEFUL) and not od.has(NON_DIFFERENTIABLE)}
    assert stateful <= {"VariableV2", "Dropout"}


def test_gradient_only_ops_have_kernels() -> None:
    from graphrnn.backends.numpy import kernels  # noqa: F401 - fills KERNELS
    from graphrnn.backends.numpy.kernel_registry import KERNELS
    ops = [n for n in EXCLUDED if n in all_opdefs() and n not in ("Placeholder",)] + ["Replay"]
    assert [n for n in ops if n not in KERNELS] == []
