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
from dataclasses import dataclass, field
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
    PARALLEL_FROM,
    Report,
    Result,
    as_text,
    grouped,
    is_reference,
    ontology_graph,
    parse_project_files,
    result_record,
    severity_name,
    short,
    validate_dataset,
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


def load_all(sources: list[SourceInfo], reference: Graph, say: Progress, processes: int = 1,
             serialized: dict[URIRef, bytes] | None = None, digests: dict[URIRef, str] | None = None
             ) -> list[LoadResult]:
    """Every source through its loader, in order; from PARALLEL_FROM sources on in `processes` forked
    processes (loaders are pure functions of a source and the reference data), which also write each graph
    as N-Quads into `serialized` for the store (converting terms for pyoxigraph is then done in parallel),
    and its digest into `digests` (validation_cache)."""
    started = time.monotonic()
    if processes > 1 and len(sources) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        global _FORKED
        _FORKED = (sources, reference)  # the forked processes find them here: nothing is pickled to them
        try:
            with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
                results = pool.map(_load_one, range(len(sources)), chunksize=4)
                loads = []
                for load, nquads, digest in results:
                    loads.append(load)
                    if serialized is not None and nquads is not None:
                        serialized[load.source.graph] = nquads
                    if digests is not None and digest is not None:
                        digests[load.source.graph] = digest
                    if len(loads) % 10 == 0 or len(loads) == len(sources):
                        say(f"loaded {len(loads)}/{len(sources)} ({time.monotonic() - started:.1f} s)")
        finally:
            _FORKED = None
        return loads
    loads = []
    for i, source in enumerate(sources, 1):
        loads.append(run_loader(source, reference))
        say(f"loaded {i}/{len(sources)} {source.path.name}: {len(loads[-1].graph)} triples "
            f"({time.monotonic() - started:.1f} s)")
    return loads


_FORKED: tuple[list[SourceInfo], Graph] | None = None


def _load_one(i: int) -> tuple[LoadResult, bytes | None, str | None]:
    assert _FORKED is not None
    sources, reference = _FORKED
    load = run_loader(sources[i], reference)
    nquads = nquads_of(load.graph, load.source.graph)
    return load, nquads, digest_nquads(nquads) if nquads is not None else None


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
    see load_all. `cache_folder`: validation results kept from the last build (validation_cache)."""
    say = progress or (lambda line: None)
    graphs = reference_graphs()
    reference = reference_union(graphs)
    digests: dict[URIRef, str] = {}
    loads = load_all(sources, reference, say, processes=os.cpu_count() or 1, serialized=serialized, digests=digests)
    slugs = Counter(l.source.slug for l in loads)
    if dupes := [s for s, n in slugs.items() if n > 1]:
        raise SourceError(str(paths.SOURCES_DIR), None, f"two sources claim the programme slug(s) {', '.join(dupes)}")
    for load in loads:
        graphs[load.source.graph] = load.graph
    say(f"validating {sum(len(g) for g in graphs.values())} triples in {len(graphs)} graphs against the shapes")
    started = time.monotonic()
    cache = None
    if cache_folder is not None and digests:
        ref = {iri: nquads_of(g, iri) for iri, g in graphs.items() if is_reference(iri) and iri != ONTOLOGY_GRAPH}
        if all(nq is not None for nq in ref.values()):
            cache = ResultCache(cache_folder, fingerprint({iri: digest_nquads(nq) for iri, nq in ref.items() if nq}))
    report = gate(graphs, say, cache, digests)
    say(f"validated ({time.monotonic() - started:.1f} s)")
    return graphs, loads, [r for r in report.results if not r.is_violation], report


def gate(graphs: dict[URIRef, Graph], progress: Progress | None = None, cache: ResultCache | None = None,
         digests: dict[URIRef, str] | None = None) -> Report:
    """The SHACL gate: the same validation as `andts validate` (each programme graph with the reference
    data). Raises ValidationFailed, with the violations as `andts validate` lists them, when there are any."""
    report = validate_dataset(graphs, processes=os.cpu_count() or 1, progress=progress, cache=cache, digests=digests)
    if not report.conforms:
        violations = Report(conforms=False, results=report.violations, graph=report.graph, context=report.context)
        raise ValidationFailed(f"{len(report.violations)} SHACL violation(s); nothing was published "
                               "(the store published before keeps serving):\n" + as_text(violations, limit=10))
    return report


def write(graphs: dict[URIRef, Graph], folder: Path, serialized: dict[URIRef, bytes] | None = None
          ) -> tuple[str, int, dict[str, int]]:
    """Write the pyoxigraph store and the dumps; returns the content hash (the build id), triples, per graph.
    `serialized`: graphs already written as N-Quads (by `nquads_of`), taken as they are.

    The on-disk store is bulk-loaded once from all the graphs' N-Quads (one bulk load per graph cost a
    national build 10 s), in a thread from the start (pyoxigraph lets go of the GIL while it loads), while
    the sorted N-Quads dump is written and an in-memory store gathers the graphs for the TriG dump."""
    parts: list[bytes] = []
    own: dict[URIRef, list[ox.Quad]] = {}  # graphs converted here, with their canonical blank nodes
    counts: dict[str, int] = {}
    for n, iri in enumerate(sorted(graphs, key=str)):
        g = graphs[iri]
        if serialized and iri in serialized:
            parts.append(serialized[iri])
        else:
            # in a stable order: rdflib's order changes from process to process, and the TriG dump keeps it
            own[iri] = sorted(_quads(g, ox.NamedNode(str(iri)), f"g{n}"), key=str)
            parts.append(ox.serialize(own[iri], format=ox.RdfFormat.N_QUADS))
        counts[str(iri)] = len(g)
    everything = b"".join(parts)
    loading = _Background(lambda: _load_on_disk(folder / store.OXIGRAPH_DIR, everything))
    # bytes sort as their code points do in UTF-8: the order of the lines as text
    lines = sorted(set(everything.splitlines()))
    nquads = b"\n".join(lines) + b"\n"
    (folder / store.DUMP_NQ).write_bytes(nquads)
    # parsing text gives blank nodes new labels: graphs that have them are added as quads
    gathered = ox.Store()
    for iri, part in zip(sorted(graphs, key=str), parts):
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
        build_id, triples, counts = write(graphs, partial, serialized)
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


def summary(built: Built) -> str:
    """Entities per class per programme, findings by kind, warnings."""
    out = [f"Built {built.info.id}: {built.info.triples} triples in {len(built.info.graphs)} named graphs."]
    for load in built.loads:
        g = load.graph
        out.append(f"\n{load.source.slug} ({load.source.path.name}):")
        classes = Counter(o for o in g.objects(None, RDF.type) if str(o).startswith(str(ANDTS)))
        for cls, n in sorted(classes.items(), key=lambda kv: str(kv[0])):
            if cls != ANDTS.Finding:
                out.append(f"  {str(cls).rsplit('/', 1)[-1]:<18} {n}")
        kinds = Counter(str(k).rsplit("/", 1)[-1] for k in g.objects(None, ANDTS.findingKind))
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
