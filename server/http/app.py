"""The web application: `create_app(settings)` builds it; the routes only adapt HTTP.

    GET  /sparql            no query: the service description (Turtle etc.), or the query form for a browser
    GET  /sparql?query=…    a query (SPARQL 1.1 Protocol); POST with a form or an application/sparql-query body
    GET  /health            liveness: the build served, its size, and the query workers
    GET  /.well-known/void  the VoID description of the dataset (counts once per build, in void.py)
    GET  /dumps/dataset.trig, /dumps/dataset.nq   the build's dumps
    GET  /static/…          the stylesheet and the editor's script (no remote assets anywhere)
    GET  /id/…, /def, /def/…, /graph/…   linked data: every IRI under the base dereferences (linked_data.py)

Parsing the protocol (protocol.py), negotiating formats (negotiation.py), running queries in worker
processes (sparql.py, pool.py) and HTML (html.py) each live in their own module; errors are typed and
mapped to statuses in errors.py. Routes are plain `def`s: FastAPI runs them in its thread pool, so a
route waiting for a worker never blocks the event loop.
"""

from __future__ import annotations

import json
from dataclasses import replace
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from andts import __version__, catalogue
from andts.errors import AndtsError, StoreError
from andts.server.http import conditional, description, linked_data, negotiation, protocol, void
from andts.server import errors
from andts.server.views import html, site
from andts.server.engine import sparql
from andts.server.http import openapi
from andts.server.engine.cache import BuildCache
from andts.server.engine.follow import BuildFollower
from andts.server.http.negotiation import HTML, Choice
from andts.server.http.edge import Edge
from andts.server.settings import Settings


def create_app(settings: Settings, engine: sparql.Engine | None = None) -> FastAPI:
    """The app. Without `engine`, it starts a worker pool over the published build when it starts up
    (the lifespan) and stops it on shutdown; a given engine is used as is and not stopped."""

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
        from andts.server.engine.pool import WorkerPool

        build = sparql.locate_build(settings.store)
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

    app = FastAPI(
        title="ANDTS knowledge graph", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
        # no OpenTelemetry: nothing here is configured to receive it, and FastAPI would look for it per request
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.statistics = void.StatisticsCache()
    app.state.pages = BuildCache()  # what pages compute once per build (site.py)
    app.state.named_queries = catalogue.catalogue(settings.queries_dir)
    app.add_exception_handler(AndtsError, _on_error)
    app.add_middleware(SparqlLookups)  # innermost: the layers below wrap its answers as they wrap the routes'
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)  # zlib's default: level 9 costs more, gains little
    app.add_middleware(Edge)  # security headers and the access log
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
        expose_headers=["ETag", "Last-Modified"], max_age=86400,
    )
    app.mount("/static", StaticFiles(directory=html.STATIC), name="static")
    # pages for people (site.py); the entity pages come with dereferencing below
    app.add_api_route("/", site.home, methods=["GET", "HEAD"], summary="Home page: municipalities, programmes, search")
    app.add_api_route("/search", site.search, methods=["GET", "HEAD"], summary="Search names and texts")
    app.add_api_route("/compare", site.compare, methods=["GET", "HEAD"], summary="National goals × municipalities")
    app.add_api_route("/compare/activities", site.compare_cell, methods=["GET", "HEAD"],
                      summary="The activities of one cell of the comparison")
    app.add_api_route("/sparql", sparql_get, methods=["GET", "HEAD"], summary="SPARQL query, service description or form")
    app.add_api_route("/sparql", sparql_post, methods=["POST"], summary="SPARQL query (form or sparql-query body)")
    app.add_api_route("/health", health, methods=["GET", "HEAD"], summary="Liveness: build served and query workers")
    app.add_api_route("/ready", ready, methods=["GET", "HEAD"],
                      summary="Readiness: 200 when every query worker is up; the build served, its size and time")
    app.add_api_route("/.well-known/void", void_description, methods=["GET", "HEAD"],
                      summary="VoID description of the dataset")
    for path in void.DUMPS:
        app.add_api_route(path, dump, methods=["GET", "HEAD"], summary="The dataset as one file")
    # /id/…, /def, /def/…, /graph/…: every IRI under the base dereferences (linked_data.py)
    for path, prefix in linked_data.ROUTES:
        app.add_api_route(path, linked_data.endpoint(prefix), methods=["GET", "HEAD"],
                          summary="Linked data: the description of an IRI under the base")
    # the query catalogue (issue 6)
    from andts.server.views import catalogue_pages

    for path, route, summary in catalogue_pages.ROUTES:
        app.add_api_route(path, route, methods=["GET", "HEAD"], summary=summary)
    # validation and quality (issue 7)
    from andts.server.views import validation_pages

    for path, route, methods, summary in validation_pages.ROUTES:
        app.add_api_route(path, route, methods=methods, summary=summary)

    def validate_post(request: Request, body: bytes = Depends(read_body)) -> Response:
        return validation_pages.validate_post(request, body)

    app.add_api_route("/validate", validate_post, methods=["POST"],
                      summary="Validate RDF (a form or an RDF body, at most max_body_bytes): the SHACL report")
    openapi.install(app)
    return app


