"""What one size of bench/national.py comes to: throughput ratios between the engines (geometric means over
the queries), and the figures the performance targets are about."""

from __future__ import annotations

import math
import statistics

# siblings in bench/ (on sys.path: see bench/README.md)
from national_engines import CONCURRENCY

HEAVY_MS = 10.0  # a query is "heavy" when the floor's p50 at 1 client is at least this
TARGETS = {"mix": 0.60, "lookup": 0.40, "heavy": 0.90, "rdflib": 20.0, "lookup_ms": 2.0, "page_ms": 20.0,
           "build_s": 60.0, "rss_mb": 500.0}


def gmean(xs: list[float]) -> float:
    xs = [x for x in xs if x and x > 0 and math.isfinite(x)]
    return statistics.geometric_mean(xs) if xs else float("nan")


def rdflib_bound(res: dict, names: list[str], n: int) -> tuple[float, int]:
    """A lower bound of ours/rdflib over the whole mix at n clients, and how many queries in it rdflib did not
    answer once within its timeout T. Such a query's throughput is counted as n/T, its most if every request
    takes T or more (one alone did; on two cores and a GIL, one beside others takes no less), so its ratio is
    at least ours × T / n. Queries rdflib answered count as measured; those not run (its time budget) or
    failing otherwise are left out."""
    r, timeout = res["results"], res.get("rdflib_timeout")
    ratios, timed_out = [], 0
    for q in names:
        ours, theirs = r.get("ours", {}).get((q, n)), r.get("rdflib", {}).get((q, n))
        if not ours or not ours.rps or theirs is None:
            continue
        if theirs.rps:
            ratios.append(ours.rps / theirs.rps)
        elif theirs.timed_out and timeout:
            ratios.append(ours.rps * timeout / n)
            timed_out += 1
    return gmean(ratios), timed_out


def ratios(res: dict, n: int, names: list[str], lookups: list[str], heavy: list[str]) -> dict[str, float]:
    """The throughput ratios at n clients, and how many queries rdflib answered or let time out."""
    r = res["results"]

    def ratio(a: str, b: str, subset: list[str]) -> float:
        if not r.get(a) or not r.get(b):
            return float("nan")
        return gmean([r[a][(q, n)].rps / r[b][(q, n)].rps for q in subset
                      if (q, n) in r[a] and (q, n) in r[b] and r[b][(q, n)].rps and r[a][(q, n)].rps])
    out = {
        "ours/oxigraph mix": ratio("ours", "oxigraph", names),
        "ours/oxigraph lookup": ratio("ours", "oxigraph", lookups),
        "ours/oxigraph heavy": ratio("ours", "oxigraph", heavy),
        "ours/rdflib mix": ratio("ours", "rdflib", names),
        "ours/floor mix": ratio("ours", "floor (disk)", names),
        "oxigraph/floor mix": ratio("oxigraph", "floor (disk)", names),
        "mem/disk floor mix": ratio("floor (mem)", "floor (disk)", names),
        "mem/disk floor heavy": ratio("floor (mem)", "floor (disk)", heavy),
    }
    out["rdflib answered"] = sum(1 for q in names if r.get("rdflib", {}).get((q, n)) and r["rdflib"][(q, n)].n)
    out["ours/rdflib bound"], out["rdflib timed out"] = rdflib_bound(res, names, n)
    return out


def summarise(res: dict) -> dict:
    """Ratios and targets of one size: the heavy queries, the ratios per concurrency (keyed by it), the
    lookup gap to the floor, the page p50, build plus validation, and our server's RSS."""
    r = res["results"]
    out: dict = {}
    names = [name for name, _ in res["cases"]]
    lookups = [name for name, lk in res["cases"] if lk]
    heavy = [name for name in names if name not in lookups and r["floor (disk)"][(name, 1)].pct(50) >= HEAVY_MS]
    out["heavy"] = heavy
    for n in CONCURRENCY:
        out[n] = ratios(res, n, names, lookups, heavy)
    out["lookup_gap_ms"] = max(r["ours"][(q, 1)].pct(50) - r["floor (disk)"][(q, 1)].pct(50) for q in lookups)
    out["page_ms"] = res["pages"][1].pct(50)
    out["build_validate_s"] = res["build_s"] + res["validate_s"]
    out["rss_mb"] = res["rss"]["ours"][0]
    return out
