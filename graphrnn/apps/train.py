"""``graphrnn train`` / ``graphrnn demo``: the seeds' row-by-row LSTM classifier, trained end to end.

Each image is a sequence: one row of pixels per time step (8 steps of 8 pixels for scikit-learn's
digits, the default; 28 of 28 for MNIST IDX files given with ``--data-dir``). A BasicLSTMCell reads
the rows, unrolled (``--mode static``: `static_rnn`) or in one While loop (``--mode dynamic``:
`dynamic_rnn`); a dense layer maps the last hidden state to 10 logits; Adam minimizes the mean
sparse softmax cross-entropy. Both modes create the same variables with the same names and seeded
initializers and see the same batches, so from the same ``--seed`` they learn the same weights.

Output: the model's graph sizes and build times (stdout), a tqdm progress bar with loss and
accuracy (stderr), and as the last line ``test accuracy: 0.XXX``.

Checkpoints (TF's own format, `gr.train.Saver`): ``--save DIR`` writes one after every epoch and,
on Ctrl-C, one at the step reached before exiting; ``--resume DIR`` restores the newest one and
goes on from its ``global_step`` (``--epochs`` counts from the start, and the batches already seen
are skipped in the same seeded order), so an interrupted and resumed run ends with the weights of
an uninterrupted one, bit for bit. Without ``--save``, a resumed run keeps saving into its
``--resume`` folder.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

# Digits: ~98% test accuracy in about 2 s of training on 2 cores (demo: ~97% in about 1 s).
# MNIST (--data-dir) is 40x bigger: its default is MNIST_EPOCHS passes.
DEFAULTS = {"hidden": 64, "epochs": 30, "batch_size": 64, "learning_rate": 0.01}
MNIST_EPOCHS = 2
DEMO_DEFAULTS = {"hidden": 64, "epochs": 15, "batch_size": 64, "learning_rate": 0.01}


MAX_INT_ARGUMENT = 2**62  # beyond this no count makes sense, and NumPy's int64 would overflow


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {n}")
    if n > MAX_INT_ARGUMENT:
        raise argparse.ArgumentTypeError(f"{text} is too large (at most {MAX_INT_ARGUMENT})")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (x > 0 and math.isfinite(x)):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return x


def _seed(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= n < 2**63:
        raise argparse.ArgumentTypeError(f"a seed must be in [0, 2**63), got {n}")
    return n


def add_train_arguments(parser: argparse.ArgumentParser, defaults: dict[str, Any] | None = None) -> None:
    """The options of ``graphrnn train`` (``defaults`` overrides the defaults, for the demo)."""
    d = {**DEFAULTS, **(defaults or {})}
    parser.add_argument("--mode", choices=("static", "dynamic"), default="dynamic",
                        help="static_rnn (unrolled cell copies) or dynamic_rnn (one While node) (default: %(default)s)")
    parser.add_argument("--hidden", type=_positive_int, default=d["hidden"], help="LSTM units (default: %(default)s)")
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help=f"passes over the training set (default: {d['epochs']} on the digits, "
                             f"{MNIST_EPOCHS} on MNIST)")
    parser.set_defaults(digits_epochs=d["epochs"])
    parser.add_argument("--batch-size", type=_positive_int, default=d["batch_size"],
                        help="examples per step (default: %(default)s)")
    parser.add_argument("--learning-rate", type=_positive_float, default=d["learning_rate"],
                        help="Adam's learning rate (default: %(default)s)")
    parser.add_argument("--seed", type=_seed, default=0,
                        help="seeds the weights, the split and the batch order (default: %(default)s)")
    parser.add_argument("--data-dir", default=None,
                        help="a directory with MNIST's four IDX files (gzipped or not); default: scikit-learn's "
                             "digits")
    parser.add_argument("--max-steps", type=_positive_int, default=None, help="stop after this many steps")
    parser.add_argument("--no-optimize", action="store_true", help="run the graph as built (no passes)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--save", metavar="DIR", default=None,
                        help="write a checkpoint (TF's format) to DIR after every epoch and on Ctrl-C")
    parser.add_argument("--resume", metavar="DIR", default=None,
                        help="restore the newest checkpoint in DIR and continue from its step")


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    add_train_arguments(parser, DEMO_DEFAULTS)


@dataclass
class Model:
    """The classifier's graph and handles, with what building it cost."""

    graph: Any
    x: Any
    labels: Any
    loss: Any
    accuracy: Any
    train_op: Any
    forward_nodes: tuple[int, int]   # (top-level, nested) node counts of the forward graph
    total_nodes: tuple[int, int]     # the same with gradients and the optimizer
    forward_seconds: float
    gradient_seconds: float
    global_step: Any = None


