"""`andts build`: every source → its loader → SHACL gate → a new store and dumps, published atomically."""

from __future__ import annotations

import hashlib
import importlib
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Node, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF

from andts import __version__, paths, store
from andts.errors import AndtsError, SourceError, ValidationFailed
from andts.loaders.common import LoadResult, SourceInfo
from andts.namespaces import ANDTS, ONTOLOGY_GRAPH, PREFIXES, reference_graph
from andts.validation_cache import ResultCache, digest_nquads, fingerprint
from andts.validation import (
    Report,
    Result,
    UnionView,
    as_text,
    context_of,
    forks,
    grouped,
    is_reference,
    kept_run,
    merge,
    ontology_graph,
    parse_project_files,
    result_record,
    runs_of,
    severity_name,
    shapes_graph,
    short,
    validate_dataset,
    validate_run,
)

LOADERS = ("stockholm", "eskilstuna", "template")


#: Where a long build reports what it is doing: a line at a time (the CLI prints them on stderr).
Progress = Callable[[str], None]

@dataclass
class Built:
    info: store.BuildInfo
    loads: list[LoadResult]
    warnings: list[Result] = field(default_factory=list)
    folder: Path | None = None


def discover_sources(folder: Path | None = None) -> list[SourceInfo]:
    folder = folder or paths.SOURCES_DIR
    return [SourceInfo.read(p) for p in sorted(folder.glob("*.toml"))]


def reference_graphs() -> dict[URIRef, Graph]:
    graphs = {ONTOLOGY_GRAPH: ontology_graph()}
    for f in paths.reference_files():
        graphs[reference_graph(f.stem)] = parse_project_files([f], "reference data")
    return graphs


def run_loader(source: SourceInfo, reference: Graph) -> LoadResult:
    if source.loader not in LOADERS:
        raise SourceError(str(source.meta_path), None, f"unknown loader {source.loader!r} (known: {', '.join(LOADERS)})")
    module = importlib.import_module(f"andts.loaders.{source.loader}")
    return module.load(source, reference)


def reference_union(graphs: dict[URIRef, Graph]) -> Graph:
    """The reference data (every reference graph but the ontology) as one graph, as the loaders read it."""
    reference = Graph()
    for iri, g in graphs.items():
        if iri != ONTOLOGY_GRAPH:
            for t in g:
                reference.add(t)
    return reference


def load_all(sources: list[SourceInfo], reference: Graph, say: Progress) -> list[LoadResult]:
    """Every source through its loader, in order, in this process (a build of fewer than PARALLEL_FROM
    sources; larger ones load in forked processes, `load_and_validate`)."""
    started = time.monotonic()
    loads = []
    for i, source in enumerate(sources, 1):
        loads.append(run_loader(source, reference))
        say(f"loaded {i}/{len(sources)} {source.path.name}: {len(loads[-1].graph)} triples "
            f"({time.monotonic() - started:.1f} s)")
    return loads


def nquads_of(g: Graph, name: URIRef) -> bytes | None:
    """The graph as N-Quads in graph `name`, as `write` would store it; None when it has blank nodes (their
    labels depend on the graph's place among all graphs: `write` converts such a graph itself)."""
    if any(isinstance(t, BNode) for triple in g for t in triple):
        return None
    return ox.serialize(_quads(g, ox.NamedNode(str(name)), ""), format=ox.RdfFormat.N_QUADS)


def assemble(sources: list[SourceInfo], progress: Progress | None = None,
             serialized: dict[URIRef, bytes] | None = None, cache_folder: Path | None = None
             ) -> tuple[dict[URIRef, Graph], list[LoadResult], list[Result], Report]:
    """Load and validate everything in memory. Raises on a bad source or on violations. `serialized`:
    where forked loaders put each programme graph's N-Quads (without it, everything is loaded in this
    process). `cache_folder`: validation results kept from the last build (validation_cache).

    From PARALLEL_FROM sources on, each forked process loads a run of programmes and validates it at once
    (`load_and_validate`): the programme graphs then stay in those processes, and only their N-Quads (in
    `serialized`), what the report shows of them and their tallies come back."""
    say = progress or (lambda line: None)
    graphs = reference_graphs()
    reference = reference_union(graphs)
    slugs = Counter(s.slug for s in sources)
    if dupes := [s for s, n in slugs.items() if n > 1]:
        raise SourceError(str(paths.SOURCES_DIR), None, f"two sources claim the programme slug(s) {', '.join(dupes)}")
    processes = os.cpu_count() or 1
    if serialized is not None and forks(processes, len(sources)):
        cache = _cache(graphs, cache_folder) if cache_folder is not None else None
        loads, report = load_and_validate(sources, reference, say, processes, serialized, cache)
        for load in loads:
            if load.tally is None:  # it came back whole (it has blank nodes): `write` converts it here
                graphs[load.source.graph] = load.graph
        _stop_on_violations(report)
        return graphs, loads, [r for r in report.results if not r.is_violation], report
    loads = load_all(sources, reference, say)
    for load in loads:
        graphs[load.source.graph] = load.graph
    say(f"validating {sum(len(g) for g in graphs.values())} triples in {len(graphs)} graphs against the shapes")
    started = time.monotonic()
    report = gate(graphs, say)
    say(f"validated ({time.monotonic() - started:.1f} s)")
    return graphs, loads, [r for r in report.results if not r.is_violation], report


