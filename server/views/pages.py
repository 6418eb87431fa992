"""HTML pages for people: entity pages (one base template, an optional per-class template), ontology
reference pages, class listings, the home page, search and the comparison of municipalities.

Each function takes what the store said (views.py, browse.py, vocabulary.py) and a PageContext, and
returns HTML. Jinja2 autoescapes everything; the one unescaped value is the embedded JSON-LD, which
jsonld.for_script makes safe inside <script>. No web framework here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from andts.server.views import browse, entity as views
from andts.server.http import jsonld
from andts.server.views.html import env
from andts.server.views.vocabulary import OWL, Term, pick
from andts.server.views.entity import Link, PageContext
from andts.server.http.void import Statistics

#: The RDF variants every described page links to: (extension, name, media type).
FORMATS = ((".ttl", "Turtle", "text/turtle"), (".jsonld", "JSON-LD", "application/ld+json"),
           (".nt", "N-Triples", "application/n-triples"), (".rdf", "RDF/XML", "application/rdf+xml"))


@dataclass(frozen=True)
class Format:
    name: str
    href: str
    media_type: str


def formats(ctx: PageContext, path: str) -> list[Format]:
    """Links to the RDF variants of the document at `path` (a server path like /id/x)."""
    return [Format(name, ctx.root + path.lstrip("/") + ext, media) for ext, name, media in FORMATS]


def _render(template: str | list[str], ctx: PageContext, **values: object) -> str:
    chosen = env.get_or_select_template(template)
    return chosen.render(ctx=ctx, L=ctx.lang, root=ctx.root, **values)


def entity_page(view: views.EntityView, ctx: PageContext, path: str, prefixes: dict[str, str]) -> str:
    """An entity's page: `entity-<Class>.html` for its most specific class when there is one, else
    `entity.html`."""
    local = view.main_type.rsplit("/", 1)[-1] if view.main_type else ""
    document = jsonld.compact(view.own_triples, prefixes)
    return _render([f"entity-{local}.html", "entity.html"] if local.isidentifier() else "entity.html", ctx,
                   e=view, formats=formats(ctx, path), jsonld=jsonld.for_script(document))


def not_found_page(ctx: PageContext, iri: str) -> str:
    return _render("not_found.html", ctx, iri=iri)


# --- the ontology -----------------------------------------------------------------------------------------


@dataclass
class TermRow:
    term: Term
    link: Link
    count: int
    domain: list[Link]
    range: list[Link]


def _term_link(ctx: PageContext, iri: str) -> Link:
    if iri == OWL + "Thing":
        return Link(label=ctx.t("any"), href=ctx.href(iri), iri=iri, local=False)
    return Link(label=ctx.term(iri), href=ctx.href(iri), iri=iri, lang=ctx.lang, local=iri.startswith(ctx.base))


def _term_row(ctx: PageContext, term: Term, stats: Statistics) -> TermRow:
    count = class_count(ctx, term.iri, stats) if term.is_class else stats.property_triples.get(term.iri, 0)
    return TermRow(term=term, link=_term_link(ctx, term.iri), count=count,
                   domain=[_term_link(ctx, d) for d in term.domain], range=[_term_link(ctx, r) for r in term.range])


def class_count(ctx: PageContext, iri: str, stats: Statistics) -> int:
    """Instances of a class and of its subclasses (VoID counts each class on its own)."""
    return sum(stats.classes.get(c, 0) for c in [iri, *ctx.vocabulary.descendants(iri)])


def ontology_page(ctx: PageContext, stats: Statistics, ontology: views.EntityView | None, prefixes: dict[str, str]) -> str:
    """The ontology reference: every andts: class and property with names, definition, domain, range and
    how often the build uses it."""
    ours = [t for iri, t in ctx.vocabulary.terms.items() if iri.startswith(ctx.ns)]
    label = lambda row: row.link.label.casefold()  # noqa: E731
    classes = sorted((_term_row(ctx, t, stats) for t in ours if t.is_class), key=label)
    properties = sorted((_term_row(ctx, t, stats) for t in ours if t.is_property), key=label)
    document = jsonld.compact(ontology.own_triples, prefixes) if ontology else "{}"
    return _render("ontology.html", ctx, classes=classes, properties=properties, ontology=ontology,
                   formats=formats(ctx, "/def"), jsonld=jsonld.for_script(document))


def term_page(ctx: PageContext, term: Term, stats: Statistics, path: str, view: views.EntityView | None,
              listing: browse.InstancePage | None, prefixes: dict[str, str],
              instances: list[dict[str, object]] | None = None) -> str:
    """One ontology term: its documentation, and for a class its instances (paged, sortable)."""
    row = _term_row(ctx, term, stats)
    parents = [_term_link(ctx, p) for p in term.parents]
    children = [_term_link(ctx, c) for c in term.children]
    domain_of = sorted((_term_link(ctx, t.iri) for t in ctx.vocabulary.terms.values()
                        if term.is_class and term.iri in t.domain), key=lambda link: link.label.casefold())
    document = jsonld.compact(view.own_triples, prefixes) if view else "{}"
    return _render("term.html", ctx, row=row, term=term, parents=parents, children=children, domain_of=domain_of,
                   listing=listing, instances=instances or [], columns=_columns(ctx, path, listing) if listing else [],
                   pager=_pager(ctx, path, listing) if listing else None, path=path, e=view,
                   formats=formats(ctx, path), jsonld=jsonld.for_script(document))


@dataclass
class Column:
    key: str | None  # the sort key, None when the column does not sort
    label: str
    href: str | None
    sorted: str | None  # "ascending" / "descending" for the column the list is sorted by


def _columns(ctx: PageContext, path: str, listing: browse.InstancePage) -> list[Column]:
    out = []
    for key, label in ((None, ctx.t("notation")), ("label", ctx.t("label")), ("municipality", ctx.t("municipality")),
                       ("document", ctx.t("source_line"))):
        if key is None:
            out.append(Column(None, label, None, None))
            continue
        current = listing.sort == key
        descending = not listing.descending if current else False
        params = [("sort", key)] + ([("order", "desc")] if descending else [])
        out.append(Column(key, label, ctx.page(path, params),
                          ("descending" if listing.descending else "ascending") if current else None))
    return out


@dataclass
class Pager:
    previous: str | None
    next: str | None
    text: str


def _pager(ctx: PageContext, path: str, listing: browse.InstancePage) -> Pager:
    def at(page: int) -> str:
        params = [("sort", listing.sort)] + ([("order", "desc")] if listing.descending else []) + [("page", str(page))]
        return ctx.page(path, params)

    return Pager(previous=at(listing.page - 1) if listing.page > 1 else None,
                 next=at(listing.page + 1) if listing.page < listing.pages else None,
                 text=ctx.t("page_n_of", page=listing.page, pages=listing.pages))


def instance_links(ctx: PageContext, listing: browse.InstancePage, labels: dict[str, dict[str, str]]) -> list[dict[str, object]]:
    out = []
    for r in listing.rows:
        municipality = r.get("municipality")
        out.append({
            "link": Link(label=r["label"].value, href=ctx.href(r["s"].value), iri=r["s"].value),
            "notation": r["notation"].value if "notation" in r else "",
            "municipality": Link(label=pick(labels.get(municipality.value, {}), ctx.lang) or
                                 ctx.vocabulary.compact(municipality.value), href=ctx.href(municipality.value),
                                 iri=municipality.value) if isinstance(municipality, ox.NamedNode) else None,
            "line": r["line"].value if "line" in r else "",
        })
    return out


# --- graphs -----------------------------------------------------------------------------------------------


def graph_page(ctx: PageContext, iri: str, path: str, triples: list[ox.Triple], total: int, summary: bool,
               labels: dict[str, dict[str, str]]) -> str:
    name = views.Namer(ctx, labels)
    rows = [(name.value(t.subject), name.value(t.predicate), name.value(t.object)) for t in triples]
    title = pick(labels.get(iri, {}), ctx.lang) or iri
    return _render("graph.html", ctx, iri=iri, title=title, rows=rows, total=total, summary=summary,
                   formats=formats(ctx, path))


# --- home, search, comparison --------------------------------------------------------------------------


def home_page(ctx: PageContext, municipalities: list[dict[str, object]], counts: list[tuple[Link, int]],
              stats: Statistics) -> str:
    return _render("home.html", ctx, municipalities=municipalities, counts=counts, stats=stats)


def search_page(ctx: PageContext, query: str, hits: list[dict[str, object]], total: int) -> str:
    return _render("search.html", ctx, query=query, hits=hits, total=total)


def compare_page(ctx: PageContext, **values: object) -> str:
    return _render("compare.html", ctx, **values)


def compare_cell_page(ctx: PageContext, **values: object) -> str:
    return _render("compare_cell.html", ctx, **values)
