"""The data quality of the build served (/quality): the findings about the source documents and the SHACL
warnings the build recorded, per programme past a size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from andts import validation
from andts.server.engine import reader, sparql
from andts.server.errors import BadRequest
from andts.server.http import conditional
from andts.server.http.params import Lang, ProgrammeKey, ShapeKey
from andts.server.views import context, render
from andts.server.views.context import PageContext, page_context
from andts.server.views.validate import served_results


def _programmes(engine: sparql.Engine, ns: str) -> dict[str, str]:
    """Each programme graph's programme (to name the graph by the programme's label)."""
    rows = reader.select(engine, f"SELECT ?g ?p WHERE {{ GRAPH ?g {{ ?p a <{ns}Programme> }} }}")
    return {row["g"].value: row["p"].value for row in rows}


def _findings(engine: sparql.Engine, ns: str) -> list[reader.Row]:
    return reader.select(engine, f"""
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?f ?g ?kind ?about ?line ?description ?text ?suggestion WHERE {{
  GRAPH ?g {{ ?f a <{ns}Finding> }}
  OPTIONAL {{ ?f <{ns}findingKind> ?kind }}
  OPTIONAL {{ ?f <{ns}about> ?about }}
  OPTIONAL {{ ?f <{ns}sourceLine> ?line }}
  OPTIONAL {{ ?f dcterms:description ?description }}
  OPTIONAL {{ ?f <{ns}sourceText> ?text }}
  OPTIONAL {{ ?f <{ns}suggestion> ?suggestion }}
}}""")


#: Past this many findings and warnings /quality shows counts per programme, each programme's list on its
#: own page (`?programme=`): at national size one list would be megabytes of HTML.
FULL_LIST_LIMIT = 1000


def _documents(engine: sparql.Engine, ns: str) -> dict[str, str]:
    """Each programme's source document → the programme's graph (a recorded warning names its document)."""
    rows = reader.select(engine, f"""
