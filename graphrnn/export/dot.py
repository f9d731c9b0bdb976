"""Graphviz export: `to_dot(graph) -> graphviz.Digraph` and `render(graph_or_digraph, path)`.

The DOT text is produced by the ``graphviz`` package from the layout in `graphrnn.export.view`
(clusters for name scopes and While/If bodies, collapsed ``× N`` boxes); this module only chooses how
things look. Rendering to SVG/PNG needs Graphviz's ``dot`` program; writing ``.dot`` does not.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import graphviz

from graphrnn.export.labels import FAMILY_COLOR, escape_label
from graphrnn.export.view import Cluster, Edge, Item, View, build_view
from graphrnn.io.atomic import write_bytes, write_text
from graphrnn.ir.errors import GraphError
from graphrnn.ir.graph import Graph


class GraphvizNotFoundError(GraphError):
    """Rendering needs Graphviz's ``dot`` executable, which is not on PATH."""


class LargeGraphWarning(UserWarning):
    """`render` collapsed a drawing whose layout would take long, or expects a slow layout."""


_NODE_SHAPES = {"Placeholder": "invhouse", "VariableV2": "cylinder", "Const": "note",
                "While": "doubleoctagon", "If": "diamond"}
_CLUSTER_STYLE = {
    "scope": {"style": "rounded", "color": "#878787"},
    "loop": {"style": "rounded,filled,bold", "color": "#d6604d", "fillcolor": "#fff7ec"},
    "subgraph": {"style": "rounded,filled,dashed", "color": "#4393c3", "fillcolor": "#f7fbff"},
}
_EDGE_STYLE: dict[str, dict[str, str]] = {
    "data": {},
    "control": {"style": "dashed", "color": "#969696", "arrowhead": "odot"},
    "capture": {"style": "dashed", "color": "#2166ac", "label": "capture"},
    "enter": {"style": "dotted", "color": "#636363"},
    "carry": {"color": "#b2182b", "penwidth": "2", "constraint": "false"},
    "pred": {"style": "dashed", "color": "#b2182b", "constraint": "false"},
    "result": {"style": "dashed", "color": "#1b7837", "constraint": "false"},
    "recurrent": {"color": "#b2182b", "penwidth": "2", "label": "recurrent"},
}


def _item_attrs(it: Item) -> dict[str, str]:
    attrs = {"label": escape_label(it.lines), "fillcolor": FAMILY_COLOR.get(it.family, "#ffffff")}
    if it.kind == "param":
        attrs.update(shape="ellipse", fillcolor="#ffffff", style="filled,dashed")
    elif it.kind == "box":
        attrs.update(shape="box3d", fillcolor="#fdb863" if it.count > 1 else "#fee0b6")
        if it.count > 1:
            attrs["peripheries"] = "2"
    elif it.op in _NODE_SHAPES:
        attrs["shape"] = _NODE_SHAPES[it.op]
    return attrs


def _emit_cluster(c: Cluster, into: graphviz.Digraph) -> None:
    for e in c.entries:
        if isinstance(e, Item):
            into.node(e.id, **_item_attrs(e))
            continue
        with into.subgraph(name=e.id) as sub:
            sub.attr(label=escape_label([e.label]), **_CLUSTER_STYLE[e.kind])
            _emit_cluster(e, sub)


def _edge_attrs(e: Edge) -> dict[str, str]:
    attrs = dict(_EDGE_STYLE[e.kind])
    label = e.label or attrs.pop("label", None)
    if e.count > 1:
        label = f"{label} × {e.count}" if label else f"× {e.count}"
    if label:
        attrs["label"] = escape_label([label])
    return attrs


def _families(c: Cluster) -> set[str]:
    out: set[str] = set()
    for e in c.entries:
        if isinstance(e, Item):
            if e.kind == "node":
                out.add(e.family)
        else:
            out |= _families(e)
    return out


