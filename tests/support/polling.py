"""Waiting for a state, never for a guessed time: poll a condition until it holds or a deadline passes.

A loaded machine (two cores shared by CI and several developers) makes any fixed sleep either too short
(a flaky test) or too long (a slow one); a deadline only bounds how long a test may wait for what must
happen, so it can be generous without costing anything when the state comes quickly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: How long a test waits for a state before it fails, unless it says otherwise: far beyond what any of
#: the waits takes on an idle machine, so that only a real hang fails.
DEADLINE = 30.0


def wait_until(condition: Callable[[], T], within: float = DEADLINE, what: str | Callable[[], str] = "",
               every: float = 0.01) -> T:
    """Call `condition()` every `every` seconds until it returns something true, and return that; fail (an
    AssertionError naming `what`, a text or a function giving one) if it has not after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"not so after {within:g} s: {said or getattr(condition, '__name__', condition)}")
        time.sleep(every)
