"""The routes of the pages for people, and the HTML branch of dereferencing: each adapts a request to
the page functions (views.py, browse.py, pages.py) and back.

    GET /                                   home: municipalities, programmes, counts, search box, links
    GET /search?q=…                         diacritic-insensitive search over names and texts
    GET /compare                            national goals × municipalities; actors × national goals
    GET /compare/activities?goal=…&municipality=…   the activities of one cell of the comparison
    (and HTML for /id/…, /def, /def/…, /graph/…: see `describe`)

Every page takes `lang=sv|en` (Swedish by default), has an ETag and Last-Modified from the build and
answers If-None-Match with 304. Routes are plain `def`s: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from andts.server.views import browse, i18n, pages, entity as views
from andts.server.http import conditional
from andts.server.engine import reader, sparql
from andts.server.engine.cache import BuildCache, Recent
from andts.server.errors import BadRequest
from andts.server.settings import Settings
from andts.server.views.vocabulary import Vocabulary

if TYPE_CHECKING:
    from andts.server.http.linked_data import Target

#: The triples of a named graph shown on its page; the whole graph is in the RDF variants and the dumps.
GRAPH_PAGE_TRIPLES = 1000
#: Search hits shown.
SEARCH_HITS = 100
#: Longest search text taken.
SEARCH_MAX = 200
#: Kinds of entity counted on the home page, in this order.
HOME_CLASSES = ("Programme", "Goal", "FocusArea", "Activity", "ExistingWork", "SubGoal", "Actor", "Method", "Law",
                "Substance", "NationalGoal", "Finding")
PROGRAMME_COUNTS = ("Goal", "FocusArea", "Activity", "Finding")


# --- shared -----------------------------------------------------------------------------------------


def _parts(request: Request) -> tuple[Settings, sparql.Engine, BuildCache]:
    app = request.scope["app"]
    return app.state.settings, app.state.engine, app.state.pages


def context(request: Request) -> views.PageContext:
    settings, engine, cache = _parts(request)
    vocabulary = cache.get(engine, "vocabulary",
                           lambda e: Vocabulary.load(e, settings.base_iri, settings.prefixes))
    params = tuple((k, v) for k, v in request.query_params.multi_items() if k != "lang")
    return views.PageContext(base=settings.base_iri, root=request.scope.get("root_path", "") + "/",
                             lang=i18n.lang_of(request.query_params.get("lang")), vocabulary=vocabulary,
                             path=request.url.path, params=params)


def validators(request: Request) -> dict[str, str]:
    """ETag/Last-Modified of a page: the build, the path and the query string decide its content."""
    _, engine, _ = _parts(request)
    return conditional.build_validators(engine.build, f"html {request.url.path}?{request.url.query}")


def _respond(request: Request, render, status: int = 200) -> Response:  # noqa: ANN001  (render: () -> str | bytes)
    headers = validators(request)
    if status == 200 and conditional.not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(render(), status_code=status, headers=headers if status == 200 else None)


# --- home and search -----------------------------------------------------------------------------------


def home(request: Request) -> Response:
    def render() -> str:
        settings, engine, cache = _parts(request)
        ctx = context(request)
        ns = ctx.ns
        programmes = cache.get(engine, "programmes", lambda e: browse.programmes(e, ns))
        municipalities = cache.get(engine, "municipalities", lambda e: browse.municipalities(e, ns))
        stats = request.scope["app"].state.statistics.get(engine)
        names = {p.iri for p in programmes} | {p.strategy for p in programmes if p.strategy} | {m for m, _ in municipalities}
        name = views.Namer(ctx, views.labels_of(engine, names))

        def programme(p: browse.ProgrammeSummary) -> dict[str, object]:
            counts = []
            for local in PROGRAMME_COUNTS:
                n = sum(v for k, v in p.counts.items() if k in _with_subclasses(ctx, ns + local))
                counts.append((ctx.t(f"plural_{local}"), n, ctx.href(p.iri)))
            valid = "–".join(x[:4] if x else "" for x in (p.start, p.end)) if p.start or p.end else None
            return {"link": name.link(p.iri), "valid": valid, "strategy": name.link(p.strategy) if p.strategy else None,
                    "counts": counts}

        munis = [{"link": name.link(m), "code": code,
                  "programmes": [programme(p) for p in programmes if p.municipality == m]} for m, code in municipalities]
        counts = [(views.Link(label=ctx.t(f"plural_{c}"), href=ctx.href(ns + c), iri=ns + c),
                   pages.class_count(ctx, ns + c, stats)) for c in HOME_CLASSES]
        return pages.home_page(ctx, munis, counts, stats)

    return _respond(request, render)


def _with_subclasses(ctx: views.PageContext, iri: str) -> set[str]:
    return {iri, *ctx.vocabulary.descendants(iri)}


def search(request: Request) -> Response:
    def render() -> str:
        _, engine, cache = _parts(request)
        ctx = context(request)
        query = (request.query_params.get("q") or "")[:SEARCH_MAX]
        index = cache.get(engine, "search", browse.SearchIndex.load)
        hits, total = index.search(query, limit=SEARCH_HITS)
        facts = _brief(engine, ctx, [h.iri for h in hits])
        wanted = {h.iri for h in hits} | {m for _, m in facts.values() if m}
        name = views.Namer(ctx, views.labels_of(engine, wanted))
        shown = []
        for h in hits:
            kind, municipality = facts.get(h.iri, (None, None))
            shown.append({"link": name.link(h.iri), "kind": ctx.term(kind) if kind else None,
                          "municipality": name.link(municipality).label if municipality else None,
                          "property": ctx.term(h.property), "snippet": h.snippet, "lang": None})
        return pages.search_page(ctx, query, shown, total)

    return _respond(request, render)


def _brief(engine: sparql.Engine, ctx: views.PageContext, iris: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """The type to show and the municipality of each entity."""
    if not iris:
        return {}
    ns = ctx.ns
    values = " ".join(reader.term(ox.NamedNode(i)) for i in iris)
    types: dict[str, list[str]] = {}
    municipality: dict[str, str] = {}
    for r in reader.select(engine, f"""