def _emit_legend(view: View, into: graphviz.Digraph) -> None:
    """A cluster with one swatch per op family that occurs in the drawing (in FAMILY_COLOR's order)."""
    present = _families(view.root)
    with into.subgraph(name="cluster_legend") as c:
        c.attr(label="op families", style="rounded", color="#bababa")
        for fam, color in FAMILY_COLOR.items():
            if fam in present:
                c.node(f"legend_{fam}", label=escape_label([fam]), fillcolor=color)


def view_to_dot(view: View, name: str = "graph", rankdir: str = "TB", legend: bool = False) -> graphviz.Digraph:
    """The Digraph of a laid-out `View` (see `to_dot`)."""
    dot = graphviz.Digraph(
        name=name,
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11", "labeljust": "l",
                    "newrank": "true"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"},
    )
    _emit_cluster(view.root, dot)
    if legend:
        _emit_legend(view, dot)
    for e in view.edges:
        dot.edge(e.src, e.dst, **_edge_attrs(e))
    return dot


def to_dot(graph: Graph, *, collapse_scopes: bool | Iterable[str] = False, max_depth: int | None = None,
           show_unused_params: bool = False, legend: bool = False, rankdir: str = "TB",
           name: str | None = None) -> graphviz.Digraph:
    """Draws ``graph`` as a `graphviz.Digraph` (``.source`` is the DOT text; deterministic).

    Each node shows its op, name and output types, filled by op family (`labels.FAMILY_COLOR`).
    Name scopes are clusters, so each unrolled step of a ``static_rnn`` is its own cluster; a While
    or If is a cluster holding its subgraphs, with captured values entering the subgraph's params
    (blue dashed), the While entering its carry params (dotted), body results carried back to the
    carry params (red) and the cond's predicate returning to the While.

    ``collapse_scopes=True`` draws repeated sibling scopes (the steps ``rnn/basic_lstm_cell``,
    ``rnn/basic_lstm_cell_1``, ...) as one box marked ``× N`` and other innermost scopes as one box
    each; a list of fnmatch patterns collapses only matching scopes. ``max_depth`` collapses clusters
    nested deeper than it; subgraph params nothing reads are left out unless ``show_unused_params``
    (see `graphrnn.export.view.build_view`). ``legend`` adds a cluster naming the colours used.
    """
    view = build_view(graph, collapse_scopes=collapse_scopes, max_depth=max_depth,
                      show_unused_params=show_unused_params)
    return view_to_dot(view, name=name or graph.name, rankdir=rankdir, legend=legend)


# Graphviz's layout time grows steeply with the number of edges of a clustered graph: measured here
# (static LSTM, one cluster per step) 143 edges 0.2 s, 231 edges 0.9 s, 319 edges 3.9 s, 407 edges
# 16 s: about t = 0.2 s * (edges / 143) ** 4.2. The estimate errs on the slow side for flat graphs.
_LAYOUT_SECONDS_AT_143_EDGES = 0.2
_LAYOUT_EXPONENT = 4.2
SLOW_LAYOUT_SECONDS = 5.0


def estimate_layout_seconds(view: View) -> float:
    """A rough upper estimate of Graphviz's ``dot`` layout time for a drawing, in seconds."""
    return _LAYOUT_SECONDS_AT_143_EDGES * (max(len(view.edges), 1) / 143) ** _LAYOUT_EXPONENT


def _count_items(c: Cluster) -> int:
    return sum(1 if isinstance(e, Item) else _count_items(e) for e in c.entries)


@dataclass
class DrawingPlan:
    """What `plan_drawing` chose: the Digraph to render, its layout estimate, and a one-line note
    for the user when it collapsed the graph or expects a slow layout (else None)."""

    digraph: graphviz.Digraph
    boxes: int
    edges: int
    estimated_seconds: float
    collapsed: bool
    note: str | None