def _cache(graphs: dict[URIRef, Graph], folder: Path) -> ResultCache | None:
    """The validation results kept in `folder` for this reference data (None if it cannot be digested)."""
    ref = {iri: nquads_of(g, iri) for iri, g in graphs.items() if is_reference(iri) and iri != ONTOLOGY_GRAPH}
    if any(nq is None for nq in ref.values()):
        return None
    return ResultCache(folder, fingerprint({iri: digest_nquads(nq) for iri, nq in ref.items() if nq is not None}))


def load_and_validate(sources: list[SourceInfo], reference: Graph, say: Progress, processes: int,
                      serialized: dict[URIRef, bytes], cache: ResultCache | None = None
                      ) -> tuple[list[LoadResult], Report]:
    """Every source loaded and validated in `processes` forked processes, a run of programmes at a time:
    the runs, their cache keys and their reports are those of `validate_dataset` over the loaded graphs
    (runs cut by graph IRI, `validation_cache.stable_batches`), so `andts validate` of the build finds them
    in the cache. Each process sends back its programmes' N-Quads (into `serialized`), their loads without
    their graphs (`LoadResult.tally` says what they held), and the run's report with the names, lines and
    documents of its focus nodes (`context_of`)."""
    global _FORKED_RUNS
    runs = _runs(sources)
    shapes_graph(), ontology_graph()  # parsed once, before the fork: the same blank nodes in every report
    _FORKED_RUNS = (sources, reference, cache)  # the forked processes find them here: nothing is pickled to them
    loads: dict[int, LoadResult] = {}
    reports: dict[int, Report] = {}
    keys: list[str] = []
    kept = done = 0
    started = time.monotonic()
    try:
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
            todo = sorted(range(len(runs)), key=lambda r: len(runs[r]), reverse=True)  # the longest first
            for r, (per_source, key, was_kept, outcome) in zip(todo, pool.map(_load_and_validate_run, todo)):
                conforms, results, graph, context = outcome
                for i, (load, nquads) in zip(runs[r], per_source):
                    loads[i] = load
                    if nquads is not None:
                        serialized[load.source.graph] = nquads
                if key is not None:
                    keys.append(key)
                    if cache is not None and not was_kept:
                        cache.put(key, conforms, graph)
                # what the report shows of its focus nodes, and whole the graphs that stayed unserialised
                own = [load.graph for load, nquads in per_source if nquads is None]
                reports[r] = Report(conforms=conforms, results=results, graph=graph,
                                    context=UnionView([context, *own]))
                done += len(runs[r])
                kept += len(runs[r]) if was_kept else 0
                elapsed = time.monotonic() - started
                say(f"loaded {done}/{len(sources)} ({elapsed:.1f} s)")
                if not was_kept:
                    say(f"validated {done}/{len(sources)} programme graphs ({elapsed:.1f} s)")
    finally:
        _FORKED_RUNS = None
    if kept:
        say(f"{kept}/{len(sources)} programme graphs unchanged since the last validation: their results are kept")
    if cache is not None and len(keys) == len(runs):
        cache.keep_only(set(keys))
    merged = merge([*(reports[r] for r in range(len(runs))), Report(conforms=True, context=reference)])
    return [loads[i] for i in range(len(sources))], merged


_FORKED_RUNS: tuple[list[SourceInfo], Graph, ResultCache | None] | None = None


def _runs(sources: list[SourceInfo]) -> list[list[int]]:
    """The sources (indices) in the runs `validate_dataset` cuts their graphs into (sorted by graph IRI)."""
    order = sorted(range(len(sources)), key=lambda i: str(sources[i].graph))
    return [[order[j] for j in run] for run in runs_of([str(sources[i].graph) for i in order])]


