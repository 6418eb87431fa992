"""One run of bench/load.py on one store: `andts serve` started on a free loopback port, the five phases
(baseline, load, flood, bomb, crash) each followed by a wait until the server is healthy again, and what
was seen: every request's outcome, the server's RSS per phase, and its health after each phase."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

# siblings in bench/ (on sys.path: see bench/README.md)
from load_clients import Feed, InFlight, RssSampler, join, run_clients
from load_mixes import bomb_mix, crash_mix, entity_iris, flood_mix, hostile_mix, ordinary_mix, triple_count
from load_requests import JSON, Kind, Sample, send
from server_process import Server, free_port


@dataclass
class Config:
    requests: int = 2000  # ordinary requests, baseline and load phase each
    seconds: float = 600  # the whole run's time bound, shared out among the phases
    clients: int = 8
    hostile_clients: int = 1
    hostile_per_kind: int = 3
    flood_rounds: int = 2
    bomb_clients: int = 2  # memory-growing queries at once: each costs its worker's RSS until the time limit
    workers: int = 2
    timeout: float = 5.0
    seed: int = 1
    entities: int = 200
    recover_seconds: float = 60.0


HOSTILE_PASSES = 10  # at most this many passes over the hostile list while the ordinary requests go on
# the share of --seconds each phase may take; a phase's requests in flight then end within the client timeout
BUDGET = {"baseline": 0.2, "load": 0.45, "flood": 0.15, "bomb": 0.1, "crash": 0.1}


@dataclass
class Recovery:
    seconds: float
    health: int
    workers: dict[str, int]
    query: int  # status of an ordinary query afterwards


@dataclass
class LoadRun:
    label: str
    config: Config
    triples: int
    build: str
    samples: list[Sample]
    kinds: dict[str, Kind]
    rss_peak: dict[str, float]
    processes: dict[str, int]
    recoveries: dict[str, Recovery]
    overran: list[str]  # phases whose clients were still running past the bound
    seconds: dict[str, float]


def warm_up(base: str, kinds: Sequence[Kind], per_kind: int = 5) -> None:
    """A few requests of each ordinary kind, not measured: the first page of a build fills the server's caches."""
    with httpx.Client(base_url=base, timeout=60) as http:
        for kind in kinds:
            for req in kind.requests[:per_kind]:
                send(http, req)


def recover(base: str, workers: int, wait: float) -> Recovery:
    """Poll /health until every worker is alive and idle (a killed worker is replaced in the background),
    then send one ordinary query."""
    t = time.monotonic()
    status, body = 0, {}
    with httpx.Client(base_url=base, timeout=30) as http:
        while time.monotonic() - t < wait:
            try:
                r = http.get("/health")
                status, body = r.status_code, r.json()
                w = body.get("workers", {})
                if status == 200 and w.get("alive") == workers and w.get("idle") == workers:
                    break
            except httpx.HTTPError:
                status = 0
            time.sleep(0.2)
        seconds = time.monotonic() - t
        q = http.get("/sparql", params={"query": "ASK { ?s a ?c }"}, headers={"Accept": JSON})
    return Recovery(seconds, status, dict(body.get("workers", {})), q.status_code)