# --- dependencies ---------------------------------------------------------------------------------


# async: FastAPI runs a plain-def dependency in its thread pool, a thread hand-off per request for nothing
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine(request: Request) -> sparql.Engine:
    return request.app.state.engine


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it is larger than the limit."""
    limit = request.app.state.settings.max_body_bytes
    too_large = errors.RequestTooLarge(f"the request body is larger than this endpoint's limit of {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


# --- routes ---------------------------------------------------------------------------------------


def sparql_get(request: Request, settings: Settings = Depends(get_settings),
               engine: sparql.Engine = Depends(get_engine)) -> Response:
    params = request.query_params.multi_items()
    _note_html(request, request.query_params.getlist("format"), request.query_params.get("query"))
    query = protocol.parse(request.method, None, params)
    if query is None:
        return _describe(request, settings, engine)
    return _answer(request, query, settings, engine)


class SparqlLookups:
    """`GET /sparql?query=…` from a client that does not ask for HTML, answered by the route's own code
    (`_answer`) without FastAPI's routing and dependency injection: they were 40 % of the server process's
    time per point lookup (bench/profile_server.py). Everything else goes on to FastAPI, which also still
    describes the route (OpenAPI); errors are answered as the route's are (`_on_error`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        params = request.query_params
        if "query" not in params:
            await self.app(scope, receive, send)
            return
        _note_html(request, params.getlist("format"), params.get("query"))
        if request.state.html:  # the query page, and errors shown on it
            await self.app(scope, receive, send)
            return
        settings, engine = request.app.state.settings, request.app.state.engine
        try:
            query = protocol.parse("GET", None, params.multi_items())
            assert query is not None  # it has a query
            ready = _prepare(request, query, settings, engine)
            if isinstance(ready, Response):
                response = ready
            else:
                job, choice, headers = ready
                run_async = getattr(engine, "run_async", None)  # the pool's; a remote store is asked in a thread
                result = await run_async(job) if run_async else await run_in_threadpool(engine.run, job)
                response = _respond(request, query, settings, engine, choice, headers, result)
        except AndtsError as exc:
            response = await _on_error(request, exc)
        await response(scope, receive, send)


def sparql_post(request: Request, body: bytes = Depends(read_body), settings: Settings = Depends(get_settings),
                engine: sparql.Engine = Depends(get_engine)) -> Response:
    query = protocol.parse("POST", request.headers.get("content-type"), request.query_params.multi_items(), body)
    assert query is not None  # a POST always carries a query, or parse raised
    _note_html(request, query.formats, query.query)
    return _answer(request, query, settings, engine)


def health(engine: sparql.Engine = Depends(get_engine)) -> JSONResponse:
    workers = engine.health()
    info = engine.build.info
    ok = workers.get("alive", 0) > 0
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "build": info.id, "created": info.created,
         "triples": info.triples, "graphs": len(info.graphs), "workers": workers},
        status_code=200 if ok else 503,
    )


