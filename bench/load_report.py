"""The Markdown report of bench/load.py: per store the checks, the phases (time, requests, peak RSS, health
after), per phase each kind's outcomes and latencies, and the ordinary requests' latencies beside the hostile."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from datetime import datetime, timezone

import httpx
import pyoxigraph as ox

# siblings in bench/ (on sys.path: see bench/README.md)
from latency import percentile
from load_checks import checks, ordinary_latencies
from load_requests import MAX_BODY, MAX_ROWS
from load_run import LoadRun
from process_memory import mem_total


def machine() -> dict[str, str]:
    return {"nproc": str(os.cpu_count()), "ram": mem_total(), "python": platform.python_version(),
            "platform": platform.platform(), "pyoxigraph": ox.__version__, "httpx": httpx.__version__}


def kind_rows(run: LoadRun, phase: str) -> list[str]:
    rows = []
    for name, kind in run.kinds.items():
        xs = [s for s in run.samples if s.phase == phase and s.kind == name]
        if not xs:
            continue
        counts: dict[str, int] = {}
        for s in xs:
            counts[s.outcome] = counts.get(s.outcome, 0) + 1
        lat = [s.seconds for s in xs]
        extra = {o for o in counts if o not in kind.expected and not (phase == "flood" and o == "503 busy")}
        outcomes = ", ".join(f"{'**' if o in extra else ''}{o}{'**' if o in extra else ''} ×{n}"
                             for o, n in sorted(counts.items()))
        rows.append(f"| {name} | {'hostile' if kind.hostile else 'ordinary'} | {len(xs)} | {outcomes} | "
                    f"{' / '.join(sorted(kind.expected))} | {percentile(lat, 50):.0f} | {percentile(lat, 99):.0f} |")
    return rows


def report_run(run: LoadRun, rss_limit_mb: float) -> list[str]:
    c = run.config
    out = [f"## {run.label}: {run.triples} triples (build {run.build})", "",
           f"`andts serve --workers {c.workers} --timeout {c.timeout:g}` (max_rows {MAX_ROWS}, max_body_bytes "
           f"{MAX_BODY}, the defaults); {c.clients} ordinary clients, {c.hostile_clients} hostile client(s), "
           f"{c.requests} ordinary requests per phase at most, {c.hostile_per_kind} of each hostile kind, "
           f"{c.flood_rounds} flood round(s) of {2 * c.workers} clients, {c.bomb_clients} memory bomb(s) at once, seed "
           f"{c.seed}, bound {c.seconds:g} s.", ""]
    out += ["| check | | |", "| --- | --- | --- |"]
    out += [f"| {ch.name} | {'ok' if ch.ok else '**FAILED**'} | {ch.detail} |" for ch in checks(run, rss_limit_mb)]
    out += phase_table(run)
    for p in run.seconds:
        out += ["", f"### {p}", "", "| kind | | requests | outcomes | documented | p50 ms | p99 ms |",
                "| --- | --- | ---: | --- | --- | ---: | ---: |", *kind_rows(run, p)]
    out += ordinary_latency_lines(run) + undocumented_lines(run)
    out.append("")
    return out


def phase_table(run: LoadRun) -> list[str]:
    """Each phase's time, requests, peak RSS and health after it; what the memory bomb cost."""
    c = run.config
    out = ["", "| phase | seconds | requests | peak RSS MB (processes) | then healthy after s | workers after |",
           "| --- | ---: | ---: | ---: | ---: | --- |"]
    for p, secs in run.seconds.items():
        r = run.recoveries[p]
        n = sum(1 for s in run.samples if s.phase == p)
        out.append(f"| {p} | {secs:.1f} | {n} | {run.rss_peak.get(p, float('nan')):.0f} ({run.processes.get(p, 0)}) | "
                   f"{r.seconds:.1f} | {r.workers} |")
    if "bomb" in run.rss_peak and "baseline" in run.rss_peak:
        extra = run.rss_peak["bomb"] - run.rss_peak["baseline"]
        out += ["", f"Memory bomb: {run.rss_peak['bomb']:.0f} MB at the peak with {c.bomb_clients} at once, "
                f"about {extra / max(1, c.bomb_clients):.0f} MB per query above the baseline's peak within the "
                f"{c.timeout:g} s limit; RSS after it: {run.rss_peak.get('bomb (recovery)', float('nan')):.0f} MB."]
    return out


def ordinary_latency_lines(run: LoadRun) -> list[str]:
    """The ordinary requests' latencies per phase, and in the load phase with and without a hostile one in flight."""
    out = []
    for p, under in (("baseline", None), ("load", None), ("load", True), ("load", False), ("flood", None)):
        lat = ordinary_latencies(run, p, under)
        if lat:
            which = {None: "", True: ", sent while a hostile request was in flight",
                     False: ", sent while none was"}[under]
            out.append("")
            out.append(f"Ordinary requests, {p}{which}: {len(lat)}, p50 {percentile(lat, 50):.0f} ms, p99 "
                       f"{percentile(lat, 99):.0f} ms, mean {statistics.mean(lat) * 1000:.0f} ms.")
    return out


def undocumented_lines(run: LoadRun) -> list[str]:
    odd = [s for s in run.samples if s.outcome != "200" and s.outcome not in run.kinds[s.kind].expected
           and not (s.phase == "flood" and s.outcome == "503 busy")]
    if not odd:
        return []
    return ["", "Undocumented outcomes (first 10):", "",
            *(f"- {s.phase} / {s.kind}: {s.outcome} after {s.seconds:.1f} s — {s.detail[:160]}" for s in odd[:10])]


def report(runs: Sequence[LoadRun], rss_limit_mb: float, argv: str) -> str:
    m = machine()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# The endpoint under a hostile load", "",
           f"Measured {when} by `{argv}` (re-run it to refresh this file). Machine: {m['nproc']} CPUs (nproc), "
           f"{m['ram']} RAM, Python {m['python']}, pyoxigraph {m['pyoxigraph']}, httpx {m['httpx']}, {m['platform']}. "
           "The machine is shared: other work running at the same time shows in the latencies.", "",
           "Phases (see the docstring of `bench/load.py`): *baseline* the ordinary mix alone; *load* the same with "
           "hostile clients working through the pathological mix; *flood* more hostile clients than workers, every "
           "query stopped at the time limit, one ordinary client; *bomb* memory-growing queries, as many at once as "
           "`--bomb-clients` (default: the workers); *crash* small queries that overflow the parser's stack (deep "
           "nesting, long chains). Outcomes: the status, a 503 split into *timeout* and *busy* by its message; bold = "
           "not documented for that kind. Latencies are per request, client side. RSS: the "
           "`andts serve` process and its query workers, summed, sampled every 0.1 s.", ""]
    for r in runs:
        out += report_run(r, rss_limit_mb)
    return "\n".join(out)