def _load_and_validate_run(r: int) -> tuple[list[tuple[LoadResult, bytes | None]], str | None, bool,
                                            tuple[bool, list[Result], Graph, Graph]]:
    """Run `r` of load_and_validate, in a forked process: (each load and its N-Quads, the run's cache key,
    whether its results were kept, (conforms, results, report graph, what the results' focus nodes are
    called, and where they come from))."""
    assert _FORKED_RUNS is not None
    sources, reference, cache = _FORKED_RUNS
    loaded = [run_loader(sources[i], reference) for i in _runs(sources)[r]]
    nquads = [nquads_of(load.graph, load.source.graph) for load in loaded]
    digests = [digest_nquads(nq) if nq is not None else None for nq in nquads]
    key = None
    if cache is not None and all(d is not None for d in digests):
        key = cache.key((str(load.source.graph), d) for load, d in zip(loaded, digests))
    got = kept_run(cache, key) if cache is not None and key is not None else None
    conforms, results, graph = got or validate_run([load.graph for load in loaded], reference)
    context = context_of(b"".join(nq for nq in nquads if nq is not None), {x.focus_node for x in results})
    per_source = []
    for load, nq in zip(loaded, nquads):
        if nq is not None:  # the graph stays here: its N-Quads say it all
            load = replace(load, graph=Graph(identifier=load.source.graph), tally=tally_of(load.graph))
        per_source.append((load, nq))
    return per_source, key, got is not None, (conforms, results, graph, context)


def gate(graphs: dict[URIRef, Graph], progress: Progress | None = None) -> Report:
    """The SHACL gate: the same validation as `andts validate` (each programme graph with the reference
    data). Raises ValidationFailed, with the violations as `andts validate` lists them, when there are any."""
    report = validate_dataset(graphs, processes=os.cpu_count() or 1, progress=progress)
    _stop_on_violations(report)
    return report


def _stop_on_violations(report: Report) -> None:
    if not report.conforms:
        violations = Report(conforms=False, results=report.violations, graph=report.graph, context=report.context)
        raise ValidationFailed(f"{len(report.violations)} SHACL violation(s); nothing was published "
                               "(the store published before keeps serving):\n" + as_text(violations, limit=10))


def write(graphs: dict[URIRef, Graph], folder: Path, serialized: dict[URIRef, bytes] | None = None,
          sizes: dict[URIRef, int] | None = None) -> tuple[str, int, dict[str, int]]:
    """Write the pyoxigraph store and the dumps; returns the content hash (the build id), triples, per graph.
    `serialized`: graphs already written as N-Quads (by `nquads_of`), taken as they are; a graph may be
    there only (a national build leaves it in the process that loaded it), with its triples in `sizes`.

    The on-disk store is bulk-loaded once from all the graphs' N-Quads (one bulk load per graph cost a
    national build 10 s), in a thread from the start (pyoxigraph lets go of the GIL while it loads), while
    the sorted N-Quads dump is written and an in-memory store gathers the graphs for the TriG dump."""
    parts: list[bytes] = []
    own: dict[URIRef, list[ox.Quad]] = {}  # graphs converted here, with their canonical blank nodes
    counts: dict[str, int] = {}
    names = sorted({*graphs, *(serialized or {})}, key=str)
    for n, iri in enumerate(names):
        if serialized and iri in serialized:
            parts.append(serialized[iri])
            counts[str(iri)] = sizes[iri] if sizes and iri in sizes else len(graphs[iri])
        else:
            # in a stable order: rdflib's order changes from process to process, and the TriG dump keeps it
            own[iri] = sorted(_quads(graphs[iri], ox.NamedNode(str(iri)), f"g{n}"), key=str)
            parts.append(ox.serialize(own[iri], format=ox.RdfFormat.N_QUADS))
            counts[str(iri)] = len(graphs[iri])
    everything = b"".join(parts)
    loading = _Background(lambda: _load_on_disk(folder / store.OXIGRAPH_DIR, everything))
    # bytes sort as their code points do in UTF-8: the order of the lines as text
    lines = sorted(set(everything.splitlines()))
    nquads = b"\n".join(lines) + b"\n"
    (folder / store.DUMP_NQ).write_bytes(nquads)
    # parsing text gives blank nodes new labels: graphs that have them are added as quads
    gathered = ox.Store()
    for iri, part in zip(names, parts):
        if iri in own:
            gathered.extend(own[iri])
        else:
            gathered.load(part, format=ox.RdfFormat.N_QUADS)
    del parts, own
    gathered.dump(str(folder / store.DUMP_TRIG), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    del gathered
    loading.join()
    return hashlib.sha256(nquads).hexdigest()[:16], len(lines), counts


def _load_on_disk(path: Path, nquads: bytes) -> None:
    on_disk = ox.Store(str(path))
    on_disk.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    on_disk.flush()


class _Background(threading.Thread):
    """A function run in a thread whose exception `join` raises in the caller."""

    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__(name="andts-build-store", daemon=True)
        self._fn, self._error = fn, None
        self.start()

    def run(self) -> None:
        try:
            self._fn()
        except BaseException as exc:  # handed to the caller of join, which decides
            self._error = exc

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self._error is not None:
            raise self._error


def _quads(g: Graph, graph: ox.NamedNode, prefix: str) -> Iterator[ox.Quad]:
    """The graph's triples as pyoxigraph quads. Blank nodes (only the ontology's class expressions have
    them) get canonical labels, so that the same sources give byte-identical dumps and the same build id;
    the prefix keeps the blank nodes of different graphs apart."""
    if any(isinstance(t, BNode) for triple in g for t in triple):
        g = to_canonical_graph(g)

    def term(t: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(f"{prefix}x{t}")
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))

    for s, p, o in g:
        yield ox.Quad(term(s), term(p), term(o), graph)


