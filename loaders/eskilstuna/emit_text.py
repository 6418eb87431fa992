"""Text of the Eskilstuna plan in the graph: published cleaned of markup and footnote markers, its actors,
methods and laws resolved through the registry, each defect a finding."""

from __future__ import annotations

import re
from collections import Counter

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from andts.loaders import text as txt
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.layout import MARKS, unmark
from andts.loaders.registry import Match, distinct
from andts.namespaces import ANDTS

#: A leftover of an Ansvarig cell shaped like an abbreviation ("KFN", "SoN"): a short word with a capital
#: first (and at least two capitals in all, counted beside it).
_ABBREVIATION = re.compile(r"^[A-ZÅÄÖ][A-ZÅÄÖa-zåäö]{0,5}$")


def publish(ctx: Context, iri: URIRef, parts: list[tuple[int, str]], *, named: bool = False) -> str:
    """dcterms:description @sv, cleaned of markup and footnote markers; the verbatim text (the parts of a
    split row joined by a space) as andts:sourceText when it differs; each part checked on its own line.
    `named`: also the entity's skos:prefLabel @sv, the first sentence of the text (the document gives
    sub-goals, items and activities no names or numbers of their own, and none is invented)."""
    b = ctx.builder
    raw = " ".join(p.strip() for _, p in parts)
    cleaned = txt.clean(unmark(raw))
    b.add(iri, DCTERMS.description, Literal(cleaned, lang="sv"))
    if named:
        b.add(iri, SKOS.prefLabel, Literal(txt.short_label(cleaned), lang="sv"))
    if cleaned != raw:
        b.add(iri, ANDTS.sourceText, Literal(raw))
    for line, part in parts:
        b.check_text(iri, part, line)
        for mark in MARKS.findall(part):
            ctx.marked.setdefault(mark, []).append((iri, line))
    return cleaned


def actors(ctx: Context, iri: URIRef, cell: str, line: int, raw: str) -> list[Match]:
    """The actors an Ansvarig cell names, one match each in the order named; a cell that names none
    stops the build, a name misspelt or unknown is a finding."""
    matches, leftovers = ctx.registry.actors.split(cell)
    if not matches:
        raise ctx.source.error(line, f"the Ansvarig cell {raw.strip()!r} names no known actor")
    for m in distinct(m for m in matches if m.is_misspelling):
        name = ctx.registry.label(m.iri)
        ctx.builder.finding(iri, line, "misspelt-name", m.text,
                            f"'{m.text}' is a misspelling of the actor name '{name}'; linked to {name}.", suggestion=name)
    for rest, times in Counter(leftovers).items():
        _leftover(ctx, iri, line, rest, times)
    unique: dict[URIRef, Match] = {}
    for m in matches:
        unique.setdefault(m.iri, m)
    return list(unique.values())


def _leftover(ctx: Context, iri: URIRef, line: int, rest: str, times: int) -> None:
    again = f" (named {times} times)" if times > 1 else ""
    if _ABBREVIATION.match(rest) and sum(c.isupper() for c in rest) >= 2:
        ctx.builder.finding(iri, line, "unknown-abbreviation", rest,
                            f"'{rest}' in the Ansvarig cell{again} is no actor the registry knows; kept in the text only.")
    else:
        ctx.builder.finding(iri, line, "misspelt-name", rest,
                            f"'{rest}' in the Ansvarig cell{again} matches no actor of the registry (a wrong or "
                            f"misspelt name?); kept in the text only.")


def link_methods(ctx: Context, iri: URIRef, cleaned: str, parts: list[tuple[int, str]]) -> list[URIRef]:
    """The methods the text names, linked (a misspelt name reported), and the findings about the laws it
    cites (the laws are tagged with the other dimensions). Returns the methods."""
    b, reg = ctx.builder, ctx.registry
    methods = []
    for m in reg.methods.find(cleaned):
        methods.append(m.iri)
        b.add(iri, ANDTS.method, m.iri)
        if m.is_misspelling:
            name = reg.label(m.iri)
            b.finding(iri, _line_of(m.text, parts), "misspelt-name", m.text,
                      f"'{m.text}' is a misspelling or wrong form of the name '{name}'; linked to {name}.", suggestion=name)
    for m in reg.laws.find(cleaned):
        b.outdated_citation(iri, _line_of(m.text, parts), cleaned, m.iri, m.text, m.end, reg.label)
    return methods


def _line_of(found: str, parts: list[tuple[int, str]]) -> int:
    """The line of the part (of a row split over lines) that holds the text found."""
    return next((n for n, p in parts if found in txt.clean(p)), parts[0][0])
