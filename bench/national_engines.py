"""Running the mix against one engine of bench/national.py: in this process on a pyoxigraph store, or over
HTTP against a server, each case at every concurrency."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

# siblings in bench/ (on sys.path: see bench/README.md)
from client import Client
from latency import Measure, drive
from national_mix import Case

CONCURRENCY = (1, 8)
SELECT_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

Call = Callable[[int, int], None]  # call(client, i) makes request number i
MakeCall = Callable[[Case], Call]


def in_process(store: ox.Store) -> MakeCall:
    def for_case(case: Case) -> Call:
        def call(_: int, i: int) -> None:
            r = store.query(case.texts[i % len(case.texts)], use_default_graph_as_union=True)
            r.serialize(format=ox.RdfFormat.N_TRIPLES if case.graph else ox.QueryResultsFormat.JSON)
        return call
    return for_case


def over_http(base: str, path: str, timeout: float) -> tuple[MakeCall, Callable[[], None]]:
    """Requests for each case over one kept connection per client; and what closes them."""
    clients = [Client(base, timeout=timeout) for _ in range(max(CONCURRENCY))]

    def for_case(case: Case) -> Call:
        accept = NTRIPLES if case.graph else SELECT_JSON

        def call(c: int, i: int) -> None:
            status, body = clients[c].get(path, params={"query": case.texts[i % len(case.texts)]},
                                          headers={"Accept": accept})
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:80].decode('utf-8', 'replace')}")
        return call

    def close() -> None:
        for c in clients:
            c.close()
    return for_case, close


def measure_engine(make: MakeCall, cases: list[Case], requests: int, seconds: float, label: str,
                   budget: float = float("inf"),
                   after_timeout: Callable[[], None] | None = None) -> dict[tuple[str, int], Measure]:
    """Every case at each concurrency; cases left when `budget` seconds have passed are not run.
    `after_timeout` is called when a case's first request timed out (to restart a server that would go on
    with the abandoned query and slow the next ones down)."""
    out: dict[tuple[str, int], Measure] = {}
    deadline = time.perf_counter() + budget
    for case in cases:
        if time.perf_counter() > deadline:
            for n in CONCURRENCY:
                out[(case.name, n)] = Measure(note="not run: time budget spent")
            continue
        call = make(case)
        try:
            call(0, 0)  # warm-up, not measured
        except Exception as exc:  # noqa: BLE001 - the engine failed this case: recorded, the others go on
            _failed(out, case, label, exc)
            if isinstance(exc, TimeoutError) and after_timeout is not None:
                after_timeout()
            continue
        for n in CONCURRENCY:
            out[(case.name, n)] = drive(call, requests, n, seconds)
        print(f"  {label} {case.name}: " + ", ".join(f"×{n} {out[(case.name, n)].rps:.0f}/s p50 {out[(case.name, n)].pct(50):.1f} ms"
                                                    for n in CONCURRENCY), file=sys.stderr, flush=True)
    return out


def _failed(out: dict[tuple[str, int], Measure], case: Case, label: str, exc: Exception) -> None:
    for n in CONCURRENCY:
        out[(case.name, n)] = Measure(errors=1, note=f"{type(exc).__name__}: {str(exc)[:80]}",
                                      timed_out=isinstance(exc, TimeoutError))
    print(f"  {label} {case.name}: failed ({exc!s:.80})", file=sys.stderr, flush=True)


def measure_floors(build_dir: Path, disk: ox.Store, cases: list[Case], requests: int, seconds: float
                   ) -> tuple[dict[str, dict[tuple[str, int], Measure]], float]:
    """The mix in this process on the build's RocksDB store, then on an in-memory store loaded from its
    dump; and how long that load took."""
    results = {"floor (disk)": measure_engine(in_process(disk), cases, requests, seconds, "floor (disk)")}
    t = time.perf_counter()
    mem = ox.Store()
    mem.load(path=str(build_dir / "dump.nq"), format=ox.RdfFormat.N_QUADS)
    load_s = time.perf_counter() - t
    results["floor (mem)"] = measure_engine(in_process(mem), cases, requests, seconds, "floor (mem)")
    return results, load_s
