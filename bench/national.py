"""Scale and speed on a synthetic national graph: build, validation, and four SPARQL engines side by side.

    .venv/bin/python bench/national.py --sizes 2,30,290 [--quick] [--reuse]

For each size N (municipalities: the 2 real ones plus N-2 synthetic ones of bench/generate.py, seed --seed):
  1. generate the sources, then time `andts build` over them and `andts validate` of the dump, each as a
     subprocess under /usr/bin/time (wall time and peak RSS);
  2. run the same query mix against, in turn:
       floor (disk)  pyoxigraph in-process on the build's read-only RocksDB store (what our workers open),
       floor (mem)   pyoxigraph in-process on an in-memory Store loaded from dump.nq,
       ours          `andts serve --workers 2` over HTTP,
       oxigraph      Oxigraph's own server (`oxigraph serve-read-only --union-default-graph`, the binary of
                     the `oxigraph` PyPI package, same engine version) on a copy of the store, over HTTP,
       rdflib        rdflib-endpoint over the dump (bench/rdflib_server.py), over HTTP;
     at 1 and 8 concurrent clients (threads, one keep-alive connection each: bench/client.py; GET,
     SPARQL JSON / N-Triples);
  3. our entity pages (GET /id/…, Accept: text/html), and every server's RSS after the run.
The mix: every query of queries/ as its file stands (parameters at their defaults), and point lookups of
entity descriptions (a CONSTRUCT and a SELECT of one entity's triples, a different random entity each
request). Each (engine, query, clients) cell runs --requests requests or until --seconds have passed,
whichever comes first (at least 3); the first request of each query is not measured. Writes
bench/results/national.md. Not a test: it measures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ also when this file is imported by path (load.py)
from client import Client  # noqa: E402 - bench/client.py

from andts import paths  # noqa: E402
from andts import store as layout
from andts.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONCURRENCY = (1, 8)
ENGINES = ("floor (disk)", "floor (mem)", "ours", "oxigraph", "rdflib")
HEAVY_MS = 10.0  # a query is "heavy" when the floor's p50 at 1 client is at least this
TARGETS = {"mix": 0.60, "lookup": 0.40, "heavy": 0.90, "rdflib": 20.0, "lookup_ms": 2.0, "page_ms": 20.0,
           "build_s": 60.0, "rss_mb": 500.0}
SELECT_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


# ------------------------------------------------------------------ the mix
@dataclass
class Case:
    name: str
    texts: list[str]  # request i sends texts[i % len(texts)]
    graph: bool = False  # CONSTRUCT (N-Triples) rather than SELECT (JSON)
    lookup: bool = False


def entity_sample(store: ox.Store, k: int, seed: int) -> list[str]:
    """k entity IRIs of the programmes (activities, goals, focus areas, actors, programmes, findings), seeded."""
    rows = store.query("""PREFIX andts: <https://w3id.org/andts/def/>
        SELECT DISTINCT ?e WHERE { VALUES ?c { andts:Activity andts:Goal andts:FocusArea andts:Actor andts:Programme
        andts:Finding andts:Municipality } ?e a ?c }""", use_default_graph_as_union=True)
    iris = sorted(r["e"].value for r in rows)
    return random.Random(seed).sample(iris, min(k, len(iris)))


def the_mix(iris: list[str]) -> list[Case]:
    cases = [Case("lookup: CONSTRUCT one entity", [f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}" for i in iris],
                  graph=True, lookup=True),
             Case("lookup: SELECT one entity's triples", [f"SELECT ?p ?o WHERE {{ <{i}> ?p ?o }}" for i in iris],
                  lookup=True)]
    cases += [Case(q.name, [q.text]) for q in catalogue(paths.QUERIES_DIR)]
    return cases


# ------------------------------------------------------------------ measuring
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
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


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


def in_process(store: ox.Store) -> Callable[[Case], Callable[[int, int], None]]:
    def for_case(case: Case) -> Callable[[int, int], None]:
        def call(_: int, i: int) -> None:
            r = store.query(case.texts[i % len(case.texts)], use_default_graph_as_union=True)
            r.serialize(format=ox.RdfFormat.N_TRIPLES if case.graph else ox.QueryResultsFormat.JSON)
        return call
    return for_case


def over_http(base: str, path: str, timeout: float) -> tuple[Callable[[Case], Callable[[int, int], None]], Callable[[], None]]:
    clients = [Client(base, timeout=timeout) for _ in range(max(CONCURRENCY))]

    def for_case(case: Case) -> Callable[[int, int], None]:
        accept = NTRIPLES if case.graph else SELECT_JSON

        def call(c: int, i: int) -> None:
            status, body = clients[c].get(path, params={"query": case.texts[i % len(case.texts)]},
                                          headers={"Accept": accept})
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:80].decode('utf-8', 'replace')}")
        return call

    def close() -> None:
        for c in clients:
            c.close()
    return for_case, close


def measure_engine(make: Callable[[Case], Callable[[int, int], None]], cases: list[Case], requests: int,
                   seconds: float, label: str, budget: float = float("inf"),
                   after_timeout: Callable[[], None] | None = None) -> dict[tuple[str, int], Measure]:
    """Every case at each concurrency; cases left when `budget` seconds have passed are not run.
    `after_timeout` is called when a case's first request timed out (to restart a server that would go on
    with the abandoned query and slow the next ones down)."""
    out = {}
    deadline = time.perf_counter() + budget
    for case in cases:
        if time.perf_counter() > deadline:
            for n in CONCURRENCY:
                out[(case.name, n)] = Measure(note="not run: time budget spent")
            continue
        call = make(case)
        try:
            call(0, 0)  # warm-up, not measured
        except Exception as exc:  # noqa: BLE001
            for n in CONCURRENCY:
                out[(case.name, n)] = Measure(errors=1, note=f"{type(exc).__name__}: {str(exc)[:80]}",
                                              timed_out=isinstance(exc, TimeoutError))
            print(f"  {label} {case.name}: failed ({exc!s:.80})", file=sys.stderr, flush=True)
            if isinstance(exc, TimeoutError) and after_timeout is not None:
                after_timeout()
            continue
        for n in CONCURRENCY:
            out[(case.name, n)] = drive(call, requests, n, seconds)
        print(f"  {label} {case.name}: " + ", ".join(f"×{n} {out[(case.name, n)].rps:.0f}/s p50 {out[(case.name, n)].pct(50):.1f} ms"
                                                    for n in CONCURRENCY), file=sys.stderr, flush=True)
    return out


# ------------------------------------------------------------------ processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_by_process(pid: int) -> list[tuple[int, float, float]]:
    """(pid, RSS, PSS) in MB of each process of the tree, the root first. PSS shares each shared page out
    among the processes that map it, so its sum is what the tree takes from the machine."""
    out = []
    for p in tree(pid):
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()[1:])
            out.append((p, int(fields["Rss"].split()[0]) / 1024, int(fields["Pss"].split()[0]) / 1024))
        except (OSError, KeyError, ValueError):
            pass
    return out


def rss_mb(pid: int) -> tuple[float, float, int]:
    """(current RSS, sum of each process's peak RSS) in MB over the process tree, and the number of processes."""
    now = peak = 0
    pids = tree(pid)
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    now += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except OSError:
            pass
    return now / 1024, peak / 1024, len(pids)


class Server:
    def __init__(self, argv: list[str], health: str, log: Path, start_timeout: float = 600) -> None:
        self.url = health
        with log.open("w") as out:  # a file, not a pipe: an unread pipe would block a logging server
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(health, timeout=5).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = log.read_text(errors="replace")[-500:]
                self.stop()
                raise RuntimeError(f"{argv[0]} did not start: {err}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def timed(argv: list[str], log: Path, timeout: float) -> tuple[float, float, int]:
    """Run a command under /usr/bin/time: (wall seconds, peak RSS in MB, exit status)."""
    tfile = log.with_suffix(".time")
    with log.open("w") as out:
        try:
            rc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(tfile), *argv], stdout=out,
                                stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return timeout, float("nan"), -1
    wall, kb = tfile.read_text().split()[-2:]
    return float(wall), int(kb) / 1024, rc


# ------------------------------------------------------------------ one size
def run_size(n: int, args: argparse.Namespace) -> dict:
    work = args.workdir / f"n{n}"
    src, store_link = work / "src", work.resolve() / "store"
    res: dict = {"n": n}
    print(f"== {n} municipalities", file=sys.stderr, flush=True)
    work.mkdir(parents=True, exist_ok=True)
    if args.reuse and not (work / "build.json").exists() and (work / "build.time").exists():
        # a build timed by hand with the same commands (see bench/README.md): wait for its validation
        while not (work / "validate.rc").exists():
            time.sleep(5)
        (wall, kb), (vwall, vkb) = ((t.split()[-2:]) for t in ((work / n).read_text() for n in ("build.time", "validate.time")))
        (work / "build.json").write_text(json.dumps({
            "n": n, "generate_s": float("nan"), "build_s": float(wall), "build_mb": int(kb) / 1024, "validate_s": float(vwall),
            "validate_mb": int(vkb) / 1024, "validate_rc": int((work / "validate.rc").read_text())}))
    reuse = args.reuse and (work / "build.json").exists() and layout.current_build_dir(store_link) is not None
    if reuse:
        res.update(json.loads((work / "build.json").read_text()))
        print("  reusing the build measured before", file=sys.stderr)
    else:
        t = time.perf_counter()
        if n > 2:
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--municipalities", str(n - 2),
                            "--seed", str(args.seed), "--out", str(src)], check=True)
            build_argv = [sys.executable, str(ROOT / "bench" / "generate.py"), "--out", str(src), "--no-generate",
                          "--build", str(store_link), "--with-real"]
        else:
            build_argv = [str(BIN / "andts"), "build", "--store", str(store_link)]
        res["generate_s"] = time.perf_counter() - t
        res["build_s"], res["build_mb"], rc = timed(build_argv, work / "build.log", args.build_timeout)
        if rc != 0:
            raise SystemExit(f"the build of {n} failed or timed out; see {work / 'build.log'}")
        dump = layout.current_build_dir(store_link) / "dump.trig"
        res["validate_s"], res["validate_mb"], res["validate_rc"] = timed(
            [str(BIN / "andts"), "validate", str(dump)], work / "validate.log", args.build_timeout)
        (work / "build.json").write_text(json.dumps(res))
    build_dir = layout.current_build_dir(store_link)
    info = layout.read_build_info(store_link)
    res["triples"], res["build_id"] = info.triples, info.id
    requests, seconds = args.requests, args.seconds

    disk = ox.Store.read_only(str(build_dir / layout.OXIGRAPH_DIR))
    iris = entity_sample(disk, 200, args.seed)
    cases = [c for c in the_mix(iris) if args.only in c.name]
    if not cases:
        raise SystemExit(f"no query of the mix has {args.only!r} in its name")
    res["cases"] = [(c.name, c.lookup) for c in cases]
    results: dict[str, dict] = {}

    results["floor (disk)"] = measure_engine(in_process(disk), cases, requests, seconds, "floor (disk)")
    t = time.perf_counter()
    mem = ox.Store()
    mem.load(path=str(build_dir / "dump.nq"), format=ox.RdfFormat.N_QUADS)
    res["mem_load_s"] = time.perf_counter() - t
    results["floor (mem)"] = measure_engine(in_process(mem), cases, requests, seconds, "floor (mem)")
    del mem
    rss: dict[str, tuple[float, float, int]] = {}

    # ours
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(BIN / "andts"), "serve", "--store", str(store_link), "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "2", "--timeout", str(args.timeout)], base + "/health", work / "ours.log")
    try:
        rss["ours (idle)"] = rss_mb(server.process.pid)
        make, close = over_http(base, "/sparql", args.timeout + 5)
        results["ours"] = measure_engine(make, cases, requests, seconds, "ours")
        close()
        pages = [i.replace("https://w3id.org/andts/", "/") for i in iris]
        with httpx.Client(base_url=base, timeout=30, headers={"Accept": "text/html"}) as page_client:
            clients = [httpx.Client(base_url=base, timeout=30, headers={"Accept": "text/html"}) for _ in range(8)]

            def page(c: int, i: int) -> None:
                r = clients[c].get(pages[i % len(pages)])
                if r.status_code != 200:
                    raise RuntimeError(f"HTTP {r.status_code} for {pages[i % len(pages)]}")
            page_client.get(pages[0])
            res["pages"] = {n: drive(page, requests, n, seconds) for n in CONCURRENCY}
            for c in clients:
                c.close()
        rss["ours"] = rss_mb(server.process.pid)
    finally:
        server.stop()

    # Oxigraph's server on a copy of the same store
    copy = work / "oxigraph-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(build_dir / layout.OXIGRAPH_DIR, copy)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy), "--bind", f"127.0.0.1:{port}",
                     "--union-default-graph"], base + "/query?query=ASK%7B%7D", work / "oxigraph.log")
    try:
        make, close = over_http(base, "/query", args.timeout + 5)
        results["oxigraph"] = measure_engine(make, cases, requests, seconds, "oxigraph")
        close()
        rss["oxigraph"] = rss_mb(server.process.pid)
    finally:
        server.stop()
        shutil.rmtree(copy, ignore_errors=True)

    # rdflib-endpoint over the dump (capped: it is orders of magnitude slower)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t = time.perf_counter()

    def start_rdflib() -> Server:
        return Server([sys.executable, str(ROOT / "bench" / "rdflib_server.py"), str(build_dir / "dump.nq"),
                       "--port", str(port)], base + "/sparql?query=ASK%7B%7D", work / "rdflib.log",
                      start_timeout=args.build_timeout)
    try:
        server = start_rdflib()
    except RuntimeError as exc:
        results["rdflib"], res["rdflib_note"] = {}, str(exc)
    else:
        res["rdflib_load_s"] = time.perf_counter() - t
        res["rdflib_timeout"] = args.rdflib_timeout

        def restart() -> None:  # it would go on with the abandoned query: the next one gets a fresh server
            nonlocal server
            server.stop()
            server = start_rdflib()
        try:
            make, close = over_http(base, "/sparql", args.rdflib_timeout)
            results["rdflib"] = measure_engine(make, cases, min(requests, args.rdflib_requests), args.rdflib_seconds,
                                               "rdflib", budget=args.rdflib_budget, after_timeout=restart)
            close()
            rss["rdflib"] = rss_mb(server.process.pid)
        finally:
            server.stop()
    res["results"], res["rss"] = results, rss
    return res


