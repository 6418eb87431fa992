"""The server's OpenAPI schema (GET /openapi.json): FastAPI's, from the routes' own signatures, with what
FastAPI cannot say about them added here:

  * the parameters of the named queries (/queries/{name}), which the catalogue declares, and the names of
    the queries and of the static files as the values of their path parameters;
  * the request bodies the routes read themselves (a form or a raw body in several media types);
  * what each operation answers, by status and media type (content negotiation), and the conditional
    request headers and 304 of the routes answered from the build alone.

`install(app)` replaces `app.openapi` with a function that builds the schema once and caches it on the
app, as FastAPI's own does. tests/server/test_openapi.py checks it against the routes;
tests/server/test_fuzz.py fuzzes the running server with it.
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
from andts.server.http import negotiation
from andts.server.views import render, validate

Json = dict[str, Any]

# --- parameters -----------------------------------------------------------------------------------


def _header(name: str, description: str, fmt: str | None = None) -> Json:
    schema: Json = {"type": "string", **({"format": fmt} if fmt else {})}
    return {"name": name, "in": "header", "required": False, "schema": schema, "description": description}


def _strings(values: Iterable[str]) -> Json:
    return {"type": "string", "enum": list(dict.fromkeys(values))}


CONDITIONAL = [_header("If-None-Match", "ETags from an earlier answer: 304 when one still holds."),
               _header("If-Modified-Since", "An HTTP date (RFC 9110): 304 when the build is not newer; one that "
                                            "does not parse is ignored.", "http-date")]

#: Routes answered from the build alone, with ETag/Last-Modified and 304 (conditional.py).
CONDITIONAL_PATHS = {"/", "/search", "/compare", "/compare/activities", "/sparql", "/.well-known/void",
                     "/dumps/dataset.trig", "/dumps/dataset.nq", "/def", "/def.{ext}", "/id/{rest}", "/def/{rest}",
                     "/graph/{rest}", "/quality", "/static/{path}"}  # StaticFiles answers them too

PATH_DESCRIPTIONS = {"path": "A file of the server's static folder."}

# --- request bodies -------------------------------------------------------------------------------

_GRAPHS = {"type": "array", "items": {"type": "string", "format": "iri"}}
_FORM_LISTS = {"default-graph-uri", "named-graph-uri", "format"}
_QUERY_EXAMPLE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3"
_FORMAT = {"type": "array", "items": {"anyOf": [_strings(negotiation.FORMAT_NAMES), {"type": "string", "pattern": "/"}]}}

SPARQL_BODY: Json = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "required": ["query"], "properties": {
                "query": {"type": "string", "minLength": 1}, "default-graph-uri": _GRAPHS,
                "named-graph-uri": _GRAPHS, "format": _FORMAT,
            }},
            "encoding": {name: {"style": "form", "explode": True} for name in sorted(_FORM_LISTS)},
            "example": {"query": _QUERY_EXAMPLE},
        },
        # the query is the whole body (UTF-8 unless a charset says otherwise); graphs in the URL
        "application/sparql-query": {"schema": {"type": "string", "minLength": 1}, "example": _QUERY_EXAMPLE},
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

#: The order of a path's operations in the schema.
METHOD_ORDER = ["get", "head", "post", "put", "delete", "options", "patch", "trace"]

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
    # a route's methods are a set, whose order changes from process to process: the schema's must not
    schema["paths"] = {path: dict(sorted(ops.items(), key=lambda m: METHOD_ORDER.index(m[0])))
                       for path, ops in paths.items()}
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
    declared = [_tidy(p) for p in operation.get("parameters", [])]
    if path == "/queries/{name}":
        declared = [*declared, *named_params]
    missing = [p for p in path_params if not any(d["in"] == "path" and d["name"] == p for d in declared)]
    declared = [*(_path_param(p) for p in missing), *declared]
    for d in declared:
        if d["in"] == "path" and d["name"] == "name":
            d["schema"] = _strings(q.name for q in named)
    operation["operationId"] = method + re.sub(r"[^A-Za-z0-9]+", "_", path).rstrip("_")
    operation["parameters"] = [*declared, *(CONDITIONAL if conditional else [])]
    # a route not in the table keeps FastAPI's defaults (test_openapi.py fails until it is declared)
    table = dict(RESPONSES.get(("POST " if post else "GET ") + path, {}))
    if table:
        operation["responses"] = _responses({**table, **({304: ()} if conditional else {})})
    if post:
        operation["requestBody"] = SPARQL_BODY if path == "/sparql" else VALIDATE_BODY


def _tidy(param: Json) -> Json:
    """A parameter FastAPI made from a signature, without its generated title; a list repeated as
    name=a&name=b, as the routes read it; its first example as `example`."""
    param = {**param, "schema": {k: v for k, v in param["schema"].items() if k != "title"}}
    if param["schema"].get("type") == "array":
        param.update(style="form", explode=True)
    examples = param.pop("examples", None) or param["schema"].pop("examples", None)
    if examples:
        first = examples[0] if isinstance(examples, list) else next(iter(examples.values())).get("value")
        param["example"] = first
    return param


def _path_param(name: str) -> Json:
    """A path parameter no signature declares: the static file's name (StaticFiles)."""
    schema = (_strings(sorted(p.name for p in render.STATIC.iterdir() if p.is_file())) if name == "path"
              else {"type": "string"})
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": PATH_DESCRIPTIONS.get(name, "")}


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
        out.append({"name": name, "in": "query", "required": False, "schema": schema,
                    "description": f"{first.description} ({first.type.name}; default {first.default}). "
                                   f"A parameter of: {queries}."})
    return out
