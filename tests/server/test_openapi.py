"""The OpenAPI schema (server/http/openapi.py) declares every route of the app with its path parameters, and
the parameters and bodies the routes really read (checked against a table read off the routes' code): the
parameters come from the routes' signatures, the rest from openapi.py's tables."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.routing import Mount, Route
from support.servers import LiveServer

from andts.server.http import openapi
from andts.server.http.app import create_app
from andts.server.settings import Settings


@pytest.fixture(scope="module")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> dict:
    return app.openapi()


def operations(schema: dict) -> dict[str, dict]:
    return {f"{method.upper()} {path}": op for path, ops in schema["paths"].items() for method, op in ops.items()}


def names(op: dict, where: str) -> set[str]:
    return {p["name"] for p in op.get("parameters", []) if p["in"] == where}


def test_every_route_and_method_is_in_the_schema_with_its_path_parameters(app: FastAPI, schema: dict) -> None:
    ops = operations(schema)
    seen = 0
    for route in app.routes:
        if isinstance(route, Mount):  # /static: StaticFiles, one file name per request
            path, methods, params = route.path + "/{path}", {"GET", "HEAD"}, {"path"}
        else:
            assert isinstance(route, Route), route
            path, methods, params = route.path_format, set(route.methods or ()), set(route.param_convertors)
        for method in methods:
            op = ops[f"{method} {path}"]
            assert names(op, "path") == params, f"{method} {path}"
            assert all(p["required"] for p in op["parameters"] if p["in"] == "path")
            seen += 1
    assert seen == len(ops), "the schema has operations that no route serves"


def test_every_operation_is_declared_in_the_tables(schema: dict) -> None:
    """A new route must be added to openapi.py's table of responses."""
    for operation in operations(schema):
        method, path = operation.split(" ", 1)
        assert ("POST " if method == "POST" else "GET ") + path in openapi.RESPONSES, operation


def test_no_parameter_keeps_a_generated_title_and_every_one_is_described(schema: dict) -> None:
    for name, op in operations(schema).items():
        for p in op["parameters"]:
            assert "title" not in p["schema"], (name, p["name"])
            assert p.get("description"), (name, p["name"])


def test_linked_data_paths_declare_their_rest(schema: dict) -> None:
    for path in ("/id/{rest}", "/def/{rest}", "/graph/{rest}"):
        [rest] = [p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "path"]
        assert rest["name"] == "rest" and rest["schema"]["type"] == "string"
    [ext] = [p for p in schema["paths"]["/def.{ext}"]["get"]["parameters"] if p["in"] == "path"]
    assert set(ext["schema"]["enum"]) == {"ttl", "nt", "rdf", "jsonld", "html"}


#: The query parameters of some routes, read off their code (http/endpoint.py, http/linked_data.py,
#: http/protocol.py, the views), not off the schema.
QUERY_PARAMS = {
    "GET /sparql": {"query", "default-graph-uri", "named-graph-uri", "format"},
    "HEAD /sparql": {"query", "default-graph-uri", "named-graph-uri", "format"},
    "POST /sparql": {"default-graph-uri", "named-graph-uri", "format"},
    "GET /": {"lang"},
    "GET /search": {"lang", "q"},
    "GET /compare/activities": {"lang", "goal", "municipality"},
    "GET /def/{rest}": {"format", "lang", "sort", "order", "page"},
    "GET /id/{rest}": {"format", "lang"},
    "GET /def.{ext}": {"lang"},
    "GET /.well-known/void": {"format"},
    "GET /health": set(),
    "GET /ready": set(),
    "GET /dumps/dataset.nq": set(),
    "POST /validate": {"reference", "lang"},
    "GET /quality": {"lang", "programme", "shape"},
}


@pytest.mark.parametrize("operation", QUERY_PARAMS)
def test_query_parameters_are_the_ones_the_route_reads(schema: dict, operation: str) -> None:
    assert names(operations(schema)[operation], "query") == QUERY_PARAMS[operation]


