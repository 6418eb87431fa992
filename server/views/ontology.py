"""The ontology reference (/def) and a term's page (/def/Term): a class's instances sorted and paged, a
property's use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from andts.server.engine import reader, sparql
from andts.server.errors import BadRequest
from andts.server.http import jsonld
from andts.server.http.void import Statistics
from andts.server.views import entity
from andts.server.views.context import Link, PageContext
from andts.server.views.render import formats, render_page
from andts.server.views.vocabulary import OWL, RDFS, SKOS, Term, pick

if TYPE_CHECKING:
    pass


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


def ontology_page(ctx: PageContext, stats: Statistics, ontology: entity.EntityView | None, prefixes: dict[str, str]) -> str:
    """The ontology reference: every andts: class and property with names, definition, domain, range and
    how often the build uses it."""
    ours = [t for iri, t in ctx.vocabulary.terms.items() if iri.startswith(ctx.ns)]
    label = lambda row: row.link.label.casefold()  # noqa: E731
    classes = sorted((_term_row(ctx, t, stats) for t in ours if t.is_class), key=label)
    properties = sorted((_term_row(ctx, t, stats) for t in ours if t.is_property), key=label)
    document = jsonld.compact(ontology.own_triples, prefixes) if ontology else "{}"
    return render_page("ontology.html", ctx, classes=classes, properties=properties, ontology=ontology,
                   formats=formats(ctx, "/def"), jsonld=jsonld.for_script(document))


def term_page(ctx: PageContext, term: Term, stats: Statistics, path: str, view: entity.EntityView | None,
              listing: InstancePage | None, prefixes: dict[str, str],
              instances: list[dict[str, object]] | None = None) -> str:
    """One ontology term: its documentation, and for a class its instances (paged, sortable)."""
    row = _term_row(ctx, term, stats)
    parents = [_term_link(ctx, p) for p in term.parents]
    children = [_term_link(ctx, c) for c in term.children]
    domain_of = sorted((_term_link(ctx, t.iri) for t in ctx.vocabulary.terms.values()
                        if term.is_class and term.iri in t.domain), key=lambda link: link.label.casefold())
    document = jsonld.compact(view.own_triples, prefixes) if view else "{}"
    return render_page("term.html", ctx, row=row, term=term, parents=parents, children=children, domain_of=domain_of,
                   listing=listing, instances=instances or [], columns=_columns(ctx, path, listing) if listing else [],
                   pager=_pager(ctx, path, listing) if listing else None, path=path, e=view,
                   formats=formats(ctx, path), jsonld=jsonld.for_script(document))


@dataclass
class Column:
    key: str | None  # the sort key, None when the column does not sort
    label: str
    href: str | None
    sorted: str | None  # "ascending" / "descending" for the column the list is sorted by


def _columns(ctx: PageContext, path: str, listing: InstancePage) -> list[Column]:
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


def _pager(ctx: PageContext, path: str, listing: InstancePage) -> Pager:
    def at(page: int) -> str:
        params = [("sort", listing.sort)] + ([("order", "desc")] if listing.descending else []) + [("page", str(page))]
        return ctx.page(path, params)

    return Pager(previous=at(listing.page - 1) if listing.page > 1 else None,
                 next=at(listing.page + 1) if listing.page < listing.pages else None,
                 text=ctx.t("page_n_of", page=listing.page, pages=listing.pages))


def instance_links(ctx: PageContext, listing: InstancePage, labels: dict[str, dict[str, str]]) -> list[dict[str, object]]:
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


#: The sort orders a class page offers: name → the ORDER BY keys (variables of INSTANCES_QUERY).
SORTS: dict[str, tuple[str, ...]] = {
    "document": ("?programme", "?line", "?s"),
    "label": ("LCASE(?label)", "?s"),
    "municipality": ("LCASE(?municipalityLabel)", "?programme", "?line", "?s"),
}


PAGE_SIZE = 50


@dataclass
class InstancePage:
    rows: list[reader.Row]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool


def _instance_patterns(ns: str, which: str, language: str) -> str:
    """The subjects `which` binds with what they are listed and sorted by."""
    return f"""
  {which}
  OPTIONAL {{ ?s <{SKOS}prefLabel> ?l1 FILTER(LANG(?l1) = {language}) }}
  OPTIONAL {{ ?s <{SKOS}prefLabel> ?l2 FILTER(LANG(?l2) = "sv") }}
  OPTIONAL {{ ?s <{SKOS}prefLabel>|<{RDFS}label> ?l3 }}
  BIND(COALESCE(?l1, ?l2, ?l3, STR(?s)) AS ?label)
  OPTIONAL {{ ?s <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?s <{ns}programme> ?programme }}
  OPTIONAL {{ ?s <{ns}sourceLine> ?line }}
  OPTIONAL {{ ?s <{ns}municipality>|(<{ns}programme>/<{ns}municipality>) ?municipality .
             OPTIONAL {{ ?municipality <{SKOS}prefLabel> ?ml FILTER(LANG(?ml) = {language}) }} }}
  BIND(COALESCE(?ml, "") AS ?municipalityLabel)"""


def instance_order(engine: sparql.Engine, ns: str, classes: list[str], lang: str, sort: str) -> list[str]:
    """Every instance of `classes`, ascending by `sort`, each once (where its first row sorts). Read once per
    build and kept (views/describe.py): an ORDER BY over every instance per page would sort them all again for
    every page (bench/results/design.md)."""
    assert sort in SORTS and lang in ("sv", "en")
    values = " ".join(reader.term(ox.NamedNode(c)) for c in classes)
    keys = " ".join(f"ASC({k})" for k in SORTS[sort])
    which = f"{{ SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {values} }} ?s a ?t }} }}"
    rows = reader.select(engine, f"SELECT ?s WHERE {{ {_instance_patterns(ns, which, reader.term(ox.Literal(lang)))} }} "
                                 f"ORDER BY {keys}", max_rows=reader.WHOLE_READ_ROWS)
    return list(dict.fromkeys(r["s"].value for r in rows))


def instances(engine: sparql.Engine, ns: str, classes: list[str], lang: str, sort: str, descending: bool,
              page: int, order: list[str] | None = None) -> InstancePage:
    """One page of the instances of `classes` (a class and its subclasses), with label (page language,
    else Swedish, else any), notation, municipality and source line. `order`: `instance_order` of the same
    classes, language and sort, when the caller kept it; descending is that order reversed."""
    assert sort in SORTS and lang in ("sv", "en")
    if order is None:
        order = instance_order(engine, ns, classes, lang, sort)
    total = len(order)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = order[::-1] if descending else order
    shown = ordered[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    rows: list[reader.Row] = []
    if shown:
        subjects = " ".join(reader.term(ox.NamedNode(s)) for s in shown)
        patterns = _instance_patterns(ns, f"VALUES ?s {{ {subjects} }}", reader.term(ox.Literal(lang)))
        rows = reader.select(engine, f"""
SELECT ?s ?label ?notation ?municipality ?municipalityLabel ?programme ?line WHERE {{ {patterns}
}} ORDER BY {" ".join(f"ASC({k})" for k in SORTS[sort])}""")
    # in the kept order; an entity with two labels in one language comes twice: keep its first row
    place = {s: i for i, s in enumerate(shown)}
    rows.sort(key=lambda r: place[r["s"].value])  # stable: each entity's rows stay in sort order
    seen: set[str] = set()
    unique = [r for r in rows if not (r["s"].value in seen or seen.add(r["s"].value))]
    return InstancePage(rows=unique, total=total, page=page, pages=pages, sort=sort, descending=descending)


def listing_params(sort: str = "document", order: str = "asc", page: str = "1") -> tuple[str, bool, int]:
    """A class page's listing parameters, checked: (sort, descending, page)."""
    # ASCII digits only and few of them: str.isdigit() takes '²', which int() refuses, and int() refuses
    # more than 4300 digits; both were 500s (tests/server/test_pages.py). Larger pages mean the last one.
    if sort not in SORTS or order not in ("asc", "desc") or not re.fullmatch(r"[0-9]{1,18}", page):
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}, order asc or desc, page a number")
    return sort, order == "desc", int(page)
