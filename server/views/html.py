"""HTML for people: the query form and results as a table. Jinja2 templates in templates/, no web
framework, no remote assets (the one stylesheet is served from /static)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape

from andts.server.views import i18n
from andts.catalogue import NamedQuery
from andts.server.engine.sparql import Result

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                  lstrip_blocks=True)
#: The pages' own words (i18n.STRINGS) in a template: `ui("key", L)`; L is the page language ("en" where a
#: page has no language switch, like the query editor).
env.globals["ui"] = i18n.text
env.globals["with_lang"] = i18n.with_lang
#: Defaults for pages rendered without a PageContext (the query editor, VoID): English, at the server root.
env.globals["L"] = "en"
env.globals["root"] = "/"

#: The download formats offered beside the HTML table (the `format` parameter's names), by kind of result.
RESULTS_DOWNLOADS = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_DOWNLOADS = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"))
DOWNLOADS = RESULTS_DOWNLOADS + GRAPH_DOWNLOADS


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


def default_query(prefixes: dict[str, str]) -> str:
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items()]
    return "\n".join(lines) + "\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 25\n"


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


def download_links(endpoint: str, query: str, graph_params: Sequence[tuple[str, str]],
                   kind: str) -> list[tuple[str, str]]:
    """(label, URL) for the same request in each format that fits the kind of result."""
    formats = GRAPH_DOWNLOADS if kind == "graph" else RESULTS_DOWNLOADS
    return [(label, f"{endpoint}?{urlencode([('query', query), *graph_params, ('format', name)])}")
            for name, label in formats]


def page(*, endpoint: str, query: str | None, prefixes: dict[str, str], result_table: Table | None = None,
         error: str | None = None, status: int = 200, build_id: str = "", triples: int | None = None,
         named: Sequence[NamedQuery] = (), graph_params: Sequence[tuple[str, str]] = (),
         kind: str | None = None) -> str:
    """The query page: the editor (with the query, or the prefixes and an example), the named queries,
    and a result (with download links for it) or an error. `graph_params` are the request's
    default-graph-uri / named-graph-uri, kept in the form and the links; `kind` the result's kind."""
    downloads = download_links(endpoint, query, graph_params, kind) if query is not None and kind else []
    return env.get_template("sparql.html").render(
        endpoint=endpoint, query=query if query is not None else default_query(prefixes), table=result_table,
        error=error, status=status, build_id=build_id, triples=triples, formats=DOWNLOADS, named=named,
        graph_params=graph_params, downloads=downloads,
    )


def triples_table(triples: list[ox.Triple], prefixes: dict[str, str]) -> Table:
    t = Table(columns=["subject", "predicate", "object"])
    for q in triples:
        t.rows.append([cell(q.subject, prefixes), cell(q.predicate, prefixes), cell(q.object, prefixes)])
    return t


def void_page(*, url: str, triples: list[ox.Triple], stats: object, prefixes: dict[str, str]) -> str:
    """The VoID description for people: the main counts, then every triple."""
    formats = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"))
    return env.get_template("void.html").render(url=url, stats=stats, table=triples_table(triples, prefixes),
                                                 formats=formats)
