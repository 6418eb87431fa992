"""A bounded load test of the SPARQL endpoint: does it keep serving when part of its traffic is hostile?

    .venv/bin/python bench/load.py [--build] [--store DIR]… [--requests N] [--seconds S] [--clients C]
                                   [--timeout S] [--workers W] [--out bench/results/load.md]

`andts serve` is started here as a subprocess on a free loopback port (without --store, data/sources are
built into a temporary store first). Then, each phase a fixed number of requests with a time bound (the
run stops by itself; a request in flight ends within the client timeout):

  baseline  C clients send the ordinary mix only: every catalogue query of queries/ as its file stands
            (parameters at their defaults) through /sparql, catalogue pages (/queries/{name}?run=1), entity
            pages (GET /id/… as text/html) and point lookups (CONSTRUCT and DESCRIBE of one entity), the
            entities drawn by a seeded RNG from a SELECT on the endpoint;
  load      the same ordinary mix from C clients (at most N requests) while H hostile clients (default
            workers − 1, so that one worker is left for everyone else) work through the pathological mix:
            cartesian products, unbounded property paths, results past the row limit, deep nesting,
            regular expressions, big VALUES blocks, a 900 kB body, 2 MB bodies;
  flood     more hostile clients than workers send queries that only stop at the time limit, so every
            worker is busy past it and ordinary requests meet the documented 503 Busy;
  bomb      `workers` clients at once (--bomb-clients) send a query whose memory grows until it is stopped
            (ORDER BY over a cartesian product): what a query can cost in RSS before the time limit stops it;
  crash     small queries that crashed a worker's parser (deep nesting, long chains of + or /).

Between phases and at the end the server must become healthy again (/health 200, every worker alive and
idle; an ordinary query answers). The server's RSS (its process and its worker children, from /proc) is
sampled throughout. Every request's outcome is its status, and for a 503 which one (timeout or busy, read
from the body); each kind of request has the outcomes it may have, from server/README.md. Not a test: it
measures, checks and writes a Markdown report; tests/bench/test_load.py runs the same code with small
counts and asserts the behaviour (never the timing).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from andts import paths
from andts.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/andts/"
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
MAX_ROWS = 50_000  # server/settings.py's default; `andts serve` has no flag for it
MAX_BODY = 1_000_000  # likewise max_body_bytes

# What the bodies of the documented refusals say (server/pool.py, server/sparql.py, server/app.py). Checked
# without apostrophes: an HTML page escapes them.
TIMEOUT_TEXT = "ran longer than"
BUSY_TEXT = "has been busy for"
MEMORY_TEXT = "a query worker may use"
ROWS_TEXT = "the result has more than"
BODY_TEXT = "larger than this endpoint"
BODY_OF = {"503 timeout": TIMEOUT_TEXT, "503 busy": BUSY_TEXT, "503 memory": MEMORY_TEXT, "422": ROWS_TEXT, "413": BODY_TEXT}

OK = frozenset({"200"})
# whichever limit the query reaches first: rows, time, or the worker's memory (--worker-memory)
REFUSED_BY_SIZE_OR_TIME = frozenset({"422", "503 timeout", "503 memory"})
STOPPED = frozenset({"503 timeout", "503 memory"})


def _sibling(name: str) -> ModuleType:
    """Another bench script, imported by path: bench/ is not a package, and this module is imported by path
    from the tests too, so `import national` would depend on sys.path."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


national = _sibling("national")  # Server, free_port, rss_mb: one way to start a server and measure it


# ------------------------------------------------------------------ requests and their outcomes
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    chunked: bool = False  # send the body without Content-Length, so only the streaming check can stop it


@dataclass(frozen=True)
class Kind:
    """One row of the report: requests of one sort, and the outcomes the server documents for them."""

    name: str
    requests: tuple[Request, ...]  # request i of this kind sends requests[i % len(requests)]
    expected: frozenset[str]
    hostile: bool = False


@dataclass(frozen=True)
class Sample:
    phase: str
    kind: str
    outcome: str  # "200", "422", "503 timeout", "503 busy", "503 other", "error: …"
    seconds: float
    detail: str  # the start of the body of a non-200, or the exception
    under_load: bool  # a hostile request was in flight when this one was sent


DOCUMENTED_503 = ("503 timeout", "503 busy", "503 memory")


