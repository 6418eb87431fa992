"""Giving freed memory back to the system after a large answer.

glibc's malloc keeps freed memory for reuse, so a process that once serialised a large answer stays that
large. `malloc_trim(0)` returns it, at a cost of milliseconds, so it is called only after large answers or
long jobs.
Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

#: Answers at least this large, or jobs at least this long, are followed by a trim (a long join frees
#: its intermediate results though its answer is small).
LARGE = 4_000_000
LONG = 0.05


def _trimmer():  # noqa: ANN202 - a ctypes function or None
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None


_malloc_trim = _trimmer()


def give_back() -> bool:
    """Return freed heap memory to the system. True when the C library can."""
    if _malloc_trim is None:
        return False
    _malloc_trim(0)
    return True


def after_answer(size: int, seconds: float) -> None:
    if size >= LARGE or seconds >= LONG:
        give_back()