def check_model_fits(steps: int, features: int, hidden: int, batch_size: int, classes: int = 10) -> None:
    """Refuses, before allocating anything, a model whose weights or activations cannot fit in memory.

    Counts the LSTM and dense weights with Adam's two slots (x3), and one training step's
    activations (the loop tape keeps about 8 [batch, hidden] arrays per step), in float32.
    """
    from graphrnn.ir.errors import GraphError
    weights = 4 * (features + hidden) * 4 * hidden + 4 * hidden + hidden * classes + classes
    activations = steps * min(batch_size, 1 << 40) * (8 * hidden + features)
    need = 4 * (3 * weights + 2 * activations)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a large machine
        total = 1 << 46
    if need > total:
        raise GraphError(f"this model needs about {need / 2**30:,.1f} GiB ({hidden} hidden units, batch "
                         f"{batch_size}, {steps} steps) but the machine has {total / 2**30:,.1f} GiB",
                         fix="use fewer --hidden units or a smaller --batch-size")


def build_model(mode: str, steps: int, features: int, hidden: int, classes: int, learning_rate: float,
                seed: int) -> Model:
    """Builds the LSTM classifier and its Adam training op in a new graph."""
    import graphrnn as gr
    g = gr.Graph()
    with g.as_default():
        gr.set_random_seed(seed)
        t0 = time.perf_counter()
        x = gr.placeholder(gr.float32, [None, steps, features], name="x")
        labels = gr.placeholder(gr.int32, [None], name="labels")
        cell = gr.nn.rnn_cell.BasicLSTMCell(hidden, forget_bias=1.0)
        if mode == "static":
            _, state = gr.nn.static_rnn(cell, gr.unstack(x, num=steps, axis=1), dtype=gr.float32)
        else:
            _, state = gr.nn.dynamic_rnn(cell, x, dtype=gr.float32)
        logits = gr.layers.dense(state.h, classes, name="dense")
        loss = gr.reduce_mean(gr.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        correct = gr.equal(gr.cast(gr.argmax(logits, 1), gr.int32), labels)
        accuracy = gr.reduce_mean(gr.cast(correct, gr.float32))
        t1 = time.perf_counter()
        fwd = (g.node_count(nested=False), g.node_count(nested=True))
        global_step = gr.train.get_or_create_global_step()
        train_op = gr.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
        t2 = time.perf_counter()
    return Model(g, x, labels, loss, accuracy, train_op, fwd, (g.node_count(nested=False), g.node_count(nested=True)),
                 t1 - t0, t2 - t1, global_step)


Split = tuple[np.ndarray, np.ndarray]


def load_data(data_dir: str | None, seed: int) -> tuple[Split, Split, str]:
    from graphrnn import datasets
    from graphrnn.ir.errors import GraphError
    if data_dir is None:
        try:
            (xtr, ytr), (xte, yte) = datasets.load_digits_sequences(seed=seed)
        except ImportError:
            raise GraphError("the digits data set needs scikit-learn, which is not installed",
                             fix="pip install 'graphrnn[examples]', or pass --data-dir with MNIST IDX files") from None
        name = "scikit-learn digits (8 steps x 8 pixels)"
    else:
        (xtr, ytr), (xte, yte) = datasets.load_mnist_idx(data_dir)
        name = f"MNIST from {data_dir} (28 steps x 28 pixels)"
    return ((xtr.astype(np.float32), ytr.astype(np.int32)), (xte.astype(np.float32), yte.astype(np.int32)), name)


def _progress(total: int, quiet: bool) -> Any:
    if quiet:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm comes with the examples extra; train without a bar otherwise
        return None
    return tqdm(total=total, file=sys.stderr, unit="step", leave=False, dynamic_ncols=True)


def blas_single_thread() -> Any:
    """One BLAS thread while training: the matrices are small, and a second BLAS thread that spins
    on a busy core slows every matmul down by 10x or more (measured on 2 cores). Uses threadpoolctl
    (installed with scikit-learn) when present."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def evaluate(sess: Any, model: Model, x: np.ndarray, y: np.ndarray, batch: int = 512) -> float:
    hits = 0.0
    for i in range(0, len(x), batch):
        acc = sess.run(model.accuracy, {model.x: x[i:i + batch], model.labels: y[i:i + batch]})
        hits += float(acc) * len(x[i:i + batch])
    return hits / max(len(x), 1)


class Interrupted(Exception):
    """Ctrl-C during training; carries where the checkpoint was written (or None)."""

    def __init__(self, step: int, checkpoint: str | None) -> None:
        super().__init__(step, checkpoint)
        self.step = step
        self.checkpoint = checkpoint


def train(args: argparse.Namespace, out: Any = None) -> tuple[float, dict[str, np.ndarray]]:
    """Trains as ``args`` say; returns the test accuracy and the final variable values.

    Raises `Interrupted` on Ctrl-C (after writing a checkpoint when ``--save``/``--resume`` is set).
    """
    import graphrnn as gr
    from graphrnn.datasets import batches
    from graphrnn.ir.errors import GraphError
    out = out or sys.stdout
    save_dir = getattr(args, "save", None) or getattr(args, "resume", None)
    resume_dir = getattr(args, "resume", None)
    resume_from = None
    if resume_dir is not None:
        resume_from = gr.train.latest_checkpoint(resume_dir)
        if resume_from is None:
            raise GraphError(f"--resume {resume_dir}: no checkpoint found there",
                             fix="pass the folder a run with --save wrote, or start without --resume")
    if save_dir is not None:
        try:
            os.makedirs(save_dir, exist_ok=True)
        except OSError as e:  # a file of that name, no permission, ...: say which folder and why
            raise gr.CheckpointError(f"--save {save_dir}: cannot create the checkpoint folder "
                                     f"({e.strerror or e})", fix="pass a folder path (new or existing) "
                                     "that is not a file and that you can write to") from None
    (xtr, ytr), (xte, yte), data_name = load_data(args.data_dir, args.seed)
    steps, features = xtr.shape[1], xtr.shape[2]
    check_model_fits(steps, features, args.hidden, min(args.batch_size, len(xtr)))
    model = build_model(args.mode, steps, features, args.hidden, 10, args.learning_rate, args.seed)
    print(f"data: {data_name}: {len(xtr)} train / {len(xte)} test images", file=out)
    print(f"model: {args.mode} LSTM, {args.hidden} units, {steps} steps; graph nodes: forward "
          f"{model.forward_nodes[0]} top-level / {model.forward_nodes[1]} nested, with gradients and Adam "
          f"{model.total_nodes[0]} / {model.total_nodes[1]}", file=out)
    print(f"build time: forward {model.forward_seconds * 1000:.1f} ms, gradients + Adam "
          f"{model.gradient_seconds * 1000:.1f} ms", file=out)
    rng = np.random.default_rng(args.seed)
    per_epoch = -(-len(xtr) // args.batch_size)
    epochs = args.epochs or (getattr(args, "digits_epochs", DEFAULTS["epochs"]) if args.data_dir is None
                             else MNIST_EPOCHS)
    total = per_epoch * epochs if args.max_steps is None else min(args.max_steps, per_epoch * epochs)
    step = 0
    t0 = time.perf_counter()
    with blas_single_thread(), gr.Session(graph=model.graph, optimize=not args.no_optimize) as sess:
        saver = gr.train.Saver(max_to_keep=5) if save_dir is not None else None
        if resume_from is not None:
            gr.train.Saver().restore(sess, resume_from)
            step = int(sess.run(model.global_step))
            print(f"resumed from {resume_from} at step {step}", file=out)
        else:
            sess.run(gr.global_variables_initializer())
        start = step
        bar = _progress(total - start, args.quiet)
        loss_avg = acc_avg = None
        seen = 0  # batches drawn, including the ones a resumed run skips (same seeded order)

        def checkpoint() -> str | None:
            if saver is None:
                return None
            return saver.save(sess, os.path.join(save_dir, "model.ckpt"), global_step=step)

        try:
            for _ in range(epochs):
                if step >= total:
                    break
                for xb, yb in batches(xtr, ytr, args.batch_size, rng=rng):
                    seen += 1
                    if seen <= start:
                        continue
                    if step >= total:
                        break
                    _, lv, av = sess.run([model.train_op, model.loss, model.accuracy],
                                         {model.x: xb, model.labels: yb})
                    loss_avg = float(lv) if loss_avg is None else 0.9 * loss_avg + 0.1 * float(lv)
                    acc_avg = float(av) if acc_avg is None else 0.9 * acc_avg + 0.1 * float(av)
                    step += 1
                    if bar is not None:
                        bar.set_postfix(loss=f"{loss_avg:.3f}", acc=f"{acc_avg:.3f}", refresh=False)
                        bar.update(1)
                if seen > start:
                    checkpoint()
        except KeyboardInterrupt:
            if bar is not None:
                bar.close()
            raise Interrupted(step, checkpoint()) from None
        if bar is not None:
            bar.close()
        seconds = time.perf_counter() - t0
        test_acc = evaluate(sess, model, xte, yte)
        weights = {v.op.name: sess.run(v.value()) for v in gr.trainable_variables(model.graph)}
    done = step - start
    print(f"trained {done} steps in {seconds:.1f} s ({done / max(seconds, 1e-9):.1f} steps/s); "
          f"final train loss {loss_avg if loss_avg is not None else float('nan'):.3f}", file=out)
    if save_dir is not None:
        print(f"checkpoints: {save_dir} (newest: {gr.train.latest_checkpoint(save_dir)})", file=out)
    return test_acc, weights


def run_train(args: argparse.Namespace) -> int:
    try:
        acc, _ = train(args)
    except Interrupted as e:
        where = f"checkpoint saved: {e.checkpoint}" if e.checkpoint else "no checkpoint (use --save DIR)"
        print(f"interrupted at step {e.step}; {where}", file=sys.stderr)
        return 130
    print(f"test accuracy: {acc:.3f}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """A short digits run with the demo defaults (see `add_demo_arguments`)."""
    filled = argparse.Namespace(**{**_demo_namespace_defaults(), **vars(args)})
    return run_train(filled)


def _demo_namespace_defaults() -> dict[str, Any]:
    p = argparse.ArgumentParser()
    add_demo_arguments(p)
    return vars(p.parse_args([]))
