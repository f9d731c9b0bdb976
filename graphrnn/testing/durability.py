"""Durability experiments shared by the tests and ``benchmarks/robustness.py``.

- `fuzz_checkpoint`: corrupts a checkpoint's files (bit flips, truncations, insertions, byte
  overwrites) and classifies what reading it back gives: a clean `CheckpointError`, the original
  values, or a failure (a raw exception or silently different values; both must stay at zero).
- `kill_during_save`: runs a writer process that saves in a loop, kills it with SIGKILL at random
  moments, and checks that what is on disk is a complete previous (or new) version every time.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter

import numpy as np

from graphrnn.io.tensor_bundle import BundleReader, data_path, index_path
from graphrnn.ir.errors import GraphError


def _read_all(prefix: str) -> dict[str, np.ndarray]:
    r = BundleReader(prefix)
    return {n: r.get_tensor(n) for n in r.names()}


def _mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    kind = rng.randrange(4)
    i = rng.randrange(max(len(b), 1))
    if kind == 0 and b:
        b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del b[i:]
    elif kind == 2:
        b.insert(i, rng.randrange(256))
    elif b:
        b[i] = rng.randrange(256)
    return bytes(b)


def fuzz_checkpoint(prefix: str, cases: int = 1000, seed: int = 0) -> Counter[str]:
    """Counts of outcomes over ``cases`` corruptions of the checkpoint at ``prefix``.

    Keys: ``clean_error`` (a CheckpointError/GraphError), ``unchanged`` (the corruption hit bytes
    that carry no information, e.g. footer padding, and every tensor reads back equal),
    ``wrong_value`` and ``raw_exception:<type>`` (failures).
    """
    want = _read_all(prefix)
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "ckpt")
        originals = {}
        for path in (index_path(prefix), data_path(prefix)):
            with open(path, "rb") as f:
                originals[path[len(prefix):]] = f.read()
        for case in range(cases):
            target = ".index" if case % 2 else ".data-00000-of-00001"
            for suffix, data in originals.items():
                with open(copy + suffix, "wb") as f:
                    f.write(_mutate(data, rng) if suffix == target else data)
            try:
                got = _read_all(copy)
            except GraphError:
                outcomes["clean_error"] += 1
                continue
            except Exception as e:  # noqa: BLE001 - counting exactly these is the point
                outcomes[f"raw_exception:{type(e).__name__}"] += 1
                continue
            same = got.keys() == want.keys() and all(
                got[k].dtype == want[k].dtype and np.array_equal(got[k], want[k]) for k in want)
            outcomes["unchanged" if same else "wrong_value"] += 1
    return outcomes


_CHECKPOINT_WRITER = textwrap.dedent("""
    import sys
    import graphrnn as gr
    g = gr.Graph()
    with g.as_default():
        v = gr.get_variable("big", [1000, 1000], initializer=gr.zeros_initializer())
        k = gr.placeholder(gr.float32, [])
        set_v = v.assign(gr.fill([1000, 1000], k))
    with gr.Session(graph=g) as sess:
        sess.run(gr.global_variables_initializer())
        saver = gr.train.Saver([v], max_to_keep=2)
        step = 0
        while True:
            step += 1
            sess.run(set_v, {k: float(step)})
            saver.save(sess, sys.argv[1] + "/m", global_step=step)   # a new prefix per step
            saver.save(sess, sys.argv[1] + "/same", write_state=False)  # the same prefix overwritten
            print(step, flush=True)
""")

_GRAPH_WRITER = textwrap.dedent("""
    import sys
    import graphrnn as gr
    from graphrnn.ir import serialize
    step = 0
    while True:
        step += 1
        g = gr.Graph()
        with g.as_default():
            x = gr.placeholder(gr.float32, [None, 8], name="x")
            for i in range(200):
                x = gr.tanh(x, name=f"step_{step}_{i}")
        serialize.save(g, sys.argv[1] + "/graph.json")
        print(step, flush=True)
""")


def kill_during_save(trials: int = 20, kind: str = "checkpoint", seed: int = 0,
                     max_delay: float = 1.5) -> Counter[str]:
    """Kills a saving process ``trials`` times; counts ``intact`` vs ``torn`` (must be 0) outcomes.

    ``kind="checkpoint"``: the newest checkpoint named by the state file must restore with the
    values of its step, and the overwritten prefix must read back whole or raise a clean error
    (never wrong values). ``kind="graph"``: the graph JSON must load and verify.
    """
    rng = random.Random(seed)
    script = _CHECKPOINT_WRITER if kind == "checkpoint" else _GRAPH_WRITER
    outcomes: Counter[str] = Counter()
    for _ in range(trials):
        folder = tempfile.mkdtemp(prefix="graphrnn-kill-")
        try:
            proc = subprocess.Popen([sys.executable, "-c", script, folder], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            assert proc.stdout is not None
            if not proc.stdout.readline():  # waits until at least one complete save exists
                raise RuntimeError(f"the {kind} writer process failed before its first save")
            time.sleep(rng.uniform(0.0, max_delay))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            outcomes[_check_after_kill(folder, kind)] += 1
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return outcomes


def _check_after_kill(folder: str, kind: str) -> str:
    if kind == "graph":
        from graphrnn.ir import serialize
        from graphrnn.ir.verify import verify
        try:
            verify(serialize.load(os.path.join(folder, "graph.json")))
        except Exception as e:  # noqa: BLE001
            return f"torn:{type(e).__name__}"
        return "intact"
    from graphrnn.train.checkpoint_state import latest_checkpoint
    latest = latest_checkpoint(folder)
    if latest is None:
        return "torn:no_latest"
    try:
        values = _read_all(latest)
    except Exception as e:  # noqa: BLE001
        return f"torn:{type(e).__name__}"
    step = int(latest.rsplit("-", 1)[1])
    if not np.all(values["big"] == step):
        return "torn:wrong_value"
    try:
        same = _read_all(os.path.join(folder, "same"))["big"]
    except GraphError:
        return "intact_same_prefix_refused"  # killed between the two renames: a clean error
    except Exception as e:  # noqa: BLE001
        return f"torn:{type(e).__name__}"
    # the overwritten prefix is saved after the numbered one: it holds this step or the one before
    if not (np.all(same == same.flat[0]) and same.flat[0] in (step - 1, step)):
        return f"torn:wrong_value_same_prefix({same.flat[0]} at step {step})"
    return "intact"
