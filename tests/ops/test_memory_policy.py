"""The NumPy backend's memory policy (`graphrnn.backends.numpy.memory`): applied by the first
Session, once per process, opt-out by environment variable. Each case runs in a fresh interpreter
because the policy is process-wide."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_PROBE = """
import graphrnn as gr
from graphrnn.backends.numpy.memory import apply_memory_policy, memory_policy_applied
assert memory_policy_applied() is None  # importing does not touch the allocator
gr.Session(graph=gr.Graph())
first = memory_policy_applied()
assert apply_memory_policy("system") is first  # later calls report the first outcome
print(first)
"""


def _run(env_value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRAPHRNN_MALLOC"}
    if env_value is not None:
        env["GRAPHRNN_MALLOC"] = env_value
    return subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool policy uses glibc's mallopt")
def test_first_session_keeps_freed_memory() -> None:
    r = _run(None)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


@pytest.mark.parametrize("value", ["system", "off", " OFF ", "0"])
def test_system_policy_leaves_the_allocator_alone(value: str) -> None:
    r = _run(value)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_unknown_policy_warns_and_leaves_the_allocator_alone() -> None:
    r = _run("tcmalloc")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
    assert "GRAPHRNN_MALLOC='tcmalloc' is not a known policy (pool or system, or on/off)" in r.stderr
    assert "<string>:5" in r.stderr  # the warning points at the line that created the Session
