"""The explicit op registry: one `OpDef` per op name, registered by the module that defines the op.

An OpDef holds what the IR needs to know about an op without running it: its shape/dtype rule
(`infer`), its traits, its input count, the attributes it reads, and a one-line meaning. Kernels
(graphrnn.backends.numpy) and gradient rules (graphrnn.autodiff) are keyed by the same name in
their own tables.

`signature_problem` is the one check of a node's input count and attribute set against its OpDef;
the builder, the JSON loader and the verifier all call it (each wraps the answer in its own error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphrnn.ir import op_attrs
from graphrnn.ir.errors import GraphError, VerifyError
from graphrnn.ir.types import TensorType

InferFn = Callable[[Sequence[TensorType], Mapping[str, Any]], tuple[TensorType, ...]]

# Traits an op may carry. Passes rely on them; keep the list short and the meanings exact.
PURE = "pure"                    # no side effects, output depends only on inputs and attrs
STATEFUL = "stateful"            # reads or writes session state (variables, RNG): never CSE/fold/move
COMMUTATIVE = "commutative"      # binary op with f(a, b) == f(b, a)
ELEMENTWISE = "elementwise"      # output[i] depends on inputs at i only (after broadcasting)
ALLOCATES = "allocates"          # the kernel always returns a fresh array (never a view of an input)
NON_DIFFERENTIABLE = "non_differentiable"  # gradient is defined to be None (ints, bools, shapes)
KNOWN_TRAITS = frozenset({PURE, STATEFUL, COMMUTATIVE, ELEMENTWISE, ALLOCATES, NON_DIFFERENTIABLE})


@dataclass(frozen=True)
class OpDef:
    """What the IR knows of an op.

    Invariant: ``infer(input_types, attrs)`` is deterministic and raises `ShapeError`/`DTypeError`
    (never another exception) on invalid inputs; the builder adds node context to the error.
    ``num_inputs`` is the exact input count (None: variadic, or for While/If implied by the
    attributes, see `expected_inputs`). ``attrs`` maps each attribute the shape rule or kernel
    reads to its kind (see `graphrnn.ir.op_attrs`); None when the op declares none.
    """

    name: str
    infer: InferFn
    doc: str
    traits: frozenset[str] = field(default_factory=frozenset)
    num_inputs: int | None = None  # None: variadic
    attrs: Mapping[str, str] | None = None
    required_attrs: frozenset[str] = frozenset()  # the keys of ``attrs`` whose kind has no '?'
    attr_checks: tuple[tuple[str, Any, bool], ...] = ()  # `op_attrs.compile_spec(attrs)`

    def has(self, trait: str) -> bool:
        return trait in self.traits


_REGISTRY: dict[str, OpDef] = {}


def register(name: str, infer: InferFn, doc: str, traits: Sequence[str] = (PURE,),
             num_inputs: int | None = None, attrs: Mapping[str, str] | None = None) -> OpDef:
    """Registers an op; registering the same name twice is a programming error.

    ``attrs`` defaults to the op's entry in `graphrnn.ir.op_attrs.OP_ATTRS`.
    """
    unknown = set(traits) - KNOWN_TRAITS
    if unknown:
        raise ValueError(f"unknown traits {unknown} for op {name}")
    if name in _REGISTRY:
        raise ValueError(f"op {name} is registered twice")
    if attrs is None:
        attrs = op_attrs.OP_ATTRS.get(name)
    opdef = OpDef(name, infer, doc, frozenset(traits), num_inputs, attrs,
                  op_attrs.required(attrs) if attrs is not None else frozenset(),
                  op_attrs.compile_spec(attrs) if attrs is not None else ())
    _REGISTRY[name] = opdef
    return opdef


def get_opdef(name: str) -> OpDef:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise GraphError(f"unknown op {name!r}", fix="register it in graphrnn/ops/") from None


def all_opdefs() -> dict[str, OpDef]:
    return dict(_REGISTRY)


def _graph_params(attrs: Mapping[str, Any], key: str) -> int | None:
    g = attrs.get(key)
    params = getattr(g, "params", None)
    return len(params) if isinstance(params, list) else None


def expected_inputs(opdef: OpDef, attrs: Mapping[str, Any]) -> int | None:
    """How many inputs a node of ``opdef`` with ``attrs`` must have (None: any number).

    While takes its carries then its captures, exactly what its body takes as params; If takes
    its predicate then the captures its branches take as params.
    """
    if opdef.num_inputs is not None:
        return opdef.num_inputs
    if opdef.name == "While":
        return _graph_params(attrs, "body")
    if opdef.name == "If":
        n = _graph_params(attrs, "then_branch")
        return None if n is None else n + 1
    return None


def _replay_problem(num_inputs: int, attrs: Mapping[str, Any], refuse_unknown: bool) -> str | None:
    """A Replay stands for its original op: it takes the original's inputs then ``n_out`` saved
    values, and ``orig_attrs`` (sorted (name, value) pairs) must suit ``orig_op``."""
    n_out, orig_op, pairs = attrs["n_out"], attrs["orig_op"], attrs["orig_attrs"]
    if not (isinstance(pairs, tuple) and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
                                             for p in pairs)):
        return "Replay attr 'orig_attrs' must be a tuple of (name, value) pairs"
    if not 0 <= n_out <= num_inputs:
        return f"Replay saves n_out={n_out} values but has {_plural(num_inputs, 'input')}"
    orig = _REGISTRY.get(orig_op)
    if orig is None or orig_op == "Replay":
        return f"Replay replays unknown op {orig_op!r}"
    problem = signature_problem(orig, num_inputs - n_out, dict(pairs), refuse_unknown)
    return None if problem is None else f"Replay of {orig_op}: {problem}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def signature_problem(opdef: OpDef, num_inputs: int, attrs: Mapping[str, Any],
                      refuse_unknown: bool = False) -> str | None:
    """What is wrong with a node of ``opdef`` given ``num_inputs`` inputs and ``attrs``, or None.

    Checks, in this order: every attribute the op reads is present and of its kind; (when
    ``refuse_unknown``) no attribute the op does not know; the input count. The answer is a
    sentence without the node's name (callers add it, with their own error class).
    """
    spec = opdef.attrs
    if spec is not None:
        missing = sorted(k for k in opdef.required_attrs if k not in attrs)
        if missing:
            return (f"{opdef.name} needs attr{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(repr(m) for m in missing)}, which the node does not have")
        for key, test, none_ok in opdef.attr_checks:
            if key in attrs:
                x = attrs[key]
                if not (test(x) or (none_ok and x is None)):
                    kind = spec[key].rstrip("?").replace("|", " or ")
                    return f"{opdef.name} attr {key!r} must be {kind}, got a {type(x).__name__}"
        if refuse_unknown:
            unknown = sorted(k for k in attrs if k not in spec)
            if unknown:
                return (f"{opdef.name} has no attr{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(u) for u in unknown)} (it takes {sorted(spec) or 'none'})")
    if opdef.name == "Replay" and spec is not None:
        return _replay_problem(num_inputs, attrs, refuse_unknown)
    if opdef.name == "While" and isinstance(attrs.get("n_carry"), int):
        n_carry = attrs["n_carry"]
        if not 0 <= n_carry <= num_inputs:
            return f"While carries n_carry={n_carry} values but has {_plural(num_inputs, 'input')}"
    want = expected_inputs(opdef, attrs)
    if want is not None and want != num_inputs:
        return f"{opdef.name} takes {_plural(want, 'input')}, the node has {num_inputs}"
    return None


def check_signature(opdef: OpDef, num_inputs: int, attrs: Mapping[str, Any], *, node: str | None = None,
                    source: str | None = None, refuse_unknown: bool = False,
                    error: type[GraphError] = VerifyError) -> None:
    """Raises ``error`` (naming the op and ``node``) when `signature_problem` finds something."""
    problem = signature_problem(opdef, num_inputs, attrs, refuse_unknown)
    if problem is not None:
        raise error(problem, op=opdef.name, node=node, source=source,
                    fix=f"give {opdef.name} the inputs and attrs its OpDef declares "
                        "(graphrnn/ir/op_attrs.py lists the attrs)")
