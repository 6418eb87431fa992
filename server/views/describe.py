"""The HTML answer for an IRI under the base: the ontology reference (/def), a term page with its
instances (/def/Term), a named graph's triples (/graph/…), or an entity page; a 404 page when nothing
is known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from andts.server.engine import reader
from andts.server.engine.cache import Recent
from andts.server.http import conditional
from andts.server.views import context, entity, ontology, render

if TYPE_CHECKING:
    from andts.server.http.linked_data import Target
from andts.server.views.context import PageContext, page_context, parts, validators
from andts.server.views.ontology import listing_params
from andts.server.views.render import formats, render_page
from andts.server.views.vocabulary import pick

#: The triples of a named graph shown on its page; the whole graph is in the RDF variants and the dumps.
GRAPH_PAGE_TRIPLES = 1000


def describe(request: Request, t: Target, vary: bool = True, lang: str | None = None,
             listed_by: tuple[str, str, str] = ("document", "asc", "1")) -> Response:
    """The page for an IRI under the base: the ontology reference (/def), a term page with its instances
    (/def/Term), a graph's triples (/graph/…), or an entity page; 404 page when nothing is known.
    `vary`: the page was negotiated (no .html extension), so caches must key it on Accept; `listed_by`: a class
    page's sort, order and page."""
    settings, engine, cache = parts(request)
    negotiated = {"Vary": "Accept", "Content-Location": (request.scope.get("root_path", "") + t.path + ".html")} if vary else {}
    headers = {**validators(request), **negotiated}
    if conditional.not_modified(request, headers):
        return Response(status_code=304, headers=headers)
    ctx = page_context(request, lang)
    stats = request.scope["app"].state.statistics.get(engine)
    path = t.path
    if t.kind == "ontology":
        view = entity.entity(engine, t.iri, ctx)
        return HTMLResponse(ontology.ontology_page(ctx, stats, view, settings.prefixes), headers=headers)
    if t.kind == "graph":
        total = engine.build.info.graphs.get(t.iri.value)
        if total is None:
            return HTMLResponse(render.not_found_page(ctx, t.iri.value), status_code=404, headers=negotiated)
        triples = reader.construct(engine, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {reader.term(t.iri)} {{ ?s ?p ?o }} }} "
                                           f"ORDER BY ?s ?p ?o LIMIT {GRAPH_PAGE_TRIPLES}")
        names = {x.value for tr in triples for x in (tr.subject, tr.predicate, tr.object) if isinstance(x, ox.NamedNode)}
        labels = context.labels_of(engine, names | {t.iri.value})
        return HTMLResponse(graph_page(ctx, t.iri.value, path, triples, total, total > len(triples), labels),
                            headers=headers)
    term = ctx.vocabulary.terms.get(t.iri.value) if t.iri.value.startswith(ctx.ns) else None
    view = entity.entity(engine, t.iri, ctx, instances_listed=term is not None and term.is_class)
    if term is not None and (term.is_class or term.is_property):
        listing, instances = None, []
        if term.is_class:
            classes = [term.iri, *ctx.vocabulary.descendants(term.iri)]
            sort, descending, page = listing_params(*listed_by)
            orders: Recent = cache.get(engine, "instance-orders", lambda e: Recent())
            order = orders.get((tuple(classes), "" if sort == "document" else ctx.lang, sort),
                               lambda: ontology.instance_order(engine, ctx.ns, classes, ctx.lang, sort))
            listing = ontology.instances(engine, ctx.ns, classes, ctx.lang, sort, descending, page, order=order)
            municipalities = {r["municipality"].value for r in listing.rows if "municipality" in r}
            instances = ontology.instance_links(ctx, listing, context.labels_of(engine, municipalities))
        return HTMLResponse(ontology.term_page(ctx, term, stats, path, view, listing, settings.prefixes, instances),
                            headers=headers)
    if view is None:
        return HTMLResponse(render.not_found_page(ctx, t.iri.value), status_code=404, headers=negotiated)
    return HTMLResponse(entity.entity_page(view, ctx, path, settings.prefixes), headers=headers)


def graph_page(ctx: PageContext, iri: str, path: str, triples: list[ox.Triple], total: int, summary: bool,
               labels: dict[str, dict[str, str]]) -> str:
    name = context.Namer(ctx, labels)
    rows = [(name.value(t.subject), name.value(t.predicate), name.value(t.object)) for t in triples]
    title = pick(labels.get(iri, {}), ctx.lang) or iri
    return render_page("graph.html", ctx, iri=iri, title=title, rows=rows, total=total, summary=summary,
                   formats=formats(ctx, path))
