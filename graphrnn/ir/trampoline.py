"""Nested builds and rewrites without recursion: a step that needs a nested one yields it.

Differentiating a loop builds a backward loop whose body is differentiated in turn (and a nested
loop's gradient inside it, and so on); a pass rebuilds a loop's body while rebuilding the graph
that holds the loop. So these walks nest as deep as the loops do, and written as plain calls a
500-deep loop nest would need thousands of Python frames, past the default recursion limit.
Instead, a step that needs a nested step is a generator that *yields* it (another generator) and
receives its return value; `run_nested` keeps the suspended steps on an explicit stack, so the
Python stack stays a few frames deep whatever the nesting (used by `graphrnn.autodiff` and
`graphrnn.passes.rebuild`).

Invariant: steps finish in LIFO order (a yielded step runs to completion before its parent
resumes), so context managers that a parent holds open across a ``yield`` (a name scope, the
subgraph being traced) and stacks a walker keeps (CSE's tables) nest exactly as with plain calls.
"""

from __future__ import annotations

from collections.abc import Generator
from types import GeneratorType
from typing import Any, TypeVar

T = TypeVar("T")
# A step: yields nested steps, receives their results, returns its own.
Step = Generator[Any, Any, T]


def is_step(x: object) -> bool:
    """Whether ``x`` is a step (a generator) rather than a finished result."""
    return isinstance(x, GeneratorType)


def run_nested(step: Step[T]) -> T:
    """Runs ``step`` to completion: each generator it (or a nested step) yields runs first, and its
    return value is sent back to the step that yielded it; an exception travels to that step (so
    its ``with`` blocks unwind) and on up if it does not handle it."""
    stack: list[Generator[Any, Any, Any]] = [step]
    value: Any = None
    error: BaseException | None = None
    while True:
        top = stack[-1]
        try:
            nested = top.throw(error) if error is not None else top.send(value)
        except StopIteration as done:
            stack.pop()
            value, error = done.value, None
            if not stack:
                return value  # type: ignore[no-any-return]
            continue
        except BaseException as e:  # noqa: BLE001 - re-raised in the step that yielded this one
            stack.pop()
            if not stack:
                raise
            value, error = None, e
            continue
        if not is_step(nested):
            raise TypeError(f"a nested step yielded {nested!r}, not a generator")  # a bug in the caller
        value, error = None, None
        stack.append(nested)
