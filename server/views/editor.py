"""The SPARQL query page (the editor, the named queries, a result with its downloads or an error) and the
VoID description for people.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import pyoxigraph as ox

from andts.catalogue import NamedQuery
from andts.server.views.render import env
from andts.server.views.results import Table, triples_table

#: The download formats offered beside the HTML table (the `format` parameter's names), by kind of result.
RESULTS_DOWNLOADS = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))


GRAPH_DOWNLOADS = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"))


DOWNLOADS = RESULTS_DOWNLOADS + GRAPH_DOWNLOADS


def default_query(prefixes: dict[str, str]) -> str:
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items()]
    return "\n".join(lines) + "\n\nSELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 25\n"


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


def void_page(*, url: str, triples: list[ox.Triple], stats: object, prefixes: dict[str, str]) -> str:
    """The VoID description for people: the main counts, then every triple."""
    formats = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"))
    return env.get_template("void.html").render(url=url, stats=stats, table=triples_table(triples, prefixes),
                                                 formats=formats)