def plan_drawing(graph: Graph, *, collapse_scopes: bool | Iterable[str] = False, max_depth: int | None = None,
                 full: bool = False, legend: bool = False, max_seconds: float = SLOW_LAYOUT_SECONDS
                 ) -> DrawingPlan:
    """Chooses a drawing that Graphviz lays out in seconds.

    Unless ``full`` (or the caller already collapses), a graph whose full drawing is estimated to
    take longer than ``max_seconds`` is drawn with repeated steps collapsed (``× N`` boxes), and the
    note says so and how to get the full drawing. If even that is slow, the note gives the estimate.
    """
    view = build_view(graph, collapse_scopes=collapse_scopes, max_depth=max_depth)
    est = estimate_layout_seconds(view)
    note = None
    collapsed = bool(collapse_scopes) or max_depth is not None
    if est > max_seconds and not full and not collapsed:
        small = build_view(graph, collapse_scopes=True, max_depth=max_depth)
        full_boxes, full_est = _count_items(view.root), est
        view, est, collapsed = small, estimate_layout_seconds(small), True
        note = (f"the full drawing ({full_boxes:,} boxes) would take Graphviz about {_duration(full_est)}, so "
                f"repeated steps are collapsed into '× N' boxes; pass --full (full=True) to draw every node")
    if est > max_seconds:
        extra = f"laying out {len(view.edges):,} edges takes Graphviz about {_duration(est)} (Ctrl-C stops it)"
        note = f"{note}; {extra}" if note else extra
    digraph = view_to_dot(view, name=graph.name, legend=legend)
    return DrawingPlan(digraph, _count_items(view.root), len(view.edges), est, collapsed, note)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} h"
    return "more than two days"


_FORMATS = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png", ".pdf": "pdf"}


def dot_executable() -> str | None:
    """Path of Graphviz's ``dot`` program, or None when it is not installed."""
    return shutil.which("dot")


def render(graph_or_digraph: Graph | graphviz.Digraph, path: str | os.PathLike[str], **to_dot_kwargs: object
           ) -> str:
    """Writes a drawing to ``path``: ``.dot``/``.gv`` as DOT text; ``.svg``/``.png``/``.pdf`` via ``dot``.

    Returns the path written. Raises `GraphvizNotFoundError` (saying how to install Graphviz) when an
    image is asked for and ``dot`` is missing, and `GraphError` for an unknown extension.
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in _FORMATS:
        raise GraphError(f"cannot tell the output format from {path!r}",
                         fix="use a file name ending in " + ", ".join(_FORMATS))
    fmt = _FORMATS[ext]
    if isinstance(graph_or_digraph, graphviz.Digraph):
        dot = graph_or_digraph
    elif fmt is not None and set(to_dot_kwargs) <= {"collapse_scopes", "max_depth", "legend", "full"}:
        plan = plan_drawing(graph_or_digraph, **to_dot_kwargs)  # type: ignore[arg-type]
        if plan.note:
            warnings.warn(plan.note, LargeGraphWarning, stacklevel=2)
        dot = plan.digraph
    else:
        to_dot_kwargs.pop("full", None)
        dot = to_dot(graph_or_digraph, **to_dot_kwargs)  # type: ignore[arg-type]
    if fmt is None:
        write_text(path, dot.source)
        return path
    if dot_executable() is None:
        raise GraphvizNotFoundError(
            f"rendering {ext} needs Graphviz's `dot` program, which is not on PATH",
            fix="install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; macOS: "
                "`brew install graphviz`; conda: `conda install graphviz`), or write a .dot file instead")
    try:
        data = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:  # dot vanished between the check and the call
        raise GraphvizNotFoundError(str(e), fix="install Graphviz (`apt-get install graphviz` / "
                                                "`brew install graphviz`)") from None
    except graphviz.CalledProcessError as e:
        raise GraphError(f"Graphviz `dot` failed: {e.stderr.decode(errors='replace').strip()}") from None
    write_bytes(path, data)
    return path