def outcome_of(status: int, body: str) -> str:
    """The status, and for a 503 which of the documented ones it is (or that it is none of them)."""
    if status != 503:
        return str(status)
    text = body.lower()
    if TIMEOUT_TEXT in text:
        return "503 timeout"
    if BUSY_TEXT in text:
        return "503 busy"
    if MEMORY_TEXT in text:
        return "503 memory"
    return "503 other"


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


def send(client: httpx.Client, req: Request) -> tuple[str, str]:
    """(outcome, detail) of one request; a transport error is an outcome too, not an exception."""
    content = _chunks(req.body) if req.chunked and req.body is not None else req.body
    try:
        r = client.request(req.method, req.path, params=req.params, headers=req.headers, content=content)
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}", str(exc)[:200]
    out = outcome_of(r.status_code, r.text)
    detail = "" if r.status_code == 200 else " ".join(r.text.split())[:200]
    if out in BODY_OF and BODY_OF[out] not in r.text:
        out += " (unexpected body)"  # the right status with another message is not the documented answer
    return out, detail


# ------------------------------------------------------------------ the mixes
def sparql(query: str, accept: str = JSON) -> Request:
    return Request("GET", "/sparql", params={"query": query}, headers={"Accept": accept})


def post_query(query: str, chunked: bool = False) -> Request:
    return Request("POST", "/sparql", headers={"Content-Type": "application/sparql-query", "Accept": JSON},
                   body=query.encode(), chunked=chunked)


def entity_iris(client: httpx.Client, k: int, seed: int) -> list[str]:
    """k entities of the programmes, drawn by a seeded RNG from a SELECT on the endpoint itself."""
    r = client.get("/sparql", headers={"Accept": JSON}, params={"query": """PREFIX andts: <https://w3id.org/andts/def/>
        SELECT DISTINCT ?e WHERE { VALUES ?c { andts:Activity andts:Goal andts:FocusArea andts:Actor andts:Programme
        andts:Finding andts:Municipality } ?e a ?c FILTER(STRSTARTS(STR(?e), "https://w3id.org/andts/id/")) }"""})
    r.raise_for_status()
    iris = sorted(b["e"]["value"] for b in r.json()["results"]["bindings"])
    return random.Random(seed).sample(iris, min(k, len(iris)))


def triple_count(client: httpx.Client) -> int:
    r = client.get("/sparql", headers={"Accept": JSON}, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def ordinary_mix(iris: Sequence[str]) -> list[Kind]:
    named = catalogue(paths.QUERIES_DIR)
    html = {"Accept": "text/html"}
    return [
        Kind("catalogue query via /sparql (queries/*.rq)", tuple(sparql(q.text) for q in named), OK),
        Kind("catalogue page /queries/{name}?run=1", tuple(Request("GET", f"/queries/{q.name}", {"run": "1"}, html)
                                                           for q in named), OK),
        Kind("entity page /id/… (text/html)", tuple(Request("GET", "/" + i.removeprefix(BASE), headers=html)
                                                    for i in iris), OK),
        Kind("lookup: CONSTRUCT one entity", tuple(sparql(f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}",
                                                          NTRIPLES) for i in iris), OK),
        Kind("lookup: DESCRIBE one entity", tuple(sparql(f"DESCRIBE <{i}>", "text/turtle") for i in iris), OK),
    ]


def nested_groups(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth + " LIMIT 1"


def nested_subqueries(depth: int) -> str:
    return "SELECT * WHERE " + "{ SELECT * WHERE " * depth + "{ ?s ?p ?o }" + " }" * depth + " LIMIT 1"


def values_query(iris: Sequence[str], n: int, pad_to: int = 0) -> str:
    """A VALUES block of n IRIs (the real entities and made-up ones) joined with the graph, padded with a
    comment to pad_to bytes: a big but cheap query."""
    made_up = (f"<{BASE}id/none/{i}>" for i in range(n - len(iris)))
    block = " ".join([*(f"<{i}>" for i in iris), *made_up])
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {block} }} ?s ?p ?o }}\n"
    return text + ("#" + "x" * (pad_to - len(text) - 2) + "\n" if pad_to > len(text) + 2 else "")


