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

The steps live beside this file: national_build.py (sources, build, validation), national_mix.py (the
mix), national_engines.py (the mix on one engine; the floors), national_servers.py (ours, Oxigraph's server,
rdflib-endpoint), national_targets.py (ratios and targets) and national_report.py (the Markdown).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import pyoxigraph as ox

# siblings in bench/: Python puts this file's folder first on sys.path when it runs it
from entity_sample import entity_sample
from latency import Measure  # noqa: F401 - results.pickle of earlier runs names it __main__.Measure
from national_build import build_figures
from national_engines import measure_floors
from national_mix import the_mix
from national_report import report
from national_servers import measure_ours, measure_oxigraph, measure_rdflib

from andts import store as layout

ROOT = Path(__file__).resolve().parents[1]


def run_size(n: int, args: argparse.Namespace) -> dict:
    """Build (or reuse) one size, then measure every engine on it; what the report reads, and what
    results.pickle keeps for --report-only."""
    print(f"== {n} municipalities", file=sys.stderr, flush=True)
    work = args.workdir / f"n{n}"
    store_link = work.resolve() / "store"
    res: dict = {"n": n, **build_figures(n, work, store_link, args)}
    build_dir = layout.current_build_dir(store_link)
    info = layout.read_build_info(store_link)
    res["triples"], res["build_id"] = info.triples, info.id

    disk = ox.Store.read_only(str(build_dir / layout.OXIGRAPH_DIR))
    iris = entity_sample(disk, 200, args.seed)
    cases = [c for c in the_mix(iris) if args.only in c.name]
    if not cases:
        raise SystemExit(f"no query of the mix has {args.only!r} in its name")
    res["cases"] = [(c.name, c.lookup) for c in cases]

    results, res["mem_load_s"] = measure_floors(build_dir, disk, cases, args.requests, args.seconds)
    results["ours"], res["pages"], rss = measure_ours(store_link, work, cases, iris, args)
    results["oxigraph"], rss["oxigraph"] = measure_oxigraph(build_dir, work, cases, args)
    rdflib = measure_rdflib(build_dir, work, cases, args)
    results["rdflib"] = rdflib.pop("results")
    if "rss" in rdflib:
        rss["rdflib"] = rdflib.pop("rss")
    res.update(rdflib)
    res["results"], res["rss"] = results, rss
    return res


def write_report(sizes: list[dict], args: argparse.Namespace) -> None:
    kept = ""  # the hand-written diagnosis (profiles, causes, fixes) survives a re-run
    if args.out.exists() and (i := (text := args.out.read_text(encoding="utf-8")).find("\n## Diagnosis")) >= 0:
        kept = text[i:]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(sizes, args) + kept, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
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
    return args


def results_pickle(args: argparse.Namespace, n: int) -> Path:
    """Where a size's results are kept, to re-render the report with --report-only."""
    return args.workdir / f"n{n}" / "results.pickle"


def main() -> int:
    args = parse_args()
    ns = sorted(int(x) for x in args.sizes.split(","))
    if args.report_only:
        sizes = []
        for n in ns:
            with results_pickle(args, n).open("rb") as fh:
                sizes.append(pickle.load(fh))
        write_report(sizes, args)
        return 0
    sizes = []
    for n in ns:
        if n < 2:
            raise SystemExit("a size is at least 2 (the real municipalities)")
        sizes.append(run_size(n, args))
        with results_pickle(args, n).open("wb") as fh:
            pickle.dump(sizes[-1], fh)
        write_report(sizes, args)  # after each size: a partial report survives
    return 0

if __name__ == "__main__":
    sys.exit(main())
