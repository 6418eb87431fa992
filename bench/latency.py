"""Latency and throughput of repeated requests: a cell of a benchmark table, and the threads that fill it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


def percentile(seconds: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of latencies in seconds, in milliseconds; NaN for none."""
    if not seconds:
        return float("nan")
    xs = sorted(seconds)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


@dataclass
class Measure:
    latencies: list[float] = field(default_factory=list)  # seconds
    seconds: float = 0.0
    errors: int = 0
    note: str = ""
    timed_out: bool = False  # not answered within the client's timeout, even once

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.n / self.seconds if self.seconds and self.n else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)


def drive(call: Callable[[int, int], None], requests: int, clients: int, seconds: float) -> Measure:
    """Up to `requests` calls over `clients` threads, stopping after `seconds` (at least 3 calls);
    `call(client, i)` makes request number i."""
    m = Measure()
    lock = threading.Lock()
    state = {"next": 0}
    start = time.perf_counter()

    def client(c: int) -> None:
        mine = []
        while True:
            with lock:
                i = state["next"]
                if i >= requests or (i >= 3 and time.perf_counter() - start > seconds) or m.errors > 3:
                    break
                state["next"] += 1
            t = time.perf_counter()
            try:
                call(c, i)
            except Exception as exc:  # noqa: BLE001 - a failed request is counted, not fatal
                with lock:
                    m.errors += 1
                    m.note = f"{type(exc).__name__}: {str(exc)[:80]}"
                continue
            mine.append(time.perf_counter() - t)
        with lock:
            m.latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    m.seconds = time.perf_counter() - start
    return m
