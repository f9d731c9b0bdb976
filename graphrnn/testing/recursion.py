"""Recursion-limit helpers for the deep-nesting tests (a 500-deep loop nest at Python's default limit)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

DEFAULT_LIMIT = 1000  # CPython's default recursion limit


@contextlib.contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """Sets Python's recursion limit inside the block and restores the previous one after it."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
