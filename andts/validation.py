"""SHACL validation of ANDTS graphs against the project's shapes (pyshacl over plain rdflib graphs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF

from andts import paths
from andts.errors import RdfParseError
from andts.namespaces import SH


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, flattened for reports and tests."""

    focus_node: Node
    source_shape: Node
    severity: URIRef
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation

    def message(self, lang: str = "en") -> str:
        for m in self.messages:
            if m.language == lang:
                return str(m)
        return str(self.messages[0]) if self.messages else ""


@dataclass
class Report:
    conforms: bool  # no sh:Violation (warnings and infos do not break conformance)
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == SH.Warning]


def parse_rdf_file(path: Path, into: Graph | None = None) -> Graph:
    """Parse a Turtle/TriG/N-Triples/N-Quads/JSON-LD/RDF-XML file; the format comes from its suffix."""
    graph = into if into is not None else Graph()
    fmt = {
        ".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads",
        ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
    }.get(path.suffix.lower(), "turtle")
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(path, format=fmt)
        for s, p, o, _g in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        graph.parse(path, format=fmt)
    return graph


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


def validate(data: Graph, *, with_reference: bool = True, extra: Iterable[Graph] = ()) -> Report:
    """Validate `data` (plus the reference data it links to) against the shapes.

    The ontology is given to pyshacl as the ontology graph so that `sh:class` sees subclasses
    (an OverarchingGoal is a Goal) without running any inference over the data.
    """
    combined = Graph()
    for g in (data, *( [reference_graph()] if with_reference else [] ), *extra):
        for t in g:
            combined.add(t)
    conforms, report_graph, _text = shacl_validate(
        combined,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=True,
    )
    results = [_result(report_graph, node) for node in report_graph.subjects(RDF.type, SH.ValidationResult)]
    return Report(conforms=bool(conforms), results=results, graph=report_graph)


def _result(report: Graph, node: Node) -> Result:
    return Result(
        focus_node=report.value(node, SH.focusNode),
        source_shape=report.value(node, SH.sourceShape),
        severity=report.value(node, SH.resultSeverity),
        path=report.value(node, SH.resultPath),
        value=report.value(node, SH.value),
        messages=tuple(sorted(report.objects(node, SH.resultMessage), key=str)),
    )