def test_parameter_types_follow_the_code(schema: dict) -> None:
    ops = operations(schema)
    page = {p["name"]: p for p in ops["GET /def/{rest}"]["parameters"]}
    assert page["sort"]["schema"]["enum"] == ["document", "label", "municipality"]
    assert page["order"]["schema"]["enum"] == ["asc", "desc"]
    assert page["page"]["schema"]["type"] == "integer"
    assert page["lang"]["schema"]["enum"] == ["sv", "en"]
    sparql = {p["name"]: p for p in ops["GET /sparql"]["parameters"]}
    assert sparql["default-graph-uri"]["schema"]["type"] == "array" and sparql["default-graph-uri"]["explode"]
    assert "csv" in sparql["format"]["schema"]["items"]["anyOf"][0]["enum"]
    assert not sparql["query"]["required"]  # without it: the service description
    activities = {p["name"]: p for p in ops["GET /compare/activities"]["parameters"]}
    assert activities["goal"]["required"] and activities["municipality"]["required"]


def test_conditional_routes_declare_their_headers_and_304(schema: dict) -> None:
    ops = operations(schema)
    for operation in ("GET /sparql", "GET /id/{rest}", "GET /dumps/dataset.trig", "HEAD /quality"):
        assert names(ops[operation], "header") == {"If-None-Match", "If-Modified-Since"}
        assert "304" in ops[operation]["responses"]
    assert "304" not in ops["POST /sparql"]["responses"]


def test_a_named_query_declares_the_catalogue_and_its_parameters(app: FastAPI, schema: dict) -> None:
    op = operations(schema)["GET /queries/{name}"]
    named = app.state.named_queries
    [name] = [p for p in op["parameters"] if p["in"] == "path"]
    assert name["schema"]["enum"] == [q.name for q in named]
    declared = {p.name for q in named for p in q.params}
    assert "municipality" in declared and "line" in declared
    assert names(op, "query") == {"run", "format"} | declared
    line = next(p for p in op["parameters"] if p["name"] == "line")
    assert line["schema"]["type"] == "integer"


def test_request_bodies(schema: dict) -> None:
    ops = operations(schema)
    sparql = ops["POST /sparql"]["requestBody"]["content"]
    assert set(sparql) == {"application/x-www-form-urlencoded", "application/sparql-query"}
    assert sparql["application/x-www-form-urlencoded"]["schema"]["required"] == ["query"]
    assert set(sparql["application/x-www-form-urlencoded"]["schema"]["properties"]) == {
        "query", "default-graph-uri", "named-graph-uri", "format"}
    validate = ops["POST /validate"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/x-www-form-urlencoded", "text/turtle", "application/trig",
            "application/n-triples", "application/n-quads", "application/ld+json", "application/rdf+xml"} <= set(validate)
    upload = validate["multipart/form-data"]["schema"]["properties"]
    assert set(upload) == {"data", "file", "format", "reference"}
    assert upload["file"]["format"] == "binary"
    assert "requestBody" not in ops["GET /sparql"]


def test_operation_ids_are_unique(schema: dict) -> None:
    ids = [op["operationId"] for op in operations(schema).values()]
    assert len(ids) == len(set(ids))


def test_the_schema_is_built_once(app: FastAPI) -> None:
    assert app.openapi() is app.openapi()


def test_the_server_serves_the_schema_and_no_docs_pages(live: LiveServer) -> None:
    r = live.get("/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["paths"]["/id/{rest}"]["get"]["parameters"][0]["name"] == "rest"
    # the docs pages load scripts from a CDN: they stay off
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert live.get(path).status_code == 404


def test_the_schema_is_the_same_in_every_process() -> None:
    """Sets (a route's methods, form fields) iterate in an order that changes with the hash seed; the schema,
    which clients cache and compare and the fuzzing parametrises its tests by, must not."""
    import subprocess
    import sys

    code = ("import json; from pathlib import Path; from andts.server.http.app import create_app; "
            "from andts.server.settings import Settings; "
            "print(json.dumps(create_app(Settings(store=Path('x'))).openapi()))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1