SELECT ?s ?type ?municipality WHERE {{ VALUES ?s {{ {values} }}
  OPTIONAL {{ ?s a ?type }}
  OPTIONAL {{ ?s <{ns}municipality>|(<{ns}programme>/<{ns}municipality>)|(<{ns}about>/<{ns}programme>/<{ns}municipality>) ?municipality }}
}}"""):
        iri = r["s"].value
        types.setdefault(iri, [])
        if "type" in r and r["type"].value not in types[iri]:
            types[iri].append(r["type"].value)
        if "municipality" in r:
            municipality[iri] = r["municipality"].value
    return {i: (ctx.vocabulary.most_specific(sorted(types.get(i, [])), ns), municipality.get(i)) for i in iris}


# --- comparison -----------------------------------------------------------------------------------------


def _key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def compare(request: Request) -> Response:
    def render() -> bytes:
        _, engine, cache = _parts(request)
        ctx = context(request)
        pages_kept: Recent = cache.get(engine, "rendered-pages", lambda e: Recent(size=4))
        # the page is a function of the build, the query string and the root path (as its ETag says)
        key = ("compare", ctx.root, str(request.url.query))
        return pages_kept.get(key, lambda: made(engine, cache, ctx).encode("utf-8"))

    def made(engine: sparql.Engine, cache: BuildCache, ctx: views.PageContext) -> str:
        comp: browse.Comparison = cache.get(engine, "comparison", lambda e: browse.comparison(e, ctx.ns))
        actors = {a for by in comp.actors.values() for a in by}
        wanted = ({g.iri for g in comp.goals} | {e for g in comp.goals for e in g.earlier} | set(comp.municipalities)
                  | actors | ({comp.strategy} if comp.strategy else set()))
        name = views.Namer(ctx, views.labels_of(engine, wanted))
        rows = [(g.iri, g.notation, g.earlier) for g in comp.goals] + [("", "", [])]
        most = max((len(comp.cell(g, m)) for g, _, _ in rows for m in comp.municipalities), default=0)
        goals = []
        for iri, notation, earlier in rows:
            label = name.link(iri) if iri else views.Link(label=ctx.t("comparison_unlinked"), href="#", iri="", local=True)
            cells = []
            for m in comp.municipalities:
                n = len(comp.cell(iri, m))
                cells.append({"count": n, "heat": browse.heat(n, most),
                              "href": ctx.page("compare/activities", [("goal", _key(iri) if iri else "none"),
                                                                      ("municipality", _key(m))]),
                              "title": f"{name.link(m).label}, {notation or label.label}"})
            if iri or any(c["count"] for c in cells):
                goals.append({"link": label, "notation": notation, "earlier": [name.link(e) for e in earlier],
                              "cells": cells})
        municipalities = [{"link": name.link(m), "total": comp.total(m)} for m in comp.municipalities]
        overarching = "Ö" if ctx.lang == "sv" else "O"
        goal_heads = [{"short": g.notation or overarching, "title": name.link(g.iri).label} for g in comp.goals] + [{"short": "–", "title": ctx.t("comparison_unlinked")}]
        actor_tables = []
        for m in comp.municipalities:
            by_actor = comp.actors.get(m, {})
            most_here = max((n for gs in by_actor.values() for n in gs.values()), default=0)
            table_rows = []
            for actor, by_goal in by_actor.items():
                cells = [{"count": by_goal.get(g.iri, 0), "heat": browse.heat(by_goal.get(g.iri, 0), most_here)}
                         for g in comp.goals]
                cells.append({"count": by_goal.get("", 0), "heat": browse.heat(by_goal.get("", 0), most_here)})
                table_rows.append({"link": name.link(actor), "cells": cells, "total": sum(by_goal.values()),
                                   "coordinates": comp.coordinators.get(m, {}).get(actor, 0)})
            table_rows.sort(key=lambda r: (-r["total"], r["link"].label.casefold()))
            actor_tables.append({"municipality": name.link(m), "rows": table_rows})
        return pages.compare_page(ctx, strategy=name.link(comp.strategy) if comp.strategy else None, goals=goals,
                                  municipalities=municipalities, goal_heads=goal_heads, actor_tables=actor_tables)

    return _respond(request, render)


def compare_cell(request: Request) -> Response:
    """One cell of the comparison: looked up by the keys in the computed matrix, never put into a query."""
    _, engine, cache = _parts(request)
    ctx = context(request)
    comp: browse.Comparison = cache.get(engine, "comparison", lambda e: browse.comparison(e, ctx.ns))
    goal_key, municipality_key = request.query_params.get("goal", ""), request.query_params.get("municipality", "")
    goal = "" if goal_key == "none" else next((g.iri for g in comp.goals if _key(g.iri) == goal_key), None)
    municipality = next((m for m in comp.municipalities if _key(m) == municipality_key), None)
    if goal is None or municipality is None:
        raise BadRequest("goal must be the last part of a national goal's IRI (or none) and municipality the last part "
                         "of a municipality's IRI, as the links on /compare have them")

    def render() -> str:
        activities = comp.cell(goal, municipality)
        ns = ctx.ns
        rows: list[reader.Row] = []
        if activities:
            values = " ".join(reader.term(ox.NamedNode(a)) for a in activities)
            rows = reader.select(engine, f"""
