"""The service's own documents: liveness and readiness (/health, /ready), the VoID description of the
dataset (/.well-known/void) and the dumps of the build served.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from andts.errors import StoreError
from andts.server.engine import sparql
from andts.server.http import conditional, negotiation, void
from andts.server.http.deps import get_engine, get_settings
from andts.server.http.endpoint import endpoint_url
from andts.server.http.negotiation import HTML
from andts.server.http.params import Formats
from andts.server.settings import Settings
from andts.server.views import editor


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


def void_description(request: Request, formats: Formats = [], settings: Settings = Depends(get_settings),
                     engine: sparql.Engine = Depends(get_engine)) -> Response:
    """VoID: Turtle by default, the other RDF formats by Accept or `format`, a table for a browser."""
    offer = negotiation.choose_graph(request.headers.get("accept"), formats)
    build = engine.build
    validators = conditional.build_validators(build, offer.media_type)
    headers = {**validators, "Vary": "Accept"}
    if conditional.not_modified(request, validators):
        return Response(status_code=304, headers=headers)
    stats = request.app.state.statistics.get(engine)
    url = endpoint_url(request)
    base = str(request.base_url).rstrip("/")
    triples = void.description(url, base + "/sparql", [base + p for p in void.DUMPS], build, stats)
    if offer is HTML:
        prefixes = {**void.PREFIXES, **settings.prefixes}
        return HTMLResponse(editor.void_page(url=url, triples=triples, stats=stats, prefixes=prefixes), headers=headers)
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