# ------------------------------------------------------------------ the report
def gmean(xs: list[float]) -> float:
    xs = [x for x in xs if x and x > 0 and math.isfinite(x)]
    return statistics.geometric_mean(xs) if xs else float("nan")


def f(x: float, digits: int = 1) -> str:
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def rdflib_bound(res: dict, names: list[str], n: int) -> tuple[float, int]:
    """A lower bound of ours/rdflib over the whole mix at n clients, and how many queries in it rdflib did not
    answer once within its timeout T. Such a query's throughput is counted as n/T, its most if every request
    takes T or more (one alone did; on two cores and a GIL, one beside others takes no less), so its ratio is
    at least ours × T / n. Queries rdflib answered count as measured; those not run (its time budget) or
    failing otherwise are left out."""
    r, timeout = res["results"], res.get("rdflib_timeout")
    ratios, timed_out = [], 0
    for q in names:
        ours, theirs = r.get("ours", {}).get((q, n)), r.get("rdflib", {}).get((q, n))
        if not ours or not ours.rps or theirs is None:
            continue
        if theirs.rps:
            ratios.append(ours.rps / theirs.rps)
        elif theirs.timed_out and timeout:
            ratios.append(ours.rps * timeout / n)
            timed_out += 1
    return gmean(ratios), timed_out