SELECT ?activity ?area ?notation ?goal ?line WHERE {{ VALUES ?activity {{ {values} }}
  OPTIONAL {{ ?activity <{ns}focusArea> ?area OPTIONAL {{ ?area <{views.SKOS}notation> ?notation }}
             OPTIONAL {{ ?area <{ns}goal> ?goal }} }}
  OPTIONAL {{ ?activity <{ns}sourceLine> ?line }}
}}""")
        wanted = {v.value for r in rows for v in r.values() if isinstance(v, ox.NamedNode)} | {municipality}
        if goal:
            wanted.add(goal)
        name = views.Namer(ctx, views.labels_of(engine, wanted))
        seen: set[str] = set()
        items = []
        for r in sorted(rows, key=lambda r: (views.natural(reader.text(r, "notation")), reader.integer(r, "line"))):
            if r["activity"].value in seen:
                continue
            seen.add(r["activity"].value)
            items.append({"link": name.link(r["activity"].value),
                          "area": name.link(r["area"].value) if "area" in r else None,
                          "area_notation": reader.text(r, "notation"),
                          "goal": name.link(r["goal"].value) if "goal" in r else None})
        notation = next((g.notation for g in comp.goals if g.iri == goal), "") if goal else ""
        heading = ctx.t("comparison_cell", municipality=name.link(municipality).label,
                        goal=notation or (name.link(goal).label[:40] if goal else ctx.t("comparison_unlinked")))
        return pages.compare_cell_page(ctx, heading=heading, goal=name.link(goal) if goal else None, items=items)

    return _respond(request, render)


# --- HTML for dereferenced IRIs -------------------------------------------------------------------------


def describe(request: Request, t: Target, vary: bool = True) -> Response:
    """The page for an IRI under the base: the ontology reference (/def), a term page with its instances
    (/def/Term), a graph's triples (/graph/…), or an entity page; 404 page when nothing is known.
    `vary`: the page was negotiated (no .html extension), so caches must key it on Accept."""
    settings, engine, cache = _parts(request)
    negotiated = {"Vary": "Accept", "Content-Location": (request.scope.get("root_path", "") + t.path + ".html")} if vary else {}
    headers = {**validators(request), **negotiated}
    if conditional.not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    ctx = context(request)
    stats = request.scope["app"].state.statistics.get(engine)
    path = t.path
    if t.kind == "ontology":
        view = views.entity(engine, t.iri, ctx)
        return HTMLResponse(pages.ontology_page(ctx, stats, view, settings.prefixes), headers=headers)
    if t.kind == "graph":
        total = engine.build.info.graphs.get(t.iri.value)
        if total is None:
            return HTMLResponse(pages.not_found_page(ctx, t.iri.value), status_code=404, headers=negotiated)
        triples = reader.construct(engine, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {reader.term(t.iri)} {{ ?s ?p ?o }} }} "
                                           f"ORDER BY ?s ?p ?o LIMIT {GRAPH_PAGE_TRIPLES}")
        names = {x.value for tr in triples for x in (tr.subject, tr.predicate, tr.object) if isinstance(x, ox.NamedNode)}
        labels = views.labels_of(engine, names | {t.iri.value})
        return HTMLResponse(pages.graph_page(ctx, t.iri.value, path, triples, total, total > len(triples), labels),
                            headers=headers)
    term = ctx.vocabulary.terms.get(t.iri.value) if t.iri.value.startswith(ctx.ns) else None
    view = views.entity(engine, t.iri, ctx, instances_listed=term is not None and term.is_class)
    if term is not None and (term.is_class or term.is_property):
        listing, instances = None, []
        if term.is_class:
            classes = [term.iri, *ctx.vocabulary.descendants(term.iri)]
            sort, descending, page = _listing_params(request)
            orders: Recent = cache.get(engine, "instance-orders", lambda e: Recent())
            order = orders.get((tuple(classes), "" if sort == "document" else ctx.lang, sort),
                               lambda: browse.instance_order(engine, ctx.ns, classes, ctx.lang, sort))
            listing = browse.instances(engine, ctx.ns, classes, ctx.lang, sort, descending, page, order=order)
            municipalities = {r["municipality"].value for r in listing.rows if "municipality" in r}
            instances = pages.instance_links(ctx, listing, views.labels_of(engine, municipalities))
        return HTMLResponse(pages.term_page(ctx, term, stats, path, view, listing, settings.prefixes, instances),
                            headers=headers)
    if view is None:
        return HTMLResponse(pages.not_found_page(ctx, t.iri.value), status_code=404, headers=negotiated)
    return HTMLResponse(pages.entity_page(view, ctx, path, settings.prefixes), headers=headers)


def _listing_params(request: Request) -> tuple[str, bool, int]:
    sort = request.query_params.get("sort", "document")
    order = request.query_params.get("order", "asc")
    page = request.query_params.get("page", "1")
    # ASCII digits only and few of them: str.isdigit() takes '²', which int() refuses, and int() refuses
    # more than 4300 digits; both were 500s (tests/server/test_pages.py). Larger pages mean the last one.
    if sort not in browse.SORTS or order not in ("asc", "desc") or not re.fullmatch(r"[0-9]{1,18}", page):
        raise BadRequest(f"sort must be one of {', '.join(browse.SORTS)}, order asc or desc, page a number")
    return sort, order == "desc", int(page)
