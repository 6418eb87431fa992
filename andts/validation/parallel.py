"""The one way programme graphs are validated in runs: `andts validate` (through `validate_dataset`) and
`andts build` (which also loads each run in the process that validates it) both come here, whatever the
number of programmes.

The programme graphs, sorted by IRI, are cut into runs (`runs_of`); a run is validated in one pyshacl
call together with the reference data, in one of `processes` forked processes (in this process when
`processes` is 1 or the platform cannot fork). A run whose programmes, reference data, shapes and
versions are those of a run validated before is read back from the result cache instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from rdflib import Graph

from andts.validation.cache import ResultCache, stable_batches
from andts.validation.parse import ontology_graph, shapes_graph
from andts.validation.report import Report, RunResult, merge
from andts.validation.shapes import validate
from andts.validation.union import UnionView

#: The most programme graphs one pyshacl call validates together: a run costs the reference data once
#: plus each programme, so longer runs cost less in all, while shorter ones let the processes finish
#: together and a changed programme be validated again quickly.
MAX_BATCH = 24

Progress = Callable[[str], None]
T = TypeVar("T")


def runs_of(names: list[str]) -> list[range]:
    """The runs of programme graphs (by IRI, sorted) that are validated together and kept in the cache."""
    return stable_batches(names, MAX_BATCH)


def run_key(cache: ResultCache | None, graphs: Iterable[tuple[str, str | None]]) -> str | None:
    """The cache key of a run of (graph IRI, digest); None without a cache or when a digest is missing."""
    if cache is None:
        return None
    graphs = list(graphs)
    if any(digest is None for _name, digest in graphs):
        return None
    return cache.key((name, digest) for name, digest in graphs if digest is not None)


def validate_run(parts: list[Graph], reference: Graph | None, cache: ResultCache | None = None,
                 key: str | None = None) -> RunResult:
    """Programme graphs validated together with the reference data, or their results read back from the
    cache when it holds `key`."""
    kept = cache.kept(key) if cache is not None and key is not None else None
    if kept is not None:
        return kept
    data = parts[0] if len(parts) == 1 else UnionView(parts)
    report = validate(data, with_reference=reference is not None, reference=reference)
    return RunResult(report.conforms, report.results, report.graph, key=key)


def validate_runs(work: Callable[[int], tuple[RunResult, T]], sizes: list[int], processes: int, *,
                  cache: ResultCache | None, say: Progress,
                  done: Callable[[int, RunResult, T], None] | None = None) -> list[RunResult]:
    """`work(i)` for every run i (`sizes[i]` programme graphs), in `processes` processes: what each run
    validated goes into the cache, `done` hears of each run as it comes back, `say` of the progress.
    Returns the runs' results in the runs' order."""
    total = sum(sizes)
    results: dict[int, RunResult] = {}
    finished = kept = 0
    started = time.monotonic()
    forked = forks(processes, len(sizes))
    say(f"validating {total} programme graphs in {len(sizes)} run(s), "
        + (f"{forked} forked process(es)" if forked else "in this process"))
    for i, (result, extra) in in_processes(work, sizes, processes):
        results[i] = result
        finished += sizes[i]
        if done is not None:
            done(i, result, extra)
        if result.kept:
            kept += sizes[i]
            continue
        if cache is not None and result.key is not None:
            cache.put(result.key, result.conforms, result.graph)
        say(f"validated {finished}/{total} programme graphs ({time.monotonic() - started:.1f} s)")
    if kept:
        say(f"{kept}/{total} programme graphs unchanged since the last validation: their results are kept")
    if cache is not None and all(r.key is not None for r in results.values()):
        # the folder holds one dataset's worth: what this one did not need is stale
        cache.keep_only({r.key for r in results.values() if r.key is not None})
    return [results[i] for i in range(len(sizes))]


def merged(results: list[RunResult], contexts: list[Graph], reference: Graph | None) -> Report:
    """The runs' reports as one, each with the data it is about, and the reference data once."""
    reports = [result.report(context) for result, context in zip(results, contexts)]
    if reference is not None:
        reports.append(Report(conforms=True, context=reference))
    return merge(reports)


def forks(processes: int, runs: int) -> int:
    """How many processes `in_processes` forks for `runs` runs: none when `processes` is 1 or the platform
    cannot fork, else one a run up to `processes`. Even a single run is validated in a forked process then,
    so that a build of one programme goes the way a national one does."""
    if processes <= 1 or runs == 0 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(processes, runs)


def in_processes(work: Callable[[int], T], sizes: list[int], processes: int) -> Iterator[tuple[int, T]]:
    """(i, `work(i)`) for every run i as it finishes, the longest runs first so that the processes finish
    together: in `processes` forked processes, or in this one when `processes` is 1 or there is no fork.

    The forked processes find `work` (and all it refers to: the graphs) where this process left it, so
    nothing is pickled to them; only what `work` returns comes back pickled."""
    global _WORK
    order = sorted(range(len(sizes)), key=lambda i: sizes[i], reverse=True)
    workers = forks(processes, len(sizes))
    if not workers:
        for i in order:
            yield i, work(i)
        return
    # parsed before the fork, so that every process's reports share the shapes' blank nodes
    shapes_graph(), ontology_graph()
    _WORK = work
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with, initargs=(os.getpid(),)) as pool:
            yield from zip(order, pool.map(_call, order))
    finally:
        _WORK = None


_WORK: Callable[[int], object] | None = None


def _die_with(parent: int) -> None:
    """Make a forked process end when the process that forked it ends: a build killed mid-run would
    otherwise leave its validation processes waiting forever to hand back a result, holding the build's
    output open and its memory taken (Linux; elsewhere they end when they find the parent gone)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent was gone before the signal was asked for
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _call(i: int) -> object:
    """`work(i)` of `in_processes`, in a forked process."""
    assert _WORK is not None
    return _WORK(i)
