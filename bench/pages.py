"""How long the pages take on a large store, the first time (computed per build) and after, and how much
memory the server holds.

    .venv/bin/python bench/pages.py --store var/bench-national/n290/store [--requests 100] [--out bench/results/pages.md]

Starts `andts serve` (its defaults: 2 workers, the build in memory; `--disk` to read RocksDB instead),
asks every page kind once cold, then each `--requests` times (random entities from a seeded sample), and
reads the RSS of the server and its workers (/proc) before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pyoxigraph as ox

# siblings in bench/: Python puts this file's folder first on sys.path when it runs it
from entity_sample import entity_sample
from process_memory import rss_by_process, rss_mb
from server_process import Server, free_port

from andts import store as layout
from andts.namespaces import BASE

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HTML = {"Accept": "text/html"}

Row = tuple[str, str, str, str, str]  # page, status, kB, first ms, then ms


def timed_get(http: httpx.Client, path: str, headers: dict[str, str] | None = None) -> tuple[float, int, int]:
    t = time.perf_counter()
    r = http.get(path, headers=headers)
    return (time.perf_counter() - t) * 1000, r.status_code, len(r.content)


def every_page_kind(http: httpx.Client, entity: str) -> list[Row]:
    """Each page kind once cold, then the median of three more."""
    fixed = [("home /", "/", HTML), ("comparison /compare", "/compare", HTML),
             ("search /search?q=skola", "/search?q=skola", HTML),
             ("class page /def/Activity", "/def/Activity", HTML),
             ("class page, page 50 by municipality", "/def/Activity?page=50&sort=municipality", HTML),
             ("quality /quality", "/quality", HTML), ("VoID", "/.well-known/void", None),
             ("entity page", entity, HTML), ("entity as Turtle", entity + ".ttl", None)]
    rows = []
    for name, path, headers in fixed:
        cold, status, size = timed_get(http, path, headers)
        warm = statistics.median(timed_get(http, path, headers)[0] for _ in range(3))
        rows.append((name, str(status), f"{size // 1000}", f"{cold:.0f}", f"{warm:.1f}"))
    return rows


def random_entities(http: httpx.Client, iris: list[str], requests: int) -> list[Row]:
    """Entity pages and their Turtle, `requests` of each: p50 / p99."""
    rows = []
    for name, suffix, headers in [("entity pages, random", "", HTML), ("entity Turtle, random", ".ttl", None)]:
        xs = []
        for i in range(requests):
            ms, status, _ = timed_get(http, "/" + iris[i % len(iris)].removeprefix(BASE) + suffix, headers)
            assert status == 200, (status, iris[i % len(iris)])
            xs.append(ms)
        xs.sort()
        rows.append((f"{name} ({requests}, p50 / p99)", "200", "", "",
                     f"{statistics.median(xs):.1f} / {xs[int(len(xs) * 0.99) - 1]:.1f}"))
    return rows


Rss = tuple[float, float, int]  # rss_mb: now, peak sum, processes
RssEach = list[tuple[int, float, float]]  # rss_by_process: pid, RSS, PSS


def render(info: layout.BuildInfo, disk: bool, start_s: float, idle: Rss, after: Rss, idle_each: RssEach,
           after_each: RssEach, rows: list[Row]) -> str:
    mode = "RocksDB on disk (--disk)" if disk else "in memory (default)"
    lines = [
        "# Pages and memory on a large store", "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/pages.py` on {info.triples} triples "
        f"(build {info.id}); store {mode}; 2 workers. Machine: {_machine()}.", "",
        f"Server start-up to /health: {start_s:.1f} s. RSS of the server and its workers: {idle[0]:.0f} MB idle, "
        f"{after[0]:.0f} MB after these requests (peak sum {after[1]:.0f} MB, {after[2]} processes).", "",
        "By process, RSS / PSS in MB, idle → after: " + "; ".join(
            f"{'server' if i == 0 else 'worker'} {a[1]:.0f} / {a[2]:.0f} → {b[1]:.0f} / {b[2]:.0f}"
            for i, (a, b) in enumerate(zip(idle_each, after_each))) +
        f" (PSS sum {sum(x[2] for x in after_each):.0f} MB).", "",
        "| page | status | kB | first ms (computed per build) | then ms (median of 3) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {' | '.join(r)} |" for r in rows), "",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--disk", action="store_true", help="serve from RocksDB on disk instead of memory")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pages.md")
    args = ap.parse_args()
    link = args.store.absolute()
    iris = entity_sample(ox.Store.read_only(str(layout.current_build_dir(link) / layout.OXIGRAPH_DIR)), 200, 1)
    port = free_port()
    argv = [str(BIN / "andts"), "serve", "--store", str(link), "--port", str(port), "--timeout", "30",
            "--no-access-log", *(["--disk"] if args.disk else [])]
    log = ROOT / "var" / "bench-pages.log"
    log.parent.mkdir(parents=True, exist_ok=True)  # var/ is not there in a fresh checkout whose store is elsewhere
    started = time.perf_counter()
    server = Server(argv, f"http://127.0.0.1:{port}/health", log)
    start_s = time.perf_counter() - started
    try:
        idle, idle_each = rss_mb(server.process.pid), rss_by_process(server.process.pid)
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        entity = "/" + random.Random(1).choice(iris).removeprefix(BASE)
        rows = every_page_kind(http, entity) + random_entities(http, iris, args.requests)
        after, after_each = rss_mb(server.process.pid), rss_by_process(server.process.pid)
    finally:
        server.stop()
    text = render(layout.read_build_info(link), args.disk, start_s, idle, after, idle_each, after_each, rows)
    print(text)
    if args.out:
        with args.out.open("a" if args.out.exists() else "w") as out:
            out.write(("\n" if args.out.exists() else "") + text)
    return 0


def _machine() -> str:
    return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, pyoxigraph {ox.__version__}"


if __name__ == "__main__":
    sys.exit(main())