def hostile_mix(iris: Sequence[str], triples: int) -> list[Kind]:
    """The pathological requests, each with the outcomes server/README.md documents for it."""
    path = "PREFIX : <https://w3id.org/andts/def/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    big = b"#" + b"x" * (2 * MAX_BODY) + b"\nASK {}"
    return [
        # streams solutions: refused at the row limit, or at the time limit on a slow or loaded machine
        Kind("cartesian product: SELECT * of 4 unconstrained patterns",
             (sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"),), REFUSED_BY_SIZE_OR_TIME, True),
        Kind("cartesian product: COUNT(*) of 3 unconstrained patterns",  # one row, but triples³ to count
             (sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),), STOPPED, True),
        Kind("property path (rdf:type|!rdf:type)*, SELECT *",
             (sparql(path + "SELECT * WHERE { ?s (rdf:type|!rdf:type)* ?o }"),), REFUSED_BY_SIZE_OR_TIME, True),
        # stopped at the time limit, or answered where the store is small and in memory
        Kind("property paths ?s (:x|!:x)* ?o chained, COUNT",
             (sparql(path + "SELECT (COUNT(*) AS ?n) WHERE { ?s (:x|!:x)* ?o . ?o (:x|^:x|!:x)* ?z }"),),
             STOPPED | OK, True),
        Kind("every triple × 8, no LIMIT", (sparql("SELECT * WHERE { ?s ?p ?o VALUES ?copy { 1 2 3 4 5 6 7 8 } }"),),
             frozenset({"422"}), True),
        Kind(f"SELECT * {{ ?s ?p ?o }}, no LIMIT ({triples} triples)", (sparql("SELECT * WHERE { ?s ?p ?o }"),),
             frozenset({"422"}) if triples > MAX_ROWS else OK, True),
        Kind("CONSTRUCT of every pair of typed things",
             (sparql("CONSTRUCT { ?a <urn:x:pair> ?d } WHERE { ?a a ?t . ?d a ?u }", NTRIPLES),),
             REFUSED_BY_SIZE_OR_TIME, True),
        # deeper than the endpoint's nesting limit (128): refused before any worker (QueryTooComplex)
        Kind("nested groups, 1000 levels", (sparql(nested_groups(1000)),), frozenset({"400"}), True),
        Kind("nested subqueries, 300 levels", (sparql(nested_subqueries(300)),), frozenset({"400"}), True),
        # Oxigraph's regex engine (Rust's regex crate) is linear-time: no catastrophic backtracking
        Kind("regex ^(a+)+$ over every literal",
             (sparql('SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "^(a+)+$")) }'),), OK, True),
        Kind("regex (a|aa)+$ over a cartesian product",
             (sparql('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f '
                     'FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "(a|aa)+$")) }'),), STOPPED, True),
        Kind("VALUES block of 10,000 IRIs (form POST)",
             (Request("POST", "/sparql", headers={"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"},
                      body=urlencode({"query": values_query(iris, 10_000)}).encode()),), OK, True),
        Kind("900 kB query body (VALUES + comment)", (post_query(values_query(iris, 20_000, pad_to=900_000)),), OK, True),
        Kind("2 MB body with Content-Length", (post_query(big.decode()),), frozenset({"413"}), True),
        Kind("2 MB body chunked (no Content-Length)", (post_query(big.decode(), chunked=True),), frozenset({"413"}), True),
    ]


def flood_mix() -> list[Kind]:
    """Queries that only end at the time limit (or meet every worker busy)."""
    return [Kind("flood: COUNT of a cartesian product",
                 (sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),),
                 frozenset({"503 timeout", "503 busy"}), True)]


def bomb_mix() -> list[Kind]:
    # sorting a cartesian product materialises it: memory grows at hundreds of MB a second until the stop
    return [Kind("memory: ORDER BY over a cartesian product",
                 (sparql("SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c LIMIT 1"),), STOPPED, True)]


def crash_mix() -> list[Kind]:
    # Small queries that overflowed the stack of pyoxigraph's recursive parser (a segfault of the process
    # parsing them) when this was written: deep nesting, and long flat chains that parse recursively too.
    # The server refuses them from the text (400, QueryTooComplex) before any worker parses them.
    # Sent as POST bodies, so that no URL length limit stops them before the parser.
    crashed = frozenset({"400"})
    parens = "(" * 5000 + "1" + ")" * 5000
    plus = "+".join(["1"] * 20_000)
    steps = "/".join(["<urn:x:p>"] * 20_000)
    return [
        Kind("nested groups, 5000 levels (10 kB)", (post_query(nested_groups(5000)),), crashed, True),
        Kind("nested parentheses in a FILTER, 5000 levels (10 kB)",
             (post_query(f"SELECT * WHERE {{ ?s ?p ?o FILTER({parens}) }} LIMIT 1"),), crashed, True),
        Kind("1+1+… of 20,000 terms (40 kB)",
             (post_query(f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o = {plus}) }} LIMIT 1"),), crashed, True),
        Kind("property path of 20,000 steps (160 kB)",
             (post_query(f"SELECT * WHERE {{ ?s {steps} ?o }} LIMIT 1"),), crashed, True),
    ]


