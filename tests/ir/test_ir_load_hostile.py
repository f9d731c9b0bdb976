"""The loader trusts nothing: every malformed file is a SerializationError naming node and field.

Also: saving is atomic, strings from a file reach messages escaped and truncated, version-1
files (nested subgraphs) still load, and a byte-flip fuzz never gets past the loader unverified.
"""

import json
import os
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import graphrnn as gr
from graphrnn.io import atomic
from graphrnn.ir.errors import SHOWN_LIMIT, shown
from graphrnn.ir.serialize import from_json, load, save, to_json
from graphrnn.ir.verify import verify
from graphrnn.testing.graph_fuzz import CLEAN_ERROR, LOADED_VERIFIED, fuzz_graph_files


def _graph() -> gr.Graph:
    g = gr.Graph()
    with g.as_default():
        x = gr.placeholder(gr.float32, [None, 3], name="x")
        w = gr.get_variable("w", [3, 3], initializer=gr.zeros_initializer())
        c = gr.constant(np.arange(3, dtype=np.float32), name="c")

        def body(i, h):
            return i + 1, gr.tanh(gr.matmul(h, w) + c)

        gr.while_loop(lambda i, h: i < 2, body, [gr.constant(0, name="zero"), x], name="loop")
    return g


def _doc() -> dict:
    return json.loads(to_json(_graph()))


def _node(d: dict, name: str) -> dict:
    for gd in [d["graph"], *d["subgraphs"]]:
        for n in gd["nodes"]:
            if n["name"] == name:
                return n
    raise KeyError(name)


def _load_error(d: dict) -> gr.SerializationError:
    with pytest.raises(gr.SerializationError) as info:
        from_json(json.dumps(d))
    return info.value


# --- saving is atomic ------------------------------------------------------------------------------

def test_failed_save_leaves_previous_file_byte_identical(tmp_path):
    path = tmp_path / "g.json"
    save(_graph(), str(path))
    before = path.read_bytes()
    bad = _graph()
    bad.nodes[0].attrs["weird"] = object()  # not serializable: fails while encoding
    with pytest.raises(gr.SerializationError, match="attr 'weird'") as info:
        save(bad, str(path))
    assert info.value.node == "x"
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["g.json"]


def test_save_failing_while_writing_leaves_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "g.json"
    save(_graph(), str(path))
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    other = _graph()
    with other.as_default():
        gr.constant(1.0, name="extra")
    with pytest.raises(OSError):
        save(other, str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["g.json"]


# --- bad bytes, bad JSON, bad document ------------------------------------------------------------

def test_undecodable_bytes_and_bad_json():
    good = to_json(_graph()).encode()
    with pytest.raises(gr.SerializationError, match="invalid UTF-8 at byte 5"):
        from_json(good[:5] + b"\xff" + good[5:])
    with pytest.raises(gr.SerializationError, match="not valid JSON"):
        from_json(good[:-1])
    with pytest.raises(gr.SerializationError, match="NaN is not JSON"):
        from_json(good.replace(b'"seed": null', b'"seed": NaN'))
    with pytest.raises(gr.SerializationError, match="nesting too deep"):
        from_json("[" * 100_000 + "]" * 100_000)


def test_load_reads_bytes_so_bad_utf8_in_a_file_is_clean(tmp_path):
    path = tmp_path / "g.json"
    path.write_bytes(b'{"format": "graphrnn.graph", \xc3\x28}')
    with pytest.raises(gr.SerializationError, match="invalid UTF-8"):
        load(str(path))


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.update(seed="7"), "field 'seed' must be an int or null"),
    (lambda d: d.update(extra=1), "the document's fields"),
    (lambda d: d.update(version=True), "unsupported graph file version"),
    (lambda d: d.update(subgraphs={}), "'subgraphs' is not a list"),
    (lambda d: d["graph"].update(name=3), "field 'name' is not a string"),
    (lambda d: d["graph"].update(results=[["p", 0]]), "names no param"),
    (lambda d: d["graph"]["nodes"].append(7), r"nodes\[\d+\] is not an object"),
])
def test_malformed_documents(mutate, match):
    d = _doc()
    mutate(d)
    assert _load_error(d).message is not None
    with pytest.raises(gr.SerializationError, match=match):
        from_json(json.dumps(d))


# --- every malformed node field names the node and the field ---------------------------------------

