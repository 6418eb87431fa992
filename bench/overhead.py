"""Where a point lookup's time goes in our server, layer by layer (p50 at 1 client, milliseconds).

    .venv/bin/python bench/overhead.py --store var/bench-national/n290/store [--requests 1000]

Each row adds one step to the one before, on the same random entity lookups (CONSTRUCT, N-Triples):
  1. pyoxigraph: `Store.query` + serialise, in this process (the floor);
  2. + job checks: `andts.server.engine.sparql.execute` (what a worker runs: query-text checks, dataset, serialisation);
  3. + worker IPC: `WorkerPool.run` from this process (pickled job and result over a socket pair);
  4. HTTP alone: uvicorn serving bench/bare_asgi.py, which answers every request with a body of a lookup's
     median size: the client, loopback and uvicorn, before any code of ours;
  5. `GET /health` of `andts serve` (FastAPI's routing, a thread hand-off, JSON; no query);
  6. `GET /sparql?query=…` of `andts serve`: everything (these lookups have one subject, so the server
     answers them itself from the store on disk, without row 3's hop to a worker);
  and, for scale, Oxigraph's own server answering the same lookups.
The HTTP rows are measured with two clients: bench/client.py (a keep-alive `http.client` connection, what
the other benches use) and httpx (which asks for gzip, and costs more of its own). The gaps to row 1 are
what the target "a point lookup within 2 ms of the floor" is about.
It imports the server's internals (sparql.Job, pool.WorkerPool) read-only; if they change, so must this.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox

# siblings in bench/: Python puts this file's folder first on sys.path when it runs it
from client import Client
from entity_sample import entity_sample
from server_process import Server, free_port, oxigraph_on_a_copy

from andts import store as layout
from andts.server.engine import builds, sparql

BIN = Path(sys.executable).parent
NT = {"Accept": "application/n-triples"}


def p50(fn: Callable[[int], object], n: int) -> float:
    for i in range(min(n, 50)):  # warm-up: connections, caches
        fn(i)
    xs = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        xs.append(time.perf_counter() - t)
    return statistics.median(xs) * 1000


def over_both_clients(base: str, path: Callable[[int], str], n: int) -> tuple[float, float]:
    """p50 of GET base+path(i) with bench/client.py, then with httpx."""
    def lean_get(c: Client, i: int) -> None:
        status, _ = c.get(path(i), headers=NT)
        assert status == 200, status

    def httpx_get(c: httpx.Client, i: int) -> None:
        assert c.get(path(i), headers=NT).status_code == 200

    with Client(base, timeout=30) as lean:
        a = p50(lambda i: lean_get(lean, i), n)
    with httpx.Client(base_url=base, timeout=30) as hc:
        b = p50(lambda i: httpx_get(hc, i), n)
    return a, b


def in_process_rows(link: Path, disk: ox.Store, queries: list[str], jobs: list[sparql.Job], n: int
                    ) -> list[tuple[str, float]]:
    """Rows 1 to 3: the floor, the worker's job checks, and the worker pool's IPC."""
    from andts.server.engine.pool import WorkerPool

    rows = [("1. pyoxigraph query + serialise (the floor)", p50(lambda i: disk.query(
        queries[i % 200], use_default_graph_as_union=True).serialize(format=ox.RdfFormat.N_TRIPLES), n))]
    rows.append(("2. + job checks (sparql.execute)", p50(lambda i: sparql.execute(disk, jobs[i % 200]), n)))
    with WorkerPool(builds.locate_build(link), size=2, timeout=30, in_memory=True, slots_per_process=2) as pool:
        rows.append(("3. + worker process IPC (WorkerPool.run, in memory as served)",
                     p50(lambda i: pool.run(jobs[i % 200]), n)))
    return rows


def bare_http_row(size: int, logs: Path, n: int) -> tuple[str, float, float]:
    """Row 4: uvicorn serving bare_asgi.py's body of `size` bytes."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["BARE_ASGI_BYTES"] = str(size)  # read by bare_asgi.py in the server process
    server = Server([str(BIN / "python"), "-m", "uvicorn", "--app-dir", str(Path(__file__).parent), "bare_asgi:app",
                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                    base + "/", logs / "bare.log", start_timeout=60)
    os.environ.pop("BARE_ASGI_BYTES", None)
    try:
        return (f"4. HTTP alone: uvicorn + a bare ASGI app, {size} bytes", *over_both_clients(base, lambda i: "/", n))
    finally:
        server.stop()


def ours_rows(link: Path, lookups: list[str], logs: Path, n: int) -> list[tuple[str, float, float]]:
    """Rows 5 and 6: `andts serve`'s /health, then the whole lookup."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(BIN / "andts"), "serve", "--store", str(link), "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "2"], base + "/health", logs / "serve.log")
    try:
        return [("5. GET /health of andts serve (no query)", *over_both_clients(base, lambda i: "/health", n)),
                ("6. GET /sparql lookup of andts serve (everything)", *over_both_clients(
                    base, lambda i: "/sparql" + lookups[i % 200], n))]
    finally:
        server.stop()


def oxigraph_row(build_dir: Path, lookups: list[str], logs: Path, n: int) -> tuple[str, float, float]:
    """For scale: Oxigraph's server on a copy of the store, the same lookups."""
    copy = Path(tempfile.mkdtemp()) / "oxigraph"
    server, base = oxigraph_on_a_copy(build_dir / layout.OXIGRAPH_DIR, copy, logs / "oxigraph.log")
    try:
        return ("Oxigraph's server: GET /query lookup", *over_both_clients(base, lambda i: "/query" + lookups[i % 200], n))
    finally:
        server.stop()
        shutil.rmtree(copy, ignore_errors=True)


def print_tables(build_dir: Path, n: int, in_process: list[tuple[str, float]],
                 over_http: list[tuple[str, float, float]]) -> None:
    floor = in_process[0][1]
    print(f"Store {build_dir.name}, {n} lookups a row, 1 client; p50 in ms.\n")
    print("| in this process | p50 |\n| --- | ---: |")
    for name, ms in in_process:
        print(f"| {name} | {ms:.2f} |")
    print("\n| over HTTP | bench/client.py | − floor | httpx | − floor |\n| --- | ---: | ---: | ---: | ---: |")
    for name, lean, hx in over_http:
        print(f"| {name} | {lean:.2f} | {lean - floor:.2f} | {hx:.2f} | {hx - floor:.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--requests", type=int, default=1000)
    args = ap.parse_args()
    link = args.store.absolute()
    build_dir = layout.current_build_dir(link)
    disk = ox.Store.read_only(str(build_dir / layout.OXIGRAPH_DIR))
    queries = [f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}" for i in entity_sample(disk, 200, 1)]
    lookups = [f"?{httpx.QueryParams({'query': q})}" for q in queries]
    jobs = [sparql.Job(query=q, graph_format="ntriples") for q in queries]
    n = args.requests
    logs = Path(tempfile.mkdtemp())
    in_process = in_process_rows(link, disk, queries, jobs, n)
    size = int(statistics.median(len(sparql.execute(disk, j).body) for j in jobs))
    over_http = [bare_http_row(size, logs, n), *ours_rows(link, lookups, logs, n),
                 oxigraph_row(build_dir, lookups, logs, n)]
    print_tables(build_dir, n, in_process, over_http)
    return 0


if __name__ == "__main__":
    sys.exit(main())
