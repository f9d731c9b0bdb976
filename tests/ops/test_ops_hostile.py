"""Every public constructor x every hostile class of value (graphrnn/testing/hostile_cases.py): the
outcome is a GraphError, or a result equal to TensorFlow's for the same call (recorded offline in
tests/data/hostile/tf1_outcomes.json); never a raw Python/NumPy exception or a silent divergence."""

from __future__ import annotations

import pytest

from graphrnn.testing import hostile
from graphrnn.testing.hostile_cases import CLASSES, KNOWN_DIVERGENCES, SLOTS, case_ids, case_key


@pytest.fixture(scope="module")
def report() -> hostile.Report:
    return hostile.run_report()


def test_fixture_covers_every_case() -> None:
    recorded = hostile.load_tf_outcomes()
    keys = {case_key(*c) for c in case_ids()}
    assert keys == set(recorded), "re-run tests/data/hostile/make_hostile.py after changing the case table"
    assert set(KNOWN_DIVERGENCES) <= keys


def test_no_hostile_input_fails(report: hostile.Report) -> None:
    failures = report.failures()
    assert not failures, "\n".join(f"{o.key}: {o.detail}" for o in failures[:20])


def test_counts_per_class(report: hostile.Report) -> None:
    counts = report.counts()
    assert set(counts) == set(CLASSES)
    for cls, row in counts.items():
        assert row["tried"] > 0
        assert row["clean"] + row["accepted"] == row["tried"], (cls, row)
        assert row["failures"] == 0
    # A tensor of another graph is never usable; the other classes are accepted only where TF takes
    # the same value (e.g. a string as keepdims is truthy in both).
    assert counts["wrong_graph"]["clean"] == counts["wrong_graph"]["tried"]
    for cls in ("str", "ragged", "complex", "class"):
        assert counts[cls]["clean"] >= counts[cls]["tried"] - 2, (cls, counts[cls])
    assert sum(r["tried"] for r in counts.values()) == len(case_ids()) >= 10 * len(SLOTS)


def test_run_hostile_inputs_is_the_benchmark_entry_point(report: hostile.Report) -> None:
    assert hostile.run_hostile_inputs() == report.counts()
