"""Linked-data dereferencing: every IRI under the base IRI resolves on this server at the same path.

    GET /id/…, /def, /def/…, /graph/…      the description of the IRI: RDF by Accept (or `format`), HTML for
                                           a browser; also /id/….ttl, .nt, .rdf, .jsonld, .html

`Settings.base_iri` (default https://w3id.org/andts/) is mapped onto the server's own root: a request
for http://host:port/id/x describes <{base}id/x>. RDF keeps the canonical IRIs; HTML links to this
server's paths.

Safety: the request path is checked (characters allowed in an IRI path only, no empty, `.` or `..`
segments) and the IRI is built with pyoxigraph.NamedNode, which validates it; the lookup queries are
made from the NamedNode's own N-Triples form (`<iri>`) in a VALUES clause, never from request text.

Cool URIs: 200 with `Vary: Accept` and `Content-Location` naming the variant sent, not a 303 redirect;
why, in server/README.md ("Linked data: dereferencing").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import pyoxigraph as ox
from fastapi import Path
from starlette.requests import Request
from starlette.responses import Response

from andts.server.engine import sparql
from andts.server.errors import BadRequest, TooManyRows
from andts.server.http import conditional, jsonld, negotiation
from andts.server.http.negotiation import GRAPH_OFFERS, HTML, Offer
from andts.server.http.params import Formats, Lang, Order, Page, Sort
from andts.server.settings import Settings
from andts.server.views import describe

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

#: File extensions → the offer they stand for (the first GRAPH_OFFERS entry of that serialiser, or HTML).
EXTENSIONS: dict[str, Offer] = {
    ".ttl": next(o for o in GRAPH_OFFERS if o.key == "turtle"),
    ".nt": next(o for o in GRAPH_OFFERS if o.key == "ntriples"),
    ".rdf": next(o for o in GRAPH_OFFERS if o.key == "rdfxml"),
    ".jsonld": next(o for o in GRAPH_OFFERS if o.key == "jsonld"),
    ".html": HTML,
}
#: The extension of each serialiser's variant, for Content-Location.
EXTENSION_OF: dict[str, str] = {o.key: ext for ext, o in EXTENSIONS.items()}

#: What a path may contain once percent-decoded: RFC 3987 ipath characters (unreserved, sub-delims, ':',
#: '@', '/', and non-ASCII ucschar). No '%' (a decoded path has none left), '?', '#', spaces, '<', '>', '"',
#: '{', '}', '|', '\\', '^', '`' or control characters.
_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U000efffd]+")


@dataclass(frozen=True)
class Target:
    kind: str  # "entity", "ontology" (the /def document) or "graph"
    iri: ox.NamedNode
    path: str  # the server path without extension, e.g. "/id/municipality/testby"


def target(prefix: str, rest: str, base: str) -> Target:
    """The IRI a request path names (prefix "id", "def" or "graph"; rest: the percent-decoded path after
    it, without extension). Raises BadRequest for a path that cannot be part of an IRI."""
    if rest == "":
        if prefix != "def":
            raise BadRequest(f"/{prefix}/ names no resource; add the rest of the IRI's path")
        return Target("ontology", ox.NamedNode(base + "def"), "/def")
    if not _PATH.fullmatch(rest) or any(seg in ("", ".", "..") for seg in rest.split("/")):
        raise BadRequest("the path contains characters or segments that are not allowed in this dataset's IRIs")
    try:
        iri = ox.NamedNode(f"{base}{prefix}/{rest}")
    except ValueError as exc:
        raise BadRequest(f"the path does not make a valid IRI: {exc}") from None
    return Target("graph" if prefix == "graph" else "entity", iri, f"/{prefix}/{rest}")


# --- the lookups: queries made from validated NamedNodes only ----------------------------------

_LABELS = f"<{RDFS_LABEL}>, <{SKOS_PREF_LABEL}>"

#: At most this many incoming links are included in a description (a class or a method can have thousands).
INCOMING_LIMIT = 1000


def entity_query(iri: ox.NamedNode) -> str:
    """The description of one IRI: its own triples (any graph), the labels of what it links to and of its
    predicates, and its incoming links (at most INCOMING_LIMIT) with the labels of their subjects.
    The IRI is written into each pattern: bound from a VALUES outside the UNION, Oxigraph evaluates the
    branches over the whole store first (bench/results/design.md)."""
    return f"""CONSTRUCT {{ {iri} ?p ?o . ?o ?lp ?ol . ?p ?pp ?pl . ?in ?ip {iri} . ?in ?ilp ?il . ?ip ?ipp ?ipl }}