@pytest.mark.parametrize("node, mutate, match", [
    ("x", lambda n: n.update(inputs="no"), "field inputs: is not a list"),
    ("x", lambda n: n.update(attrs=[]), "field attrs: is not an object"),
    ("x", lambda n: n.update(source=["f.py", "12"]), "field source: .* is not \\[file name, line number\\]"),
    ("x", lambda n: n.pop("control"), r"lacks fields \['control'\]"),
    ("x", lambda n: n.update(evil=1), "unknown fields"),
    ("x", lambda n: n.update(device=["/cpu:0"]), "field device: is not a string"),
    ("x", lambda n: n["attrs"].update(type={"type": ["float32", [None, "3"]]}), r"attrs\['type'\]: bad dim"),
    ("x", lambda n: n["attrs"].update(type={"type": ["complex512", [3]]}), "unknown dtype 'complex512'"),
    ("x", lambda n: n["outputs"].__setitem__(0, ["float32", [7]]), "field outputs: stores types"),
    ("x", lambda n: n["attrs"].update(type={"int": 3}), "attr 'type' must be type, got a int"),
    ("x", lambda n: n["attrs"].update(type={"eval": "1+1"}), "unknown attr tag 'eval'"),
    ("x", lambda n: n["attrs"].update(evil={"int": 1}), "Placeholder has no attr 'evil'"),
    ("x", lambda n: n["attrs"].clear(), "Placeholder needs attr 'type'"),
    ("x", lambda n: n["inputs"].append(["n", 0, 0]), r"field inputs\[0\]: reference .* undefined node"),
    ("loop", lambda n: n["attrs"].pop("n_carry"), "While needs attr 'n_carry'"),
    ("loop", lambda n: n["attrs"].update(n_carry={"float": 2.0}), "attr 'n_carry' must be int"),
    ("loop", lambda n: n["attrs"].update(n_carry={"int": 9}), "While carries n_carry=9 values but has 4 inputs"),
    ("loop", lambda n: n["inputs"].pop(), "While takes 4 inputs, the node has 3"),
    ("loop", lambda n: n["inputs"].__setitem__(0, ["n", 0, 5]), r"inputs\[0\]: .* has 1 outputs"),
    ("loop", lambda n: n["control"].append(n["control"] and 0 or 99), r"control\[0\]: .* not the index of an earlier"),
    ("loop", lambda n: n["attrs"].update(body={"graph": 99}), "not an earlier entry of 'subgraphs'"),
    ("loop", lambda n: n["attrs"].update(body=n["attrs"]["cond"]), "already the body of another node"),
    ("c", lambda n: n["attrs"]["value"]["array"].update(dtype="float64"),
     "the value is a float64 array but the Const is declared float32"),
    ("c", lambda n: n["attrs"]["value"]["array"].update(shape=[3, 1]), r"the value has shape \[3, 1\]"),
    ("c", lambda n: n["attrs"]["value"]["array"].update(shape=[4]), "array data does not match its shape"),
    ("c", lambda n: n["attrs"]["value"]["array"]["data"].__setitem__(0, "1"), "holds a string other than"),
    ("c", lambda n: n["attrs"]["value"]["array"]["data"].__setitem__(0, [1]), "a float32 array holds"),
    ("c", lambda n: n["attrs"]["value"]["array"].update(shape=[10**6, 10**6]), "too large"),
    ("zero", lambda n: n["attrs"]["value"]["array"]["data"].__setitem__(0, 2**40), "out of the range of int32"),
    ("zero", lambda n: n["attrs"]["value"]["array"]["data"].__setitem__(0, 0.5), "a int32 array holds float"),
    ("w/Initializer", lambda n: n["attrs"]["initializer"]["initializer"].update(kind="os.system"),
     "unknown initializer"),
    ("w/Initializer", lambda n: n["attrs"]["initializer"]["initializer"].update(dtype={"x": 1}),
     "initializer field 'dtype'"),
])
def test_malformed_node_fields_name_node_and_field(node, mutate, match):
    d = _doc()
    mutate(_node(d, node))
    err = _load_error(d)
    assert err.node == node, str(err)
    assert re.search(match, err.message), err.message


def test_tuple_attrs_nested_too_deep():
    d = _doc()
    deep = {"int": 1}
    for _ in range(40):
        deep = {"tuple": [deep]}
    _node(d, "x")["attrs"]["type"] = deep
    err = _load_error(d)
    assert "nested deeper than 32 tuples" in err.message and err.node == "x"


def test_unused_subgraph_and_unknown_op():
    d = _doc()
    d["subgraphs"].append({"name": "orphan", "params": [], "nodes": [], "results": []})
    assert "is not the body of any node" in _load_error(d).message
    d = _doc()
    _node(d, "x")["op"] = "os.system"
    assert "unknown op 'os.system' in node 'x'" in _load_error(d).message


def test_duplicate_variable_names_are_refused():
    d = _doc()
    var = _node(d, "w")
    copy = json.loads(json.dumps(var))
    copy["name"] = "w2"
    d["graph"]["nodes"].append(copy)
    err = _load_error(d)
    assert "two variables are named 'w'" in err.message