def ready(engine: sparql.Engine = Depends(get_engine)) -> JSONResponse:
    """Ready to take traffic: every worker alive (none being replaced) and the store reachable."""
    workers = engine.health()
    info = engine.build.info
    ok = workers.get("ready", 0) >= workers.get("size", 1)
    return JSONResponse(
        {"ready": ok, "build": info.id, "triples": info.triples, "graphs": len(info.graphs),
         "created": info.created, "serving_since": engine.since, "workers": workers},
        status_code=200 if ok else 503, headers={"Cache-Control": "no-store"},
    )


def void_description(request: Request, settings: Settings = Depends(get_settings),
                     engine: sparql.Engine = Depends(get_engine)) -> Response:
    """VoID: Turtle by default, the other RDF formats by Accept or `format`, a table for a browser."""
    offer = negotiation.choose_graph(request.headers.get("accept"), request.query_params.getlist("format"))
    build = engine.build
    validators = conditional.build_validators(build, offer.media_type)
    headers = {**validators, "Vary": "Accept"}
    if conditional.not_modified(request, validators):
        return Response(status_code=304, headers=headers)
    stats = request.app.state.statistics.get(engine)
    url = _endpoint(request)
    base = str(request.base_url).rstrip("/")
    triples = void.description(url, base + "/sparql", [base + p for p in void.DUMPS], build, stats)
    if offer is HTML:
        prefixes = {**void.PREFIXES, **settings.prefixes}
        return HTMLResponse(html.void_page(url=url, triples=triples, stats=stats, prefixes=prefixes), headers=headers)
    prefixes = void.PREFIXES if offer.key in ("turtle", "rdfxml") else None
    body = ox.serialize(triples, format=sparql.GRAPH_FORMATS[offer.key], prefixes=prefixes)
    return Response(body, media_type=offer.content_type, headers=headers)


def dump(request: Request, engine: sparql.Engine = Depends(get_engine)) -> Response:
    """A dump file of the build served (the one the queries answer from), with its media type."""
    name, media_type = void.DUMPS[request.url.path]
    build = engine.build
    validators = conditional.build_validators(build, media_type)
    if conditional.not_modified(request, validators):
        return Response(status_code=304, headers=validators)
    if build.folder is None:  # a remote store: the dataset is read from it
        fmt = ox.RdfFormat.TRIG if name.endswith(".trig") else ox.RdfFormat.N_QUADS
        disposition = {"Content-Disposition": f'inline; filename="andts-{build.info.id}{Path(name).suffix}"'}
        return Response(engine.dump(fmt), media_type=media_type,  # type: ignore[attr-defined]
                        headers={**validators, **disposition})
    path = build.folder / name
    if not path.is_file():
        raise StoreError(f"the build {build.info.id} served here has no {name} (it may have been pruned by "
                         "newer builds); restart the server to serve the current build")
    filename = f"andts-{build.info.id}{path.suffix}"
    return FileResponse(path, media_type=media_type, filename=filename, content_disposition_type="inline",
                        headers=validators)


# --- helpers the routes share ---------------------------------------------------------------------


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _note_html(request: Request, formats: list[str] | tuple[str, ...], query: str | None) -> None:
    """Remember whether errors should be shown as the HTML page (the client prefers HTML)."""
    try:
        header = negotiation.accept_for(request.headers.get("accept"), formats)
    except errors.BadRequest:
        header = None
    request.state.html = negotiation.best_offer(header, negotiation.RESULTS_OFFERS) is HTML
    request.state.query = query


def _describe(request: Request, settings: Settings, engine: sparql.Engine) -> Response:
    """The service description for machines, the query form for browsers."""
    offer = negotiation.choose_graph(request.headers.get("accept"), request.query_params.getlist("format"))
    headers = {"Vary": "Accept"}
    endpoint = _endpoint(request)
    if offer is HTML:
        info = engine.build.info
        return HTMLResponse(html.page(endpoint=endpoint, query=None, prefixes=settings.prefixes, build_id=info.id,
                                      triples=info.triples, named=request.app.state.named_queries), headers=headers)
    void_url = str(request.base_url).rstrip("/") + "/.well-known/void"
    triples = description.service_description(endpoint, engine.build, settings.allow_service, void_url)
    prefixes = description.PREFIXES if offer.key in ("turtle", "rdfxml") else None
    body = ox.serialize(triples, format=sparql.GRAPH_FORMATS[offer.key], prefixes=prefixes)
    return Response(body, media_type=offer.content_type, headers=headers)


