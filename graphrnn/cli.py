"""The ``graphrnn`` command: look at RNN graphs (``show``, ``dot``), benchmark them, train and demo.

    graphrnn show [--cell lstm] [--mode static] [--steps 5] [--time-major] [--optimize]
    graphrnn dot --cell gru --mode dynamic --steps 10 [--optimize] [--collapse] -o graph.svg
    graphrnn bench [--quick] [--only build|run] [--out DIR]
    graphrnn --version
    graphrnn train ...   /   graphrnn demo ...      (graphrnn.apps.train)

Contract: a user mistake (bad arguments, a missing optional part such as Graphviz or the pass
manager, an unwritable file) prints one line ``graphrnn <cmd>: error: ...`` on stderr and exits with
a non-zero status (2 for bad arguments, 1 otherwise); it never prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from graphrnn.ir.errors import GraphError
from graphrnn.models import CELLS, MODES, FeatureUnavailable, build_rnn_model, optimize_graph

_DOT_EXTENSIONS = (".dot", ".gv", ".svg", ".png", ".pdf")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (argparse prints the whole usage block before the error)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _int_at_least(low: int, what: str) -> Any:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {n}")
        if n > MAX_INT_ARGUMENT:
            raise argparse.ArgumentTypeError(f"{text} is too large (at most {MAX_INT_ARGUMENT})")
        return n
    return parse


MAX_INT_ARGUMENT = 2**62  # beyond this no size or count makes sense (and int64 would overflow)
# A static graph node costs about 1.5 KB of Python objects; refuse graphs bigger than half the RAM.
_BYTES_PER_NODE = 1536
_NODES_PER_STEP = {"rnn": 8, "gru": 20, "lstm": 16}


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a large machine
        return 1 << 46


def _check_graph_fits(args: argparse.Namespace) -> None:
    """Says so, before building anything, when the unrolled graph cannot fit in memory."""
    if args.mode != "static":
        return  # one While node whatever the length
    # The contrib cells (models.CELLS beyond these three) are a few dozen nodes per step: 64 bounds them.
    nodes = args.steps * _NODES_PER_STEP.get(args.cell, 64)
    need = nodes * _BYTES_PER_NODE
    have = _physical_memory()
    if need > have // 2:
        raise GraphError(f"--steps {args.steps} would unroll about {nodes:,} nodes (~{need / 2**30:,.0f} GiB); this "
                         f"machine has {have / 2**30:,.0f} GiB", fix="use --mode dynamic (one While node for any "
                         "length) or fewer --steps")


_positive_int = _int_at_least(1, "positive")
_non_negative_int = _int_at_least(0, "non-negative")


def _add_model_arguments(p: argparse.ArgumentParser, steps: int) -> None:
    p.add_argument("--cell", choices=CELLS, default="lstm", help="rnn=BasicRNNCell, gru=GRUCell, "
                   "lstm=LSTMCell; contrib cells: see graphrnn.models.make_cell (default: lstm)")
    p.add_argument("--mode", choices=MODES, default="static",
                   help="static_rnn (unrolled) or dynamic_rnn (one While node) (default: static)")
    p.add_argument("--steps", type=_positive_int, default=steps, help=f"time steps T (default: {steps})")
    p.add_argument("--units", type=_positive_int, default=128, help="hidden units (default: 128)")
    p.add_argument("--input-size", type=_positive_int, default=28, help="input features (default: 28)")
    p.add_argument("--time-major", action="store_true", help="feed x as [T, B, I] instead of [B, T, I]")
    p.add_argument("--optimize", action="store_true", help="run graphrnn.passes.optimize on the graph")
    p.add_argument("--pipeline", action="append", metavar="PASSES", default=None,
                   help="passes for --optimize: a pipeline name ('default', 'none') or pass names, comma-separated "
                        "or repeated (--pipeline cse,dce or --pipeline cse --pipeline dce) (default: default)")


def _pipeline(args: argparse.Namespace) -> str | list[str]:
    """``--pipeline`` values joined: ``["cse,dce", "licm"]`` -> ``["cse", "dce", "licm"]``."""
    names = [n.strip() for value in (args.pipeline or ["default"]) for n in value.split(",") if n.strip()]
    if not names:
        raise GraphError("--pipeline needs at least one pass name", fix="e.g. --pipeline default or --pipeline cse,dce")
    return names[0] if len(names) == 1 else names


def _build(args: argparse.Namespace) -> tuple[Any, Any]:
    """The model's graph (optimized when asked) and the optimization report (or None)."""
    _check_graph_fits(args)
    m = build_rnn_model(args.cell, args.mode, steps=args.steps, units=args.units,
                        input_size=args.input_size, time_major=args.time_major)
    if not args.optimize:
        return m.graph, None
    graph, _, report = optimize_graph(m.graph, [*m.fetches, m.x], pipeline=_pipeline(args))
    return graph, report