WHERE {{
  {{ {iri} ?p ?o .
    OPTIONAL {{ ?o ?lp ?ol FILTER(?lp IN ({_LABELS})) }}
    OPTIONAL {{ ?p ?pp ?pl FILTER(?pp IN ({_LABELS})) }} }}
  UNION
  {{ {{ SELECT ?in ?ip WHERE {{ ?in ?ip {iri} }} ORDER BY ?in ?ip LIMIT {INCOMING_LIMIT} }}
    OPTIONAL {{ ?in ?ilp ?il FILTER(?ilp IN ({_LABELS})) }}
    OPTIONAL {{ ?ip ?ipp ?ipl FILTER(?ipp IN ({_LABELS})) }} }}
}}"""


def graph_query(graph: ox.NamedNode) -> str:
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"


def ontology_query(ontology: ox.NamedNode, ontology_graph: ox.NamedNode) -> str:
    """The ontology document: the ontology's own triples and everything in the ontology graph."""
    return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ VALUES ?s {{ {ontology} }} ?s ?p ?o }} "
            f"UNION {{ GRAPH {ontology_graph} {{ ?s ?p ?o }} }} }}")


def query_for(t: Target, base: str) -> str:
    if t.kind == "graph":
        return graph_query(t.iri)
    if t.kind == "ontology":
        return ontology_query(t.iri, ox.NamedNode(base + "graph/ontology"))
    return entity_query(t.iri)


def graph_summary(graph: ox.NamedNode, triples: int) -> list[ox.Triple]:
    """What a graph too large to send whole is described as: a VoID-like summary."""
    return [
        ox.Triple(graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(SD + "Graph")),
        ox.Triple(graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(triples), datatype=ox.NamedNode(XSD_INTEGER))),
    ]


# --- responses ---------------------------------------------------------------------------------


def not_found_body(offer: Offer, iri: str) -> tuple[bytes, str]:
    """A 404 in the format asked for: an empty document with a note where the format allows one."""
    message = f"Not found: {iri} is not described in this dataset."
    if offer.key in ("turtle", "ntriples"):
        return f"# {message}\n".encode(), offer.content_type
    if offer.key == "rdfxml":
        return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- Not found: not described in this dataset. -->\n'
                b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'), offer.content_type
    if offer.key == "jsonld":
        return b"[]\n", offer.content_type
    return f"{message}\n".encode(), "text/plain; charset=utf-8"


def _offer(request: Request, ext: str | None, formats: list[str]) -> Offer:
    if ext is not None:
        return EXTENSIONS[ext]
    return negotiation.choose_graph(request.headers.get("accept"), formats)


def _split_extension(rest: str) -> tuple[str, str | None]:
    for ext in EXTENSIONS:
        if rest.endswith(ext) and len(rest) > len(ext):
            return rest[: -len(ext)], ext
    return rest, None


