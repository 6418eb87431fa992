"""The server's OpenAPI schema (GET /openapi.json): every route with the parameters it really reads.

The routes are plain functions that read `request.query_params` and the body themselves (one function
serves a browser and an API client, sees repeated parameters, and keeps its own error statuses), so
FastAPI cannot see their parameters. They are declared here instead, in one place, from the routes' code:
the path parameters come from the routes themselves (every `{name}` of every route, so none can be
missed), the query and header parameters, request bodies and responses from the tables below.
tests/server/test_openapi.py checks the schema against the app's routes and a hand-checked table, and
tests/server/test_fuzz.py fuzzes the running server with it.

`install(app)` replaces `app.openapi` with a function that builds the schema once (FastAPI's
`get_openapi`, then these declarations) and caches it on the app, as FastAPI's own does.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute, Mount, Route

from andts import catalogue, validation
from andts.server.views import i18n, ontology, render, search, validate
from andts.server.http import linked_data, negotiation

Json = dict[str, Any]

# --- parameters -----------------------------------------------------------------------------------


def _query(name: str, schema: Json, description: str, *, required: bool = False, example: Any = None) -> Json:
    param: Json = {"name": name, "in": "query", "required": required, "schema": schema, "description": description}
    if schema.get("type") == "array":  # repeated as name=a&name=b, the way the routes read lists
        param.update(style="form", explode=True)
    if example is not None:
        param["example"] = example
    return param


def _header(name: str, description: str, fmt: str | None = None) -> Json:
    schema: Json = {"type": "string", **({"format": fmt} if fmt else {})}
    return {"name": name, "in": "header", "required": False, "schema": schema, "description": description}


def _strings(values: Iterable[str]) -> Json:
    return {"type": "string", "enum": list(dict.fromkeys(values))}


LANG = _query("lang", _strings(i18n.LANGS), "The page's language; anything else is the default (sv).")
#: `format` (negotiation.accept_for): a short name or a media type (anything with a '/'), repeatable
#: (SPARQLWrapper sends a name and a media type); it replaces the Accept header. An unknown name is 400.
FORMAT = _query(
    "format",
    {"type": "array", "items": {"anyOf": [_strings(negotiation.FORMAT_NAMES), {"type": "string", "pattern": "/"}]}},
    "The format of the answer, instead of the Accept header: a short name or a media type.",
)
QUERY = _query("query", {"type": "string", "minLength": 1},
               "The SPARQL query (exactly once). Without it, GET answers the service description or the query "
               "form. An update, or an `update` parameter, is refused with 403.",
               example="SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3")
DEFAULT_GRAPH = _query("default-graph-uri", {"type": "array", "items": {"type": "string", "format": "iri"}},
                       "The graphs whose merge is the default graph (SPARQL 1.1 Protocol).")
NAMED_GRAPH = _query("named-graph-uri", {"type": "array", "items": {"type": "string", "format": "iri"}},
                     "The named graphs of the dataset (SPARQL 1.1 Protocol).")
SEARCH = _query("q", {"type": "string"}, f"The words to look for (the first {search.SEARCH_MAX} characters are used).",
                example="förebyggande")
GOAL = _query("goal", {"type": "string"}, "The last segment of a national goal's IRI, or `none`; other values are 400.",
              required=True, example="none")
MUNICIPALITY = _query("municipality", {"type": "string"}, "The last segment of a municipality's IRI; other values are 400.",
                      required=True, example="stockholm")
SORT = _query("sort", _strings(ontology.SORTS), "A class's instances sorted by (default document).")
ORDER = _query("order", _strings(("asc", "desc")), "Ascending (default) or descending.")
PAGE = _query("page", {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
              f"Which page of {ontology.PAGE_SIZE} instances (default 1; past the last: the last).")
PROGRAMME = _query("programme", {"type": "string"}, "The last part of a programme graph's IRI: that programme's "
                   "findings and warnings only; other values are 400.", example="stockholm-andts-2023-2026")
SHAPE = _query("shape", {"type": "string"}, "A shape as shapes:Name: its warnings only; a shape without warnings "
               "in the build is 400.", example="shapes:FocusArea-activity")
RUN = _query("run", {"type": "string"}, "Present: run the query with its defaults (a browser); "
                                        "any other client always gets the results.")
REFERENCE = _query("reference", _strings(("1", "0", "true", "false")),
                   "For an RDF body: validate with the reference data of the build served (1, the default) or not.")
CONDITIONAL = [_header("If-None-Match", "ETags from an earlier answer: 304 when one still holds."),
               _header("If-Modified-Since", "An HTTP date (RFC 9110): 304 when the build is not newer; one that "
                                            "does not parse is ignored.", "http-date")]

#: The query parameters each route reads, by OpenAPI path (GET and HEAD alike); the named queries'
#: own parameters are added to /queries/{name} from the catalogue (`_catalogue_params`).
GET_PARAMS: dict[str, list[Json]] = {
    "/": [LANG],
    "/search": [LANG, SEARCH],
    "/compare": [LANG],
    "/compare/activities": [LANG, GOAL, MUNICIPALITY],
    "/sparql": [QUERY, DEFAULT_GRAPH, NAMED_GRAPH, FORMAT],
    "/health": [],
    "/ready": [],
    "/.well-known/void": [FORMAT],
    "/dumps/dataset.trig": [],
    "/dumps/dataset.nq": [],
    "/def": [FORMAT, LANG],
    "/def.{ext}": [LANG],  # the extension names the format: `format` is not read
    "/id/{rest}": [FORMAT, LANG],
    "/def/{rest}": [FORMAT, LANG, SORT, ORDER, PAGE],  # a class's page lists its instances (ontology.listing_params)
    "/graph/{rest}": [FORMAT, LANG],
    "/queries": [],
    "/queries/{name}": [RUN, FORMAT],
    "/validate": [LANG],
    "/quality": [PROGRAMME, SHAPE, LANG],
    "/static/{path}": [],
    "/openapi.json": [],
}
POST_PARAMS: dict[str, list[Json]] = {
    # the graph parameters go in the URL with an application/sparql-query body, and may with a form
    "/sparql": [DEFAULT_GRAPH, NAMED_GRAPH, FORMAT],
    "/validate": [REFERENCE, LANG],
}
#: Routes answered from the build alone, with ETag/Last-Modified and 304 (conditional.py).
CONDITIONAL_PATHS = {"/", "/search", "/compare", "/compare/activities", "/sparql", "/.well-known/void",
                     "/dumps/dataset.trig", "/dumps/dataset.nq", "/def", "/def.{ext}", "/id/{rest}", "/def/{rest}",
                     "/graph/{rest}", "/quality", "/static/{path}"}  # StaticFiles answers them too

#: Path parameters with more to say than "a string".
PATH_SCHEMAS: dict[str, Json] = {
    "ext": _strings(e.lstrip(".") for e in linked_data.EXTENSIONS),
    "rest": {"type": "string", "minLength": 1},
}
#: An example of each linked-data path, by route (what the project's data has).
PATH_EXAMPLES: dict[str, str] = {"/id/{rest}": "municipality/stockholm", "/def/{rest}": "Activity",
                                 "/graph/{rest}": "ontology", "/def.{ext}": "ttl"}
PATH_DESCRIPTIONS = {
    "ext": "The format of the ontology document, by extension.",
    "rest": "The rest of the IRI's path under the base (may hold '/'), optionally with an extension "
            "(.ttl, .nt, .rdf, .jsonld, .html) naming the format.",
    "name": "The named query (a file of queries/).",
    "path": "A file of the server's static folder.",
}

# --- request bodies -------------------------------------------------------------------------------

_GRAPHS = {"type": "array", "items": {"type": "string", "format": "iri"}}
_FORM_LISTS = {"default-graph-uri", "named-graph-uri", "format"}

SPARQL_BODY: Json = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["query"], "properties": {
                "query": QUERY["schema"], "default-graph-uri": _GRAPHS, "named-graph-uri": _GRAPHS,
                "format": FORMAT["schema"],
            }},
            "encoding": {name: {"style": "form", "explode": True} for name in _FORM_LISTS},
            "example": {"query": QUERY["example"]},
        },
        # the query is the whole body (UTF-8 unless a charset says otherwise); graphs in the URL
        "application/sparql-query": {"schema": {"type": "string", "minLength": 1}, "example": QUERY["example"]},
    },
}

_TURTLE_EXAMPLE = ("@prefix andts: <https://w3id.org/andts/def/> .\n"
                   "<https://w3id.org/andts/id/activity/example> a andts:Activity .\n")
_FORM_FIELDS: Json = {
    "data": {"type": "string", "description": "Pasted RDF (used when no file is chosen)."},
    "format": _strings(validate.FORM_FORMATS),
    "reference": {"type": "string", "description": "1, on or true: validate with the reference data."},
}
VALIDATE_BODY: Json = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            **_FORM_FIELDS, "file": {"type": "string", "format": "binary", "description": "An RDF file; wins over data."},
        }}},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": _FORM_FIELDS},
                                              "example": {"data": _TURTLE_EXAMPLE, "format": "turtle"}},
        **{media: {"schema": {"type": "string"}, **({"example": _TURTLE_EXAMPLE} if media == "text/turtle" else {})}
           for media in validation.MEDIA_TYPES},
    },
}

# --- responses ------------------------------------------------------------------------------------

TEXT = ("text/plain",)
JSON = ("application/json",)
PAGE_TYPES = ("text/html",)
RESULTS = tuple(dict.fromkeys(o.media_type for o in negotiation.RESULTS_OFFERS))
GRAPH = tuple(dict.fromkeys(o.media_type for o in negotiation.GRAPH_OFFERS))
REPORT = tuple(o.media_type for o in validate.REPORT_OFFERS)
#: The 404 of a path that matches no route (FastAPI's JSON), possible wherever a path parameter may hold
#: what no route takes.
NO_ROUTE = JSON

_WHY = {200: "OK", 304: "Not modified (If-None-Match / If-Modified-Since)", 400: "Bad request (the message says why)",
        403: "Refused: the endpoint is read-only, SERVICE is off", 404: "Not found", 406: "No acceptable format",
        413: "Body larger than max_body_bytes", 415: "Unsupported body type",
        422: "More rows than max_rows", 500: "The query's evaluation or its worker failed",
        503: "Timeout, Busy (Retry-After) or the store is unavailable"}


def _responses(table: dict[int, Sequence[str]]) -> Json:
    out: Json = {}
    for status, media in sorted(table.items()):
        out[str(status)] = {"description": _WHY[status]}
        if media:
            out[str(status)]["content"] = {m: {"schema": {}} for m in media}
    return out


_PAGE = {200: PAGE_TYPES, 503: TEXT}
_LINKED = {200: GRAPH, 400: TEXT, 404: (*GRAPH, *TEXT, *NO_ROUTE), 406: TEXT, 422: TEXT, 503: TEXT}
_QUERY = {200: (*RESULTS, *GRAPH), 400: (*TEXT, *PAGE_TYPES), 403: (*TEXT, *PAGE_TYPES), 406: (*TEXT, *PAGE_TYPES),
          422: (*TEXT, *PAGE_TYPES), 500: (*TEXT, *PAGE_TYPES), 503: (*TEXT, *PAGE_TYPES)}

#: What each operation answers, by "METHOD path" (HEAD as GET; 304 is added where CONDITIONAL_PATHS says).
RESPONSES: dict[str, dict[int, Sequence[str]]] = {
    "GET /": _PAGE,
    "GET /search": _PAGE,
    "GET /compare": _PAGE,
    "GET /compare/activities": {**_PAGE, 400: TEXT},
    "GET /sparql": _QUERY,
    "POST /sparql": {**_QUERY, 413: TEXT, 415: TEXT},
    "GET /health": {200: JSON, 503: JSON},
    "GET /ready": {200: JSON, 503: JSON},
    "GET /.well-known/void": {200: GRAPH, 400: TEXT, 406: TEXT, 503: TEXT},
    "GET /dumps/dataset.trig": {200: ("application/trig",), 503: TEXT},
    "GET /dumps/dataset.nq": {200: ("application/n-quads",), 503: TEXT},
    "GET /def": {200: GRAPH, 400: TEXT, 404: (*GRAPH, *TEXT), 406: TEXT, 422: TEXT, 503: TEXT},
    "GET /def.{ext}": {200: GRAPH, 404: (*GRAPH, *TEXT, *NO_ROUTE), 422: TEXT, 503: TEXT},
    "GET /id/{rest}": _LINKED,
    "GET /def/{rest}": _LINKED,
    "GET /graph/{rest}": _LINKED,
    "GET /queries": {200: PAGE_TYPES},
    "GET /queries/{name}": {200: RESULTS, 400: (*TEXT, *PAGE_TYPES), 404: (*TEXT, *PAGE_TYPES, *NO_ROUTE),
                            406: TEXT, 422: TEXT, 500: TEXT, 503: TEXT},
    "GET /validate": _PAGE,
    "POST /validate": {200: REPORT, 400: (*TEXT, *PAGE_TYPES), 406: TEXT, 413: TEXT, 415: TEXT, 503: TEXT},
    "GET /quality": {**_PAGE, 400: TEXT},
    "GET /static/{path}": {200: ("text/css", "text/javascript", "application/javascript"), 404: JSON},
    "GET /openapi.json": {200: JSON},
}

# --- the schema -----------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Give the app the schema of this module at GET /openapi.json (built once, on first use)."""

    def openapi() -> Json:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> Json:
    """FastAPI's schema of the app's routes, with this module's declarations filled in."""
    with warnings.catch_warnings():
        # GET and HEAD share one route, hence one operation id; unique ones are set below
        warnings.filterwarnings("ignore", message="Duplicate Operation ID")
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                             description="The SPARQL endpoint, linked data and pages of the ANDTS knowledge graph "
                                         "(server/README.md).")
    schema.pop("components", None)  # FastAPI's validation-error models: no route here answers them
    paths: Json = schema["paths"]
    for route in app.routes:
        if isinstance(route, Mount):  # /static: StaticFiles, one operation per file name
            paths[route.path + "/{path}"] = {m: {"summary": "The stylesheet and the editor's script"}
                                             for m in ("get", "head")}
        elif isinstance(route, Route) and not route.include_in_schema:  # /openapi.json itself
            paths[route.path] = {m.lower(): {"summary": "This schema"} for m in sorted(route.methods or ())}
    named = _catalogue_params(app.state.named_queries)
    for path, operations in paths.items():
        for method, operation in operations.items():
            _declare(path, method, operation, _route_path_params(app.routes, path), app.state.named_queries, named)
    return copy.deepcopy(schema)  # the operations share this module's dicts: a caller's change stays its own