# ------------------------------------------------------------------ driving clients
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
            now, _, n = national.rss_mb(self.pid)
            phase = self.phase
            self.peak[phase] = max(self.peak.get(phase, 0.0), now)
            self.processes[phase] = max(self.processes.get(phase, 0), n)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# ------------------------------------------------------------------ a run
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


# the share of --seconds each phase may take; a phase's requests in flight then end within the client timeout
HOSTILE_PASSES = 10  # at most this many passes over the hostile list while the ordinary requests go on
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


def run_phase(base: str, phase: str, feeds: Sequence[tuple[Feed, int]], cfg: Config, sampler: RssSampler,
              samples: list[Sample], lock: threading.Lock, overran: list[str],
              until: threading.Event | None = None) -> float:
    """Run the feeds concurrently ((feed, clients) each); `until` is set when the first feed's clients end."""
    client_timeout = 2 * cfg.timeout + 30  # waiting for a worker, then the query: both bounded by the timeout
    sampler.phase = phase
    t = time.monotonic()
    hostile = InFlight()
    groups = [run_clients(base, feed, n, phase, client_timeout, samples, lock, hostile) for feed, n in feeds]
    bound = max(f.deadline for f, _ in feeds) - time.monotonic() + client_timeout
    done = join(groups[0], bound)
    if until is not None:
        until.set()
    done = join([t for g in groups[1:] for t in g], bound) and done
    if not done:
        overran.append(phase)
    return time.monotonic() - t


def run(store: Path, cfg: Config, label: str, log: Path) -> LoadRun:
    port = national.free_port()
    base = f"http://127.0.0.1:{port}"
    server = national.Server([str(Path(sys.executable).with_name("andts")), "serve", "--store", str(store), "--host",
                              "127.0.0.1", "--port", str(port), "--workers", str(cfg.workers),
                              "--timeout", f"{cfg.timeout:g}"], base + "/health", log, start_timeout=120)
    sampler = RssSampler(server.process.pid)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            iris = entity_iris(http, cfg.entities, cfg.seed)
            triples = triple_count(http)
            build = http.get("/health").json()["build"]
        ordinary, hostile = ordinary_mix(iris), hostile_mix(iris[:50], triples)
        kinds = {k.name: k for k in [*ordinary, *hostile, *flood_mix(), *bomb_mix(), *crash_mix()]}
        samples: list[Sample] = []
        lock = threading.Lock()
        overran: list[str] = []
        recoveries: dict[str, Recovery] = {}
        seconds: dict[str, float] = {}

        def deadline(phase: str) -> float:
            return time.monotonic() + BUDGET[phase] * cfg.seconds

        def phase(name: str, feeds: list[tuple[Feed, int]], until: threading.Event | None = None) -> None:
            seconds[name] = run_phase(base, name, feeds, cfg, sampler, samples, lock, overran, until)
            sampler.phase = f"{name} (recovery)"
            recoveries[name] = recover(base, cfg.workers, cfg.recover_seconds)

        warm_up(base, ordinary)
        print(f"  {label}: baseline", file=sys.stderr, flush=True)
        phase("baseline", [(Feed(ordinary, deadline("baseline"), cfg.seed, cap=cfg.requests), cfg.clients)])
        # the ordinary requests first: when they are done the hostile clients stop (after one pass at least),
        # so every ordinary request of this phase runs while hostile ones do
        print(f"  {label}: load", file=sys.stderr, flush=True)
        ordinary_done = threading.Event()
        d = deadline("load")
        hostile_feed = Feed(hostile, d, cfg.seed, cap=HOSTILE_PASSES * cfg.hostile_per_kind * len(hostile),
                            per_kind=cfg.hostile_per_kind, until=ordinary_done)
        phase("load", [(Feed(ordinary, d, cfg.seed + 1, cap=cfg.requests), cfg.clients),
                       (hostile_feed, cfg.hostile_clients)], ordinary_done)
        # now the hostile clients first: the one ordinary client goes on while the flood lasts
        print(f"  {label}: flood", file=sys.stderr, flush=True)
        flooders = 2 * cfg.workers
        flood_done = threading.Event()
        d = deadline("flood")
        phase("flood", [(Feed(flood_mix(), d, cfg.seed, per_kind=cfg.flood_rounds * flooders), flooders),
                        (Feed(ordinary, d, cfg.seed + 2, cap=cfg.requests, until=flood_done, at_least=1), 1)], flood_done)
        print(f"  {label}: bomb", file=sys.stderr, flush=True)
        phase("bomb", [(Feed(bomb_mix(), deadline("bomb"), cfg.seed, per_kind=cfg.bomb_clients), cfg.bomb_clients)])
        print(f"  {label}: crash", file=sys.stderr, flush=True)
        phase("crash", [(Feed(crash_mix(), deadline("crash"), cfg.seed, per_kind=2), cfg.workers)])
    finally:
        sampler.stop()
        server.stop()
    return LoadRun(label, cfg, triples, build, samples, kinds, sampler.peak, sampler.processes, recoveries,
                   overran, seconds)


