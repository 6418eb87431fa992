"""The SPARQL 1.1 Protocol endpoint (/sparql): a query by GET or POST, answered in the negotiated format;
without a query, the service description (or the query form for a browser). Errors are answered as
text, or on the query page for a browser (`on_error`, the app's one exception handler).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pyoxigraph as ox
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from andts.errors import AndtsError
from andts.server import errors
from andts.server.engine import builds, checks, sparql
from andts.server.http import conditional, description, negotiation, protocol
from andts.server.http import errors as statuses
from andts.server.http.deps import get_engine, get_settings, read_body
from andts.server.http.negotiation import HTML, Choice
from andts.server.http.params import DefaultGraphs, Formats, NamedGraphs, QueryText
from andts.server.settings import Settings
from andts.server.views import editor, results


def sparql_get(request: Request, query_text: QueryText = None, default_graphs: DefaultGraphs = [],
               named_graphs: NamedGraphs = [], formats: Formats = [], settings: Settings = Depends(get_settings),
               engine: sparql.Engine = Depends(get_engine)) -> Response:
    """A query, or without one the service description (the query form for a browser). The protocol
    parser reads the raw parameters too: a repeated `query` and an `update` are refused, which typed
    parameters would pass over."""
    _negotiate(request, formats, query_text)
    query = protocol.parse(request.method, None, request.query_params.multi_items())
    if query is None:
        return _describe(request, settings, engine)
    return _answer(request, query, settings, engine)


class SparqlLookups:
    """`GET /sparql?query=…` from a client that does not ask for HTML, answered by the route's own code
    (`_answer`) without FastAPI's routing and dependency injection, which cost a large share of a point
    lookup's time (bench/results/design.md). Everything else goes on to FastAPI, which also still
    describes the route (OpenAPI); errors are answered as the route's are (`on_error`)."""

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
        _negotiate(request, params.getlist("format"), params.get("query"))
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
                response = respond(request, query, settings, engine, choice, headers, result)
        except AndtsError as exc:
            response = await on_error(request, exc)
        await response(scope, receive, send)


def sparql_post(request: Request, default_graphs: DefaultGraphs = [], named_graphs: NamedGraphs = [],
                formats: Formats = [], body: bytes = Depends(read_body), settings: Settings = Depends(get_settings),
                engine: sparql.Engine = Depends(get_engine)) -> Response:
    """A query in a form or an application/sparql-query body (the graphs and `format` may be in the URL, and
    in a form also in the body: the protocol parser reads both)."""
    query = protocol.parse("POST", request.headers.get("content-type"), request.query_params.multi_items(), body)
    assert query is not None  # a POST always carries a query, or parse raised
    _negotiate(request, query.formats, query.query)
    return _answer(request, query, settings, engine)


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _negotiate(request: Request, formats: list[str] | tuple[str, ...], query: str | None) -> None:
    """Negotiate once per request: the Accept header that counts (the `format` parameter's, when given) is
    kept on the request for the answer, and whether the client prefers HTML decides how errors look."""
    request.state.query = query
    try:
        request.state.accept = negotiation.accept_for(request.headers.get("accept"), formats)
    except errors.BadRequest as exc:
        request.state.accept, request.state.html = exc, False
        return
    request.state.html = negotiation.best_offer(request.state.accept, negotiation.RESULTS_OFFERS) is HTML


def _accept(request: Request) -> str | None:
    """The negotiated Accept header; the error of a bad `format` is raised here, where it is answered."""
    accept = request.state.accept
    if isinstance(accept, Exception):
        raise accept
    return accept


def _describe(request: Request, settings: Settings, engine: sparql.Engine) -> Response:
    """The service description for machines, the query form for browsers."""
    offer = negotiation.choose_graph(_accept(request))
    headers = {"Vary": "Accept"}
    endpoint = endpoint_url(request)
    if offer is HTML:
        info = engine.build.info
        return HTMLResponse(editor.page(endpoint=endpoint, query=None, prefixes=settings.prefixes, build_id=info.id,
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
    return respond(request, query, settings, engine, choice, headers, engine.run(job))


def _prepare(request: Request, query: protocol.QueryRequest, settings: Settings, engine: sparql.Engine
             ) -> Response | tuple[sparql.Job, Choice, dict[str, str]]:
    """The job for a query, what the client accepts and the response's validators; or the answer
    already (304 Not Modified). Raises the typed errors of a query refused before any worker sees it."""
    accept = _accept(request)
    choice = negotiation.choose(accept)
    job = sparql.Job(
        query=query.query, default_graphs=query.default_graphs, named_graphs=query.named_graphs,
        # HTML tables are made here from XML results or N-Triples that the worker serialised
        results_format=_worker_format(choice.results, "xml"), graph_format=_worker_format(choice.graph, "ntriples"),
        max_rows=settings.max_rows, base_iri=settings.base_iri, prefixes=tuple(settings.prefixes.items()),
        allow_service=settings.allow_service,
    )
    shape = checks.check(job)  # updates and SERVICE are refused before a worker is involved
    if shape.kind is not None and choice.for_kind(shape.kind) is None:
        raise negotiation.not_acceptable_for(shape.kind, accept)
    job = replace(job, shape=shape)
    validators = _validators(engine.build, job, choice)
    if conditional.not_modified(request, validators):
        return Response(status_code=304, headers={**validators, "Vary": "Accept"})
    return job, choice, {**validators, "Vary": "Accept"}


def respond(request: Request, query: protocol.QueryRequest, settings: Settings, engine: sparql.Engine,
             choice: Choice, headers: dict[str, str], result: sparql.Result) -> Response:
    offer = choice.for_kind(result.kind)
    if offer is HTML:
        info = engine.build.info
        page = editor.page(endpoint=endpoint_url(request), query=query.query, prefixes=settings.prefixes,
                         result_table=results.table(result, settings.prefixes), build_id=info.id, triples=info.triples,
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


def _validators(build: builds.Build, job: sparql.Job, choice: Choice) -> dict[str, str]:
    """ETag (the build and the request) and Last-Modified (the build's time)."""
    key = json.dumps([job.query, job.default_graphs, job.named_graphs, job.results_format, job.graph_format,
                      job.max_rows, job.base_iri, choice.results and choice.results.media_type,
                      choice.graph and choice.graph.media_type], ensure_ascii=False)
    return conditional.build_validators(build, key)


async def on_error(request: Request, exc: Exception) -> Response:
    """Every typed error becomes its status (http/errors.py) with the message as the body; for a browser,
    the query page with the message and the query to fix."""
    status = statuses.status_of(exc)
    headers = statuses.headers_of(exc)
    if getattr(request.state, "html", False):
        settings = request.app.state.settings
        page = editor.page(endpoint=endpoint_url(request), query=getattr(request.state, "query", None),
                         prefixes=settings.prefixes, error=str(exc), status=status,
                         named=request.app.state.named_queries)
        return HTMLResponse(page, status_code=status, headers=headers)
    return PlainTextResponse(f"{exc}\n", status_code=status, headers=headers)


async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
    """A parameter FastAPI refuses (a required one left out): 400 naming it, as every bad parameter is
    answered here, never FastAPI's 422."""
    names = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in exc.errors()))
    return await on_error(request, errors.BadRequest(f"missing or invalid parameter: {names}"))
