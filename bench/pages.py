"""How long the pages take on a large store, the first time (computed per build) and after, and how much
memory the server holds: the figures for the pages and memory rows of issue 8.

    .venv/bin/python bench/pages.py --store var/bench-national/n290/store [--requests 100] [--out bench/results/pages.md]

Starts `andts serve` (its defaults: 2 workers, the build in memory; `--disk` to read RocksDB instead),
asks every page kind once cold, then each `--requests` times (random entities from a seeded sample), and
reads the RSS of the server and its workers (/proc) before and after.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from entity_sample import entity_sample  # noqa: E402
from process_memory import rss_by_process, rss_mb  # noqa: E402
from server_process import Server, free_port  # noqa: E402

from andts import store as layout  # noqa: E402
from andts.namespaces import BASE  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HTML = {"Accept": "text/html"}


def timed_get(http: httpx.Client, path: str, headers: dict[str, str] | None = None) -> tuple[float, int, int]:
    t = time.perf_counter()
    r = http.get(path, headers=headers)
    return (time.perf_counter() - t) * 1000, r.status_code, len(r.content)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--disk", action="store_true", help="serve from RocksDB on disk instead of memory")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pages.md")
    args = ap.parse_args()
    link = args.store.absolute()
    build_dir = layout.current_build_dir(link)
    info = layout.read_build_info(link)
    disk = ox.Store.read_only(str(build_dir / layout.OXIGRAPH_DIR))
    iris = entity_sample(disk, 200, 1)
    del disk
    port = free_port()
    argv = [str(BIN / "andts"), "serve", "--store", str(link), "--port", str(port), "--timeout", "30",
            "--no-access-log", *(["--disk"] if args.disk else [])]
    started = time.perf_counter()
    server = Server(argv, f"http://127.0.0.1:{port}/health", ROOT / "var" / "bench-pages.log")
    start_s = time.perf_counter() - started
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        idle = rss_mb(server.process.pid)
        idle_each = rss_by_process(server.process.pid)
        http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        rng = random.Random(1)
        entity = "/" + rng.choice(iris).removeprefix(BASE)
        fixed = [("home /", "/", HTML), ("comparison /compare", "/compare", HTML),
                 ("search /search?q=skola", "/search?q=skola", HTML),
                 ("class page /def/Activity", "/def/Activity", HTML),
                 ("class page, page 50 by municipality", "/def/Activity?page=50&sort=municipality", HTML),
                 ("quality /quality", "/quality", HTML), ("VoID", "/.well-known/void", None),
                 ("entity page", entity, HTML), ("entity as Turtle", entity + ".ttl", None)]
        for name, path, headers in fixed:
            cold, status, size = timed_get(http, path, headers)
            warm = statistics.median(timed_get(http, path, headers)[0] for _ in range(3))
            rows.append((name, str(status), f"{size // 1000}", f"{cold:.0f}", f"{warm:.1f}"))
        for name, suffix, headers in [("entity pages, random", "", HTML), ("entity Turtle, random", ".ttl", None)]:
            xs = []
            for i in range(args.requests):
                ms, status, _ = timed_get(http, "/" + iris[i % len(iris)].removeprefix(BASE) + suffix, headers)
                assert status == 200, (status, iris[i % len(iris)])
                xs.append(ms)
            xs.sort()
            rows.append((f"{name} ({args.requests}, p50 / p99)", "200", "", "",
                         f"{statistics.median(xs):.1f} / {xs[int(len(xs) * 0.99) - 1]:.1f}"))
        after = rss_mb(server.process.pid)
        after_each = rss_by_process(server.process.pid)
    finally:
        server.stop()
    mode = "RocksDB on disk (--disk)" if args.disk else "in memory (default)"
    lines = [
        "# Pages and memory on a large store", "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/pages.py` on {info.triples} triples "
        f"(build {info.id}); store {mode}; 2 workers. Machine: {_machine()}.", "",
        f"Server start-up to /health: {start_s:.1f} s. RSS of the server and its workers: {idle[0]:.0f} MB idle, "
        f"{after[0]:.0f} MB after these requests (peak sum {after[1]:.0f} MB, {after[2]} processes).", "",
        f"By process, RSS / PSS in MB, idle → after: " + "; ".join(
            f"{'server' if i == 0 else 'worker'} {a[1]:.0f} / {a[2]:.0f} → {b[1]:.0f} / {b[2]:.0f}"
            for i, (a, b) in enumerate(zip(idle_each, after_each))) +
        f" (PSS sum {sum(x[2] for x in after_each):.0f} MB).", "",
        "| page | status | kB | first ms (computed per build) | then ms (median of 3) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {' | '.join(r)} |" for r in rows), "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with args.out.open("a" if args.out.exists() else "w") as out:
            out.write(("\n" if args.out.exists() else "") + text)
    return 0


def _machine() -> str:
    import os

    return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, pyoxigraph {ox.__version__}"


if __name__ == "__main__":
    sys.exit(main())
