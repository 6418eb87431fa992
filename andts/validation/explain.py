"""What a result is about, in words: the focus node's name, source document and line, short names of IRIs,
result paths as SPARQL path text, and the part of a dump that says these things."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from andts.namespaces import ANDTS, PREFIXES, SH
from andts.validation.parse import converter

SHAPES_NS = "https://w3id.org/andts/shapes/"

#: Every property `where`, `label_of` and the grouping read: `context_of` keeps these.
CONTEXT_PREDICATES = (SKOS.prefLabel, RDFS.label, ANDTS.notation, ANDTS.sourceLine, PROV.wasDerivedFrom, ANDTS.programme)

#: The order severities are listed in.
SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass(frozen=True)
class Where:
    """What the data says about a result's focus node: its name, source document and line."""

    label: str | None
    source: URIRef | None
    source_label: str | None
    line: int | None


def label_of(g: Graph, node: Node, lang: str = "sv") -> str | None:
    """The node's name in `lang` if it has one, else its first name in a stable order."""
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


def severity_name(severity: Node) -> str:
    return str(severity).rsplit("#", 1)[-1]


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


def context_of(nquads: bytes, nodes: Iterable[Node]) -> Graph:
    """What a report shows of its results' focus nodes `nodes` (`where`: names, source lines and documents,
    their programmes' documents and the documents' names), read from an N-Quads dump without converting
    the rest of it to rdflib."""
    wanted = {str(p) for p in CONTEXT_PREDICATES}
    # only the lines that may say one of them are parsed: a line with an IRI subject and one of these
    # predicates starts "<…> <predicate> " (an IRI in N-Quads has no ">")
    may = re.compile(rb"^<[^>\n]*> <(?:" + b"|".join(re.escape(p.encode()) for p in sorted(wanted)) + rb")> .*$",
                     re.MULTILINE)
    about: dict[str, list[ox.Quad]] = {}
    for q in ox.parse(b"\n".join(may.findall(nquads)), format=ox.RdfFormat.N_QUADS):
        if q.predicate.value in wanted and isinstance(q.subject, ox.NamedNode):
            about.setdefault(q.subject.value, []).append(q)
    g = Graph()
    term = converter()
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
