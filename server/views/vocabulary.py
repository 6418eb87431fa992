"""What pages need to know about vocabulary terms: names in Swedish and English, definitions, kinds,
domains, ranges and the class hierarchy.

The andts: terms are read from the build's ontology graph (so a page always describes the ontology that
was published with the data); reused terms (skos:, dcterms:, …) get display names from `labels.ttl`.
A term with no name at all is shown by its prefixed name. No web framework here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from andts.server.engine import reader, sparql

LABELS_FILE = Path(__file__).parent / "labels.ttl"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

CLASS_KINDS = {OWL + "Class", RDFS + "Class"}
PROPERTY_KINDS = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                  RDF + "Property", OWL + "SymmetricProperty", OWL + "TransitiveProperty"}


def pick(texts: dict[str, str], lang: str) -> str | None:
    """The text in `lang`, else Swedish, English, untagged, else any."""
    for key in (lang, "sv", "en", ""):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), None)


@dataclass
class Term:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)
    domain: list[str] = field(default_factory=list)  # a union domain is listed member by member
    range: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)  # rdfs:subClassOf / rdfs:subPropertyOf (named only)
    children: list[str] = field(default_factory=list)

    @property
    def is_class(self) -> bool:
        return bool(self.kinds & CLASS_KINDS)

    @property
    def is_property(self) -> bool:
        return bool(self.kinds & PROPERTY_KINDS)

    def label(self, lang: str) -> str | None:
        return pick(self.labels, lang)

    def definition(self, lang: str) -> str | None:
        return pick(self.definitions, lang)


def _ontology_query(ontology_graph: ox.NamedNode) -> str:
    g = reader.term(ontology_graph)
    return f"""
SELECT ?t ?p ?o ?member WHERE {{
  GRAPH {g} {{
    VALUES ?p {{ <{RDF}type> <{RDFS}label> <{SKOS}prefLabel> <{SKOS}definition> <{RDFS}comment>
                <{RDFS}domain> <{RDFS}range> <{RDFS}subClassOf> <{RDFS}subPropertyOf> }}
    ?t ?p ?o .
    FILTER(isIRI(?t))
    OPTIONAL {{ ?o <{OWL}unionOf>/<{RDF}rest>*/<{RDF}first> ?member }}
  }}
}}"""


@cache
def _display_labels() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for t in ox.parse(path=str(LABELS_FILE), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == RDFS + "label" and isinstance(t.object, ox.Literal):
            out[t.subject.value][t.object.language or ""] = t.object.value
    return dict(out)


class Vocabulary:
    def __init__(self, terms: dict[str, Term], prefixes: dict[str, str]) -> None:
        self.terms = terms
        self.prefixes = prefixes

    @classmethod
    def load(cls, engine: sparql.Engine, base: str, prefixes: dict[str, str]) -> Vocabulary:
        terms: dict[str, Term] = {}

        def get(iri: str) -> Term:
            return terms.setdefault(iri, Term(iri))

        for iri, labels in _display_labels().items():
            get(iri).labels.update(labels)
        for row in reader.select(engine, _ontology_query(ox.NamedNode(base + "graph/ontology"))):
            t, p, o = get(row["t"].value), row["p"].value, row["o"]
            member = row.get("member")
            if p in (RDFS + "label", SKOS + "prefLabel") and isinstance(o, ox.Literal):
                t.labels[o.language or ""] = o.value
            elif p in (SKOS + "definition", RDFS + "comment") and isinstance(o, ox.Literal):
                t.definitions.setdefault(o.language or "", o.value)
            elif p == RDF + "type":
                t.kinds.add(o.value)
            elif p in (RDFS + "domain", RDFS + "range"):
                values = t.domain if p == RDFS + "domain" else t.range
                value = member.value if isinstance(member, ox.NamedNode) else o.value
                if isinstance(member, ox.NamedNode) or isinstance(o, ox.NamedNode):
                    if value not in values:
                        values.append(value)
            elif p in (RDFS + "subClassOf", RDFS + "subPropertyOf") and isinstance(o, ox.NamedNode):
                if o.value not in t.parents:
                    t.parents.append(o.value)
        for term in list(terms.values()):
            for parent in term.parents:
                get(parent).children.append(term.iri)
        for term in terms.values():
            term.domain.sort()
            term.range.sort()
            term.children.sort()
        return cls(terms, prefixes)

    def compact(self, iri: str) -> str:
        """A prefixed name (the longest namespace that fits), else the IRI."""
        best = max((ns for ns in self.prefixes.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len,
                   default=None)
        if best is None:
            return iri
        prefix = next(p for p, ns in self.prefixes.items() if ns == best)
        return f"{prefix}:{iri[len(best):]}"

    def label(self, iri: str, lang: str) -> str:
        term = self.terms.get(iri)
        name = term.label(lang) if term else None
        return name or self.compact(iri)

    def is_class(self, iri: str) -> bool:
        term = self.terms.get(iri)
        return term is not None and term.is_class

    def _walk(self, iri: str, step: str) -> list[str]:
        out: list[str] = []
        todo = list(getattr(self.terms[iri], step)) if iri in self.terms else []
        while todo:
            nxt = todo.pop(0)
            if nxt not in out and nxt != iri:
                out.append(nxt)
                todo.extend(getattr(self.terms[nxt], step) if nxt in self.terms else [])
        return out

    def ancestors(self, iri: str) -> list[str]:
        """The term's superclasses (or superproperties), nearest first, each once."""
        return self._walk(iri, "parents")

    def descendants(self, iri: str) -> list[str]:
        """The term's subclasses (or subproperties), nearest first, each once."""
        return self._walk(iri, "children")

    def most_specific(self, types: list[str], namespace: str) -> str | None:
        """Of an entity's types, the one to show: ours (in `namespace`) before others, then the one that is
        not an ancestor of another."""
        if not types:
            return None
        ours = [t for t in types if t.startswith(namespace)] or types
        for t in sorted(ours):
            if not any(t in self.ancestors(other) for other in ours if other != t):
                return t
        return sorted(ours)[0]