def summarise(res: dict) -> dict:
    """Ratios and targets of one size."""
    r = res["results"]
    out: dict = {}
    names = [name for name, _ in res["cases"]]
    lookups = [name for name, lk in res["cases"] if lk]
    heavy = [name for name in names if name not in lookups and r["floor (disk)"][(name, 1)].pct(50) >= HEAVY_MS]
    out["heavy"] = heavy
    for n in CONCURRENCY:
        def ratio(a: str, b: str, subset: list[str]) -> float:
            if not r.get(a) or not r.get(b):
                return float("nan")
            return gmean([r[a][(q, n)].rps / r[b][(q, n)].rps for q in subset
                          if (q, n) in r[a] and (q, n) in r[b] and r[b][(q, n)].rps and r[a][(q, n)].rps])
        out[n] = {
            "ours/oxigraph mix": ratio("ours", "oxigraph", names),
            "ours/oxigraph lookup": ratio("ours", "oxigraph", lookups),
            "ours/oxigraph heavy": ratio("ours", "oxigraph", heavy),
            "ours/rdflib mix": ratio("ours", "rdflib", names),
            "ours/floor mix": ratio("ours", "floor (disk)", names),
            "oxigraph/floor mix": ratio("oxigraph", "floor (disk)", names),
            "mem/disk floor mix": ratio("floor (mem)", "floor (disk)", names),
            "mem/disk floor heavy": ratio("floor (mem)", "floor (disk)", heavy),
        }
        out[n]["rdflib answered"] = sum(1 for q in names if r.get("rdflib", {}).get((q, n)) and r["rdflib"][(q, n)].n)
        out[n]["ours/rdflib bound"], out[n]["rdflib timed out"] = rdflib_bound(res, names, n)
    out["lookup_gap_ms"] = max(r["ours"][(q, 1)].pct(50) - r["floor (disk)"][(q, 1)].pct(50) for q in lookups)
    out["page_ms"] = res["pages"][1].pct(50)
    out["build_validate_s"] = res["build_s"] + res["validate_s"]
    out["rss_mb"] = res["rss"]["ours"][0]
    return out


