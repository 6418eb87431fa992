"""The servers bench/national.py compares, each started on a free loopback port, measured over HTTP on the
mix and stopped: ours (with its entity pages), Oxigraph's server, and rdflib-endpoint."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import httpx

# siblings in bench/ (on sys.path: see bench/README.md)
from latency import Measure, drive
from national_engines import CONCURRENCY, measure_engine, over_http
from national_mix import Case
from process_memory import rss_mb
from server_process import Server, free_port, oxigraph_on_a_copy

from andts import store as layout

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BASE = "https://w3id.org/andts/"

Results = dict[tuple[str, int], Measure]
Rss = tuple[float, float, int]  # rss_mb: now, peak sum, processes


def measure_ours(store_link: Path, work: Path, cases: list[Case], iris: list[str], args: argparse.Namespace
                 ) -> tuple[Results, dict[int, Measure], dict[str, Rss]]:
    """`andts serve --workers 2`: the mix, then entity pages; its RSS idle and after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(BIN / "andts"), "serve", "--store", str(store_link), "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "2", "--timeout", str(args.timeout)], base + "/health", work / "ours.log")
    rss: dict[str, Rss] = {}
    try:
        rss["ours (idle)"] = rss_mb(server.process.pid)
        make, close = over_http(base, "/sparql", args.timeout + 5)
        results = measure_engine(make, cases, args.requests, args.seconds, "ours")
        close()
        pages = measure_pages(base, iris, args.requests, args.seconds)
        rss["ours"] = rss_mb(server.process.pid)
    finally:
        server.stop()
    return results, pages, rss


def measure_pages(base: str, iris: list[str], requests: int, seconds: float) -> dict[int, Measure]:
    """GET /id/… as text/html for random entities, at each concurrency."""
    paths = [i.replace(BASE, "/") for i in iris]
    html = {"Accept": "text/html"}
    with httpx.Client(base_url=base, timeout=30, headers=html) as warm_up:
        clients = [httpx.Client(base_url=base, timeout=30, headers=html) for _ in range(max(CONCURRENCY))]

        def page(c: int, i: int) -> None:
            r = clients[c].get(paths[i % len(paths)])
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code} for {paths[i % len(paths)]}")
        warm_up.get(paths[0])
        out = {n: drive(page, requests, n, seconds) for n in CONCURRENCY}
        for c in clients:
            c.close()
    return out


def measure_oxigraph(build_dir: Path, work: Path, cases: list[Case], args: argparse.Namespace) -> tuple[Results, Rss]:
    """`oxigraph serve-read-only --union-default-graph` on a copy of the build's store."""
    copy = work / "oxigraph-copy"
    server, base = oxigraph_on_a_copy(build_dir / layout.OXIGRAPH_DIR, copy, work / "oxigraph.log")
    try:
        make, close = over_http(base, "/query", args.timeout + 5)
        results = measure_engine(make, cases, args.requests, args.seconds, "oxigraph")
        close()
        return results, rss_mb(server.process.pid)
    finally:
        server.stop()
        shutil.rmtree(copy, ignore_errors=True)


def measure_rdflib(build_dir: Path, work: Path, cases: list[Case], args: argparse.Namespace) -> dict:
    """rdflib-endpoint over the dump, with its own lower caps (it is orders of magnitude slower), restarted
    after a query it did not answer in time. The keys it adds to a size's results: `results`, `rss` (when it
    started), `rdflib_load_s` and `rdflib_timeout`, or `rdflib_note` (why it did not start)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t = time.perf_counter()

    def start() -> Server:
        return Server([sys.executable, str(ROOT / "bench" / "rdflib_server.py"), str(build_dir / "dump.nq"),
                       "--port", str(port)], base + "/sparql?query=ASK%7B%7D", work / "rdflib.log",
                      start_timeout=args.build_timeout)
    try:
        server = start()
    except RuntimeError as exc:
        return {"results": {}, "rdflib_note": str(exc)}
    out: dict = {"rdflib_load_s": time.perf_counter() - t, "rdflib_timeout": args.rdflib_timeout}

    def restart() -> None:  # it would go on with the abandoned query: the next one gets a fresh server
        nonlocal server
        server.stop()
        server = start()
    try:
        make, close = over_http(base, "/sparql", args.rdflib_timeout)
        out["results"] = measure_engine(make, cases, min(args.requests, args.rdflib_requests), args.rdflib_seconds,
                                        "rdflib", budget=args.rdflib_budget, after_timeout=restart)
        close()
        out["rss"] = rss_mb(server.process.pid)
    finally:
        server.stop()
    return out