def _route_path_params(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """The path parameters of the route(s) at an OpenAPI path, from the routes' own compiled paths."""
    for route in routes:
        if isinstance(route, Mount) and path == route.path + "/{path}":
            return ["path"]
        if isinstance(route, Route) and route.path_format == path:
            return list(route.param_convertors)
    return []


def _declare(path: str, method: str, operation: Json, path_params: list[str],
             named: Sequence[catalogue.NamedQuery], named_params: list[Json]) -> None:
    """Fill in one operation (method: FastAPI's lower-case name; HEAD is declared as GET)."""
    post = method == "post"
    conditional = not post and path in CONDITIONAL_PATHS
    params = POST_PARAMS.get(path, []) if post else GET_PARAMS.get(path, [])
    if path == "/queries/{name}":
        params = [*params, *named_params]
    operation["operationId"] = method + re.sub(r"[^A-Za-z0-9]+", "_", path).rstrip("_")
    operation["parameters"] = [*(_path_param(p, path, named) for p in path_params), *params,
                               *(CONDITIONAL if conditional else [])]
    # a route not in the tables keeps FastAPI's defaults (test_openapi.py fails until it is declared)
    table = dict(RESPONSES.get(("POST " if post else "GET ") + path, {}))
    if table:
        operation["responses"] = _responses({**table, **({304: ()} if conditional else {})})
    if post:
        operation["requestBody"] = SPARQL_BODY if path == "/sparql" else VALIDATE_BODY


def _path_param(name: str, path: str, named: Sequence[catalogue.NamedQuery]) -> Json:
    if name == "name":
        schema = _strings(q.name for q in named)
    elif name == "path":
        schema = _strings(sorted(p.name for p in render.STATIC.iterdir() if p.is_file()))
    else:
        schema = PATH_SCHEMAS.get(name, {"type": "string"})
    param: Json = {"name": name, "in": "path", "required": True, "schema": schema,
             "description": PATH_DESCRIPTIONS.get(name, "")}
    if path in PATH_EXAMPLES:
        param["example"] = PATH_EXAMPLES[path]
    return param


#: The schema of a named query's parameter type (andts.catalogue.TYPES); entity types take a slug or an IRI.
_TYPE_SCHEMAS: dict[str, Json] = {
    "integer": {"type": "integer", "minimum": -(10**18 - 1), "maximum": 10**18 - 1},
    "date": {"type": "string", "format": "date"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
}


def _catalogue_params(named: Sequence[catalogue.NamedQuery]) -> list[Json]:
    """The named queries' parameters, each once (a query given one it does not declare answers 400)."""
    by_name: dict[str, list[tuple[str, catalogue.Parameter]]] = {}
    for q in named:
        for p in q.params:
            by_name.setdefault(p.name, []).append((q.name, p))
    out = []
    for name, uses in sorted(by_name.items()):
        types = {p.type.name for _, p in uses}
        schema = dict(_TYPE_SCHEMAS.get(next(iter(types)), {"type": "string"})) if len(types) == 1 else {"type": "string"}
        if schema.get("type") == "string" and "format" not in schema:
            schema["maxLength"] = catalogue.MAX_VALUE_LENGTH
        _, first = uses[0]
        queries = ", ".join(q for q, _ in uses)
        out.append(_query(name, schema, f"{first.description} ({first.type.name}; default {first.default}). "
                                        f"A parameter of: {queries}."))
    return out
