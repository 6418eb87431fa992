"""Entity pages: what the store says about one IRI (its properties, incoming links, provenance, findings,
its programme's outline), read in a few queries and shaped for the templates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox

from andts.server.engine import reader, sparql
from andts.server.http import jsonld
from andts.server.views import outline
from andts.server.views.context import DCTERMS, PROV, Link, Namer, PageContext, Value, labels_of, natural
from andts.server.views.dimensions import EVIDENCE_LINKS, Dimension, dimensions_of, read_evidence
from andts.server.views.render import formats, render_page
from andts.server.views.vocabulary import RDF, SKOS

#: Per incoming property and kind of subject, at most this many items are listed on a page.
INCOMING_SHOWN = 200


#: At most this many incoming links are read for one page.
INCOMING_READ = 3000


@dataclass
class PropertyRow:
    property: Link
    values: list[Value]


@dataclass
class IncomingItem:
    link: Link
    notation: str | None
    municipality: Link | None
    sort_key: tuple


@dataclass
class IncomingGroup:
    property: Link
    kind: Link | None
    items: list[IncomingItem]
    total: int  # the items read (all of them when complete)
    complete: bool = True  # False when the page read only some of the links
    query_href: str | None = None  # the SPARQL query that lists all of them, when not all are shown


@dataclass
class Provenance:
    source: Link | None = None
    line: int | None = None
    source_text: str | None = None
    cleaned: bool = False  # the published text differs from the source (then source_text is the verbatim)
    graphs: list[Link] = field(default_factory=list)
    based_on: list[str] = field(default_factory=list)  # dcterms:source of reference data
    confidence: Link | None = None

    @property
    def empty(self) -> bool:
        return self.source is None and not self.graphs and not self.based_on


@dataclass
class FindingView:
    link: Link
    kind: Link | None
    line: int | None
    message: str | None
    text: str | None
    suggestion: str | None


@dataclass
class EntityView:
    iri: str
    title: str
    title_lang: str | None
    other_titles: list[Value]
    types: list[Link]
    main_type: str | None
    breadcrumbs: list[Link]
    description: Value | None
    properties: list[PropertyRow]
    incoming: list[IncomingGroup]
    provenance: Provenance
    findings: list[FindingView]
    own_triples: list[ox.Triple]
    outline: list[outline.OutlineSection] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=list)


def _own(engine: sparql.Engine, iri: ox.NamedNode) -> list[reader.Row]:
    return reader.select(engine, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {reader.term(iri)} ?p ?o }} }}")


def _incoming(engine: sparql.Engine, iri: ox.NamedNode, ns: str, instances_listed: bool = False
              ) -> tuple[list[reader.Row], dict[str, int]]:
    s = reader.term(iri)
    skipped = ", ".join(f"<{ns}{p}>" for p in ("about", *EVIDENCE_LINKS)) + (f", <{RDF}type>" if instances_listed else "")
    rows = reader.select(engine, f"""
SELECT ?s ?p ?type ?notation ?order ?municipality WHERE {{
  {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {s} FILTER(?p NOT IN ({skipped})) }} ORDER BY ?p ?s LIMIT {INCOMING_READ} }}
  OPTIONAL {{ ?s a ?type }}
  OPTIONAL {{ ?s <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?s <{ns}order> ?order }}
  OPTIONAL {{ ?s <{ns}municipality>|(<{ns}programme>/<{ns}municipality>) ?municipality }}
}}""")
    totals = {r["p"].value: reader.integer(r, "n") for r in reader.select(engine, f"""
SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {s} FILTER(?p NOT IN ({skipped})) }} GROUP BY ?p""")}
    return rows, totals


def _chain(engine: sparql.Engine, iri: ox.NamedNode, ns: str) -> reader.Row:
    """The entity's place: municipality, programme, goal, part, focus area, parent item, what a finding is about
    (or whose tag a piece of evidence supports)."""
    rows = reader.select(engine, f"""