def build(store_path: Path, sources: list[SourceInfo] | None = None, progress: Progress | None = None) -> Built:
    """Build and publish. On any error the previously published store is left as it was."""
    sources = discover_sources() if sources is None else sources
    serialized: dict[URIRef, bytes] = {}
    graphs, loads, warnings, report = assemble(sources, progress, serialized, store.validation_cache_dir(store_path))
    if progress:
        progress("writing the store and the dumps")
    partial = store.new_build_dir(store_path, "build")
    try:
        sizes = {load.source.graph: int(load.tally["triples"]) for load in loads if load.tally}  # type: ignore[call-overload]
        build_id, triples, counts = write(graphs, partial, serialized, sizes)
        info = store.BuildInfo(
            id=build_id, created=datetime.now(timezone.utc).isoformat(timespec="seconds"), triples=triples,
            graphs=counts, sources={s.path.name: s.sha256() for s in sources}, version=__version__,
            warnings=[result_record(report, r) for _sev, _shape, group in grouped(report) for r in group],
        )
        store.write_build_info(partial, info)
        folder = store.publish(store_path, partial, build_id)
    except BaseException:
        store.discard(partial)
        raise
    return Built(info=info, loads=loads, warnings=warnings, folder=folder)


def tally_of(g: Graph) -> dict[str, object]:
    """What `summary` reports of a programme graph: its triples, entities per class, findings per kind."""
    return {
        "triples": len(g),
        "classes": Counter(str(o) for o in g.objects(None, RDF.type) if str(o).startswith(str(ANDTS))),
        "findings": Counter(str(k).rsplit("/", 1)[-1] for k in g.objects(None, ANDTS.findingKind)),
    }


def summary(built: Built) -> str:
    """Entities per class per programme, findings by kind, warnings."""
    out = [f"Built {built.info.id}: {built.info.triples} triples in {len(built.info.graphs)} named graphs."]
    for load in built.loads:
        tally = load.tally or tally_of(load.graph)
        out.append(f"\n{load.source.slug} ({load.source.path.name}):")
        classes: Counter[str] = tally["classes"]  # type: ignore[assignment]
        for cls, n in sorted(classes.items()):
            if cls != str(ANDTS.Finding):
                out.append(f"  {cls.rsplit('/', 1)[-1]:<18} {n}")
        kinds: Counter[str] = tally["findings"]  # type: ignore[assignment]
        out.append(f"  findings           {sum(kinds.values())}" + ("" if not kinds else ": " + ", ".join(
            f"{k} {n}" for k, n in sorted(kinds.items()))))
    if built.warnings:
        by_shape: dict[tuple[str, str], int] = {}
        for r in built.warnings:
            key = (severity_name(r.severity), short(r.source_shape))
            by_shape[key] = by_shape.get(key, 0) + 1
        out.append(f"\n{len(built.warnings)} SHACL warning(s) (published; `andts validate` lists each, "
                   "the server's /quality page too):")
        for (severity, shape), n in sorted(by_shape.items()):
            out.append(f"  {severity:<8} {shape:<40} {n}")
    return "\n".join(out) + "\n"


__all__ = ["Built", "build", "discover_sources", "summary", "AndtsError"]
