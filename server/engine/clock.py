"""The time spent running queries, per request: the access log (http/edge.py) reports it."""

from __future__ import annotations

import time
from contextvars import ContextVar

#: Seconds spent running queries for the current request (edge.py logs it). A one-item list, shared with
#: the thread a route runs in: that thread gets a copy of the context, whose value is this same list.
query_clock: ContextVar[list[float] | None] = ContextVar("query_clock", default=None)


def start_query_clock() -> list[float]:
    spent = [0.0]
    query_clock.set(spent)
    return spent


def clock_query(started: float) -> None:
    """Add the time since `started` (time.perf_counter()) to the current request's query time."""
    spent = query_clock.get()
    if spent is not None:
        spent[0] += time.perf_counter() - started

