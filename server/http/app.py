"""The web application: `create_app(settings)` builds it; every route is one function of a module named
after what it serves, and only adapts HTTP.

    GET  /sparql            a query (SPARQL 1.1 Protocol), the service description, or the query form
    POST /sparql            a query in a form or an application/sparql-query body       (endpoint.py)
    GET  /health, /ready    liveness and readiness; /.well-known/void; /dumps/…         (service.py)
    GET  /id/…, /def, /def/…, /graph/…   every IRI under the base dereferences          (linked_data.py)
    GET  /, /search, /compare, /queries, /validate, /quality …   pages for people      (andts.server.views)
    GET  /static/…          the stylesheet and the editor's script (no remote assets anywhere)

Routes are plain `def`s: FastAPI runs them in its thread pool, so a route waiting for a query worker never
blocks the event loop. Typed errors (andts.server.errors) become statuses in one table (errors.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from andts import __version__, catalogue
from andts.errors import AndtsError
from andts.server.engine import builds, sparql
from andts.server.engine.cache import BuildCache
from andts.server.engine.follow import BuildFollower
from andts.server.http import endpoint, linked_data, openapi, service, void
from andts.server.http.edge import Edge
from andts.server.settings import Settings
from andts.server.views import catalogue as catalogue_views
from andts.server.views import compare, home, quality, render, search, validate

GET = ["GET", "HEAD"]


def create_app(settings: Settings, engine: sparql.Engine | None = None) -> FastAPI:
    """The app. Without `engine`, it starts a worker pool over the published build when it starts up
    (the lifespan) and stops it on shutdown; a given engine is used as is and not stopped."""
    app = FastAPI(
        title="ANDTS knowledge graph", version=__version__, lifespan=_lifespan(settings, engine),
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
        # no OpenTelemetry: nothing here is configured to receive it, and FastAPI would look for it per request
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.statistics = void.StatisticsCache()
    app.state.pages = BuildCache()  # what pages compute once per build
    app.state.named_queries = catalogue.catalogue(settings.queries_dir)
    app.add_exception_handler(AndtsError, endpoint.on_error)
    app.add_exception_handler(RequestValidationError, endpoint.on_invalid)
    app.add_middleware(endpoint.SparqlLookups)  # innermost: the layers below wrap its answers as the routes'
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)  # zlib's default: 9 costs more, gains little
    app.add_middleware(Edge)  # security headers and the access log
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
        expose_headers=["ETag", "Last-Modified"], max_age=86400,
    )
    app.mount("/static", StaticFiles(directory=render.STATIC), name="static")
    for path, route, methods, summary in routes():
        app.add_api_route(path, route, methods=methods, summary=summary)
    openapi.install(app)
    return app


def routes() -> list[tuple[str, Callable[..., Any], list[str], str]]:
    """Every route: (path, function, methods, summary)."""
    table: list[tuple[str, Callable[..., Any], list[str], str]] = [
        ("/", home.home, GET, "Home page: municipalities, programmes, search"),
        ("/search", search.search, GET, "Search names and texts"),
        ("/compare", compare.compare, GET, "National goals × municipalities"),
        ("/compare/activities", compare.compare_cell, GET, "The activities of one cell of the comparison"),
        ("/sparql", endpoint.sparql_get, GET, "SPARQL query, service description or form"),
        ("/sparql", endpoint.sparql_post, ["POST"], "SPARQL query (form or sparql-query body)"),
        ("/health", service.health, GET, "Liveness: build served and query workers"),
        ("/ready", service.ready, GET,
         "Readiness: 200 when every query worker is up; the build served, its size and time"),
        ("/.well-known/void", service.void_description, GET, "VoID description of the dataset"),
        *((path, service.dump, GET, "The dataset as one file") for path in void.DUMPS),
        # /id/…, /def, /def/…, /graph/…: every IRI under the base dereferences
        *((path, route, GET, "Linked data: the description of an IRI under the base")
          for path, route in linked_data.ROUTES),
        ("/queries", catalogue_views.list_page, GET, "The catalogue of named analyst queries"),
        ("/queries/{name}", catalogue_views.query_page, GET,
         "A named query: its parameter form, or its results"),
        ("/validate", validate.validate_form, GET, "Validate RDF against the shapes: the form"),
        ("/validate", validate.validate_post, ["POST"],
         "Validate RDF (a form or an RDF body, at most max_body_bytes): the SHACL report"),
        ("/quality", quality.quality, GET, "The served build's findings and SHACL warnings"),
    ]
    return table


def _lifespan(settings: Settings, engine: sparql.Engine | None) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if engine is not None:
            app.state.engine = engine
            yield
            return
        if settings.store_url:
            from andts.server.engine.remote import RemoteEngine

            remote = RemoteEngine(settings.store_url, timeout=settings.query_timeout)
            app.state.engine = remote
            try:
                yield
            finally:
                remote.close()
            return
        async with _pool(app, settings):
            yield

    return lifespan


@asynccontextmanager
async def _pool(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Query workers over the published build, and the follower that switches to a newer build."""
    from andts.server.engine.pool import WorkerPool

    build = builds.locate_build(settings.store)
    pool = WorkerPool(build, size=settings.workers, timeout=settings.query_timeout,
                      start_timeout=settings.worker_start_timeout, in_memory=settings.in_memory,
                      memory_mb=settings.worker_memory_mb, slots_per_process=settings.slots_per_process)
    app.state.engine = pool
    follower = BuildFollower(app.state, settings).start() if settings.follow_builds > 0 else None
    try:
        yield
    finally:
        if follower is not None:
            follower.stop()
        app.state.engine.close()  # the pool serving now, which the follower may have replaced
        if app.state.engine is not pool:
            pool.close()