def report(sizes: list[dict], args: argparse.Namespace) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    oxi = subprocess.run([str(BIN / "oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    import rdflib
    import rdflib_endpoint
    out = [
        "# Scale and speed: a synthetic national graph, four engines side by side", "",
        f"Measured {when} by `bench/national.py --sizes {args.sizes}{' --quick' if args.quick else ''}"
        f"{f' --only {args.only!r}' if args.only else ''}` (re-run it to "
        f"refresh this file). Machine: {os.cpu_count()} CPUs (nproc), {_mem_total()} RAM, Python "
        f"{platform.python_version()}, {platform.platform()}; pyoxigraph {ox.__version__}, {oxi} (server binary of the "
        f"`oxigraph` PyPI package), rdflib {rdflib.__version__}, rdflib-endpoint "
        f"{getattr(rdflib_endpoint, '__version__', '?')}. The machine is shared: other work running at the same "
        "time shows in the figures.", "",
        "Data: N municipalities = the 2 real programmes + N−2 synthetic ones (`bench/generate.py`, seed "
        f"{args.seed}), built by the real pipeline (template loader, SHACL gate). Engines: *floor* = the same query "
        "in-process in pyoxigraph, serialised (SPARQL JSON / N-Triples), on the build's read-only RocksDB store "
        "(*disk*) or an in-memory `Store()` loaded from `dump.nq` (*mem*); *ours* = `andts serve --workers 2`; "
        "*oxigraph* = `oxigraph serve-read-only --union-default-graph` on a copy of the store; *rdflib* = "
        "rdflib-endpoint over the dump (Dataset, union default graph). HTTP: GET, one keep-alive `http.client` "
        f"connection per client thread (bench/client.py; runs before 2026-12-07 used httpx, which costs 0.25–0.5 ms a request "
        f"of its own). Each cell: up to {args.requests} requests or {args.seconds:g} s (rdflib: {args.rdflib_requests} / "
        f"{args.rdflib_seconds:g} s), at least 3; the first request of each query is a warm-up. Lookups ask for a "
        f"different random entity (of 200) each request. *Heavy* = floor (disk) p50 at 1 client ≥ {HEAVY_MS:g} ms.", "",
    ]
    out += ["## Build, validation, memory", "",
            "| municipalities | triples | generate s | build s | build peak RSS MB | validate s | validate peak MB | "
            "validate exit | mem store load s | rdflib load s | ours RSS MB (idle → after) | oxigraph RSS MB | rdflib RSS MB |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in sizes:
        rss = s["rss"]
        out.append(f"| {s['n']} | {s['triples']} | {f(s.get('generate_s', float('nan')))} | {f(s['build_s'])} | "
                   f"{f(s['build_mb'], 0)} | {f(s['validate_s'])} | {f(s['validate_mb'], 0)} | {s['validate_rc']} | "
                   f"{f(s['mem_load_s'], 2)} | {f(s.get('rdflib_load_s', float('nan')))} | "
                   f"{f(rss['ours (idle)'][0], 0)} → {f(rss['ours'][0], 0)} ({rss['ours'][2]} processes, peak sum "
                   f"{f(rss['ours'][1], 0)}) | {f(rss.get('oxigraph', (float('nan'),))[0], 0)} | "
                   f"{f(rss.get('rdflib', (float('nan'),))[0], 0)} |")
    out.append("")
    for s in sizes:
        summ = summarise(s)
        r = s["results"]
        out += [f"## {s['n']} municipalities ({s['triples']} triples, build {s['build_id']})", "",
                "Requests per second and p50 / p99 latency (ms) per engine; ratios are requests per second.", "",
                "| query | clients | floor disk r/s | p50 | floor mem r/s | p50 | ours r/s | p50 | p99 | oxigraph r/s | p50 | "
                "p99 | rdflib r/s | p50 | ours/floor | ours/oxigraph | oxigraph/floor |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name, lookup in s["cases"]:
            for n in CONCURRENCY:
                def g(e: str) -> Measure:
                    return r.get(e, {}).get((name, n)) or Measure(note="not run")
                fd, fm, us, ox_, rl = (g(e) for e in ENGINES)
                heavy = " (heavy)" if name in summ["heavy"] else ""
                rdl = f"{f(rl.rps)} | {f(rl.pct(50))}" if rl.n else f"– ({rl.errors} errors) | –" if rl.errors else "– | –"
                out.append(
                    f"| {name}{heavy} | {n} | {f(fd.rps, 0)} | {f(fd.pct(50))} | {f(fm.rps, 0)} | {f(fm.pct(50))} | "
                    f"{f(us.rps, 0)} | {f(us.pct(50))} | {f(us.pct(99))} | {f(ox_.rps, 0)} | {f(ox_.pct(50))} | "
                    f"{f(ox_.pct(99))} | {rdl} | {f(us.rps / fd.rps if fd.rps else float('nan'), 2)} | "
                    f"{f(us.rps / ox_.rps if ox_.rps else float('nan'), 2)} | "
                    f"{f(ox_.rps / fd.rps if fd.rps else float('nan'), 2)} |")
        pages = s["pages"]
        out += ["", "Entity pages of our server (GET /id/…, Accept: text/html, random entities): " + "; ".join(
            f"{n} client{'s' if n > 1 else ''}: {f(pages[n].rps, 0)}/s, p50 {f(pages[n].pct(50))} ms, p99 "
            f"{f(pages[n].pct(99))} ms" + (f" ({pages[n].errors} errors: {pages[n].note})" if pages[n].errors else "")
            for n in CONCURRENCY) + ".", "",
            "Geometric means of the throughput ratios over the queries:", "",
            "| ratio | 1 client | 8 clients |", "| --- | ---: | ---: |"]
        for key in summ[1]:
            out.append(f"| {key} | {f(summ[1][key], 2)} | {f(summ[8][key], 2)} |")
        out += ["", f"Heavy queries: {', '.join(summ['heavy']) or 'none'}.", ""]
    # targets at the largest size measured
    s = sizes[-1]
    summ = summarise(s)

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"
    worst = lambda key: min(summ[1][key], summ[8][key])  # noqa: E731
    rows = [
        ("throughput vs Oxigraph server, mix (gmean)", f"≥ {TARGETS['mix']:.0%}",
         f"{summ[1]['ours/oxigraph mix']:.0%} / {summ[8]['ours/oxigraph mix']:.0%}", worst("ours/oxigraph mix") >= TARGETS["mix"]),
        ("… point lookups", f"≥ {TARGETS['lookup']:.0%}",
         f"{summ[1]['ours/oxigraph lookup']:.0%} / {summ[8]['ours/oxigraph lookup']:.0%}", worst("ours/oxigraph lookup") >= TARGETS["lookup"]),
        ("… heavy queries", f"≥ {TARGETS['heavy']:.0%}",
         f"{summ[1]['ours/oxigraph heavy']:.0%} / {summ[8]['ours/oxigraph heavy']:.0%}", worst("ours/oxigraph heavy") >= TARGETS["heavy"]),
        ("throughput vs rdflib-endpoint (gmean)", f"≥ {TARGETS['rdflib']:g}×",
         f"at least {f(summ[1]['ours/rdflib bound'])}× / {f(summ[8]['ours/rdflib bound'])}× over the "
         f"{summ[1]['rdflib answered'] + summ[1]['rdflib timed out']} queries rdflib was asked (of {len(s['cases'])}): "
         f"{summ[1]['rdflib answered']} answered, measured ({f(summ[1]['ours/rdflib mix'])}× / "
         f"{f(summ[8]['ours/rdflib mix'])}× over these alone); {summ[1]['rdflib timed out']} not answered once in "
         f"{f(s.get('rdflib_timeout'), 0)} s, counted at its most (1 / 8 requests per {f(s.get('rdflib_timeout'), 0)} s)",
         worst("ours/rdflib bound") >= TARGETS["rdflib"]),
        ("point lookup p50 − floor p50 (1 client)", f"≤ {TARGETS['lookup_ms']:g} ms", f"{summ['lookup_gap_ms']:.1f} ms",
         summ["lookup_gap_ms"] <= TARGETS["lookup_ms"]),
        ("entity page p50 (1 client)", f"< {TARGETS['page_ms']:g} ms", f"{summ['page_ms']:.1f} ms", summ["page_ms"] < TARGETS["page_ms"]),
        ("build + validation", f"< {TARGETS['build_s']:g} s", f"{s['build_s']:.0f} + {s['validate_s']:.0f} = {summ['build_validate_s']:.0f} s",
         summ["build_validate_s"] < TARGETS["build_s"]),
        ("server RSS (all processes, after the run)", f"< {TARGETS['rss_mb']:g} MB", f"{summ['rss_mb']:.0f} MB", summ["rss_mb"] < TARGETS["rss_mb"]),
    ]
    out += [f"## Targets at {s['n']} municipalities", "", "Ratios at 1 / 8 clients; a ratio target must hold at both.", "",
            "| target | wanted | measured | |", "| --- | --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} | {verdict(ok)} |" for a, b, c, ok in rows]
    out.append("")
    return "\n".join(out)


def _mem_total() -> str:
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        return f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        return "? GB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2,30,290", help="municipalities per run, comma-separated (default 2,30,290)")
    ap.add_argument("--quick", action="store_true", help="fewer requests and shorter cells")
    ap.add_argument("--only", default="", help="only the queries of the mix whose name has this in it (e.g. "
                    "'lookup'); the ratios and targets are then over those alone")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--requests", type=int, help="requests per query, engine and concurrency (default 200; --quick 40)")
    ap.add_argument("--seconds", type=float, help="time cap per cell in seconds (default 5; --quick 2)")
    ap.add_argument("--rdflib-requests", type=int, default=20, help="request cap for rdflib-endpoint (default 20)")
    ap.add_argument("--rdflib-seconds", type=float, default=5, help="time cap per cell for rdflib-endpoint (default 5)")
    ap.add_argument("--rdflib-timeout", type=float, default=10, help="one rdflib-endpoint request at most (default 10 s)")
    ap.add_argument("--rdflib-budget", type=float, default=1800,
                    help="rdflib-endpoint's whole mix at most; later queries are not run (default 1800 s)")
    ap.add_argument("--timeout", type=float, default=30, help="query timeout of the servers (default 30 s)")
    ap.add_argument("--build-timeout", type=float, default=1800, help="build and validation at most (default 1800 s)")
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-national")
    ap.add_argument("--reuse", action="store_true", help="keep a size's build (and its measured times) from an earlier run")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "national.md")
    ap.add_argument("--report-only", action="store_true", help="re-render the report from the last run's results.pickle files")
    args = ap.parse_args()
    args.requests = args.requests or (40 if args.quick else 200)
    args.seconds = args.seconds or (2.0 if args.quick else 5.0)
    sizes = []
    if args.report_only:
        for n in sorted(int(x) for x in args.sizes.split(",")):
            with (args.workdir / f"n{n}" / "results.pickle").open("rb") as fh:
                sizes.append(pickle.load(fh))
        write_report(sizes, args)
        return 0
    for n in sorted(int(x) for x in args.sizes.split(",")):
        if n < 2:
            raise SystemExit("a size is at least 2 (the real municipalities)")
        sizes.append(run_size(n, args))
        with (args.workdir / f"n{n}" / "results.pickle").open("wb") as fh:  # to re-render with --report-only
            pickle.dump(sizes[-1], fh)
        write_report(sizes, args)  # after each size: a partial report survives
    return 0


def write_report(sizes: list[dict], args: argparse.Namespace) -> None:
    kept = ""  # the hand-written diagnosis (profiles, causes, fixes) survives a re-run
    if args.out.exists() and (i := (text := args.out.read_text(encoding="utf-8")).find("\n## Diagnosis")) >= 0:
        kept = text[i:]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(sizes, args) + kept, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
