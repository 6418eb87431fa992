"""SHACL validation of ANDTS graphs against the project's shapes (pyshacl over plain rdflib graphs).

One validation for every caller: `andts validate`, the build's gate and the server's /validate all use
`validate_dataset`: every programme graph together with the reference data, in one pyshacl run over a
plain rdflib Graph (bench/results/validation.md has the figures that chose this over one run per
programme graph, and over pyshacl-turbo) — or, for the build and the CLI at eight programmes or more,
one run per programme graph in as many processes as there are CPUs.

Input is parsed by pyoxigraph (`parse_rdf`): it reports the line and column of a syntax error in every
format, and it never fetches anything (a JSON-LD remote `@context` is an error, not a request). The
triples are then copied into rdflib graphs for pyshacl, with `xsd:string` literals made plain again (the
trap in ../shared/style.md: shapes parsed by rdflib compare `sh:in` values as plain literals).
"""

from __future__ import annotations

import multiprocessing
import re
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.paths import Path as PropertyPath
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from andts import paths, pyshacl_speedups
from andts.errors import RdfParseError
from andts.namespaces import ANDTS, GRAPH, ONTOLOGY_GRAPH, PREFIXES, SH
from andts.validation_cache import ResultCache, stable_batches

#: The SHACL engines `validate` can run; "pyshacl" is the one the project uses (see the bench).
ENGINES = ("pyshacl", "turbo")

#: RDF formats by file suffix and by media type; the value is pyoxigraph's format.
SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE, ".turtle": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/trig": ox.RdfFormat.TRIG, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES, "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
}
#: Short names (the CLI's and the upload form's), each a pyoxigraph format.
FORMAT_NAMES: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
}

class RdfSyntaxError(RdfParseError):
    """RDF that does not parse, with the parser's line (None when the parser does not say)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


#: The named graphs that are reference data (and the ontology) rather than a programme.
REFERENCE_PREFIX = str(GRAPH["reference/"])


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, flattened for reports and tests."""

    focus_node: Node
    source_shape: Node
    severity: URIRef
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]
    #: sh:sourceConstraintComponent: one value can break two constraints of one shape (datatype and range)
    component: Node | None = None
    #: A path that is a blank node (sh:alternativePath …) as SPARQL path text: the same path has another
    #: blank node in a report of another run, or read back from the cache
    path_text: str | None = None
    #: The result's node in the report graph it was read from (not part of what the result says)
    node: Node | None = field(default=None, compare=False, repr=False)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation

    @property
    def key(self) -> tuple:
        path = self.path_text if isinstance(self.path, BNode) else self.path
        return (self.focus_node, self.source_shape, self.severity, path, self.value, self.component)

    def message(self, lang: str = "en") -> str:
        for m in self.messages:
            if m.language == lang:
                return str(m)
        return str(self.messages[0]) if self.messages else ""


class Report:
    """The results of a validation, the SHACL report graph, and the data the results are about."""

    def __init__(self, conforms: bool, results: list[Result] | None = None,
                 graph: Graph | Callable[[], Graph] | None = None, context: Graph | None = None) -> None:
        self.conforms = conforms  # no sh:Violation (warnings and infos do not break conformance)
        self.results: list[Result] = results if results is not None else []
        self._graph = graph
        #: The data that was validated with its reference data: labels, lines and sources of focus nodes.
        self.context: Graph = context if context is not None else Graph()

    @property
    def graph(self) -> Graph:
        """The report as RDF (sh:ValidationReport). A merged report makes it at first use: the text and
        JSON reports never need it (copying 7,647 results at 290 municipalities took 2 s)."""
        if not isinstance(self._graph, Graph):
            self._graph = self._graph() if self._graph is not None else Graph()
        return self._graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == SH.Warning]


# --- parsing -----------------------------------------------------------------------------------------


def format_of(name: str) -> ox.RdfFormat:
    """The RDF format of a file name (by suffix), a media type or a short name; Turtle when unknown."""
    lowered = name.lower().split(";")[0].strip()
    if lowered in FORMAT_NAMES:
        return FORMAT_NAMES[lowered]
    if lowered in MEDIA_TYPES:
        return MEDIA_TYPES[lowered]
    return SUFFIXES.get(Path(lowered).suffix, ox.RdfFormat.TURTLE)


