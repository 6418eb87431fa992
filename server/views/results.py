"""Query results as a table for people: IRIs as prefixed names linking to themselves, literals with their
language or datatype.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from andts.server.engine.sparql import Result

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None  # IRIs link to themselves
    title: str | None = None  # the full IRI, where the text is a prefixed name
    note: str | None = None  # a literal's language tag or datatype
    kind: str = "literal"  # iri, literal, bnode, triple, unbound


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None


def compact(iri: str, prefixes: dict[str, str]) -> str | None:
    """A prefixed name for display, from the longest matching namespace (None when none fits)."""
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return None
    local = iri[len(best):]
    if not local or any(c in local for c in "/#?<> "):
        return None
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{local}"


def cell(term: object, prefixes: dict[str, str]) -> Cell:
    if term is None:
        return Cell("", kind="unbound")
    if isinstance(term, ox.NamedNode):
        short = compact(term.value, prefixes)
        return Cell(short or term.value, href=term.value, title=term.value if short else None, kind="iri")
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", kind="bnode")
    if isinstance(term, ox.Literal):
        if term.language:
            note = f"@{term.language}"
        elif term.datatype.value in (XSD_STRING, RDF_LANG_STRING):
            note = None
        else:
            note = "^^" + (compact(term.datatype.value, prefixes) or f"<{term.datatype.value}>")
        return Cell(term.value, note=note, kind="literal")
    if isinstance(term, ox.Triple):
        parts = [cell(x, prefixes).text for x in (term.subject, term.predicate, term.object)]
        return Cell("<< " + " ".join(parts) + " >>", kind="triple")
    return Cell(str(term))


def table(result: Result, prefixes: dict[str, str]) -> Table:
    """A result from the worker (SPARQL XML results, or N-Triples for graphs) as a table."""
    if result.kind == "graph":
        t = Table(columns=["subject", "predicate", "object"])
        for q in ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES):
            t.rows.append([cell(q.subject, prefixes), cell(q.predicate, prefixes), cell(q.object, prefixes)])
        return t
    parsed = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.XML)
    if isinstance(parsed, ox.QueryBoolean):
        return Table(columns=[], boolean=bool(parsed))
    variables = parsed.variables
    t = Table(columns=[v.value for v in variables])
    for solution in parsed:
        t.rows.append([cell(solution[v], prefixes) for v in variables])
    return t


def triples_table(triples: list[ox.Triple], prefixes: dict[str, str]) -> Table:
    t = Table(columns=["subject", "predicate", "object"])
    for q in triples:
        t.rows.append([cell(q.subject, prefixes), cell(q.predicate, prefixes), cell(q.object, prefixes)])
    return t