SELECT ?municipality ?programme ?goal ?part ?focusArea ?parentItem ?about WHERE {{
  VALUES ?e {{ {reader.term(iri)} }}
  OPTIONAL {{ ?e <{ns}programme> ?programme }}
  OPTIONAL {{ ?e <{ns}municipality>|(<{ns}programme>/<{ns}municipality>) ?municipality }}
  OPTIONAL {{ ?e <{ns}focusArea> ?focusArea }}
  OPTIONAL {{ ?e <{ns}goal>|(<{ns}focusArea>/<{ns}goal>)|(<{ns}parentItem>/<{ns}goal>) ?goal }}
  OPTIONAL {{ ?e <{ns}part>|(<{ns}focusArea>/<{ns}part>) ?part }}
  OPTIONAL {{ ?e <{ns}parentItem> ?parentItem }}
  OPTIONAL {{ ?e <{ns}about>|^<{ns}evidence> ?about }}
}} LIMIT 1""")
    return rows[0] if rows else {}


def _findings(engine: sparql.Engine, iri: ox.NamedNode, ns: str) -> list[reader.Row]:
    return reader.select(engine, f"""
SELECT ?finding ?kind ?line ?message ?text ?suggestion WHERE {{
  ?finding <{ns}about> {reader.term(iri)} .
  OPTIONAL {{ ?finding <{ns}findingKind> ?kind }}
  OPTIONAL {{ ?finding <{ns}sourceLine> ?line }}
  OPTIONAL {{ ?finding <{DCTERMS}description> ?message }}
  OPTIONAL {{ ?finding <{ns}sourceText> ?text }}
  OPTIONAL {{ ?finding <{ns}suggestion> ?suggestion }}
}} ORDER BY ?line ?finding""")


#: Properties shown first, in this order; the rest follow by name.
FIRST = [SKOS + "prefLabel", SKOS + "altLabel", SKOS + "notation", DCTERMS + "description", SKOS + "definition"]


#: Shown elsewhere on the page (title, types, provenance, dimensions), not in the property table.
ELSEWHERE_SUFFIXES = ("sourceLine", "sourceText", "evidence")


ELSEWHERE = {RDF + "type", PROV + "wasDerivedFrom", DCTERMS + "source"}


def entity(engine: sparql.Engine, iri: ox.NamedNode, ctx: PageContext, instances_listed: bool = False
           ) -> EntityView | None:
    """The page of one entity, or None when the store says nothing about it (no triples, no incoming links).
    `instances_listed`: the page lists a class's instances itself (ontology.instances), so its incoming
    rdf:type links are not read again (a class can have thousands)."""
    ns = ctx.ns
    own = _own(engine, iri)
    incoming_rows, totals = _incoming(engine, iri, ns, instances_listed)
    if not own and not incoming_rows:
        return None
    chain = _chain(engine, iri, ns)
    finding_rows = _findings(engine, iri, ns)
    types = sorted({r["o"].value for r in own if r["p"].value == RDF + "type" and isinstance(r["o"], ox.NamedNode)})
    main_type = ctx.vocabulary.most_specific(types, ns)
    outline_rows = outline.read_outline(engine, iri, ns) if main_type == ns + "Programme" else None
    evidence_rows = read_evidence(engine, iri, ns) if any(r["p"].value == ns + "evidence" for r in own) else []

    # every IRI the page names, for one labels query
    wanted: set[str] = {iri.value}
    wanted |= {r["o"].value for r in own if isinstance(r["o"], ox.NamedNode)}
    wanted |= {r["g"].value for r in own if isinstance(r["g"], ox.NamedNode)}
    for r in incoming_rows:
        wanted |= {r[k].value for k in ("s", "municipality") if isinstance(r.get(k), ox.NamedNode)}
    wanted |= {v.value for v in chain.values() if isinstance(v, ox.NamedNode)}
    wanted |= {r["finding"].value for r in finding_rows} | {r["kind"].value for r in finding_rows if "kind" in r}
    about_chain: reader.Row = {}
    if "about" in chain:
        about_chain = _chain(engine, chain["about"], ns)
        wanted |= {v.value for v in about_chain.values() if isinstance(v, ox.NamedNode)}
    if outline_rows:
        for row in outline_rows[0] + outline_rows[1]:
            wanted |= {v.value for v in row.values() if isinstance(v, ox.NamedNode)}
    for row in evidence_rows:
        wanted |= {v.value for k, v in row.items() if k != "x" and isinstance(v, ox.NamedNode)}
    name = Namer(ctx, labels_of(engine, wanted))

    title, title_lang, other_titles = _titles(name, iri.value, ctx.lang)
    description = _description(own, title, ctx.lang)
    return EntityView(
        iri=iri.value, title=title, title_lang=title_lang or None, other_titles=other_titles,
        types=[name.link(t) for t in sorted(types, key=lambda t: t != main_type)], main_type=main_type,
        breadcrumbs=_breadcrumbs(name, chain, about_chain, iri.value),
        description=description,
        properties=_properties(name, own, ns),
        incoming=_incoming_groups(name, incoming_rows, totals, iri, ns),
        provenance=_provenance(name, own, ns),
        findings=[_finding(name, r) for r in finding_rows],
        own_triples=[ox.Triple(iri, r["p"], r["o"]) for r in own],
        outline=outline.sections(name, *outline_rows) if outline_rows else [],
        dimensions=dimensions_of(name, own, evidence_rows, iri.value) if evidence_rows else [],
    )


def _titles(name: Namer, iri: str, lang: str) -> tuple[str, str | None, list[Value]]:
    """The title: the label in the page language, else Swedish, else English, else the IRI; and the others."""
    texts = name.labels.get(iri, {})
    title_lang = next((k for k in (lang, "sv", "en", "") if k in texts), None)
    title = texts[title_lang] if title_lang is not None else iri
    return title, title_lang, [Value(text=v, lang=k or None) for k, v in sorted(texts.items())
                               if k != title_lang and v != title]


def _description(own: list[reader.Row], title: str, lang: str) -> Value | None:
    """The description in the page language (else Swedish, English, any), unless it only repeats the title."""
    descriptions = {r["o"].language or "": r["o"].value for r in own
                    if r["p"].value == DCTERMS + "description" and isinstance(r["o"], ox.Literal)}
    if not descriptions:
        return None
    chosen = next(k for k in (lang, "sv", "en", "", *descriptions) if k in descriptions)
    return Value(text=descriptions[chosen], lang=chosen or None) if descriptions[chosen] != title else None


def _finding(name: Namer, r: reader.Row) -> FindingView:
    return FindingView(link=name.link(r["finding"].value), kind=name.link(r["kind"].value) if "kind" in r else None,
                       line=reader.integer(r, "line") if "line" in r else None,
                       message=reader.text(r, "message") or None, text=reader.text(r, "text") or None,
                       suggestion=reader.text(r, "suggestion") or None)


CRUMBS = ("municipality", "programme", "goal", "part", "focusArea", "parentItem")


def _breadcrumbs(name: Namer, chain: reader.Row, about_chain: reader.Row, iri: str) -> list[Link]:
    crumbs: list[Link] = []
    seen: set[str] = {iri}
    for row in (about_chain, chain) if about_chain else (chain,):
        for key in CRUMBS:
            node = row.get(key)
            if isinstance(node, ox.NamedNode) and node.value not in seen:
                seen.add(node.value)
                crumbs.append(name.link(node.value))
        if row is about_chain and isinstance(chain.get("about"), ox.NamedNode) and chain["about"].value not in seen:
            seen.add(chain["about"].value)
            crumbs.append(name.link(chain["about"].value))
    return crumbs


def _properties(name: Namer, own: list[reader.Row], ns: str) -> list[PropertyRow]:
    by_property: dict[str, list[Value]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for r in own:
        p = r["p"].value
        if p in ELSEWHERE or any(p == ns + s for s in ELSEWHERE_SUFFIXES):
            continue
        key = (p, str(r["o"]))
        if key in seen:  # the same triple in two named graphs is shown once
            continue
        seen.add(key)
        by_property[p].append(name.value(r["o"]))
    order = {p: i for i, p in enumerate(FIRST)}
    rows = [PropertyRow(property=name.link(p), values=sorted(vs, key=lambda v: (v.lang or "", v.link.label if v.link else v.text)))
            for p, vs in by_property.items()]
    rows.sort(key=lambda row: (order.get(row.property.iri, len(order)), row.property.label.casefold()))
    return rows


def _incoming_groups(name: Namer, rows: list[reader.Row], totals: dict[str, int], iri: ox.NamedNode,
                     ns: str) -> list[IncomingGroup]:
    vocabulary = name.ctx.vocabulary
    subjects: dict[tuple[str, str], dict[str, object]] = {}
    for r in rows:
        if not isinstance(r["s"], ox.NamedNode):  # e.g. the list nodes of a union domain: nothing to link to
            continue
        key = (r["p"].value, r["s"].value)
        item = subjects.setdefault(key, {"types": set(), "notation": None, "order": None, "municipality": None})
        if "type" in r:
            item["types"].add(r["type"].value)  # type: ignore[union-attr]
        if "notation" in r:
            item["notation"] = r["notation"].value
        if "order" in r:
            item["order"] = reader.integer(r, "order")
        if "municipality" in r:
            item["municipality"] = r["municipality"].value
    groups: dict[tuple[str, str | None], list[IncomingItem]] = defaultdict(list)
    for (p, s), item in subjects.items():
        kind = vocabulary.most_specific(sorted(item["types"]), ns)  # type: ignore[arg-type]
        municipality = name.link(item["municipality"]) if item["municipality"] else None  # type: ignore[arg-type]
        link = name.link(s)
        sort_key = (municipality.label if municipality else "", natural(item["notation"]),  # type: ignore[arg-type]
                    item["order"] if item["order"] is not None else 0, link.label.casefold())
        groups[(p, kind)].append(IncomingItem(link=link, notation=item["notation"], municipality=municipality,  # type: ignore[arg-type]
                                              sort_key=sort_key))
    read: dict[str, int] = defaultdict(int)
    for (p, _), items in groups.items():
        read[p] += len(items)
    out: list[IncomingGroup] = []
    for (p, kind), items in groups.items():
        items.sort(key=lambda i: i.sort_key)
        complete = read[p] >= totals.get(p, 0)
        query_href = None
        if not complete or len(items) > INCOMING_SHOWN:
            query = f"SELECT ?s WHERE {{ ?s {reader.term(ox.NamedNode(p))} {reader.term(iri)} }} ORDER BY ?s"
            query_href = name.ctx.root + "sparql?" + urlencode({"query": query})
        out.append(IncomingGroup(property=name.link(p), kind=name.link(kind) if kind else None,
                                 items=items[:INCOMING_SHOWN], total=len(items), complete=complete,
                                 query_href=query_href))
    out.sort(key=lambda g: (g.kind.label.casefold() if g.kind else "", g.property.label.casefold()))
    return out


def _provenance(name: Namer, own: list[reader.Row], ns: str) -> Provenance:
    prov = Provenance()
    descriptions = [r["o"] for r in own if r["p"].value == DCTERMS + "description" and isinstance(r["o"], ox.Literal)]
    for r in own:
        p, o = r["p"].value, r["o"]
        if p == PROV + "wasDerivedFrom" and isinstance(o, ox.NamedNode):
            prov.source = name.link(o.value)
        elif p == ns + "sourceLine" and isinstance(o, ox.Literal):
            prov.line = int(o.value)
        elif p == ns + "sourceText" and isinstance(o, ox.Literal):
            prov.source_text, prov.cleaned = o.value, True
        elif p == DCTERMS + "source" and isinstance(o, ox.Literal):
            if o.value not in prov.based_on:
                prov.based_on.append(o.value)
        elif p == ns + "confidence" and isinstance(o, ox.NamedNode):
            prov.confidence = name.link(o.value)
    if prov.source is not None and prov.source_text is None:
        # no andts:sourceText: the loader published the cell as it stands (see loaders/common.py, describe)
        sv = [d.value for d in descriptions if d.language == "sv"]
        if sv:
            prov.source_text = sv[0]
    graphs = sorted({r["g"].value for r in own})
    prov.graphs = [name.link(g) for g in graphs]
    return prov


def entity_page(view: EntityView, ctx: PageContext, path: str, prefixes: dict[str, str]) -> str:
    """An entity's page: `entity-<Class>.html` for its most specific class when there is one, else
    `entity.html`."""
    local = view.main_type.rsplit("/", 1)[-1] if view.main_type else ""
    document = jsonld.compact(view.own_triples, prefixes)
    return render_page([f"entity-{local}.html", "entity.html"] if local.isidentifier() else "entity.html", ctx,
                   e=view, formats=formats(ctx, path), jsonld=jsonld.for_script(document))
