"""An entity's analytic dimensions (substances, umbrella scope, target groups, settings, laws, partners),
each concept with its evidence: the quoted words, or the method or law that implies it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from andts.server.engine import reader, sparql
from andts.server.views.context import Link, Namer, natural

#: The analytic dimensions (andts: properties) shown with their evidence, in this order; the names are i18n's
#: `dimension_<name>`. Named substances and the umbrella scope (ANDTS as a whole) are two dimensions.
DIMENSIONS = ("substance", "substanceScope", "targetGroup", "setting", "law", "partner")


#: andts:basis concepts (id:tag-basis/…) in the order their evidence is listed.
BASES = ("named", "stated", "implied-by-method", "implied-by-law", "statutory-task")


#: The properties of evidence nodes (andts:TagEvidence) that link to other entities: not listed among those
#: entities' incoming links (each entity page shows its own evidence in its dimensions).
EVIDENCE_LINKS = ("inTextOf", "tagValue", "tagProperty", "impliedBy", "basis")


@dataclass
class Evidence:
    """One andts:TagEvidence in brief: the words that matched (and where, when not in the entity's own text),
    or what implies the tag (a method, law or statutory task)."""

    link: Link  # the evidence node itself
    words: str | None = None
    elsewhere: Link | None = None  # the entity whose text has the words (its focus area), when not this one
    implied_by: Link | None = None


@dataclass
class EvidenceGroup:
    basis: Link | None  # the andts:basis concept (named, implied-by-method, …)
    items: list[Evidence]


@dataclass
class Tag:
    concept: Link
    evidence: list[EvidenceGroup]


@dataclass
class Dimension:
    key: str  # the andts: property's local name (substance, substanceScope, …)
    property: Link  # the dimension's name in the page language, linked to the property's term page
    tags: list[Tag]


def read_evidence(engine: sparql.Engine, iri: ox.NamedNode, ns: str) -> list[reader.Row]:
    """The entity's andts:TagEvidence nodes with what the page shows of each."""
    return reader.select(engine, f"""
SELECT ?x ?property ?value ?basis ?words ?start ?text ?impliedBy WHERE {{
  {reader.term(iri)} <{ns}evidence> ?x .
  OPTIONAL {{ ?x <{ns}tagProperty> ?property }}
  OPTIONAL {{ ?x <{ns}tagValue> ?value }}
  OPTIONAL {{ ?x <{ns}basis> ?basis }}
  OPTIONAL {{ ?x <{ns}words> ?words }}
  OPTIONAL {{ ?x <{ns}start> ?start }}
  OPTIONAL {{ ?x <{ns}inTextOf> ?text }}
  OPTIONAL {{ ?x <{ns}impliedBy> ?impliedBy }}
}}""")


def dimensions_of(name: Namer, own: list[reader.Row], evidence_rows: list[reader.Row], iri: str) -> list[Dimension]:
    """The entity's tags per dimension (its own triples and its evidence nodes), each with its evidence in
    brief, grouped by basis; the same words in the same text, or the same implying method, are listed once."""
    ctx, ns = name.ctx, name.ctx.ns

    def local(p: str) -> str:
        return p[len(ns):] if p.startswith(ns) else ""

    tags: dict[str, dict[str, list[reader.Row]]] = defaultdict(dict)  # property → concept → evidence rows
    for r in own:
        if local(r["p"].value) in DIMENSIONS and isinstance(r["o"], ox.NamedNode):
            tags[r["p"].value].setdefault(r["o"].value, [])
    by_node: dict[str, reader.Row] = {}
    implied: dict[str, set[str]] = defaultdict(set)
    for r in evidence_rows:
        by_node.setdefault(r["x"].value, r)
        if isinstance(r.get("impliedBy"), ox.NamedNode):
            implied[r["x"].value].add(r["impliedBy"].value)
    for r in by_node.values():
        if isinstance(r.get("property"), ox.NamedNode) and isinstance(r.get("value"), ox.NamedNode):
            tags[r["property"].value].setdefault(r["value"].value, []).append(r)
    basis_order = {ctx.base + "id/tag-basis/" + b: i for i, b in enumerate(BASES)}

    def tag(concept: str, rows: list[reader.Row]) -> Tag:
        groups: dict[str, list[Evidence]] = defaultdict(list)
        seen: set[tuple] = set()
        for r in sorted(rows, key=lambda r: (reader.text(r, "text", iri) != iri, reader.integer(r, "start", -1),
                                             natural(r["x"].value))):
            node, basis = r["x"].value, reader.text(r, "basis")
            text = reader.text(r, "text", iri)
            elsewhere = name.link(text) if text != iri else None
            link = name.link(node, ctx.t("evidence"))  # evidence nodes have no label
            # a statutory task has both: the words that describe it, and the task
            items = [Evidence(link=link, words=reader.text(r, "words") or None, elsewhere=elsewhere)] \
                if "words" in r or not implied[node] else []
            items += [Evidence(link=link, implied_by=name.link(m)) for m in sorted(implied[node])]
            for item in items:
                key = (basis, item.words, text if item.words else None, item.implied_by.iri if item.implied_by else None)
                if key not in seen:
                    seen.add(key)
                    groups[basis].append(item)
        return Tag(concept=name.link(concept), evidence=[
            EvidenceGroup(basis=name.link(b) if b else None, items=items)
            for b, items in sorted(groups.items(), key=lambda g: (basis_order.get(g[0], len(basis_order)), g[0]))])

    out = []
    for p in sorted(tags, key=lambda p: (DIMENSIONS.index(local(p)) if local(p) in DIMENSIONS else len(DIMENSIONS), p)):
        label = ctx.t(f"dimension_{local(p)}") if local(p) in DIMENSIONS else ctx.term(p)
        shown = sorted((tag(c, rows) for c, rows in tags[p].items()), key=lambda t: t.concept.label.casefold())
        out.append(Dimension(key=local(p), property=Link(label=label, href=ctx.href(p), iri=p, lang=ctx.lang,
                                                      local=p.startswith(ctx.base)), tags=shown))
    return out
