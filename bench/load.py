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
  crash     small queries that would crash a worker's parser (deep nesting, long chains of + or /).

Between phases and at the end the server must become healthy again (/health 200, every worker alive and
idle; an ordinary query answers). The server's RSS (its process and its worker children, from /proc) is
sampled throughout. Every request's outcome is its status, and for a 503 which one (timeout or busy, read
from the body); each kind of request has the outcomes it may have, from server/README.md. Not a test: it
measures, checks and writes a Markdown report; tests/bench/test_load.py runs the same code with small
counts and asserts the behaviour (never the timing).

The parts live beside this file: load_requests.py (a request, its outcomes), load_mixes.py (what each
phase sends), load_clients.py (client threads, RSS sampler), load_run.py (the phases of one run),
load_checks.py (judging a run) and load_report.py (the Markdown). They import each other as top-level
modules: Python puts this folder first on sys.path when it runs a script in it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

# siblings in bench/: Python puts this file's folder first on sys.path when it runs it
from load_checks import checks
from load_report import report
from load_run import Config, LoadRun, run

ROOT = Path(__file__).resolve().parents[1]


def parse_args() -> argparse.Namespace:
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
    return ap.parse_args()


def config(args: argparse.Namespace) -> Config:
    return Config(requests=args.requests, seconds=args.seconds, clients=args.clients,
                  hostile_clients=args.hostile_clients or max(1, args.workers - 1), hostile_per_kind=args.hostile_per_kind,
                  flood_rounds=args.flood_rounds, bomb_clients=args.bomb_clients or args.workers,
                  workers=args.workers, timeout=args.timeout, seed=args.seed)


def run_every_store(args: argparse.Namespace, cfg: Config) -> list[LoadRun]:
    """A run on each --store, after one on data/sources built now with --build or without --store."""
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
    return runs


def write_report(runs: list[LoadRun], args: argparse.Namespace) -> None:
    argv = "bench/load.py " + " ".join(sys.argv[1:])
    kept = ""  # a hand-written "## Findings" section at the end survives a re-run
    if args.out.exists() and (i := (text := args.out.read_text(encoding="utf-8")).find("\n## Findings")) >= 0:
        kept = text[i:]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(runs, args.rss_limit_mb, argv.strip()) + kept, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)


def main() -> int:
    args = parse_args()
    runs = run_every_store(args, config(args))
    write_report(runs, args)
    failed = [f"{r.label}: {c.name}" for r in runs for c in checks(r, args.rss_limit_mb) if not c.ok]
    for f in failed:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