def _cmd_show(args: argparse.Namespace) -> int:
    _check_graph_fits(args)
    m = build_rnn_model(args.cell, args.mode, steps=args.steps, units=args.units,
                        input_size=args.input_size, time_major=args.time_major)
    optimized = None
    if args.optimize:  # before printing anything, so a missing pass manager fails cleanly
        optimized = optimize_graph(m.graph, [*m.fetches, m.x], pipeline=_pipeline(args))
    print(m.graph)
    print(f"# {m.graph.node_count(nested=True)} nodes ({m.graph.node_count(nested=False)} top level)")
    if optimized is not None:
        graph, _, report = optimized
        print(f"\n# optimized ({','.join(args.pipeline or ['default'])})")
        print(graph)
        print(f"# {graph.node_count(nested=True)} nodes ({graph.node_count(nested=False)} top level)")
        print("\n# pass report")
        print(report)
    return 0


def _cmd_dot(args: argparse.Namespace) -> int:
    from graphrnn.export.dot import SLOW_LAYOUT_SECONDS, plan_drawing, render
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in _DOT_EXTENSIONS:
        raise GraphError(f"cannot tell the output format of {args.output!r}",
                         fix="end the file name in " + ", ".join(_DOT_EXTENSIONS))
    graph, _ = _build(args)
    layout = ext not in (".dot", ".gv")  # writing DOT text runs no Graphviz layout
    plan = plan_drawing(graph, collapse_scopes=args.collapse, max_depth=args.max_depth, full=args.full or not layout,
                        legend=args.legend, max_seconds=SLOW_LAYOUT_SECONDS if layout else float("inf"))
    if plan.note:
        print(f"graphrnn dot: {plan.note}", file=sys.stderr)
    render(plan.digraph, args.output)
    print(f"wrote {args.output} ({graph.node_count(nested=True)} nodes)")
    return 0


def _cmd_onnx(args: argparse.Namespace) -> int:
    import graphrnn as gr
    from graphrnn.export.onnx import to_onnx
    _check_graph_fits(args)
    m = build_rnn_model(args.cell, args.mode, steps=args.steps, units=args.units,
                        input_size=args.input_size, time_major=args.time_major)
    fetches = {"last": m.last} if args.mode == "static" else {"outputs": m.outputs, "last": m.last}
    with gr.Session(graph=m.graph) as sess:
        sess.run(gr.global_variables_initializer())
        if args.checkpoint:  # the trained weights, by TF1 variable name
            with m.graph.as_default():
                saver = gr.train.Saver()
            ckpt = gr.train.latest_checkpoint(args.checkpoint) or args.checkpoint
            saver.restore(sess, ckpt)
        ex = to_onnx(sess, fetches, [m.x], args.output, opset=args.opset, fuse_rnn=args.fuse_rnn)
    ops = sorted({n.op_type for n in ex.model.graph.node} - {"Constant"})
    print(f"wrote {args.output} ({len(ex.serialized()):,} bytes; inputs {', '.join(ex.input_names)}; "
          f"outputs {', '.join(ex.output_names)}; ops {', '.join(ops)})")
    for line in ex.report:
        print(f"  {line}")
    return 0


def _benchmarks_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "benchmarks"
    if not (here / "build_time.py").exists():
        raise GraphError("the benchmark scripts are not installed with this copy of graphrnn",
                         fix="run `graphrnn bench` from a source checkout (pip install -e .)")
    return here


def _cmd_bench(args: argparse.Namespace) -> int:
    bench = _benchmarks_dir()
    scripts = {"build": ["build_time.py"], "run": ["run_time.py"],
               "all": ["build_time.py", "run_time.py"]}[args.only]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    extra = ["--quick"] if args.quick else []
    if args.no_plot:
        extra.append("--no-plot")
    for s in scripts:
        stem = s[:-3] + ("_quick" if args.quick else "")
        files = ["--json", str(out / f"{stem}.json")]  # results go to --out (default: here), never the source tree
        if not args.no_plot:
            files += ["--plot", str(out / f"{stem}.png")]
        rc = subprocess.call([sys.executable, str(bench / s), *extra, *files])
        if rc != 0:
            return rc
    return 0


