"""Capping the BLAS thread pool while a Session runs (``ConfigProto.intra_op_parallelism_threads``).

NumPy's matmuls run in the BLAS library's own thread pool (OpenBLAS, MKL, BLIS), which by default
has one thread per core. On a machine whose cores are busy with other work, those threads fight
for the cores: measured on a busy 2-core machine, an LSTM step with OpenBLAS at 2 threads took
20-50x as long as at 1 thread. TF1 sizes its own intra-op pool from the ConfigProto, so a Session
with ``intra_op_parallelism_threads=n`` caps the BLAS pool at ``n`` threads for its runs, through
`threadpoolctl` (the ``tf1`` and ``dev`` extras install it; without it, a warning once and no cap).

The BLAS pool is one per process, not one per Session: while runs with caps are in progress on
several threads, the smallest cap applies; when the last of them ends, the library's own setting
comes back. Runs of Sessions without a cap that overlap them run under that cap too.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()
_active: Counter[int] = Counter()     # cap -> how many runs in progress asked for it
_libs: list[Any] | None = None        # threadpoolctl's controllers of the loaded BLAS libraries
_original: list[int] = []             # their thread counts before the first cap
_applied: int | None = None           # the cap in force, None when none is
_warned = False


def _blas_libraries() -> list[Any]:
    """The BLAS libraries threadpoolctl finds (loaded once); [] without threadpoolctl."""
    global _libs, _warned
    if _libs is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            if not _warned:
                _warned = True
                warnings.warn("ConfigProto(intra_op_parallelism_threads=...) needs threadpoolctl to cap the "
                              "BLAS threads; it is not installed, so BLAS keeps its own thread count "
                              "(pip install 'graphrnn[tf1]' or pip install threadpoolctl)",
                              RuntimeWarning, stacklevel=5)
            _libs = []
        else:
            _libs = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _libs


def _apply(cap: int | None) -> None:
    """Sets every BLAS library to ``cap`` threads, or back to its own count when ``cap`` is None."""
    global _applied, _original
    libs = _blas_libraries()
    if _applied is None and cap is not None:
        _original = [lib.num_threads for lib in libs]
    for lib, own in zip(libs, _original):
        lib.set_num_threads(own if cap is None else cap)
    _applied = cap


@contextlib.contextmanager
def blas_thread_cap(threads: int) -> Iterator[None]:
    """Caps the BLAS pool at ``threads`` (> 0) threads while the block runs (see the module doc)."""
    with _lock:
        _active[threads] += 1
        cap = min(_active)
        if cap != _applied:
            _apply(cap)
    try:
        yield
    finally:
        with _lock:
            _active[threads] -= 1
            if not _active[threads]:
                del _active[threads]
            cap = min(_active) if _active else None
            if cap != _applied:
                _apply(cap)


def current_cap() -> int | None:
    """The cap in force now (None: the BLAS library's own setting)."""
    return _applied


def blas_thread_counts() -> list[int]:
    """The thread count of each BLAS library threadpoolctl finds now ([] without threadpoolctl)."""
    return [lib.num_threads for lib in _blas_libraries()]
