"""Judging a run of bench/load.py: which outcomes the server does not document, which 5xx it should not
send, and the checks the report lists and the script's exit status follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# siblings in bench/ (on sys.path: see bench/README.md)
from latency import percentile
from load_requests import DOCUMENTED_503, Sample
from load_run import LoadRun


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def unexpected(run: LoadRun, phases: Sequence[str]) -> list[Sample]:
    """Samples of these phases whose outcome the server does not document for their kind. In the flood,
    ordinary requests may also meet the documented 503 Busy: that phase makes every worker busy on purpose."""
    bad = []
    for s in run.samples:
        if s.phase not in phases:
            continue
        allowed = run.kinds[s.kind].expected | ({"503 busy"} if s.phase == "flood" else set())
        if s.outcome not in allowed:
            bad.append(s)
    return bad


def server_errors(run: LoadRun, phases: Sequence[str]) -> list[Sample]:
    """5xx (or no answer at all) other than the documented 503 timeout / busy."""
    return [s for s in run.samples if s.phase in phases
            and (s.outcome.startswith(("5", "error")) and s.outcome not in DOCUMENTED_503)]



def ordinary_latencies(run: LoadRun, phase: str, under_load: bool | None = None) -> list[float]:
    """Latencies of the ordinary requests of a phase (only those sent while a hostile one was, or was not,
    in flight, if under_load says)."""
    return [s.seconds for s in run.samples if s.phase == phase and not run.kinds[s.kind].hostile
            and (under_load is None or s.under_load == under_load)]


def checks(run: LoadRun, rss_limit_mb: float) -> list[Check]:
    main = ("baseline", "load", "flood", "bomb")
    errs = server_errors(run, main)
    bad = unexpected(run, main)
    crash = unexpected(run, ("crash",))
    base_p99 = percentile(ordinary_latencies(run, "baseline"), 99)
    loaded = ordinary_latencies(run, "load", under_load=True)
    load_p99 = percentile(loaded, 99)
    hostile_kinds = [k.name for k in run.kinds.values() if k.hostile]
    missing = [k for k in hostile_kinds if not any(s.kind == k for s in run.samples)]
    peak = max((v for k, v in run.rss_peak.items() if k != "bomb"), default=float("nan"))
    unhealthy = {p: r for p, r in run.recoveries.items()
                 if not (r.health == 200 and r.workers.get("alive") == run.config.workers and r.query == 200)}

    def show(xs: list[Sample]) -> str:
        return "; ".join(f"{s.phase}/{s.kind}: {s.outcome} {s.detail[:80]}" for s in xs[:5]) or "none"
    return [
        Check("no 5xx but the documented 503 timeout / busy / memory (baseline … bomb)", not errs, show(errs)),
        Check("every request got an outcome documented for its kind", not bad, show(bad)),
        Check("every kind of request was sent", not missing, ", ".join(missing) or "all"),
        Check("every phase ended within its bound", not run.overran, ", ".join(run.overran) or "all"),
        Check(f"server RSS peak (all processes) < {rss_limit_mb:g} MB, the bomb phase aside (not after it)",
              peak < rss_limit_mb, f"{peak:.0f} MB"),
        Check("healthy after every phase (/health 200, every worker alive, a query answers)", not unhealthy,
              "; ".join(f"{p}: {r}" for p, r in unhealthy.items()) or "yes"),
        Check("ordinary p99 under the hostile load (reported, not judged)", True,
              f"{load_p99:.0f} ms ({len(loaded)} requests sent while a hostile one was in flight) against "
              f"{base_p99:.0f} ms in the baseline"),
        Check("queries that crash the parser are refused, not a crashed worker (crash phase)", not crash, show(crash)),
    ]
