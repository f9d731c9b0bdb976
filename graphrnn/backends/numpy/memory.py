"""The NumPy backend's memory policy: keep freed activation memory for the next step.

A training step allocates and frees the same activation buffers every step (an LSTM at batch 128:
hundreds of 64-256 kB arrays per step). With glibc's default malloc, freeing them shrinks the heap
back to the OS ("trimming") and the next step faults every page in again: the static LSTM's
forward+backward step takes ~1.45x as long as with the memory kept (``benchmarks/grad_bench.py``
prints both). TF1 keeps such memory in its own allocator; NumPy has none, so the Session asks the C
allocator for the same behaviour, once per process:

- ``M_MMAP_THRESHOLD`` = 32 MiB (glibc's own ceiling for its dynamic threshold, which setting any
  option freezes): blocks below it come from the heap, larger ones are still mapped and unmapped,
  so a freed huge array never stays reserved;
- ``M_TRIM_THRESHOLD`` = 256 MiB: the heap is given back to the OS only when more than that is
  free at its top. This bounds what the process keeps beyond what it uses.

Policy ``"system"`` (environment variable ``GRAPHRNN_MALLOC=system``, or ``off``) leaves the
allocator alone.
Outside glibc (macOS, musl, Windows) the policy is a no-op and reports False.
"""

from __future__ import annotations

import ctypes
import os
import sys
import warnings

POLICIES = ("pool", "system")
ENV_VAR = "GRAPHRNN_MALLOC"
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h option numbers

_outcome: bool | None = None  # the first apply_memory_policy call's result


_ALIASES = {"pool": "pool", "on": "pool", "1": "pool", "true": "pool", "yes": "pool", "": "pool",
            "system": "system", "off": "system", "0": "system", "false": "system", "no": "system",
            "none": "system"}


def requested_policy() -> str:
    """The policy ``GRAPHRNN_MALLOC`` asks for: ``pool`` (default; also on/1/true/yes) or ``system``
    (also off/0/false/no/none). An unknown value warns and leaves the allocator alone (whoever set
    the variable wanted something other than the default)."""
    raw = os.environ.get(ENV_VAR, "pool")
    policy = _ALIASES.get(raw.strip().lower())
    if policy is None:
        warnings.warn(f"{ENV_VAR}={raw!r} is not a known policy (pool or system, or on/off): leaving the "
                      "allocator alone", RuntimeWarning, stacklevel=4)  # points at the user's Session()
        return "system"
    return policy


def _mallopt(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(option, value) == 1)
    except (OSError, AttributeError):
        return False


def apply_memory_policy(policy: str | None = None) -> bool:
    """Applies ``policy`` (default: `requested_policy`) once per process; True if the allocator now
    keeps freed memory. Later calls return the first call's outcome: the allocator's options are
    process-wide and glibc cannot switch its dynamic thresholds back on."""
    global _outcome
    if _outcome is not None:
        return _outcome
    policy = requested_policy() if policy is None else policy
    if policy not in POLICIES:
        raise ValueError(f"unknown memory policy {policy!r}: expected one of {', '.join(POLICIES)}")
    if policy == "system" or not sys.platform.startswith("linux"):
        ok = False
    else:
        ok = _mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and _mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    _outcome = ok
    return ok


def memory_policy_applied() -> bool | None:
    """True/False once a Session applied the policy, None before."""
    return _outcome
