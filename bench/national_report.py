"""The Markdown report of bench/national.py: the set-up, a table of build, validation and memory per size,
per size a table of every query on every engine, and the targets met or missed at the largest size."""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

# siblings in bench/ (on sys.path: see bench/README.md)
from latency import Measure
from national_engines import CONCURRENCY
from national_targets import HEAVY_MS, TARGETS, summarise
from process_memory import mem_total

BIN = Path(sys.executable).parent
ENGINES = ("floor (disk)", "floor (mem)", "ours", "oxigraph", "rdflib")


def fmt(x: float | None, digits: int = 1) -> str:
    """A figure of a table; "–" for none."""
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def report(sizes: list[dict], args: argparse.Namespace) -> str:
    out = header(args) + build_table(sizes)
    for s in sizes:
        out += size_section(s)
    out += targets_section(sizes[-1])
    return "\n".join(out)


def header(args: argparse.Namespace) -> list[str]:
    """How, when and on what the figures were measured."""
    import rdflib
    import rdflib_endpoint

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    oxi = subprocess.run([str(BIN / "oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    return [
        "# Scale and speed: a synthetic national graph, four engines side by side", "",
        f"Measured {when} by `bench/national.py --sizes {args.sizes}{' --quick' if args.quick else ''}"
        f"{f' --only {args.only!r}' if args.only else ''}` (re-run it to "
        f"refresh this file). Machine: {os.cpu_count()} CPUs (nproc), {mem_total()} RAM, Python "
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


def build_table(sizes: list[dict]) -> list[str]:
    out = ["## Build, validation, memory", "",
           "| municipalities | triples | generate s | build s | build peak RSS MB | validate s | validate peak MB | "
           "validate exit | mem store load s | rdflib load s | ours RSS MB (idle → after) | oxigraph RSS MB | rdflib RSS MB |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in sizes:
        rss = s["rss"]
        out.append(f"| {s['n']} | {s['triples']} | {fmt(s.get('generate_s', float('nan')))} | {fmt(s['build_s'])} | "
                   f"{fmt(s['build_mb'], 0)} | {fmt(s['validate_s'])} | {fmt(s['validate_mb'], 0)} | {s['validate_rc']} | "
                   f"{fmt(s['mem_load_s'], 2)} | {fmt(s.get('rdflib_load_s', float('nan')))} | "
                   f"{fmt(rss['ours (idle)'][0], 0)} → {fmt(rss['ours'][0], 0)} ({rss['ours'][2]} processes, peak sum "
                   f"{fmt(rss['ours'][1], 0)}) | {fmt(rss.get('oxigraph', (float('nan'),))[0], 0)} | "
                   f"{fmt(rss.get('rdflib', (float('nan'),))[0], 0)} |")
    out.append("")
    return out


def size_section(s: dict) -> list[str]:
    """One size: every query on every engine at each concurrency, the entity pages, the mean ratios."""
    summ = summarise(s)
    out = [f"## {s['n']} municipalities ({s['triples']} triples, build {s['build_id']})", "",
           "Requests per second and p50 / p99 latency (ms) per engine; ratios are requests per second.", "",
           "| query | clients | floor disk r/s | p50 | floor mem r/s | p50 | ours r/s | p50 | p99 | oxigraph r/s | p50 | "
           "p99 | rdflib r/s | p50 | ours/floor | ours/oxigraph | oxigraph/floor |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, _ in s["cases"]:
        for n in CONCURRENCY:
            out.append(query_row(s["results"], name, n, name in summ["heavy"]))
    pages = s["pages"]
    out += ["", "Entity pages of our server (GET /id/…, Accept: text/html, random entities): " + "; ".join(
        f"{n} client{'s' if n > 1 else ''}: {fmt(pages[n].rps, 0)}/s, p50 {fmt(pages[n].pct(50))} ms, p99 "
        f"{fmt(pages[n].pct(99))} ms" + (f" ({pages[n].errors} errors: {pages[n].note})" if pages[n].errors else "")
        for n in CONCURRENCY) + ".", "",
        "Geometric means of the throughput ratios over the queries:", "",
        "| ratio | 1 client | 8 clients |", "| --- | ---: | ---: |"]
    for key in summ[1]:
        out.append(f"| {key} | {fmt(summ[1][key], 2)} | {fmt(summ[8][key], 2)} |")
    out += ["", f"Heavy queries: {', '.join(summ['heavy']) or 'none'}.", ""]
    return out


def query_row(results: dict, name: str, n: int, heavy: bool) -> str:
    def cell(engine: str) -> Measure:
        return results.get(engine, {}).get((name, n)) or Measure(note="not run")
    fd, fm, us, ox_, rl = (cell(e) for e in ENGINES)
    rdl = f"{fmt(rl.rps)} | {fmt(rl.pct(50))}" if rl.n else f"– ({rl.errors} errors) | –" if rl.errors else "– | –"
    return (f"| {name}{' (heavy)' if heavy else ''} | {n} | {fmt(fd.rps, 0)} | {fmt(fd.pct(50))} | {fmt(fm.rps, 0)} | "
            f"{fmt(fm.pct(50))} | {fmt(us.rps, 0)} | {fmt(us.pct(50))} | {fmt(us.pct(99))} | {fmt(ox_.rps, 0)} | "
            f"{fmt(ox_.pct(50))} | {fmt(ox_.pct(99))} | {rdl} | {fmt(us.rps / fd.rps if fd.rps else float('nan'), 2)} | "
            f"{fmt(us.rps / ox_.rps if ox_.rps else float('nan'), 2)} | "
            f"{fmt(ox_.rps / fd.rps if fd.rps else float('nan'), 2)} |")


def targets_section(s: dict) -> list[str]:
    """Each target, what was wanted and measured, met or missed; a ratio at both concurrencies."""
    out = [f"## Targets at {s['n']} municipalities", "", "Ratios at 1 / 8 clients; a ratio target must hold at both.", "",
           "| target | wanted | measured | |", "| --- | --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} | {'met' if ok else '**missed**'} |" for a, b, c, ok in target_rows(s)]
    out.append("")
    return out


def target_rows(s: dict) -> list[tuple[str, str, str, bool]]:
    summ = summarise(s)

    def worst(key: str) -> float:
        return min(summ[1][key], summ[8][key])

    def both(key: str) -> str:
        return f"{summ[1][key]:.0%} / {summ[8][key]:.0%}"
    return [
        ("throughput vs Oxigraph server, mix (gmean)", f"≥ {TARGETS['mix']:.0%}", both("ours/oxigraph mix"),
         worst("ours/oxigraph mix") >= TARGETS["mix"]),
        ("… point lookups", f"≥ {TARGETS['lookup']:.0%}", both("ours/oxigraph lookup"),
         worst("ours/oxigraph lookup") >= TARGETS["lookup"]),
        ("… heavy queries", f"≥ {TARGETS['heavy']:.0%}", both("ours/oxigraph heavy"),
         worst("ours/oxigraph heavy") >= TARGETS["heavy"]),
        ("throughput vs rdflib-endpoint (gmean)", f"≥ {TARGETS['rdflib']:g}×", rdflib_measured(s, summ),
         worst("ours/rdflib bound") >= TARGETS["rdflib"]),
        ("point lookup p50 − floor p50 (1 client)", f"≤ {TARGETS['lookup_ms']:g} ms", f"{summ['lookup_gap_ms']:.1f} ms",
         summ["lookup_gap_ms"] <= TARGETS["lookup_ms"]),
        ("entity page p50 (1 client)", f"< {TARGETS['page_ms']:g} ms", f"{summ['page_ms']:.1f} ms", summ["page_ms"] < TARGETS["page_ms"]),
        ("build + validation", f"< {TARGETS['build_s']:g} s", f"{s['build_s']:.0f} + {s['validate_s']:.0f} = {summ['build_validate_s']:.0f} s",
         summ["build_validate_s"] < TARGETS["build_s"]),
        ("server RSS (all processes, after the run)", f"< {TARGETS['rss_mb']:g} MB", f"{summ['rss_mb']:.0f} MB", summ["rss_mb"] < TARGETS["rss_mb"]),
    ]


def rdflib_measured(s: dict, summ: dict) -> str:
    one, eight, timeout = summ[1], summ[8], fmt(s.get("rdflib_timeout"), 0)
    return (f"at least {fmt(one['ours/rdflib bound'])}× / {fmt(eight['ours/rdflib bound'])}× over the "
            f"{one['rdflib answered'] + one['rdflib timed out']} queries rdflib was asked (of {len(s['cases'])}): "
            f"{one['rdflib answered']} answered, measured ({fmt(one['ours/rdflib mix'])}× / "
            f"{fmt(eight['ours/rdflib mix'])}× over these alone); {one['rdflib timed out']} not answered once in "
            f"{timeout} s, counted at its most (1 / 8 requests per {timeout} s)")
