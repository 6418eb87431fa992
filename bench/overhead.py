"""Where a point lookup's time goes in our server, layer by layer (p50 at 1 client, milliseconds).

    .venv/bin/python bench/overhead.py --store var/bench-national/n290/store [--requests 300]

Each layer adds one step to the one before, on the same random entity lookups (CONSTRUCT, N-Triples):
  1. pyoxigraph: `Store.query` + serialise, in this process (the floor);
  2. + job checks: `andts.server.sparql.execute` (what a worker runs: query-text checks, dataset, serialisation);
  3. + worker IPC: `WorkerPool.run` from this process (pickled job and result over a socket pair);
  4. HTTP floor: `GET /health` of `andts serve` (uvicorn, FastAPI, middleware; no query);
  5. + everything: `GET /sparql?query=…` of `andts serve`;
  and, for scale, Oxigraph's own server answering the same lookups.
It imports the server's internals (sparql.Job, pool.WorkerPool) read-only; if they change, so must this.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import Server, entity_sample, free_port  # noqa: E402

from andts import store as layout  # noqa: E402
from andts.server import sparql  # noqa: E402

BIN = Path(sys.executable).parent


def p50(fn, n: int) -> float:
    fn(0)
    xs = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        xs.append(time.perf_counter() - t)
    return statistics.median(xs) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    link = args.store.absolute()
    build_dir = layout.current_build_dir(link)
    disk = ox.Store.read_only(str(build_dir / layout.OXIGRAPH_DIR))
    iris = entity_sample(disk, 200, 1)
    queries = [f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}" for i in iris]
    jobs = [sparql.Job(query=q, graph_format="ntriples") for q in queries]
    n = args.requests
    rows = []
    rows.append(("1. pyoxigraph query + serialise (floor)", p50(lambda i: disk.query(
        queries[i % 200], use_default_graph_as_union=True).serialize(format=ox.RdfFormat.N_TRIPLES), n)))
    rows.append(("2. + job checks (sparql.execute)", p50(lambda i: sparql.execute(disk, jobs[i % 200]), n)))
    from andts.server.pool import WorkerPool

    with WorkerPool(sparql.locate_build(link), size=2, timeout=30) as pool:
        rows.append(("3. + worker process IPC (WorkerPool.run)", p50(lambda i: pool.run(jobs[i % 200]), n)))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp()) / "serve.log"
    server = Server([str(BIN / "andts"), "serve", "--store", str(link), "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "2"], base + "/health", log)
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            rows.append(("4. HTTP floor: GET /health (no query)", p50(lambda i: c.get("/health"), n)))
            rows.append(("5. GET /sparql lookup (everything)", p50(lambda i: c.get(
                "/sparql", params={"query": queries[i % 200]}, headers={"Accept": "application/n-triples"}), n)))
    finally:
        server.stop()
    copy = Path(tempfile.mkdtemp()) / "oxigraph"
    shutil.copytree(build_dir / layout.OXIGRAPH_DIR, copy)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy), "--bind", f"127.0.0.1:{port}",
                     "--union-default-graph"], base + "/query?query=ASK%7B%7D", log.with_name("oxigraph.log"))
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            rows.append(("Oxigraph server: GET /query lookup", p50(lambda i: c.get(
                "/query", params={"query": queries[i % 200]}, headers={"Accept": "application/n-triples"}), n)))
    finally:
        server.stop()
        shutil.rmtree(copy, ignore_errors=True)
    print(f"| layer (store {build_dir.name}, {n} lookups, 1 client) | p50 ms |\n| --- | ---: |")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
