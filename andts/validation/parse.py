"""Reading RDF for validation: any format parsed by pyoxigraph into rdflib graphs, and the project's own graphs.

pyoxigraph parses the input because it reports the line and column of a syntax error in every format and
never fetches anything (a JSON-LD remote `@context` is an error, not a request). The triples are then copied
into rdflib graphs for pyshacl, with `xsd:string` literals made plain again: shapes parsed by rdflib compare
`sh:in` values as plain literals, so a typed `"x"^^xsd:string` in the data would never match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import XSD

from andts import paths
from andts.errors import RdfParseError

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

#: Graphs by name; None is the default graph.
Dataset = dict[URIRef | None, Graph]


class RdfSyntaxError(RdfParseError):
    """RDF that does not parse, with the parser's line (None when the parser does not say)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def format_of(name: str) -> ox.RdfFormat:
    """The RDF format of a file name (by suffix), a media type or a short name; Turtle when unknown."""
    lowered = name.lower().split(";")[0].strip()
    if lowered in FORMAT_NAMES:
        return FORMAT_NAMES[lowered]
    if lowered in MEDIA_TYPES:
        return MEDIA_TYPES[lowered]
    return SUFFIXES.get(Path(lowered).suffix, ox.RdfFormat.TURTLE)


def parse_rdf(data: bytes | str, fmt: ox.RdfFormat, name: str = "input", *,
              into: Dataset | None = None, bnode_prefix: str = "") -> Dataset:
    """Parse RDF in any format into rdflib graphs by graph name (None: the default graph).

    A syntax error raises RdfParseError naming `name`, with the parser's line and column (`.line`).
    `bnode_prefix` keeps the blank nodes of separately parsed inputs apart."""
    graphs: Dataset = into if into is not None else {}
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=None))
    except SyntaxError as exc:
        raise RdfSyntaxError(f"{name}: does not parse as {fmt.name}: {exc}", line=exc.lineno) from None
    except (ValueError, OSError) as exc:
        raise RdfSyntaxError(f"{name}: does not parse as {fmt.name}: {exc}") from None
    term = converter(bnode_prefix)
    for q in quads:
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else term(q.graph_name)
        graph = graphs.get(g)
        if graph is None:
            graph = graphs[g] = Graph(identifier=g) if g is not None else Graph()
        graph.add((term(q.subject), term(q.predicate), term(q.object)))
    return graphs


def converter(bnode_prefix: str = "") -> Callable[[object], Node]:
    """pyoxigraph terms → rdflib terms, each distinct term converted once: a dump repeats its IRIs often."""
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


def read_files(files: Iterable[Path]) -> Dataset:
    """RDF files into graphs by name; a missing or unparsable file raises RdfParseError."""
    graphs: Dataset = {}
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
    """The project's own Turtle files (shapes, ontology, reference data) merged into one graph."""
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