class Phases:
    """The phases of one run against the server at `base`, in order; what each saw accumulates here."""

    def __init__(self, base: str, cfg: Config, sampler: RssSampler, label: str) -> None:
        self.base, self.cfg, self.sampler, self.label = base, cfg, sampler, label
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.overran: list[str] = []  # phases whose clients were still running past the bound
        self.recoveries: dict[str, Recovery] = {}
        self.seconds: dict[str, float] = {}

    def baseline(self, ordinary: Sequence[Kind]) -> None:
        cfg = self.cfg
        self._phase("baseline", [(Feed(ordinary, self._deadline("baseline"), cfg.seed, cap=cfg.requests), cfg.clients)])

    def load(self, ordinary: Sequence[Kind], hostile: Sequence[Kind]) -> None:
        # the ordinary requests first: when they are done the hostile clients stop (after one pass at least),
        # so every ordinary request of this phase runs while hostile ones do
        cfg = self.cfg
        ordinary_done = threading.Event()
        d = self._deadline("load")
        hostile_feed = Feed(hostile, d, cfg.seed, cap=HOSTILE_PASSES * cfg.hostile_per_kind * len(hostile),
                            per_kind=cfg.hostile_per_kind, until=ordinary_done)
        self._phase("load", [(Feed(ordinary, d, cfg.seed + 1, cap=cfg.requests), cfg.clients),
                             (hostile_feed, cfg.hostile_clients)], ordinary_done)

    def flood(self, ordinary: Sequence[Kind]) -> None:
        # now the hostile clients first: the one ordinary client goes on while the flood lasts
        cfg = self.cfg
        flooders = 2 * cfg.workers
        flood_done = threading.Event()
        d = self._deadline("flood")
        self._phase("flood", [(Feed(flood_mix(), d, cfg.seed, per_kind=cfg.flood_rounds * flooders), flooders),
                              (Feed(ordinary, d, cfg.seed + 2, cap=cfg.requests, until=flood_done, at_least=1), 1)],
                    flood_done)

    def bomb(self) -> None:
        cfg = self.cfg
        self._phase("bomb", [(Feed(bomb_mix(), self._deadline("bomb"), cfg.seed, per_kind=cfg.bomb_clients),
                              cfg.bomb_clients)])

    def crash(self) -> None:
        self._phase("crash", [(Feed(crash_mix(), self._deadline("crash"), self.cfg.seed, per_kind=2), self.cfg.workers)])

    def _deadline(self, phase: str) -> float:
        return time.monotonic() + BUDGET[phase] * self.cfg.seconds

    def _phase(self, name: str, feeds: list[tuple[Feed, int]], until: threading.Event | None = None) -> None:
        print(f"  {self.label}: {name}", file=sys.stderr, flush=True)
        self.seconds[name] = self._run_feeds(name, feeds, until)
        self.sampler.phase = f"{name} (recovery)"
        self.recoveries[name] = recover(self.base, self.cfg.workers, self.cfg.recover_seconds)

    def _run_feeds(self, phase: str, feeds: Sequence[tuple[Feed, int]], until: threading.Event | None) -> float:
        """Run the feeds concurrently ((feed, clients) each); `until` is set when the first feed's clients end."""
        client_timeout = 2 * self.cfg.timeout + 30  # waiting for a worker, then the query: both bounded by the timeout
        self.sampler.phase = phase
        t = time.monotonic()
        hostile = InFlight()
        groups = [run_clients(self.base, feed, n, phase, client_timeout, self.samples, self.lock, hostile)
                  for feed, n in feeds]
        bound = max(f.deadline for f, _ in feeds) - time.monotonic() + client_timeout
        done = join(groups[0], bound)
        if until is not None:
            until.set()
        done = join([t for g in groups[1:] for t in g], bound) and done
        if not done:
            self.overran.append(phase)
        return time.monotonic() - t


def start_server(store: Path, cfg: Config, log: Path) -> tuple[Server, str]:
    """`andts serve` on this store with the run's workers and time limit; the server and its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(Path(sys.executable).with_name("andts")), "serve", "--store", str(store), "--host",
                     "127.0.0.1", "--port", str(port), "--workers", str(cfg.workers),
                     "--timeout", f"{cfg.timeout:g}"], base + "/health", log, start_timeout=120)
    return server, base


def run(store: Path, cfg: Config, label: str, log: Path) -> LoadRun:
    """Every phase against `andts serve` on this store; the server is stopped at the end."""
    server, base = start_server(store, cfg, log)
    sampler = RssSampler(server.process.pid)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            iris = entity_iris(http, cfg.entities, cfg.seed)
            triples = triple_count(http)
            build = http.get("/health").json()["build"]
        ordinary, hostile = ordinary_mix(iris), hostile_mix(iris[:50], triples)
        kinds = {k.name: k for k in [*ordinary, *hostile, *flood_mix(), *bomb_mix(), *crash_mix()]}
        phases = Phases(base, cfg, sampler, label)
        warm_up(base, ordinary)
        phases.baseline(ordinary)
        phases.load(ordinary, hostile)
        phases.flood(ordinary)
        phases.bomb()
        phases.crash()
    finally:
        sampler.stop()
        server.stop()
    return LoadRun(label, cfg, triples, build, phases.samples, kinds, sampler.peak, sampler.processes,
                   phases.recoveries, phases.overran, phases.seconds)
