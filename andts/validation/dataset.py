"""Validating a dataset (graphs by name) as the build does: its programme graphs with its reference data."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, URIRef

from andts.namespaces import GRAPH, ONTOLOGY_GRAPH
from andts.validation.cache import ResultCache
from andts.validation.parallel import Progress, merged, runs_of, validate_run, validate_runs
from andts.validation.parse import reference_graph
from andts.validation.report import Report, RunResult, merge
from andts.validation.shapes import validate
from andts.validation.union import UnionView

#: The named graphs that are reference data (and the ontology) rather than a programme.
REFERENCE_PREFIX = str(GRAPH["reference/"])

#: How `validate_dataset` splits a dataset in this process: "whole" validates every data graph with the
#: reference data in one run (the fastest in one process); "per-graph" validates each programme graph on
#: its own with the reference data (which is then validated again each time). The project's shapes look
#: at no more than one programme at a time, so both find the same results, as do the runs of the
#: parallel path (tests/shapes/test_strategies.py).
STRATEGIES = ("whole", "per-graph")


def is_reference(name: URIRef | None) -> bool:
    return name is not None and (str(name).startswith(REFERENCE_PREFIX) or name == ONTOLOGY_GRAPH)


def validate_dataset(graphs: Mapping[URIRef | None, Graph], *, with_reference: bool = True,
                     strategy: str = "whole", processes: int | None = None, progress: Progress | None = None,
                     cache: ResultCache | None = None, digests: Mapping[URIRef, str] | None = None) -> Report:
    """Validate a dataset (graphs by name; None is the default graph) as the build does.

    The data is every named graph that is not reference data, and the default graph; the reference data
    is the dataset's own reference graphs (`…/graph/reference/…`) when it has any, else the project's
    files (`data/reference/`); the ontology graph is not data (pyshacl gets the project's ontology as its
    ontology graph). With no data but reference graphs, the reference data is validated on its own.
    `with_reference=False` leaves the reference data out.

    `processes` (the CLI's and the build's way): validate in runs in that many processes (`parallel`),
    where `progress` hears of each run done and the `cache`, given the `digests` of the programme graphs,
    supplies the runs validated before. Without it (a threaded server must not fork): in this process,
    split as `strategy` says."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    names, parts, reference = _split(graphs, with_reference)
    if processes is None and cache is None:
        if strategy == "whole" and len(parts) > 1:
            parts = [_union(parts)]
        return merge([validate(p, with_reference=with_reference, reference=reference) for p in parts])
    return _in_runs(names, parts, reference, processes or 1, progress or (lambda line: None), cache, digests)


def _split(graphs: Mapping[URIRef | None, Graph], with_reference: bool
           ) -> tuple[list[URIRef | None] | None, list[Graph], Graph | None]:
    """(the programme graphs' names, sorted, or None when the parts are not programme graphs; the graphs
    to validate; the reference data)."""
    ref_graphs = [g for name, g in graphs.items() if is_reference(name) and name != ONTOLOGY_GRAPH]
    named = sorted(((name, g) for name, g in graphs.items() if not is_reference(name) and len(g)),
                   key=lambda ng: str(ng[0]))
    reference: Graph | None = None
    if with_reference:
        reference = _union(ref_graphs) if ref_graphs else reference_graph()
    elif not named:
        return None, ref_graphs or [Graph()], None
    if not named:
        return None, [Graph()], reference
    return [name for name, _g in named], [g for _name, g in named], reference


def _union(graphs: list[Graph]) -> Graph:
    """A copy of the graphs' triples in one graph: pyshacl validates a copy of its data anyway."""
    union = Graph()
    for g in graphs:
        for t in g:
            union.add(t)
    return union


def _in_runs(names: list[URIRef | None] | None, parts: list[Graph], reference: Graph | None, processes: int,
             say: Progress, cache: ResultCache | None, digests: Mapping[URIRef, str] | None) -> Report:
    runs = runs_of([str(name) for name in names]) if names is not None else [range(len(parts))]
    keys: list[str | None] = [None] * len(runs)
    if cache is not None and digests is not None and names is not None and all(n in digests for n in names):
        keys = [cache.key((str(names[i]), digests[names[i]]) for i in run) for run in runs]  # type: ignore[index]

    def work(r: int) -> tuple[RunResult, None]:
        return validate_run([parts[i] for i in runs[r]], reference, cache, keys[r]), None

    results = validate_runs(work, [len(run) for run in runs], processes, cache=cache, say=say)
    contexts = [parts[run.start] if len(run) == 1 else UnionView(parts[i] for i in run) for run in runs]
    return merged(results, contexts, reference)


def kept_report(digests: Mapping[URIRef, str], cache: ResultCache, progress: Progress | None = None) -> Report | None:
    """The report `validate_dataset(…, cache=cache, digests=digests)` would give for a dataset whose graphs
    have these digests, when the cache holds every run of it; else None. Its context is empty: the caller
    gives it the data the report reads (`context_of`), without converting the whole dataset to rdflib."""
    names = sorted((str(name) for name in digests if not is_reference(name)), key=str)
    if not names:
        return None  # only reference data: validated on its own, never kept
    results = []
    for run in runs_of(names):
        got = cache.kept(cache.key((names[i], digests[URIRef(names[i])]) for i in run))
        if got is None:
            return None
        results.append(got)
    if progress is not None:
        progress(f"{len(names)}/{len(names)} programme graphs unchanged since the last validation: "
                 "their results are kept")
    return merge([result.report(Graph()) for result in results])