# --- round trips -----------------------------------------------------------------------------------

def test_non_finite_constants_round_trip():
    g = gr.Graph()
    with g.as_default():
        gr.constant([np.inf, -np.inf, np.nan, 1.0], name="c")
        gr.constant(float("-inf"), name="s")
    g2 = from_json(to_json(g))
    got = g2.get_operation_by_name("c").attrs["value"]
    np.testing.assert_array_equal(got, [np.inf, -np.inf, np.nan, 1.0])
    assert to_json(g2) == to_json(g)


def _as_version_1(d: dict) -> dict:
    """The same document with each subgraph nested where it is referenced (the old format)."""
    subs = d.pop("subgraphs")

    def nest(a):
        if "graph" in a:
            return {"graph": nest_graph(subs[a["graph"]])}
        if "tuple" in a:
            return {"tuple": [nest(e) for e in a["tuple"]]}
        return a

    def nest_graph(gd):
        for n in gd["nodes"]:
            n["attrs"] = {k: nest(v) for k, v in n["attrs"].items()}
        return gd

    d["graph"] = nest_graph(d["graph"])
    d["version"] = 1
    return d


def test_devices_round_trip():
    g = gr.Graph()
    with g.as_default(), g.device("/cpu:0"):
        gr.constant(1.0, name="c")
    g2 = from_json(to_json(g))
    assert g2.get_operation_by_name("c").device == g.get_operation_by_name("c").device != ""
    assert to_json(g2) == to_json(g)


def test_version_1_files_still_load():
    g = _graph()
    g1 = from_json(json.dumps(_as_version_1(json.loads(to_json(g)))))
    assert str(g1) == str(g)
    assert to_json(g1) == to_json(g)


# --- strings from a file are escaped and truncated in messages ---------------------------------------

def test_escape_sequences_in_names_and_sources_never_reach_messages():
    d = _doc()
    n = _node(d, "x")
    evil = "\x1b[2J\x1b]0;pwned\x07" + "A" * 1000
    n["name"] = evil
    n["source"] = ["\x1b[31mevil.py\u202e", 3]
    n["attrs"]["bogus\x1b[5m"] = {"int": 1}
    err = _load_error(d)
    text = str(err)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text
    assert len(text) < 1500  # the 1000-char name was truncated
    assert "more chars]" in text


def test_lone_surrogates_in_a_file_do_not_break_printing():
    d = _doc()
    _node(d, "x")["name"] = "x\ud800"
    g = from_json(json.dumps(d))
    str(g).encode("utf-8")  # printable on a UTF-8 terminal
    _node(d, "x\ud800")["attrs"]["evil"] = {"int": 1}
    text = str(_load_error(d))
    text.encode("utf-8")
    assert "x\\ud800" in text


def test_escaped_names_in_text_form_and_verifier_errors():
    g = _graph()
    node = g.get_operation_by_name("x")
    node.name = "x\x1b[31m"
    node.source = ("\x1b[2Jfile.py", 1)
    assert "\x1b" not in str(g)
    node.inputs = (g.get_operation_by_name("zero").outputs[0],)  # a Placeholder takes no input
    with pytest.raises(gr.VerifyError) as info:
        verify(g)
    assert "\x1b" not in str(info.value) and "\\x1b[2J" in str(info.value)


@given(st.text(max_size=600))
def test_shown_has_no_control_characters_and_is_bounded(s):
    out = shown(s)
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 or c in "\u202e\u2066\u200f" for c in out)
    assert len(out) <= SHOWN_LIMIT + len("...[10000 more chars]")
    if s.isprintable() and len(s) <= SHOWN_LIMIT:
        assert out == s


# --- byte-flip fuzz --------------------------------------------------------------------------------

def test_byte_flip_fuzz_gives_clean_errors_or_verified_graphs():
    outcomes = fuzz_graph_files(cases=300, seed=0)
    assert sum(outcomes.values()) == 300
    assert set(outcomes) <= {CLEAN_ERROR, LOADED_VERIFIED}, outcomes
    assert outcomes[CLEAN_ERROR] > 100  # the mutations do reach the loader's checks


def test_structural_fuzz_gives_clean_errors_or_verified_graphs():
    outcomes = fuzz_graph_files(cases=60, seed=1, structural=True)
    assert set(outcomes) <= {CLEAN_ERROR, LOADED_VERIFIED}, outcomes
    assert outcomes[CLEAN_ERROR] > 40


def test_gr_ir_save_and_load(tmp_path):
    path = str(tmp_path / "g.json")
    gr.ir.save(_graph(), path)
    assert str(gr.ir.load(path)) == str(_graph())
    with pytest.raises(AttributeError):
        gr.ir.no_such_function  # noqa: B018