def parse_rdf(data: bytes | str, fmt: ox.RdfFormat, name: str = "input", *,
              into: dict[URIRef | None, Graph] | None = None, bnode_prefix: str = "") -> dict[URIRef | None, Graph]:
    """Parse RDF in any format into rdflib graphs by graph name (None: the default graph).

    A syntax error raises RdfParseError naming `name`, with the parser's line and column (`.line`)."""
    graphs: dict[URIRef | None, Graph] = into if into is not None else {}
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=None))
    except SyntaxError as exc:
        raise RdfSyntaxError(f"{name}: does not parse as {fmt.name}: {exc}", line=exc.lineno) from None
    except (ValueError, OSError) as exc:
        raise RdfSyntaxError(f"{name}: does not parse as {fmt.name}: {exc}") from None
    term = _converter(bnode_prefix)
    for q in quads:
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else term(q.graph_name)
        graph = graphs.get(g)
        if graph is None:
            graph = graphs[g] = Graph(identifier=g) if g is not None else Graph()
        graph.add((term(q.subject), term(q.predicate), term(q.object)))
    return graphs


def _converter(bnode_prefix: str) -> Callable[[object], Node]:
    """pyoxigraph terms → rdflib terms, each distinct term converted once (a dump repeats its IRIs often)."""
    cache: dict[object, Node] = {}

    def term(t: object) -> Node:
        got = cache.get(t)
        if got is None:
            got = cache[t] = _term(t, bnode_prefix)
        return got

    return term


def _term(t: object, bnode_prefix: str) -> Node:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(bnode_prefix + t.value)
    assert isinstance(t, ox.Literal), f"unexpected term {t!r}"
    if t.language:
        return Literal(t.value, lang=t.language)
    datatype = t.datatype.value
    return Literal(t.value) if datatype == str(XSD.string) else Literal(t.value, datatype=URIRef(datatype))


def parse_rdf_file(path: Path, into: Graph | None = None) -> Graph:
    """One RDF file, every named graph merged into one graph; the format comes from its suffix."""
    graph = into if into is not None else Graph()
    for g in read_files([path]).values():
        for t in g:
            graph.add(t)
    return graph


