"""The query catalogue in the browser and for any HTTP client: `/queries` lists the named queries of
`queries/`, `/queries/{name}` shows one with a form for its parameters and, once run, its results.

    GET /queries                       the catalogue (HTML)
    GET /queries/{name}                the query: header, parameter form, the query text, links
    GET /queries/{name}?k=v&run=1      … run with those parameters: an HTML table (a browser), or the
                                       results as JSON, XML, CSV or TSV (`format=` or Accept, like /sparql)

Parameters are bound by `andts.catalogue` (validated pyoxigraph terms written into the query's VALUES
blocks), so the query that runs is plain text: the worker pool runs it like any /sparql query, and
"open in the editor" hands exactly that text to /sparql. The URL with the parameters is the permalink.
Unknown query: 404. Bad parameter (undeclared, ill-typed, or naming nothing in the graph): 400.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Path
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from andts import catalogue
from andts.server.engine import sparql
from andts.server.errors import BadRequest
from andts.server.http import negotiation
from andts.server.http.negotiation import HTML
from andts.server.http.params import Formats, Run
from andts.server.settings import Settings
from andts.server.views import render, results

QueryName = Annotated[str, Path(description="The named query (a file of queries/).")]

#: html.py's template environment: its globals (ui, with_lang, L, root) are what base.html needs.
_env = render.env

#: Request parameters that are not query parameters: `run` (the form's button) and `format`.
CONTROLS = ("run", "format")
#: Download formats offered beside the table (the `format` names of /sparql).
DOWNLOADS = (("csv", "CSV"), ("json", "JSON"), ("tsv", "TSV"), ("xml", "XML"))


def list_page(request: Request) -> Response:
    named = request.app.state.named_queries
    body = _env.get_template("queries.html").render(queries=named)
    return HTMLResponse(body)


def query_page(request: Request, name: QueryName, run_now: Run = None, formats: Formats = []) -> Response:
    """A named query: its form and results for a browser, its results for any other client. The query's own
    parameters are read from the request as the catalogue declares them (openapi.py lists them)."""
    named: list[catalogue.NamedQuery] = request.app.state.named_queries
    settings: Settings = request.app.state.settings
    engine: sparql.Engine = request.app.state.engine
    try:
        query = catalogue.find(named, name)
    except catalogue.UnknownQuery as exc:
        return _error(request, 404, str(exc))
    choice = negotiation.choose(request.headers.get("accept"), formats)  # BadRequest for an unknown format
    offer = choice.results
    if offer is None:
        raise negotiation.not_acceptable_for("solutions", request.headers.get("accept"))
    browser = offer is HTML
    try:
        values = _values(query, request)
        text = query.bind(values)
        run = not browser or run_now is not None or bool(values)
        if run:
            catalogue.check_exist(query, values, lambda ask: _ask(engine, settings, ask))
    except catalogue.BadParameter as exc:
        if not browser:
            raise BadRequest(str(exc)) from None
        return _page(query, dict(request.query_params), {}, text=query.text, error=str(exc), status=400)
    if not run:
        return _page(query, dict(request.query_params), values, text=text)
    job = sparql.Job(query=text, results_format="xml" if browser else offer.key, graph_format=None,
                     max_rows=settings.max_rows, base_iri=settings.base_iri,
                     prefixes=tuple(settings.prefixes.items()), allow_service=settings.allow_service)
    result = engine.run(job)
    if not browser:
        headers = {"Vary": "Accept"}
        if formats:  # a download link: name the file after the query
            headers["Content-Disposition"] = f'inline; filename="{query.name}.{offer.key}"'
        return Response(result.body, media_type=offer.content_type, headers=headers)
    return _page(query, dict(request.query_params), values, text=text, result=results.table(result, settings.prefixes))


def _values(query: catalogue.NamedQuery, request: Request) -> dict[str, str]:
    """The parameter values of the request: empty fields mean "the default"; anything undeclared, or a
    parameter given twice, is a BadParameter (never silently ignored)."""
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in CONTROLS:
            continue
        query.param(key)  # BadParameter for an undeclared name
        if key in values:
            raise catalogue.BadParameter(f"the parameter {key!r} is given twice")
        if value.strip():
            values[key] = value
    return values


def _ask(engine: sparql.Engine, settings: Settings, text: str) -> bool:
    result = engine.run(sparql.Job(query=text, results_format="json", graph_format=None,
                                   base_iri=settings.base_iri, max_rows=1))
    return bool(json.loads(result.body)["boolean"])


def links(query: catalogue.NamedQuery, values: dict[str, str]) -> dict[str, object]:
    """The permalink, the download links and the editor link of a run with these values."""
    given = query.given(values)
    base = f"/queries/{query.name}"
    return {
        "permalink": f"{base}?{urlencode([*given, ('run', '1')])}",
        "downloads": [(label, f"{base}?{urlencode([*given, ('format', name)])}") for name, label in DOWNLOADS],
        "editor": f"/sparql?{urlencode([('query', query.bind(values))])}",
    }


def _page(query: catalogue.NamedQuery, raw: Mapping[str, str], values: dict[str, str], *, text: str,
          result: results.Table | None = None, error: str | None = None, status: int = 200) -> Response:
    """The query's page; `raw` are the request's parameters as typed, kept in the form (escaped)."""
    fields = [(p, raw.get(p.name, "")) for p in query.params]
    body = _env.get_template("query.html").render(
        query=query, fields=fields, text=text, table=result, error=error, status=status,
        links=links(query, values) if error is None else None,
    )
    return HTMLResponse(body, status_code=status, headers={"Vary": "Accept"})


def _error(request: Request, status: int, message: str) -> Response:
    try:
        wants_html = negotiation.best_offer(request.headers.get("accept"), negotiation.RESULTS_OFFERS) is HTML
    except BadRequest:
        wants_html = False
    if wants_html:
        body = _env.get_template("queries.html").render(queries=request.app.state.named_queries, error=message)
        return HTMLResponse(body, status_code=status)
    return PlainTextResponse(f"{message}\n", status_code=status)
