"""Robustness figures: hostile inputs, corrupted files, killed saves, load time, TF1 checkpoints.

    python benchmarks/robustness.py [--quick] [--json PATH]

1. Hostile construction inputs per class (graphrnn.testing.hostile): how many end in a clean GraphError.
2. Byte-level fuzz of saved graphs (graphrnn.testing.graph_fuzz): a clean SerializationError or a
   graph that verifies, never a raw exception.
3. Byte-level fuzz of checkpoints (graphrnn.testing.durability): a clean CheckpointError or the
   original values, never a raw exception or a different value.
4. Kill-during-save: a process saving in a loop is SIGKILLed at random moments; the previous (or new)
   checkpoint / graph file must be whole every time.
5. Load time of a graph JSON against its number of variables (linear).
6. TF1 checkpoints: files written by TensorFlow restore (values equal), and graphrnn writes TF's bytes.
Prints tables; asserts nothing about timings (a failed correctness count is reported, not hidden).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, environment, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CKPTS = ROOT / "tests" / "data" / "checkpoints"


def _fmt(c: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))


def hostile_inputs() -> dict[str, object]:
    try:
        from graphrnn.testing import hostile
    except ImportError:
        print("1. hostile inputs: graphrnn.testing.hostile is not available in this checkout")
        return {}
    counts = hostile.run_hostile_inputs()
    print("1. hostile construction inputs (per class: tried, clean GraphError, other outcome)")
    print("| class | tried | clean GraphError | accepted as TF1 does | failures |")
    print("|---|---:|---:|---:|---:|")
    for cls, row in sorted(counts.items()):
        print(f"| {cls} | {row['tried']} | {row['clean']} | {row.get('accepted', 0)} | {row.get('failures', 0)} |")
    return counts


def graph_fuzz(cases: int) -> dict[str, dict[str, int]]:
    from graphrnn.testing.graph_fuzz import fuzz_graph_files
    out = {}
    for mode, structural in (("bytes", False), ("JSON fields", True)):
        t0 = time.perf_counter()
        c = fuzz_graph_files(cases=cases, seed=0, structural=structural)
        print(f"2. graph JSON fuzz ({mode} changed), {cases} cases ({time.perf_counter() - t0:.1f} s): {_fmt(c)}")
        out[mode] = dict(c)
    return out


def checkpoint_fuzz(cases: int) -> dict[str, int]:
    from graphrnn.testing.durability import fuzz_checkpoint
    t0 = time.perf_counter()
    c: Counter[str] = Counter()
    for i, tag in enumerate(("adam_f32", "adam_f64")):
        c.update(fuzz_checkpoint(str(CKPTS / tag / "model.ckpt-3"), cases=cases // 2, seed=i))
    print(f"3. checkpoint byte fuzz, {cases} cases ({time.perf_counter() - t0:.1f} s): {_fmt(c)}")
    return dict(c)


def kill_trials(trials: int) -> dict[str, dict[str, int]]:
    from graphrnn.testing.durability import kill_during_save
    out = {}
    for kind in ("checkpoint", "graph"):
        t0 = time.perf_counter()
        c = kill_during_save(trials=trials, kind=kind, seed=7)
        print(f"4. kill during {kind} save, {trials} trials ({time.perf_counter() - t0:.0f} s): {_fmt(c)}")
        out[kind] = dict(c)
    return out


def load_time(sizes: list[int]) -> list[dict[str, float]]:
    import graphrnn as gr
    from graphrnn.ir.serialize import from_json, to_json
    rows = []
    print("5. graph JSON load time against the number of variables (best of 3)")
    print("| variables | JSON MB | load s | µs per variable |")
    print("|---:|---:|---:|---:|")
    for n in sizes:
        g = gr.Graph()
        with g.as_default():
            for i in range(n):
                gr.get_variable(f"v{i}", [2], initializer=gr.zeros_initializer())
        text = to_json(g)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            from_json(text)
            best = min(best, time.perf_counter() - t0)
        rows.append({"variables": n, "mb": len(text) / 1e6, "seconds": best})
        print(f"| {n:,} | {len(text) / 1e6:.2f} | {best:.3f} | {best / n * 1e6:.0f} |")
    return rows


def tf_checkpoints() -> dict[str, object]:
    import graphrnn as gr
    from graphrnn.io.tensor_bundle import BundleReader, write_bundle
    result: dict[str, object] = {}
    equal = total = 0
    for tag in ("adam_f32", "adam_f64"):
        ref = np.load(CKPTS / f"{tag}.npz")
        r = gr.train.load_checkpoint(str(CKPTS / tag))
        for name in r.get_variable_to_shape_map():
            total += 1
            got, want = r.get_tensor(name), ref["var/" + name]
            equal += int(got.dtype == want.dtype and np.array_equal(got, want))
    same_bytes = 0
    files = 0
    with tempfile.TemporaryDirectory() as tmp:
        for prefix in (CKPTS / "adam_f32" / "model.ckpt-3", CKPTS / "adam_f64" / "model.ckpt-3",
                       CKPTS / "dtypes" / "model.ckpt"):
            src = BundleReader(str(prefix))
            out = os.path.join(tmp, prefix.parent.name)
            write_bundle(out, {n: src.get_tensor(n) for n in src.names()})
            for suffix in (".index", ".data-00000-of-00001"):
                files += 1
                same_bytes += int(Path(out + suffix).read_bytes() == Path(str(prefix) + suffix).read_bytes())
    print(f"6. TF-written checkpoints: {equal}/{total} tensors restore equal (dtype and value); "
          f"rewritten by graphrnn: {same_bytes}/{files} files byte-identical to TF's")
    result.update(tensors_equal=equal, tensors=total, files_identical=same_bytes, files=files)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small counts (seconds)")
    ap.add_argument("--json", type=Path, default=RESULTS / "robustness.json")
    args = ap.parse_args()
    fuzz_cases = 200 if args.quick else 2000
    trials = 2 if args.quick else 40
    sizes = [500, 1000] if args.quick else [1000, 2000, 4000, 8000]
    report = {"environment": environment(), "quick": args.quick,
              "hostile": hostile_inputs(), "graph_fuzz": graph_fuzz(fuzz_cases),
              "checkpoint_fuzz": checkpoint_fuzz(fuzz_cases), "kill": kill_trials(trials),
              "load_time": load_time(sizes), "tf_checkpoints": tf_checkpoints()}
    write_json(args.json, report)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