def read_files(files: Iterable[Path]) -> dict[URIRef | None, Graph]:
    """RDF files into graphs by name; a missing or unparsable file raises RdfParseError."""
    graphs: dict[URIRef | None, Graph] = {}
    for n, path in enumerate(files):
        if not path.is_file():
            raise RdfParseError(f"{path}: no such file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RdfParseError(f"{path}: cannot be read: {exc.strerror}") from None
        parse_rdf(data, format_of(path.name), str(path), into=graphs, bnode_prefix=f"f{n}")
    return graphs


def parse_project_files(files: Iterable[Path], what: str) -> Graph:
    g = Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception as exc:  # rdflib raises parser-specific types; all mean "does not parse"
            raise RdfParseError(f"{what} file {f} does not parse: {exc}") from exc
    return g


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return parse_project_files(paths.shape_files(), "shapes")


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return parse_project_files([paths.ONTOLOGY], "ontology")


@lru_cache(maxsize=1)
def reference_graph() -> Graph:
    """All reference data files merged into one graph (each file is its own named graph in the store)."""
    return parse_project_files(paths.reference_files(), "reference data")


# --- validating -------------------------------------------------------------------------------------


def validate(data: Graph, *, with_reference: bool = True, extra: Iterable[Graph] = (),
             reference: Graph | None = None, engine: str = "pyshacl") -> Report:
    """Validate `data` (plus the reference data it links to) against the shapes.

    `reference` replaces the project's reference files (e.g. the reference graphs of a build). The
    ontology is given to pyshacl as the ontology graph so that `sh:class` sees subclasses (an
    OverarchingGoal is a Goal) without running any inference over the data.
    """
    combined = Graph()
    ref = (reference if reference is not None else reference_graph()) if with_reference else None
    for g in (data, *([ref] if ref is not None else []), *extra):
        for t in g:
            combined.add(t)
    if engine == "turbo":
        from pyshacl_turbo import validate as run  # optional: only the bench uses it
    elif engine == "pyshacl":
        from pyshacl import validate as run

        pyshacl_speedups.at_first_use()
    else:
        raise ValueError(f"unknown SHACL engine {engine!r} (known: {', '.join(ENGINES)})")
    # `combined` is this call's own copy: pyshacl may add the ontology's class hierarchy to it in place
    # rather than copy it again (a tenth of the time); the report reads the data as it was given
    conforms, report_graph, _text = run(
        combined,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=True,
        **({"inplace": True} if engine == "pyshacl" else {}),
    )
    results = [_result(report_graph, node) for node in report_graph.subjects(RDF.type, SH.ValidationResult)]
    context = UnionView([data, *([ref] if ref is not None else []), *extra])
    return Report(conforms=bool(conforms), results=results, graph=report_graph, context=context)


def is_reference(name: URIRef | None) -> bool:
    return name is not None and (str(name).startswith(REFERENCE_PREFIX) or name == ONTOLOGY_GRAPH)


#: How `validate_dataset` splits a dataset: "whole" validates every data graph with the reference data in
#: one run (the default: fastest in one process, see bench/results/validation.md); "per-graph" validates each
#: programme graph on its own with the reference data (the reference data is validated again each time).
#: The results are the same for the project's shapes, which look at no more than one programme at a time
#: (tests/shapes/test_strategies.py checks it).
STRATEGIES = ("whole", "per-graph")

#: From this many programme graphs on, `processes` > 1 validates them one by one in that many processes
#: (per-graph), which beats one whole run: 2x on two cores at 290 municipalities.
PARALLEL_FROM = 8


def forks(processes: int, graphs: int) -> bool:
    """Whether `graphs` programme graphs are validated (and, in a build, loaded) in forked processes."""
    return processes > 1 and graphs >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods()


def validate_dataset(graphs: Mapping[URIRef | None, Graph], *, with_reference: bool = True,
                     engine: str = "pyshacl", strategy: str = "whole", processes: int = 1,
                     progress: Callable[[str], None] | None = None, cache: ResultCache | None = None,
                     digests: Mapping[URIRef, str] | None = None) -> Report:
    """Validate a dataset (graphs by name; None is the default graph) as the build does.

    The data is every named graph that is not reference data, and the default graph; the reference data
    is the dataset's own reference graphs (`…/graph/reference/…`) when it has any, else the project's
    files (`data/reference/`); the ontology graph is not data (pyshacl gets the project's ontology as its
    ontology graph). With no data but reference graphs, the reference data is validated on its own.
    `with_reference=False` leaves the reference data out. `strategy`: see STRATEGIES. `processes` > 1:
    with PARALLEL_FROM programme graphs or more, validate them per graph in that many forked processes
    (for the CLI and the build; a threaded server must not fork); `progress` then hears of each run done.
    `cache` with the `digests` of the programme graphs (validation_cache): runs validated before with the
    same content, reference data, shapes and versions are read from the cache instead."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    ref_graphs = [g for name, g in graphs.items() if is_reference(name) and name != ONTOLOGY_GRAPH]
    named = sorted(((name, g) for name, g in graphs.items() if not is_reference(name) and len(g)), key=lambda ng: str(ng[0]))
    parts = [g for _name, g in named]
    reference: Graph | None = None
    if with_reference:
        if ref_graphs:
            reference = Graph()
            for g in ref_graphs:
                for t in g:
                    reference.add(t)
        else:
            reference = reference_graph()
    elif not parts:
        parts = ref_graphs
    if not parts:
        parts = [Graph()]
    if forks(processes, len(parts)):
        keys = None
        if cache is not None and digests is not None and all(name in digests for name, _g in named):
            keys = [(str(name), digests[name]) for name, _g in named]
        return merge(_in_processes(parts, reference, engine, processes, progress or (lambda line: None),
                                   cache if keys else None, keys))
    if strategy == "whole" and len(parts) > 1:
        whole = Graph()
        for p in parts:
            for t in p:
                whole.add(t)
        parts = [whole]
    reports = [validate(p, with_reference=with_reference, reference=reference, engine=engine) for p in parts]
    return merge(reports)


def kept_report(digests: Mapping[URIRef, str], cache: ResultCache, processes: int,
                progress: Callable[[str], None] | None = None) -> Report | None:
    """The report `validate_dataset(…, processes, cache, digests)` would give for a dataset whose graphs have
    these digests, when the cache holds every run of it; else None. Its context is empty: the caller gives
    it the data the report reads (`context_of`), without converting the whole dataset to rdflib."""
    names = sorted((str(name) for name in digests if not is_reference(name)), key=str)
    if not forks(processes, len(names)):
        return None  # validate_dataset would not use the cache either
    reports = []
    for key in _run_keys([(n, digests[URIRef(n)]) for n in names], cache).values():
        got = kept_run(cache, key)
        if got is None:
            return None
        conforms, results, graph = got
        reports.append(Report(conforms=conforms, graph=graph, results=results))
    if progress is not None:
        progress(f"{len(names)}/{len(names)} programme graphs unchanged since the last validation: their results are kept")
    return merge(reports) if len(reports) > 1 else reports[0]


def _run_keys(keys: list[tuple[str, str]], cache: ResultCache) -> dict[range, str]:
    """The runs of the programme graphs (graph IRI, digest), sorted by IRI, and each run's cache key."""
    return {run: cache.key(keys[i] for i in run) for run in runs_of([name for name, _d in keys])}


def runs_of(names: list[str]) -> list[range]:
    """The runs of programme graphs (by IRI, sorted) that are validated together and kept in the cache."""
    return stable_batches(names, MAX_BATCH)


def kept_run(cache: ResultCache, key: str) -> tuple[bool, list[Result], Graph] | None:
    """A run's results read back from the cache (parsed by pyoxigraph: rdflib's parser took 7 s at 290)."""
    got = cache.get(key)
    if got is None:
        return None
    conforms, data = got
    graph = Graph(store="SimpleMemory")  # only read back: no context bookkeeping (a third faster)
    try:
        parse_rdf(data, ox.RdfFormat.N_TRIPLES, key, into={None: graph}, bnode_prefix=key[:16])
    except RdfParseError:
        return None
    return conforms, [_result(graph, n) for n in graph.subjects(RDF.type, SH.ValidationResult)], graph


def context_of(nquads: bytes, nodes: Iterable[Node]) -> Graph:
    """What a report shows of its results' focus nodes `nodes` (`where`: names, source lines and documents,
    their programmes' documents and the documents' names), read from an N-Quads dump."""
    wanted = {str(p) for p in CONTEXT_PREDICATES}
    # only the lines that may say one of them are parsed (a tenth of a national dump): a line with an IRI
    # subject and one of these predicates starts "<…> <predicate> " (an IRI in N-Quads has no ">")
    may = re.compile(rb"^<[^>\n]*> <(?:" + b"|".join(re.escape(p.encode()) for p in sorted(wanted)) + rb")> .*$",
                     re.MULTILINE)
    about: dict[str, list[ox.Quad]] = {}
    for q in ox.parse(b"\n".join(may.findall(nquads)), format=ox.RdfFormat.N_QUADS):
        if q.predicate.value in wanted and isinstance(q.subject, ox.NamedNode):
            about.setdefault(q.subject.value, []).append(q)
    g = Graph()
    term = _converter("")
    todo, seen = [str(n) for n in nodes if isinstance(n, URIRef)], set()
    while todo:  # a focus node, then its programme, then their source documents
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in about.get(s, ()):
            g.add((term(q.subject), term(q.predicate), term(q.object)))
            if q.predicate.value in (str(ANDTS.programme), str(PROV.wasDerivedFrom)) and isinstance(q.object, ox.NamedNode):
                todo.append(q.object.value)
    return g


def batches(n: int, processes: int) -> list[range]:
    """Programme graphs 0..n-1 in runs of consecutive indices, a run per pyshacl call: a run validates the
    reference data once for all its programmes (as much as a lone programme costs again), and there are
    about two runs a process so that the processes finish together."""
    size = max(1, min(MAX_BATCH, -(-n // (processes * 2))))
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


#: The most programme graphs one pyshacl call validates together. A call costs about 0.2 s (the reference
#: data) and 0.12 s a programme; the limit keeps runs small enough for two processes to finish together
#: and for a changed programme to validate its run again in a few seconds.
MAX_BATCH = 24


def _in_processes(parts: list[Graph], reference: Graph | None, engine: str, processes: int,
                  say: Callable[[str], None], cache: ResultCache | None = None,
                  keys: list[tuple[str, str]] | None = None) -> list[Report]:
    """`keys`: (graph IRI, digest) of each part, in the parts' order (sorted by IRI), for the cache."""
    global _FORKED
    shapes_graph(), ontology_graph()  # parsed once, before the fork: the same blank nodes in every report
    _FORKED = (parts, reference, engine)  # the forked processes find them here: nothing is pickled to them
    if cache is not None and keys is not None:
        run_keys = _run_keys(keys, cache)
        runs = list(run_keys)
    else:
        runs, run_keys = batches(len(parts), processes), {}
    found: dict[range, tuple[bool, list[Result], Graph]] = {}
    for run, key in run_keys.items():
        got = kept_run(cache, key) if cache is not None else None
        if got is not None:
            found[run] = got
    todo = [run for run in runs if run not in found]
    started, validated = time.monotonic(), len(parts) - sum(len(r) for r in todo)
    if found:
        say(f"{validated}/{len(parts)} programme graphs unchanged since the last validation: their results are kept")
    try:
        if todo:
            with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
                todo.sort(key=len, reverse=True)  # the longest runs first: the processes end together
                for run, result in zip(todo, pool.map(_validate_run, todo)):
                    found[run] = result
                    validated += len(run)
                    if cache is not None and run in run_keys:
                        cache.put(run_keys[run], result[0], result[2])
                    say(f"validated {validated}/{len(parts)} programme graphs ({time.monotonic() - started:.1f} s)")
    finally:
        _FORKED = None
    if cache is not None and run_keys:
        cache.keep_only(set(run_keys.values()))
    # each run's report carries its own data; the reference data once (what the text report reads)
    reports = []
    for run in runs:
        conforms, results, graph = found[run]
        context = parts[run.start] if len(run) == 1 else UnionView(parts[i] for i in run)
        reports.append(Report(conforms=conforms, results=results, graph=graph, context=context))
    if reference is not None:
        reports.append(Report(conforms=True, context=reference))
    return reports


_FORKED: tuple[list[Graph], Graph | None, str] | None = None


class UnionView(ReadOnlyGraphAggregate):
    """Several graphs read as one, without copying them (copying the data of 290 municipalities took 10 s).
    A pattern with a subject asks only the graphs that have that subject, so that looking up the label and
    line of each of 10,000 results does not ask every graph each time. The graphs must not change while
    the view is read (they are a finished validation's data)."""

    def __init__(self, graphs: Iterable[Graph]) -> None:
        flat: list[Graph] = []
        for g in graphs:
            flat.extend(g.graphs if isinstance(g, UnionView) else [g])
        super().__init__(flat)
        self._owners: dict[Node, list[Graph]] | None = None

    def triples(self, triple):  # type: ignore[override]
        s, p, o = triple
        if s is None or isinstance(p, PropertyPath):
            yield from super().triples(triple)
            return
        if self._owners is None:
            # every subject's graphs, read once: asking each of 300 graphs for each of 7,647 focus nodes
            # took 3 s at 290 municipalities
            self._owners = {}
            for g in self.graphs:
                for subject in g.subjects(unique=True):
                    self._owners.setdefault(subject, []).append(g)
        for g in self._owners.get(s, ()):
            yield from g.triples(triple)


def _validate_run(run: range) -> tuple[bool, list[Result], Graph]:
    """Programme graphs `run` with the reference data, in a forked process."""
    assert _FORKED is not None
    parts, reference, engine = _FORKED
    return validate_run([parts[i] for i in run], reference, engine)


def validate_run(parts: list[Graph], reference: Graph | None, engine: str = "pyshacl"
                 ) -> tuple[bool, list[Result], Graph]:
    """Programme graphs validated together with the reference data, as (conforms, results, report graph)
    to send back from a forked process pickled (blank nodes keep their ids, so equal results from two runs
    are merged as one)."""
    data = parts[0] if len(parts) == 1 else UnionView(parts)
    report = validate(data, with_reference=reference is not None, reference=reference, engine=engine)
    return report.conforms, report.results, report.graph


def merge(reports: list[Report]) -> Report:
    """One report from several: each distinct result once, one sh:ValidationReport."""
    if len(reports) == 1:
        return reports[0]
    seen: dict[tuple, tuple[Result, Report]] = {}
    for rep in reports:
        for r in rep.results:
            seen.setdefault(r.key, (r, rep))
    conforms = not any(r.is_violation for r, _rep in seen.values())

    def graph() -> Graph:
        g = Graph(store="SimpleMemory")  # 160,000 triples at 290 municipalities: no context bookkeeping
        top = BNode()
        g.add((top, RDF.type, SH.ValidationReport))
        for r, rep in seen.values():
            node = r.node if r.node is not None else _node_of(rep.graph, r)
            g.add((top, SH.result, node))
            _copy(rep.graph, node, g)
        g.add((top, SH.conforms, Literal(conforms)))
        return g

    # a view of every report's data, not a copy (copying the data of 290 municipalities took 10 s)
    context = UnionView(rep.context for rep in reports)
    return Report(conforms=conforms, results=[r for r, _rep in seen.values()], graph=graph, context=context)


def _copy(src: Graph, node: Node, dst: Graph) -> None:
    """A result's triples and the blank nodes they lead to (sh:resultPath lists, sh:detail)."""
    todo, done = [node], set()
    while todo:
        n = todo.pop()
        if n in done:
            continue
        done.add(n)
        for p, o in src.predicate_objects(n):
            dst.add((n, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def _node_of(report: Graph, result: Result) -> Node:
    """The node of a result made without one (a test's), found again by what it says."""
    return next(n for n in report.subjects(RDF.type, SH.ValidationResult) if _result(report, n).key == result.key)


def _result(report: Graph, node: Node) -> Result:
    return Result(
        focus_node=report.value(node, SH.focusNode),
        source_shape=report.value(node, SH.sourceShape),
        severity=report.value(node, SH.resultSeverity),
        path=report.value(node, SH.resultPath),
        value=report.value(node, SH.value),
        messages=tuple(sorted(report.objects(node, SH.resultMessage), key=str)),
        component=report.value(node, SH.sourceConstraintComponent),
        path_text=path_text(report, path) if isinstance(path := report.value(node, SH.resultPath), BNode) else None,
        node=node,
    )


# --- explaining a result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """What the data says about a result's focus node: its name, source document and line."""

    label: str | None
    source: URIRef | None
    source_label: str | None
    line: int | None


#: Every property `where`, `label_of` and `grouped` read: `context_of` keeps these.
CONTEXT_PREDICATES = (SKOS.prefLabel, RDFS.label, ANDTS.notation, ANDTS.sourceLine, PROV.wasDerivedFrom, ANDTS.programme)


def label_of(g: Graph, node: Node, lang: str = "sv") -> str | None:
    if not isinstance(node, URIRef):
        return None
    for p in (SKOS.prefLabel, RDFS.label, ANDTS.notation):
        found = [o for o in g.objects(node, p) if isinstance(o, Literal)]
        for lit in found:
            if lit.language == lang:
                return str(lit)
        if found:
            return str(sorted(found, key=lambda x: (x.language or "", str(x)))[0])
    return None


def where(g: Graph, node: Node, lang: str = "sv") -> Where:
    """The label, source document (prov:wasDerivedFrom, else that of the programme it belongs to) and
    source line of a focus node, as far as the data `g` says."""
    if not isinstance(node, URIRef):
        return Where(None, None, None, None)
    line = g.value(node, ANDTS.sourceLine)
    source = g.value(node, PROV.wasDerivedFrom)
    if source is None:
        programme = g.value(node, ANDTS.programme)
        source = g.value(programme, PROV.wasDerivedFrom) if programme is not None else None
    try:
        line_no = int(line) if line is not None else None
    except (TypeError, ValueError):
        line_no = None
    return Where(label=label_of(g, node, lang),
                 source=source if isinstance(source, URIRef) else None,
                 source_label=label_of(g, source, lang) if isinstance(source, URIRef) else None,
                 line=line_no)


#: The order severities are listed in.
SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


def severity_name(severity: Node) -> str:
    return str(severity).rsplit("#", 1)[-1]


def grouped(report: Report) -> list[tuple[URIRef, Node, list[Result]]]:
    """The results grouped by (severity, shape): violations first, then warnings, then infos; within a
    group by source line, then focus node."""
    groups: dict[tuple[Node, Node], list[Result]] = {}
    for r in report.results:
        groups.setdefault((r.severity, r.source_shape), []).append(r)

    def in_order(r: Result) -> tuple:
        line = report.context.value(r.focus_node, ANDTS.sourceLine) if isinstance(r.focus_node, URIRef) else None
        return (int(line) if line is not None and str(line).isdigit() else 10**9, str(r.focus_node), str(r.value))

    out = []
    for (severity, shape), results in sorted(groups.items(), key=lambda kv: (SEVERITY_ORDER.get(kv[0][0], 3), str(kv[0][1]))):
        out.append((severity, shape, sorted(results, key=in_order)))
    return out


# --- reports for people and programs ----------------------------------------------------------------

SHAPES_NS = "https://w3id.org/andts/shapes/"


def short(node: Node | None) -> str:
    """An IRI as a prefixed name when one of the project's prefixes (or shapes:) fits, else <iri>."""
    if node is None:
        return ""
    text = str(node)
    if not isinstance(node, URIRef):
        return text
    for prefix, ns in [("shapes", SHAPES_NS), *PREFIXES.items()]:
        if text.startswith(ns) and "/" not in text[len(ns):] and "#" not in text[len(ns):]:
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>"


def path_text(report: Graph, path: Node | None) -> str:
    """A result path in SPARQL property-path syntax (sh:alternativePath, sh:inversePath, sequences)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return short(path)
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(path_text(report, p) for p in _list(report, alternatives)) + ")"
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(report, inverse)
    for name, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = report.value(path, SH[name])
        if inner is not None:
            return path_text(report, inner) + mark
    items = _list(report, path)
    return "/".join(path_text(report, p) for p in items) if items else str(path)


def result_path(report: Report, r: Result) -> str:
    """A result's path as path_text gives it (a blank-node path's text is kept in the result)."""
    return r.path_text if r.path_text is not None else path_text(report.graph, r.path)


def _list(g: Graph, node: Node) -> list[Node]:
    out, seen = [], set()
    while node is not None and node != RDF.nil and node not in seen:
        seen.add(node)
        first = g.value(node, RDF.first)
        if first is None:
            break
        out.append(first)
        node = g.value(node, RDF.rest)
    return out


def result_record(report: Report, r: Result) -> dict:
    """One result as a JSON-able record: what the shape says and where the focus node comes from."""
    w = where(report.context, r.focus_node)
    return {
        "severity": severity_name(r.severity),
        "sourceShape": str(r.source_shape),
        "focusNode": str(r.focus_node),
        "focusLabel": w.label,
        "sourceDocument": str(w.source) if w.source is not None else None,
        "sourceDocumentLabel": w.source_label,
        "sourceLine": w.line,
        "path": result_path(report, r) or None,
        "value": str(r.value) if r.value is not None else None,
        "message": r.message("en"),
        "messages": {m.language or "": str(m) for m in r.messages},
    }


def as_json(report: Report) -> dict:
    """The report as JSON: every result with its shape, focus node, label, source document and line."""
    records = [result_record(report, r) for _severity, _shape, group in grouped(report) for r in group]
    return {"conforms": report.conforms, "violations": len(report.violations),
            "warnings": len(report.warnings), "results": records}


def describe(report: Report, r: Result) -> list[str]:
    """One result as lines: the focus node (label and IRI), where it comes from, the value, the message."""
    w = where(report.context, r.focus_node)
    lines = [f"  - {w.label} {short(r.focus_node)}" if w.label else f"  - {short(r.focus_node)}"]
    if w.source is not None or w.line is not None:
        doc = (w.source_label or short(w.source)) if w.source is not None else "?"
        lines.append(f"      source: {doc}" + (f", line {w.line}" if w.line is not None else ""))
    if r.path is not None:
        lines.append(f"      path: {result_path(report, r)}")
    if r.value is not None:
        lines.append(f"      value: {short(r.value) if isinstance(r.value, URIRef) else repr(str(r.value))}")
    lines.append(f"      {r.message('en')}")
    return lines


def as_text(report: Report, limit: int | None = None) -> str:
    """Grouped by severity (violations first) and shape; each result with label, source, line, value and
    message; a last line with the totals. `limit`: at most that many results per group."""
    out: list[str] = []
    for severity, shape, results in grouped(report):
        out.append(f"{severity_name(severity)}: {short(shape)} ({len(results)})")
        for r in results[:limit]:
            out.extend(describe(report, r))
        if limit is not None and len(results) > limit:
            out.append(f"  … and {len(results) - limit} more")
        out.append("")
    n_v, n_w = len(report.violations), len(report.warnings)
    verdict = "Conforms" if report.conforms else "Does not conform"
    out.append(f"{verdict}: {n_v} violation(s), {n_w} warning(s).")
    return "\n".join(out) + "\n"