SELECT ?g ?doc WHERE {{ GRAPH ?g {{ ?p a <{ns}Programme> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?doc }} }}""")
    return {row["doc"].value: row["g"].value for row in rows}


@dataclass
class _Selection:
    """What /quality lists: the findings (rows) and warnings chosen by the request, or their counts."""

    rows: list[reader.Row]
    warnings: list[dict]
    chosen: str | None = None  # the programme's graph, with `?programme=`
    summary: list[dict[str, object]] | None = None  # counts per programme, past FULL_LIST_LIMIT
    shape_counts: list[dict[str, object]] | None = None  # counts per shape, past FULL_LIST_LIMIT
    counted: list[reader.Row] = field(default_factory=list)  # the findings the kinds are counted over


def quality(request: Request, key: ProgrammeKey = None, shape_key: ShapeKey = None, lang: Lang = None) -> Response:
    """The served build's findings, by programme (the named graph) in source order, and its SHACL
    warnings as `andts build` recorded them, by shape; past FULL_LIST_LIMIT of them, the counts per
    programme and per shape, and the list of one programme (`?programme=` the last part of its graph's IRI)
    or of one shape's warnings (`?shape=shapes:Name`) a page."""
    headers = context.validators(request)
    if conditional.not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    _, engine, cache = context.parts(request)
    ctx = page_context(request, lang)
    rows = cache.get(engine, "quality-findings", lambda e: _findings(e, ctx.ns))
    warnings = engine.build.info.warnings
    if engine.build.folder is None:  # a remote store: no build.json; validate what it serves, once per build
        warnings = cache.get(engine, "quality-warnings", served_results)
    programme_of = cache.get(engine, "quality-programmes", lambda e: _programmes(e, ctx.ns))
    graph_of_document = cache.get(engine, "quality-documents", lambda e: _documents(e, ctx.ns))

    def graph_of(w: dict) -> str:  # "" for what no programme's document holds (the reference data)
        return graph_of_document.get(w.get("sourceDocument") or "", "")

    if shape_key is not None:
        warnings = [w for w in warnings if validation.short(URIRef(w["sourceShape"])) == shape_key]
        if not warnings:
            raise BadRequest("shape must be a shape with warnings in this build (shapes:Name), as the links on "
                             "/quality have them")
    chosen = None
    if key is not None:
        chosen = next((g for g in programme_of if g.rsplit("/", 1)[-1] == key), None)
        if chosen is None:
            raise BadRequest("programme must be the last part of a programme graph's IRI, as the links on /quality "
                             "have them")
    sel = _select(ctx, rows, warnings, chosen, shape_key, graph_of, programme_of)
    name = context.Namer(ctx, context.labels_of(engine, _wanted(sel, programme_of)))
    if sel.summary is not None:
        for item in sel.summary:
            item["programme"] = name.link(programme_of.get(item["graph"], item["graph"]))
    programmes = _finding_items(ctx, name, sel.rows)
    body = render.render_page(
        "quality.html", ctx, build=engine.build.info,
        programmes=[(name.link(programme_of.get(g, g)), items) for g, items in programmes.items()],
        kinds=_kind_counts(name, sel.counted if sel.summary is not None else sel.rows),
        findings=len(rows) if chosen is None else len(sel.rows), warnings=_warning_items(ctx, name, sel.warnings),
        warning_count=len(warnings) if chosen is None else len(sel.warnings), summary=sel.summary,
        chosen=name.link(programme_of.get(chosen, chosen)) if chosen else None,
        shape_counts=sel.shape_counts, chosen_shape=shape_key, all_href=ctx.page("quality"))
    return HTMLResponse(body, headers=headers)


def _select(ctx: PageContext, rows: list[reader.Row], warnings: list[dict], chosen: str | None,
            shape_key: str | None, graph_of: Callable[[dict], str], programme_of: dict[str, str]) -> _Selection:
    """One programme's findings and warnings, one shape's warnings, everything, or past FULL_LIST_LIMIT the
    counts per programme and per shape."""
    if chosen is not None:
        return _Selection([r for r in rows if r["g"].value == chosen], [w for w in warnings if graph_of(w) == chosen],
                          chosen=chosen)
    if shape_key is not None:
        return _Selection([], warnings)  # that shape's warnings only
    if len(rows) + len(warnings) <= FULL_LIST_LIMIT:
        return _Selection(rows, warnings)
    found = Counter(r["g"].value for r in rows)
    warned = Counter(graph_of(w) for w in warnings)
    summary: list[dict[str, object]] = [
        {"graph": g, "findings": found.get(g, 0), "warnings": warned.get(g, 0),
         "href": ctx.page("quality", [("programme", g.rsplit("/", 1)[-1])])}
        for g in sorted(set(found) | set(warned) | set(programme_of)) if g]
    per_shape = Counter((w["severity"], validation.short(URIRef(w["sourceShape"]))) for w in warnings)
    shape_counts: list[dict[str, object]] = [
        {"severity": severity, "shape": shape, "n": n, "href": ctx.page("quality", [("shape", shape)])}
        for (severity, shape), n in sorted(per_shape.items())]
    return _Selection([], [], summary=summary, shape_counts=shape_counts, counted=rows)


def _wanted(sel: _Selection, programme_of: dict[str, str]) -> set[str]:
    """The IRIs whose labels the page shows."""
    wanted = set(programme_of.values())
    wanted |= {v.value for r in sel.rows for k, v in r.items() if k in ("g", "kind", "about") and isinstance(v, ox.NamedNode)}
    wanted |= {w["focusNode"] for w in sel.warnings} | {w["sourceDocument"] for w in sel.warnings if w.get("sourceDocument")}
    return wanted | {r["kind"].value for r in sel.counted if "kind" in r}


def _kind_counts(name: context.Namer, rows: list[reader.Row]) -> list[tuple[str, int]]:
    kinds = Counter(name.link(r["kind"].value).label for r in rows if "kind" in r)
    return sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))


def _finding_items(ctx: PageContext, name: context.Namer, rows: list[reader.Row]) -> dict[str, list[dict[str, object]]]:
    programmes: dict[str, list[dict[str, object]]] = {}
    for r in sorted(rows, key=lambda r: (reader.text(r, "g"), reader.integer(r, "line"), reader.text(r, "f"))):
        programmes.setdefault(r["g"].value, []).append({
            "link": context.Link(label=ctx.t("finding"), href=ctx.href(r["f"].value), iri=r["f"].value),
            "kind": name.link(r["kind"].value) if "kind" in r else None,
            "about": name.link(r["about"].value) if "about" in r else None,
            "line": reader.text(r, "line"), "description": reader.text(r, "description"),
            "text": reader.text(r, "text"), "suggestion": reader.text(r, "suggestion"),
        })
    return programmes


def _warning_items(ctx: PageContext, name: context.Namer, warnings: list[dict]
                   ) -> list[tuple[tuple[str, str], list[dict[str, object]]]]:
    by_shape: dict[tuple[str, str], list[dict[str, object]]] = {}
    for w in warnings:
        by_shape.setdefault((w["severity"], validation.short(URIRef(w["sourceShape"]))), []).append({
            "focus": name.link(w["focusNode"], fallback=w.get("focusLabel")),
            "source": name.link(w["sourceDocument"], fallback=w.get("sourceDocumentLabel"))
            if w.get("sourceDocument") else None,
            "line": w.get("sourceLine"), "path": w.get("path"), "value": w.get("value"),
            "message": (w.get("messages") or {}).get(ctx.lang) or w.get("message", ""),
        })
    return sorted(by_shape.items())