def _train_module(command: str) -> Any:
    try:
        import graphrnn.apps.train as train  # lazy: training lands separately and is optional here
    except ImportError as e:
        if e.name not in ("graphrnn.apps", "graphrnn.apps.train"):
            raise
        raise FeatureUnavailable(f"`graphrnn {command}` is not available yet (graphrnn.apps.train is "
                                 "missing)") from None
    return train


def _run_train(command: str, rest: list[str]) -> int:
    """``graphrnn train|demo ARGS``: the arguments belong to graphrnn.apps.train's own parser."""
    train = _train_module(command)
    p = _Parser(prog=f"graphrnn {command}")
    if command == "demo" and hasattr(train, "add_demo_arguments"):
        train.add_demo_arguments(p)
    else:
        train.add_train_arguments(p)
    sub_args = p.parse_args(rest)
    run = train.run_train if command == "train" else train.run_demo
    return int(run(sub_args) or 0)


def _cmd_train(args: argparse.Namespace) -> int:
    return _run_train(args.command, args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="graphrnn", description="Look at, benchmark and train graphrnn RNN graphs.")
    parser.add_argument("--version", action="version", version=f"graphrnn {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("show", help="print the text form of a model's graph (and the optimized one)")
    _add_model_arguments(p, steps=3)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("dot", help="draw a model's graph as .dot/.svg/.png (Graphviz)")
    _add_model_arguments(p, steps=3)
    p.add_argument("--collapse", action="store_true",
                   help="collapse name scopes; repeated steps become one box marked × N")
    p.add_argument("--legend", action="store_true", help="add a key of the op-family colours")
    p.add_argument("--max-depth", type=_non_negative_int, default=None,
                   help="collapse clusters nested deeper than this")
    p.add_argument("-o", "--output", required=True, help="output file: .dot, .gv, .svg, .png or .pdf")
    p.add_argument("--full", action="store_true",
                   help="draw every node even when the layout would take long (no automatic collapsing)")
    p.set_defaults(func=_cmd_dot)

    p = sub.add_parser("onnx", help="export a model's graph as an ONNX model (needs the onnx extra)")
    _add_model_arguments(p, steps=28)
    p.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    p.add_argument("--checkpoint", metavar="PATH", default=None,
                   help="restore the variables from this checkpoint (or the newest in this folder) first")
    p.add_argument("--opset", type=_positive_int, default=18, help="ONNX opset (default: 18)")
    p.add_argument("--fuse-rnn", action="store_true",
                   help="export a dynamic_rnn loop running a plain float32 LSTM cell as one ONNX LSTM node")
    p.set_defaults(func=_cmd_onnx)

    p = sub.add_parser("bench", help="run the static-vs-dynamic benchmarks (benchmarks/*.py)")
    p.add_argument("--quick", action="store_true", help="a small grid that runs in seconds")
    p.add_argument("--only", choices=("build", "run", "all"), default="all", help="which benchmark")
    p.add_argument("--no-plot", action="store_true", help="do not draw the plots")
    p.add_argument("--out", default=".", metavar="DIR",
                   help="where the JSON results and plots go (default: the current folder)")
    p.set_defaults(func=_cmd_bench)

    for name, text in (("train", "train an RNN classifier (graphrnn.apps.train)"),
                       ("demo", "a short end-to-end training demo (graphrnn.apps.train)")):
        p = sub.add_parser(name, help=text, add_help=False)  # its own parser handles --help
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=_cmd_train)
    return parser


def _version() -> str:
    from graphrnn import __version__
    return __version__


def _one_line(e: BaseException) -> str:
    return "; ".join(part.strip() for part in str(e).splitlines() if part.strip()) or type(e).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command; returns the exit status (see the module docstring for the error contract)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("train", "demo"):
        # Everything after the word goes to the training app's parser (argparse would claim --help).
        args = argparse.Namespace(command=argv[0], rest=argv[1:], func=_cmd_train)
    else:
        args = build_parser().parse_args(argv)
    prog = f"graphrnn {args.command}"
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        print(f"{prog}: error: output closed early (broken pipe)", file=sys.stderr)
        return 1
    except (GraphError, OSError, ValueError, MemoryError, OverflowError) as e:
        print(f"{prog}: error: {_one_line(e) if not isinstance(e, MemoryError) else 'out of memory'}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Points stdout at /dev/null, so Python's final flush of a closed pipe does not print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
