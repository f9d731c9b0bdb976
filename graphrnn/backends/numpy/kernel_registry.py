"""The NumPy kernel table: op name -> kernel factory.

A factory is called once per node when a plan is compiled, with the node and the run context,
and returns the function the executor calls with the input arrays. Binding attrs at compile
time keeps the per-node cost at run time to one Python call.

Kernel contract: take NumPy arrays (or NumPy scalars for rank-0 values), return one array for a
single-output op or a tuple for several; never mutate an input unless the factory was asked for
the in-place variant (``node`` in ``ctx.donated``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphrnn.backends.numpy.context import RunContext
    from graphrnn.ir.graph import Node

Kernel = Callable[..., Any]
KernelFactory = Callable[["Node", "RunContext"], Kernel]

KERNELS: dict[str, KernelFactory] = {}


def kernel(op: str) -> Callable[[KernelFactory], KernelFactory]:
    """Decorator registering a kernel factory for ``op``."""
    def deco(factory: KernelFactory) -> KernelFactory:
        if op in KERNELS:
            raise ValueError(f"kernel for {op} registered twice")
        KERNELS[op] = factory
        return factory
    return deco


def simple(op: str, fn: Kernel) -> None:
    """Registers a kernel that needs no attrs: the factory returns ``fn`` itself."""
    if op in KERNELS:
        raise ValueError(f"kernel for {op} registered twice")
    KERNELS[op] = lambda node, ctx: fn
