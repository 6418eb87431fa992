"""`andts build`: every source → its loader → SHACL gate → a new store and dumps, published atomically."""

from __future__ import annotations

import hashlib
import importlib
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
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
from andts.validation import (
    Report,
    Result,
    RunResult,
    UnionView,
    as_text,
    context_of,
    grouped,
    is_reference,
    merged,
    ontology_graph,
    parse_project_files,
    result_record,
    run_key,
    runs_of,
    severity_name,
    short,
    validate_run,
    validate_runs,
)
from andts.validation.cache import ResultCache, digest_nquads, fingerprint

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


def nquads_of(g: Graph, name: URIRef) -> bytes | None:
    """The graph as N-Quads in graph `name`, as `write` would store it; None when it has blank nodes (their
    labels depend on the graph's place among all graphs: `write` converts such a graph itself)."""
    if any(isinstance(t, BNode) for triple in g for t in triple):
        return None
    return ox.serialize(_quads(g, ox.NamedNode(str(name)), ""), format=ox.RdfFormat.N_QUADS)


def assemble(sources: list[SourceInfo], serialized: dict[URIRef, bytes], progress: Progress | None = None,
             cache_folder: Path | None = None) -> tuple[dict[URIRef, Graph], list[LoadResult], list[Result], Report]:
    """Load and validate everything, in runs of programmes, each loaded and validated in one process
    (`load_and_validate`). Raises on a bad source or on violations. Each programme graph's N-Quads go into
    `serialized`; the graphs returned are the reference graphs and any programme graph that could not be
    serialised there. `cache_folder`: validation results kept from the last build (`validation.cache`)."""
    say = progress or (lambda line: None)
    graphs = reference_graphs()
    reference = reference_union(graphs)
    slugs = Counter(s.slug for s in sources)
    if dupes := [s for s, n in slugs.items() if n > 1]:
        raise SourceError(str(paths.SOURCES_DIR), None, f"two sources claim the programme slug(s) {', '.join(dupes)}")
    cache = _cache(graphs, cache_folder) if cache_folder is not None else None
    loads, report = load_and_validate(sources, reference, say, os.cpu_count() or 1, serialized, cache)
    for load in loads:
        if load.tally is None:  # it came back whole (it has blank nodes): `write` converts it here
            graphs[load.source.graph] = load.graph
    gate(report)
    return graphs, loads, [r for r in report.results if not r.is_violation], report


def _cache(graphs: dict[URIRef, Graph], folder: Path) -> ResultCache | None:
    """The validation results kept in `folder` for this reference data (None if it cannot be digested)."""
    ref = {iri: nquads_of(g, iri) for iri, g in graphs.items() if is_reference(iri) and iri != ONTOLOGY_GRAPH}
    if any(nq is None for nq in ref.values()):
        return None
    return ResultCache(folder, fingerprint({iri: digest_nquads(nq) for iri, nq in ref.items() if nq is not None}))


#: What a run of load_and_validate sends back besides its results: each load with its N-Quads (None when
#: the graph itself came back), and what the run's report shows of its focus nodes.
Loaded = tuple[list[tuple[LoadResult, bytes | None]], Graph]


def load_and_validate(sources: list[SourceInfo], reference: Graph, say: Progress, processes: int,
                      serialized: dict[URIRef, bytes], cache: ResultCache | None = None
                      ) -> tuple[list[LoadResult], Report]:
    """Every source loaded and validated by `validation.validate_runs` in `processes` processes, a run of
    programmes at a time: the runs and their cache keys are those of `validate_dataset` over the loaded
    graphs, so `andts validate` of the build finds them in the cache. The programme graphs stay in the
    process that loaded them; their N-Quads come back (into `serialized`), their loads without their
    graphs (`LoadResult.tally` says what they held), and what the report shows of them (`context_of`)."""
    runs = _runs(sources)
    loads: dict[int, LoadResult] = {}
    contexts: dict[int, Graph] = {}
    loaded = 0
    started = time.monotonic()

    def work(r: int) -> tuple[RunResult, Loaded]:
        return _load_and_validate_run([sources[i] for i in runs[r]], reference, cache)

    def done(r: int, _result: RunResult, back: Loaded) -> None:
        nonlocal loaded
        per_source, context = back
        for i, (load, nquads) in zip(runs[r], per_source):
            loads[i] = load
            if nquads is not None:
                serialized[load.source.graph] = nquads
            loaded += 1
            triples = load.tally["triples"] if load.tally else len(load.graph)
            say(f"loaded {loaded}/{len(sources)} {load.source.path.name}: {triples} triples "
                f"({time.monotonic() - started:.1f} s)")
        # the graphs that came back whole are their own context
        contexts[r] = UnionView([context, *(load.graph for load, nquads in per_source if nquads is None)])

    results = validate_runs(work, [len(run) for run in runs], processes, cache=cache, say=say, done=done)
    report = merged(results, [contexts[r] for r in range(len(runs))], reference)
    return [loads[i] for i in range(len(sources))], report


def _runs(sources: list[SourceInfo]) -> list[list[int]]:
    """The sources (indices) in the runs `validate_dataset` cuts their graphs into (sorted by graph IRI)."""
    order = sorted(range(len(sources)), key=lambda i: str(sources[i].graph))
    return [[order[j] for j in run] for run in runs_of([str(sources[i].graph) for i in order])]


def _load_and_validate_run(sources: list[SourceInfo], reference: Graph, cache: ResultCache | None
                           ) -> tuple[RunResult, Loaded]:
    """One run of load_and_validate, in the process that validates it."""
    loaded = [run_loader(source, reference) for source in sources]
    nquads = [nquads_of(load.graph, load.source.graph) for load in loaded]
    key = run_key(cache, [(str(load.source.graph), digest_nquads(nq) if nq is not None else None)
                          for load, nq in zip(loaded, nquads)])
    result = validate_run([load.graph for load in loaded], reference, cache, key)
    context = context_of(b"".join(nq for nq in nquads if nq is not None), {x.focus_node for x in result.results})
    per_source = []
    for load, nq in zip(loaded, nquads):
        if nq is not None:  # the graph stays here: its N-Quads say it all
            load = replace(load, graph=Graph(identifier=load.source.graph), tally=tally_of(load.graph))
        per_source.append((load, nq))
    return result, (per_source, context)


def gate(report: Report) -> None:
    """The SHACL gate: raises ValidationFailed, with the violations as `andts validate` lists them, when
    the report has any."""
    if not report.conforms:
        violations = Report(conforms=False, results=report.violations, graph=report.graph, context=report.context)
        raise ValidationFailed(f"{len(report.violations)} SHACL violation(s); nothing was published "
                               "(the store published before keeps serving):\n" + as_text(violations, limit=10))


def write(graphs: dict[URIRef, Graph], folder: Path, serialized: dict[URIRef, bytes] | None = None,
          sizes: dict[URIRef, int] | None = None) -> tuple[str, int, dict[str, int]]:
    """Write the pyoxigraph store and the dumps; returns the content hash (the build id), triples, per graph.
    `serialized`: graphs already written as N-Quads (by `nquads_of`), taken as they are; a graph may be
    there only (the build leaves it in the process that loaded it), with its triples in `sizes`.

    The on-disk store is bulk-loaded once from all the graphs' N-Quads, since each bulk load has a cost of
    its own, in a thread from the start (pyoxigraph lets go of the GIL while it loads), while the sorted
    N-Quads dump is written and an in-memory store gathers the graphs for the TriG dump."""
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
    graphs, loads, warnings, report = assemble(sources, serialized, progress, store.validation_cache_dir(store_path))
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