def _answer(request: Request, query: protocol.QueryRequest, settings: Settings, engine: sparql.Engine) -> Response:
    ready = _prepare(request, query, settings, engine)
    if isinstance(ready, Response):
        return ready
    job, choice, headers = ready
    return _respond(request, query, settings, engine, choice, headers, engine.run(job))


def _prepare(request: Request, query: protocol.QueryRequest, settings: Settings, engine: sparql.Engine
             ) -> Response | tuple[sparql.Job, Choice, dict[str, str]]:
    """The job for a query, what the client accepts and the response's validators; or the answer
    already (304 Not Modified). Raises the typed errors of a query refused before any worker sees it."""
    accept = negotiation.accept_for(request.headers.get("accept"), query.formats)
    choice = negotiation.choose(accept)
    job = sparql.Job(
        query=query.query, default_graphs=query.default_graphs, named_graphs=query.named_graphs,
        # HTML tables are made here from XML results or N-Triples that the worker serialised
        results_format=_worker_format(choice.results, "xml"), graph_format=_worker_format(choice.graph, "ntriples"),
        max_rows=settings.max_rows, base_iri=settings.base_iri, prefixes=tuple(settings.prefixes.items()),
        allow_service=settings.allow_service,
    )
    shape = sparql.check(job)  # updates and SERVICE are refused before a worker is involved
    if shape.kind is not None and choice.for_kind(shape.kind) is None:
        raise negotiation.not_acceptable_for(shape.kind, accept)
    job = replace(job, shape=shape)
    validators = _validators(engine.build, job, choice)
    if conditional.not_modified(request, validators):
        return Response(status_code=304, headers={**validators, "Vary": "Accept"})
    return job, choice, {**validators, "Vary": "Accept"}


def _respond(request: Request, query: protocol.QueryRequest, settings: Settings, engine: sparql.Engine,
             choice: Choice, headers: dict[str, str], result: sparql.Result) -> Response:
    offer = choice.for_kind(result.kind)
    if offer is HTML:
        info = engine.build.info
        page = html.page(endpoint=_endpoint(request), query=query.query, prefixes=settings.prefixes,
                         result_table=html.table(result, settings.prefixes), build_id=info.id, triples=info.triples,
                         named=request.app.state.named_queries, graph_params=_graph_params(query), kind=result.kind)
        return HTMLResponse(page, headers=headers)
    assert offer is not None  # the worker refuses a kind with no offer
    return Response(result.body, media_type=offer.content_type, headers=headers)


def _graph_params(query: protocol.QueryRequest) -> list[tuple[str, str]]:
    return [*(("default-graph-uri", g) for g in query.default_graphs),
            *(("named-graph-uri", g) for g in query.named_graphs)]


def _worker_format(offer: negotiation.Offer | None, for_html: str) -> str | None:
    if offer is None:
        return None
    return for_html if offer is HTML else offer.key


def _validators(build: sparql.Build, job: sparql.Job, choice: Choice) -> dict[str, str]:
    """ETag (the build and the request) and Last-Modified (the build's time)."""
    key = json.dumps([job.query, job.default_graphs, job.named_graphs, job.results_format, job.graph_format,
                      job.max_rows, job.base_iri, choice.results and choice.results.media_type,
                      choice.graph and choice.graph.media_type], ensure_ascii=False)
    return conditional.build_validators(build, key)


async def _on_error(request: Request, exc: Exception) -> Response:
    """Every typed error becomes its status (errors.STATUS) with the message as the body; for a browser,
    the query page with the message and the query to fix."""
    status = errors.status_of(exc)
    headers = errors.headers_of(exc)
    if getattr(request.state, "html", False):
        settings = request.app.state.settings
        page = html.page(endpoint=_endpoint(request), query=getattr(request.state, "query", None),
                         prefixes=settings.prefixes, error=str(exc), status=status,
                         named=request.app.state.named_queries)
        return HTMLResponse(page, status_code=status, headers=headers)
    return PlainTextResponse(f"{exc}\n", status_code=status, headers=headers)