# ------------------------------------------------------------------ judging a run
@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def unexpected(run: LoadRun, phases: Sequence[str]) -> list[Sample]:
    """Samples of these phases whose outcome the server does not document for their kind. In the flood,
    ordinary requests may also meet the documented 503 Busy: that phase makes every worker busy on purpose."""
    bad = []
    for s in run.samples:
        if s.phase not in phases:
            continue
        allowed = run.kinds[s.kind].expected | ({"503 busy"} if s.phase == "flood" else set())
        if s.outcome not in allowed:
            bad.append(s)
    return bad


def server_errors(run: LoadRun, phases: Sequence[str]) -> list[Sample]:
    """5xx (or no answer at all) other than the documented 503 timeout / busy."""
    return [s for s in run.samples if s.phase in phases
            and (s.outcome.startswith(("5", "error")) and s.outcome not in DOCUMENTED_503)]


def percentile(xs: Sequence[float], p: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000


def ordinary_latencies(run: LoadRun, phase: str, under_load: bool | None = None) -> list[float]:
    """Latencies of the ordinary requests of a phase (only those sent while a hostile one was, or was not,
    in flight, if under_load says)."""
    return [s.seconds for s in run.samples if s.phase == phase and not run.kinds[s.kind].hostile
            and (under_load is None or s.under_load == under_load)]


def checks(run: LoadRun, rss_limit_mb: float) -> list[Check]:
    main = ("baseline", "load", "flood", "bomb")
    errs = server_errors(run, main)
    bad = unexpected(run, main)
    crash = unexpected(run, ("crash",))
    base_p99 = percentile(ordinary_latencies(run, "baseline"), 99)
    loaded = ordinary_latencies(run, "load", under_load=True)
    load_p99 = percentile(loaded, 99)
    hostile_kinds = [k.name for k in run.kinds.values() if k.hostile]
    missing = [k for k in hostile_kinds if not any(s.kind == k for s in run.samples)]
    peak = max((v for k, v in run.rss_peak.items() if k != "bomb"), default=float("nan"))
    unhealthy = {p: r for p, r in run.recoveries.items()
                 if not (r.health == 200 and r.workers.get("alive") == run.config.workers and r.query == 200)}

    def show(xs: list[Sample]) -> str:
        return "; ".join(f"{s.phase}/{s.kind}: {s.outcome} {s.detail[:80]}" for s in xs[:5]) or "none"
    return [
        Check("no 5xx but the documented 503 timeout / busy / memory (baseline … bomb)", not errs, show(errs)),
        Check("every request got an outcome documented for its kind", not bad, show(bad)),
        Check("every kind of request was sent", not missing, ", ".join(missing) or "all"),
        Check("every phase ended within its bound", not run.overran, ", ".join(run.overran) or "all"),
        Check(f"server RSS peak (all processes) < {rss_limit_mb:g} MB, the bomb phase aside (not after it)",
              peak < rss_limit_mb, f"{peak:.0f} MB"),
        Check("healthy after every phase (/health 200, every worker alive, a query answers)", not unhealthy,
              "; ".join(f"{p}: {r}" for p, r in unhealthy.items()) or "yes"),
        Check("ordinary p99 under the hostile load (reported, not judged)", True,
              f"{load_p99:.0f} ms ({len(loaded)} requests sent while a hostile one was in flight) against "
              f"{base_p99:.0f} ms in the baseline"),
        Check("queries that crash the parser are refused, not a crashed worker (crash phase)", not crash, show(crash)),
    ]


# ------------------------------------------------------------------ the report
def machine() -> dict[str, str]:
    return {"nproc": str(os.cpu_count()), "ram": national._mem_total(), "python": platform.python_version(),
            "platform": platform.platform(), "pyoxigraph": ox.__version__, "httpx": httpx.__version__}


def kind_rows(run: LoadRun, phase: str) -> list[str]:
    rows = []
    for name, kind in run.kinds.items():
        xs = [s for s in run.samples if s.phase == phase and s.kind == name]
        if not xs:
            continue
        counts: dict[str, int] = {}
        for s in xs:
            counts[s.outcome] = counts.get(s.outcome, 0) + 1
        lat = [s.seconds for s in xs]
        extra = {o for o in counts if o not in kind.expected and not (phase == "flood" and o == "503 busy")}
        outcomes = ", ".join(f"{'**' if o in extra else ''}{o}{'**' if o in extra else ''} ×{n}"
                             for o, n in sorted(counts.items()))
        rows.append(f"| {name} | {'hostile' if kind.hostile else 'ordinary'} | {len(xs)} | {outcomes} | "
                    f"{' / '.join(sorted(kind.expected))} | {percentile(lat, 50):.0f} | {percentile(lat, 99):.0f} |")
    return rows


def report_run(run: LoadRun, rss_limit_mb: float) -> list[str]:
    c = run.config
    out = [f"## {run.label}: {run.triples} triples (build {run.build})", "",
           f"`andts serve --workers {c.workers} --timeout {c.timeout:g}` (max_rows {MAX_ROWS}, max_body_bytes "
           f"{MAX_BODY}, the defaults); {c.clients} ordinary clients, {c.hostile_clients} hostile client(s), "
           f"{c.requests} ordinary requests per phase at most, {c.hostile_per_kind} of each hostile kind, "
           f"{c.flood_rounds} flood round(s) of {2 * c.workers} clients, {c.bomb_clients} memory bomb(s) at once, seed "
           f"{c.seed}, bound {c.seconds:g} s.", ""]
    out += ["| check | | |", "| --- | --- | --- |"]
    out += [f"| {ch.name} | {'ok' if ch.ok else '**FAILED**'} | {ch.detail} |" for ch in checks(run, rss_limit_mb)]
    out += ["", "| phase | seconds | requests | peak RSS MB (processes) | then healthy after s | workers after |",
            "| --- | ---: | ---: | ---: | ---: | --- |"]
    for p, secs in run.seconds.items():
        r = run.recoveries[p]
        n = sum(1 for s in run.samples if s.phase == p)
        out.append(f"| {p} | {secs:.1f} | {n} | {run.rss_peak.get(p, float('nan')):.0f} ({run.processes.get(p, 0)}) | "
                   f"{r.seconds:.1f} | {r.workers} |")
    if "bomb" in run.rss_peak and "baseline" in run.rss_peak:
        extra = run.rss_peak["bomb"] - run.rss_peak["baseline"]
        out += ["", f"Memory bomb: {run.rss_peak['bomb']:.0f} MB at the peak with {c.bomb_clients} at once, "
                f"about {extra / max(1, c.bomb_clients):.0f} MB per query above the baseline's peak within the "
                f"{c.timeout:g} s limit; RSS after it: {run.rss_peak.get('bomb (recovery)', float('nan')):.0f} MB."]
    for p in run.seconds:
        out += ["", f"### {p}", "", "| kind | | requests | outcomes | documented | p50 ms | p99 ms |",
                "| --- | --- | ---: | --- | --- | ---: | ---: |", *kind_rows(run, p)]
    for p, under in (("baseline", None), ("load", None), ("load", True), ("load", False), ("flood", None)):
        lat = ordinary_latencies(run, p, under)
        if lat:
            which = {None: "", True: ", sent while a hostile request was in flight",
                     False: ", sent while none was"}[under]
            out.append("")
            out.append(f"Ordinary requests, {p}{which}: {len(lat)}, p50 {percentile(lat, 50):.0f} ms, p99 "
                       f"{percentile(lat, 99):.0f} ms, mean {statistics.mean(lat) * 1000:.0f} ms.")
    odd = [s for s in run.samples if s.outcome != "200" and s.outcome not in run.kinds[s.kind].expected
           and not (s.phase == "flood" and s.outcome == "503 busy")]
    if odd:
        out += ["", "Undocumented outcomes (first 10):", ""]
        out += [f"- {s.phase} / {s.kind}: {s.outcome} after {s.seconds:.1f} s — {s.detail[:160]}" for s in odd[:10]]
    out.append("")
    return out


def report(runs: Sequence[LoadRun], rss_limit_mb: float, argv: str) -> str:
    m = machine()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# The endpoint under a hostile load", "",
           f"Measured {when} by `{argv}` (re-run it to refresh this file). Machine: {m['nproc']} CPUs (nproc), "
           f"{m['ram']} RAM, Python {m['python']}, pyoxigraph {m['pyoxigraph']}, httpx {m['httpx']}, {m['platform']}. "
           "The machine is shared: other work running at the same time shows in the latencies.", "",
           "Phases (see the docstring of `bench/load.py`): *baseline* the ordinary mix alone; *load* the same with "
           "hostile clients working through the pathological mix; *flood* more hostile clients than workers, every "
           "query stopped at the time limit, one ordinary client; *bomb* memory-growing queries, as many at once as "
           "`--bomb-clients` (default: the workers); *crash* small queries that overflow the parser's stack (deep "
           "nesting, long chains). Outcomes: the status, a 503 split into *timeout* and *busy* by its message; bold = "
           "not documented for that kind. Latencies are per request, client side. RSS: the "
           "`andts serve` process and its query workers, summed, sampled every 0.1 s.", ""]
    for r in runs:
        out += report_run(r, rss_limit_mb)
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, action="append", default=[],
                    help="a published store link; repeat for several (default: build data/sources into a temporary one)")
    ap.add_argument("--build", action="store_true", help="build data/sources into a temporary store and run on it "
                    "first, besides the --store ones (the default without --store)")
    ap.add_argument("--requests", type=int, default=Config.requests, help="ordinary requests per phase at most")
    ap.add_argument("--seconds", type=float, default=Config.seconds, help="time bound of the whole run per store")
    ap.add_argument("--clients", type=int, default=Config.clients, help="ordinary clients")
    ap.add_argument("--hostile-clients", type=int, help="hostile clients in the load phase (default workers - 1)")
    ap.add_argument("--hostile-per-kind", type=int, default=Config.hostile_per_kind)
    ap.add_argument("--flood-rounds", type=int, default=Config.flood_rounds, help="queries per flood client")
    ap.add_argument("--bomb-clients", type=int, help="memory-growing queries at once (default: workers)")
    ap.add_argument("--workers", type=int, default=Config.workers, help="the server's query workers")
    ap.add_argument("--timeout", type=float, default=Config.timeout, help="the server's query time limit")
    ap.add_argument("--seed", type=int, default=Config.seed)
    ap.add_argument("--rss-limit-mb", type=float, default=1536)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.md")
    args = ap.parse_args()
    cfg = Config(requests=args.requests, seconds=args.seconds, clients=args.clients,
                 hostile_clients=args.hostile_clients or max(1, args.workers - 1), hostile_per_kind=args.hostile_per_kind,
                 flood_rounds=args.flood_rounds, bomb_clients=args.bomb_clients or args.workers,
                 workers=args.workers, timeout=args.timeout, seed=args.seed)
    runs = []
    with tempfile.TemporaryDirectory(prefix="andts-load-") as tmp:
        stores = [(str(s), s) for s in args.store]
        if args.build or not stores:
            from andts.build import build

            build(Path(tmp) / "store")
            stores.insert(0, ("data/sources, built now (the 2 real programmes)", Path(tmp) / "store"))
        for i, (label, store) in enumerate(stores):
            print(f"== {label}", file=sys.stderr, flush=True)
            runs.append(run(store.absolute(), cfg, label, Path(tmp) / f"server-{i}.log"))
    argv = "bench/load.py " + " ".join(sys.argv[1:])
    kept = ""  # a hand-written "## Findings" section at the end survives a re-run
    if args.out.exists() and (i := (text := args.out.read_text(encoding="utf-8")).find("\n## Findings")) >= 0:
        kept = text[i:]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(runs, args.rss_limit_mb, argv.strip()) + kept, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    failed = [f"{r.label}: {c.name}" for r in runs for c in checks(r, args.rss_limit_mb) if not c.ok]
    for f in failed:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
