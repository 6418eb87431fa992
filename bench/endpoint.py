"""Requests per second and latency of the SPARQL endpoint against the same queries run in-process.

    .venv/bin/python bench/endpoint.py [--store DIR] [--requests N] [--workers W] [--out bench/results/endpoint.md]

The queries are the named queries of queries/ plus a one-entity lookup (the cheapest realistic request).
Each runs `--requests` times with 1 and with 8 concurrent clients:
  - in-process: pyoxigraph over the same read-only store, evaluated and serialised as SPARQL JSON (what a
    worker does), from 1 or 8 threads (pyoxigraph releases the GIL);
  - endpoint: `andts serve` started here on 127.0.0.1 (a real uvicorn process with its worker pool), queried
    with httpx (GET, Accept: application/sparql-results+json), 1 or 8 clients each in its own thread.
Without --store, the project's sources are built into a temporary store first. Loopback only; a bounded
number of requests. Not a test: it measures, and writes a Markdown report.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pyoxigraph as ox

from andts import catalogue as queries
from andts import paths
from andts import store as layout

ROOT = Path(__file__).resolve().parents[1]
LOOKUP = ("lookup (one entity's triples)",
          "SELECT ?p ?o WHERE { <https://w3id.org/andts/id/municipality/stockholm> ?p ?o }")
CONCURRENCY = (1, 8)


@dataclass
class Measure:
    requests: int
    seconds: float
    latencies: list[float]  # seconds, one per request

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def drive(call: Callable[[int], None], requests: int, clients: int) -> Measure:
    """`requests` calls spread over `clients` threads; `call(client_index)` does one request."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client(i: int) -> None:
        mine = []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            t = time.perf_counter()
            call(i)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Measure(requests, time.perf_counter() - start, latencies)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, store: Path, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        andts = Path(sys.executable).with_name("andts")
        self.process = subprocess.Popen(
            [str(andts), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--timeout", "30"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("the server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def bench(store_link: Path, requests: int, workers: int) -> tuple[list[tuple[str, dict[str, Measure]]], dict[str, str]]:
    build = layout.current_build_dir(store_link)
    info = layout.read_build_info(store_link)
    ox_store = ox.Store.read_only(str(build / layout.OXIGRAPH_DIR))
    named = [(q.title, q.text) for q in queries.catalogue(paths.QUERIES_DIR)]
    cases = [LOOKUP, *named]

    server = Server(store_link, workers)
    try:
        clients = [httpx.Client(base_url=server.url, timeout=60) for _ in range(max(CONCURRENCY))]
        rows = []
        for title, text in cases:
            def in_process(_: int, text: str = text) -> None:
                ox_store.query(text, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)

            def endpoint(i: int, text: str = text) -> None:
                r = clients[i].get("/sparql", params={"query": text},
                                   headers={"Accept": "application/sparql-results+json"})
                if r.status_code != 200:
                    raise SystemExit(f"{title}: {r.status_code} {r.text}")

            endpoint(0)  # warm: the first request of a query on each side is not measured
            in_process(0)
            results = {}
            for n in CONCURRENCY:
                results[f"in-process ×{n}"] = drive(in_process, requests, n)
                results[f"endpoint ×{n}"] = drive(endpoint, requests, n)
            rows.append((title, results))
            print(f"{title}: " + ", ".join(f"{k} {m.rps:.0f}/s" for k, m in results.items()), flush=True)
        for c in clients:
            c.close()
    finally:
        server.stop()
    machine = {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "?",
        "build": f"{info.id} ({info.triples} triples)",
        "workers": str(workers),
        "requests": str(requests),
    }
    return rows, machine


def report(rows: list[tuple[str, dict[str, Measure]]], machine: dict[str, str]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# SPARQL endpoint against in-process pyoxigraph",
        "",
        f"Measured {when} by `bench/endpoint.py` (re-run it to refresh this file). Machine: {machine['nproc']} "
        f"CPUs (nproc), Python {machine['python']}, pyoxigraph {machine['pyoxigraph']}, {machine['platform']}. "
        f"Store: build {machine['build']}. Endpoint: `andts serve` on 127.0.0.1 with {machine['workers']} query "
        f"workers, queried by httpx (GET, SPARQL JSON). In-process: the same query on the same read-only store, "
        f"serialised to SPARQL JSON, from as many threads as there are clients. {machine['requests']} requests "
        "per query and concurrency; the first request of each query is not measured.",
        "",
        "Requests per second, and latency p50 / p99 in milliseconds. *Ratio* is the endpoint's requests per "
        "second over in-process's at the same concurrency.",
        "",
        "| query | clients | in-process req/s | p50 | p99 | endpoint req/s | p50 | p99 | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios: dict[int, list[float]] = {n: [] for n in CONCURRENCY}
    for title, results in rows:
        for n in CONCURRENCY:
            a, b = results[f"in-process ×{n}"], results[f"endpoint ×{n}"]
            ratio = b.rps / a.rps
            ratios[n].append(ratio)
            out.append(f"| {title} | {n} | {a.rps:.0f} | {a.pct(50):.1f} | {a.pct(99):.1f} | {b.rps:.0f} | "
                       f"{b.pct(50):.1f} | {b.pct(99):.1f} | {ratio:.2f} |")
    out += ["", "Ratio, geometric mean over the queries: " + "; ".join(
        f"{n} client{'s' if n > 1 else ''}: {statistics.geometric_mean(r):.2f}" for n, r in ratios.items()) + ".", ""]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="a published store link (default: build data/sources into a temporary one)")
    ap.add_argument("--requests", type=int, default=200, help="requests per query and concurrency (default 200)")
    ap.add_argument("--workers", type=int, default=2, help="the server's query workers (default 2)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "endpoint.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="andts-bench-") as tmp:
        store_link = args.store
        if store_link is None:
            from andts.build import build

            store_link = Path(tmp) / "store"
            build(store_link)
        rows, machine = bench(store_link, args.requests, args.workers)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(rows, machine), encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
