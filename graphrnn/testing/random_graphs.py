"""Random graphs with loops, for differential tests of passes (the interpreter is the oracle).

`random_graph(seed)` builds a small graph from a deterministic `random.Random(seed)`: a pool of
values of shapes ``[3, 4]`` and ``[4, 3]`` grows by random ops chosen to exercise every pass:
elementwise math, identities the simplifier removes (``x*1``, ``x+0``, ``--x``, identity, reshape
chains, single-input concat, ``where`` with a constant mask), transposes and transpose pairs,
constants and constant subexpressions, duplicated subexpressions, matmuls (with transposed
weights, and split with a piece nobody reads), ``While`` loops whose
bodies mix carries with loop-invariant work on captures (sometimes with a carry nobody reads),
and the `dynamic_rnn` pattern (a transposed input read per step, outputs written to a buffer and
transposed back). Returns the graph, a feed dict (placeholders to arrays) and the fetches.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

from graphrnn.ir import builder, dtypes
from graphrnn.ir.graph import Graph, Value
from graphrnn.ops import math as m
from graphrnn.ops.array import identity, reshape, split, transpose
from graphrnn.ops.array_index import getitem
from graphrnn.ops.array_shape import shape
from graphrnn.ops.control_flow import while_loop
from graphrnn.ops.convert import constant
from graphrnn.ops.math_reduce import matmul, reduce_sum
from graphrnn.ops.state import placeholder
from graphrnn.ops.tensor_array import TensorArray

A, B = 3, 4


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool: list[Value] = []
        self.depth = 0

    def pick(self, shape: tuple[int, ...] | None = None, pool: list[Value] | None = None) -> Value:
        src = self.pool if pool is None else pool
        cands = [v for v in src if shape is None or tuple(v.type.shape) == shape]
        if not cands:
            return constant(np.asarray(self.rng.uniform(-1, 1), np.float32) * np.ones(shape or (A, B), np.float32))
        # Prefer recent values so graphs are deep rather than wide.
        return cands[-1 - min(int(self.rng.expovariate(0.7)), len(cands) - 1)]

    def const(self, shp: tuple[int, ...]) -> Value:
        return constant(np.round(np.asarray(
            [self.rng.uniform(-1, 1) for _ in range(int(np.prod(shp)))], np.float32).reshape(shp), 2))

    # --- one random op on values of the pool ----------------------------------------------------
    def step(self, pool: list[Value], allow_loops: bool) -> Value:
        r = self.rng
        x = self.pick(pool=pool)
        s = tuple(x.type.shape)
        choices: list[Callable[[], Value]] = [
            lambda: m.tanh(x), lambda: m.sigmoid(x), lambda: m.negative(x),
            lambda: m.add(x, self.pick(s, pool)), lambda: m.multiply(x, self.pick(s, pool)),
            lambda: m.subtract(x, self.pick(s, pool)), lambda: m.maximum(x, self.pick(s, pool)),
            lambda: m.multiply(x, constant(np.float32(1))), lambda: m.add(constant(np.zeros(s, np.float32)), x),
            lambda: m.negative(m.negative(x)), lambda: identity(identity(x)),
            lambda: reshape(reshape(x, [-1]), list(s)),
            lambda: builder.add_op("ConcatV2", [x], {"axis": 0}),
            lambda: m.where(constant(np.ones(s, bool) if r.random() < 0.5 else np.zeros(s, bool)), x,
                            self.pick(s, pool)),
            lambda: transpose(x, [1, 0]), lambda: transpose(transpose(x, [1, 0]), [1, 0]),
            lambda: m.add(x, m.multiply(self.const(s), self.const(s))),
            lambda: m.add(m.tanh(x), m.tanh(x)),
            lambda: m.add(transpose(m.multiply(transpose(x, [1, 0]), self.const(s[::-1])), [1, 0]), x),
            lambda: matmul(x, self.const((s[1], s[1]))),
            lambda: matmul(x, self.const((s[1], s[1])), transpose_b=True),  # weight pre-transposed
            lambda: split(matmul(x, self.const((s[1], s[1] + 2))), [2, s[1]], axis=1)[1],  # a dead piece
            lambda: m.multiply(x, getitem(transpose(x, [1, 0]), 0)) if s[0] == s[1] else m.sigmoid(x),
        ]
        if allow_loops:
            choices += [lambda: self.loop(pool), lambda: self.rnn_pattern(pool), lambda: self.branch(x, pool)]
        return r.choice(choices)()

    def loop(self, pool: list[Value]) -> Value:
        """A While with 1-2 carries and captures; the body recomputes invariant work each step."""
        r = self.rng
        n_iter = r.randint(0, 3)
        carry = self.pick(pool=pool)
        s = tuple(carry.type.shape)
        cap = self.pick(s, pool)
        extra = r.random() < 0.5
        cap2 = self.pick(pool=pool)

        def cond(i: Value, *rest: Value) -> Value:
            return m.less(i, n_iter)

        def body(i: Value, c: Value, *rest: Value) -> Any:
            inv = m.tanh(m.multiply(cap, 0.5))          # loop invariant
            inv2 = m.sigmoid(cap2)                       # loop invariant, maybe unused
            sub = [c, inv]
            for _ in range(r.randint(1, 3)):
                sub.append(self.step(sub, allow_loops=False))
            if self.depth < 1 and r.random() < 0.3:  # a nested loop, one level deep
                self.depth += 1
                sub.append(self.loop(sub))
                self.depth -= 1
            new_c = m.add(m.multiply(c, 0.5), m.multiply(self.pick(s, sub), 0.25))
            out = [m.add(i, 1), new_c]
            if extra:
                out.append(m.add(rest[0], reduce_sum(inv2)))
            return out

        init = [constant(0, dtypes.int32), carry]
        if extra:
            init.append(constant(np.float32(0)))
        res = while_loop(cond, body, init)
        if extra and r.random() < 0.5:
            return res[2] + res[1]
        return res[1]

    def branch(self, x: Value, pool: list[Value]) -> Value:
        """An If whose branches do invariant-looking work on outer values (captures)."""
        from graphrnn.ops.control_flow import cond
        y = self.pick(tuple(x.type.shape), pool)
        pred = m.greater(reduce_sum(x), 0.0)
        return cond(pred, lambda: m.add(m.multiply(x, 1.0), m.tanh(y)), lambda: m.subtract(transpose(
            transpose(y, [1, 0]), [1, 0]), x))

    def rnn_pattern(self, pool: list[Value]) -> Value:
        """The batch-major dynamic_rnn pattern on a [3, T=2, 4] stack of pool values."""
        from graphrnn.ops.array import stack
        a, b = self.pick((A, B), pool), self.pick((A, B), pool)
        x = stack([a, b], axis=1)                        # [3, 2, 4] batch-major
        xt = transpose(x, [1, 0, 2])                     # [2, 3, 4] time-major
        steps = getitem(shape(xt), 0)
        buf = TensorArray(dtypes.float32, size=steps, element_shape=[A, B])
        w = self.const((B, B))

        def cond(t: Value, h: Value, ta: Any) -> Value:
            return m.less(t, steps)

        def body(t: Value, h: Value, ta: Any) -> Any:
            x_t = TensorArray(dtypes.float32, flow=xt).read(t)
            h2 = m.tanh(m.add(matmul(h, w), x_t))
            return m.add(t, 1), h2, ta.write(t, h2)

        _, h, ta = while_loop(cond, body, [constant(0, dtypes.int32), constant(np.zeros((A, B), np.float32)), buf])
        out = transpose(ta.stack(), [1, 0, 2])           # [3, 2, 4]
        if self.rng.random() < 0.5:
            return m.add(getitem(out, (slice(None), 1)), h)
        return getitem(transpose(out, [1, 0, 2]), -1)


def random_graph(seed: int, n_ops: int = 10, loops: bool = True
                 ) -> tuple[Graph, dict[Value, np.ndarray], list[Value]]:
    """A random graph (see module docstring): ``(graph, feed_dict, fetches)``."""
    rng = random.Random(seed)
    g = Graph()
    feeds: dict[Value, np.ndarray] = {}
    with g.as_default():
        gen = _Gen(rng)
        for k in range(rng.randint(1, 3)):
            shp = (A, B) if k % 2 == 0 else (B, A)
            p = placeholder(dtypes.float32, list(shp), name=f"x{k}")
            feeds[p] = np.asarray(np.random.default_rng(seed + k).uniform(-1, 1, shp), np.float32)
            gen.pool.append(p)
        for _ in range(n_ops):
            gen.pool.append(gen.step(gen.pool, allow_loops=loops))
        n_fetch = rng.randint(1, 3)
        fetches = list(dict.fromkeys(gen.pool[-1 - rng.randrange(min(4, len(gen.pool)))] for _ in range(n_fetch)))
        if gen.pool[-1] not in fetches:
            fetches.append(gen.pool[-1])
    return g, feeds, fetches


def run_graph(graph: Graph, fetches: list[Value], feeds: dict[Value, np.ndarray], optimize: Any,
              variables: dict[str, np.ndarray] | None = None) -> list[Any]:
    """Runs ``fetches`` in a fresh Session (``optimize`` as for `Session`), loading ``variables``."""
    from graphrnn.session import Session
    with Session(graph=graph, optimize=optimize) as sess:
        for name, arr in (variables or {}).items():
            sess._ctx.variables[name] = arr
        return list(sess.run(fetches, feeds))


def body_node_count(graph: Graph) -> int:
    """Nodes run once per loop iteration: all nodes inside While bodies and conds (nested)."""
    total = 0
    for n in graph.walk():
        if n.op == "While":
            total += n.attrs["body"].node_count(nested=True) + n.attrs["cond"].node_count(nested=True)
    return total


def assert_pass_preserves(graph: Graph, fetches: list[Value], feeds: dict[Value, np.ndarray], pipeline: Any,
                          variables: dict[str, np.ndarray] | None = None, rtol: float = 1e-5,
                          per_iteration: bool = True) -> tuple[Graph, Any]:
    """The differential check of a pipeline on one graph, as the pass tests use it.

    Asserts: the result verifies (``verify=True`` checks after every pass); the interpreter gives
    the same numbers before and after; optimizing the result again changes nothing (idempotence);
    with ``per_iteration``, no more nodes run per loop iteration than before.
    Returns the optimized graph and the report.
    """
    from graphrnn.passes import optimize
    ref = run_graph(graph, fetches, feeds, False, variables)
    new, mapping, report = optimize(graph, fetches, pipeline=pipeline, feeds=list(feeds), verify=True)
    got = run_graph(graph, fetches, feeds, pipeline, variables)
    for i, (a, b) in enumerate(zip(ref, got)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=rtol, atol=rtol,
                                   err_msg=f"fetch {i} differs after pipeline {pipeline}")
    again, _, report2 = optimize(new, [mapping[f] for f in fetches], pipeline=pipeline,
                                 feeds=[mapping[f] for f in feeds], verify=True)
    assert str(again) == str(new), f"pipeline {pipeline} is not idempotent:\n{report2}"
    if per_iteration:
        assert body_node_count(new) <= body_node_count(graph), f"{pipeline} grew the per-iteration work"
    return new, report