def dereference(request: Request, prefix: str, rest: str, ext: str | None, formats: list[str],
                page: Callable[[Target, bool], Response]) -> Response:
    """GET/HEAD on /id/…, /def, /def/…, /graph/…: the IRI's description in the negotiated format; `page`
    makes the HTML answer (negotiated or not)."""
    app = request.scope["app"]
    settings: Settings = app.state.settings
    engine: sparql.Engine = app.state.engine
    base = settings.base_iri
    if ext is None:
        rest, ext = _split_extension(rest)
    t = target(prefix, rest, base)
    offer = _offer(request, ext, formats)
    if offer is HTML:
        return page(t, ext is None)
    # an explicit extension names one variant; without it, the answer varies with Accept
    headers = {} if ext is not None else {"Vary": "Accept"}
    root = request.scope.get("root_path", "") + "/"
    validators = conditional.build_validators(engine.build, f"{offer.key} {t.iri.value}")
    if conditional.not_modified(request, validators):
        return Response(status_code=304, headers={**headers, **validators})

    triples: list[ox.Triple] | None = None
    body: bytes | None = None
    # JSON-LD is compacted from N-Triples (jsonld.py): pyoxigraph writes it expanded, without a context
    fmt = "ntriples" if offer.key == "jsonld" else offer.key
    if t.kind == "graph" and t.iri.value not in engine.build.info.graphs:
        rows = 0
    else:
        job = sparql.Job(query=query_for(t, base), graph_format=fmt, results_format=None,
                         max_rows=settings.max_rows,
                         prefixes=tuple(settings.prefixes.items()) if fmt in ("turtle", "rdfxml") else ())
        try:
            result = engine.run(job)
            rows, body = result.rows or 0, result.body
        except TooManyRows:
            if t.kind != "graph":
                raise
            triples = graph_summary(t.iri, engine.build.info.graphs[t.iri.value])
            rows = len(triples)
            prefixes = {"void": VOID, "sd": SD} if fmt in ("turtle", "rdfxml") else None
            body = ox.serialize(triples, format=sparql.GRAPH_FORMATS[fmt], prefixes=prefixes)
    if rows == 0:
        content, media_type = not_found_body(offer, t.iri.value)
        return Response(content, status_code=404, media_type=media_type, headers=headers)
    headers["Content-Location"] = root + t.path.lstrip("/") + EXTENSION_OF[offer.key]
    headers.update(validators)
    if offer.key == "jsonld":
        assert body is not None
        body = jsonld.compact(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), settings.prefixes).encode("utf-8")
    return Response(body, media_type=offer.content_type, headers=headers)


# --- the routes -------------------------------------------------------------------------------------

Rest = Annotated[str, Path(description="The rest of the IRI's path under the base (may hold '/'), optionally with "
                                       "an extension (.ttl, .nt, .rdf, .jsonld, .html) naming the format.",
                           json_schema_extra={"minLength": 1})]
Extension = Annotated[str, Path(description="The format of the ontology document, by extension.",
                                json_schema_extra={"enum": [e.lstrip(".") for e in EXTENSIONS]}, examples=["ttl"])]


def ontology(request: Request, formats: Formats = [], lang: Lang = None) -> Response:
    """GET /def: the ontology."""
    return dereference(request, "def", "", None, formats, lambda t, vary: describe.describe(request, t, vary, lang))


def ontology_document(request: Request, ext: Extension, lang: Lang = None) -> Response:
    """GET /def.ttl and the like: the ontology document in the format its extension names."""
    if "." + ext not in EXTENSIONS:
        return Response("Not Found\n", status_code=404, media_type="text/plain; charset=utf-8")
    return dereference(request, "def", "", "." + ext, [], lambda t, vary: describe.describe(request, t, vary, lang))


def entity(request: Request, rest: Rest, formats: Formats = [], lang: Lang = None) -> Response:
    """GET /id/…: an entity of the dataset."""
    return dereference(request, "id", rest, None, formats, lambda t, vary: describe.describe(request, t, vary, lang))


def term(request: Request, rest: Rest, formats: Formats = [], lang: Lang = None, sort: Sort = "document",
         order: Order = "asc", page: Page = "1") -> Response:
    """GET /def/…: a term of the ontology; a class's page lists its instances, sorted and paged."""
    return dereference(request, "def", rest, None, formats,
                       lambda t, vary: describe.describe(request, t, vary, lang, (sort, order, page)))


def graph(request: Request, rest: Rest, formats: Formats = [], lang: Lang = None) -> Response:
    """GET /graph/…: a named graph."""
    return dereference(request, "graph", rest, None, formats, lambda t, vary: describe.describe(request, t, vary, lang))


#: The dereferencing routes.
ROUTES = [("/def", ontology), ("/def.{ext}", ontology_document), ("/id/{rest:path}", entity), ("/def/{rest:path}", term),
          ("/graph/{rest:path}", graph)]
