"""The client threads of bench/load.py: feeds that hand requests out under a cap and a deadline, the
threads that send them and record each outcome, and a sampler of the server's RSS while they run."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence

import httpx

# siblings in bench/ (on sys.path: see bench/README.md)
from load_requests import Kind, Request, Sample, send
from process_memory import rss_mb


class Feed:
    """Hands out (kind, request) to client threads: the list of each kind's requests `per_kind` times
    (0: each request once) in a seeded order, cycled, until `cap` requests (default: one pass) or the
    deadline. With `until`, it also stops once that is set, but not before `at_least` requests (default one
    pass: every request of the list is sent at least once, unless the deadline comes first)."""

    def __init__(self, kinds: Sequence[Kind], deadline: float, seed: int, cap: int | None = None, per_kind: int = 0,
                 until: threading.Event | None = None, at_least: int | None = None) -> None:
        items = [(k, k.requests[i % len(k.requests)]) for k in kinds for i in range(per_kind or len(k.requests))]
        random.Random(seed).shuffle(items)
        self.items, self.deadline, self.until = items, deadline, until
        self.cap = len(items) if cap is None else cap
        self.at_least = len(items) if at_least is None else at_least
        self.given = 0
        self.lock = threading.Lock()

    def next(self) -> tuple[Kind, Request] | None:
        with self.lock:
            released = self.until is not None and self.until.is_set() and self.given >= self.at_least
            if self.given >= self.cap or time.monotonic() > self.deadline or released:
                return None
            item = self.items[self.given % len(self.items)]
            self.given += 1
            return item


class InFlight:
    """How many hostile requests are being answered now: an ordinary request's latency counts as "under
    load" only if one was."""

    def __init__(self) -> None:
        self.n = 0
        self.lock = threading.Lock()

    def add(self, d: int) -> None:
        with self.lock:
            self.n += d


def run_clients(base: str, feed: Feed, clients: int, phase: str, client_timeout: float,
                out: list[Sample], lock: threading.Lock, hostile: InFlight) -> list[threading.Thread]:
    """Start `clients` threads, each with its own connection, that send what the feed gives until it is dry."""
    def client() -> None:
        with httpx.Client(base_url=base, timeout=client_timeout) as http:
            while (item := feed.next()) is not None:
                kind, req = item
                hostile.add(kind.hostile)
                under_load = hostile.n > kind.hostile
                t = time.perf_counter()
                try:
                    result, detail = send(http, req)
                finally:
                    hostile.add(-kind.hostile)
                sample = Sample(phase, kind.name, result, time.perf_counter() - t, detail, under_load)
                with lock:
                    out.append(sample)

    threads = [threading.Thread(target=client, name=f"{phase}-{i}", daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    return threads


def join(threads: Sequence[threading.Thread], timeout: float) -> bool:
    """Whether every thread ended within the timeout (a hung client would be a finding, not a hang)."""
    end = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    return not any(t.is_alive() for t in threads)


class RssSampler:
    """The server's RSS (its process and all its children) every `every` seconds, in a thread; the peak per phase."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid, self.every = pid, every
        self.phase = "start"
        self.peak: dict[str, float] = {}
        self.processes: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            now, _, n = rss_mb(self.pid)
            phase = self.phase
            self.peak[phase] = max(self.peak.get(phase, 0.0), now)
            self.processes[phase] = max(self.processes.get(phase, 0), n)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
