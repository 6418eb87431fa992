"""Focus areas of the Eskilstuna plan in the graph: the heading line before each table, and an activity per
table row (a row split by a page break is one activity), with its actors, methods, laws and dimensions."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from andts.loaders import text as txt
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.emit_text import actors, link_methods, publish
from andts.loaders.eskilstuna.layout import ActivityRow, FocusAreaRows
from andts.namespaces import ANDTS

#: A focus area's heading as the dimensions read it with each of its activities: (text, entity, line).
Title = tuple[str, URIRef, int]


def emit_focus_area(ctx: Context, goal: URIRef, goal_number: str, k: int, fa: FocusAreaRows) -> None:
    """Focus areas have no notation in the document; the IRI numbers them within their goal."""
    b = ctx.builder
    iri = b.entity(b.iri("focus-area", f"{goal_number}.{k}"), ANDTS.FocusArea, fa.line, order=k)
    b.add(iri, ANDTS.goal, goal)
    cleaned = publish(ctx, iri, [(fa.line, fa.heading)])
    b.add(iri, SKOS.prefLabel, Literal(cleaned, lang="sv"))
    methods = link_methods(ctx, iri, cleaned, [(fa.line, fa.heading)])
    title = (cleaned, iri, fa.line)
    b.tag(iri, ctx.dimensions.tags([title], methods), fa.line)
    b.cover(fa.header_line, iri)
    for n, row in enumerate(fa.rows, start=1):
        _activity(ctx, iri, n, row, title, methods)
    for n, raw in fa.separators:
        separator(ctx, iri, n, raw, "focus area")


def _activity(ctx: Context, fa: URIRef, n: int, row: ActivityRow, title: Title, fa_methods: list[URIRef]) -> None:
    b = ctx.builder
    iri = b.entity(URIRef(f"{fa}/activity/{n}"), ANDTS.Activity, row.line, order=n)
    b.add(iri, ANDTS.focusArea, fa)
    cleaned = publish(ctx, iri, row.parts, named=True)
    for line, _ in row.parts[1:]:
        b.cover(line, iri)
        b.finding(iri, line, "split-row", ctx.lines[line - 1],
                  f"A page break split the row of line {row.line}: this fragment, with an empty Ansvarig cell, "
                  f"is the end of its activity text; joined into one activity (Ansvarig from line {row.line}).")
    b.add(iri, ANDTS.responsibleText, Literal(row.cell))
    b.check_text(iri, row.cell, row.line)
    matches = actors(ctx, iri, txt.clean(row.cell), row.line, row.cell)
    # the plan (line 59) makes the body named first, in bold, the coordinator; the tables lost the bold
    b.add(iri, ANDTS.coordinator, matches[0].iri)
    for m in matches:
        b.add(iri, ANDTS.responsible, m.iri)
    methods = link_methods(ctx, iri, cleaned, row.parts)
    b.tag(iri, ctx.dimensions.tags([(cleaned, iri, row.line), title], methods + fa_methods), row.line)
    for partner in ctx.registry.partners_in(cleaned, {m.iri for m in matches}):
        b.add(iri, ANDTS.partner, partner)


def separator(ctx: Context, about: URIRef, line: int, raw: str, what: str) -> None:
    ctx.builder.finding(about, line, "layout-debris", raw,
                        f"A table separator row left by a page break ('{raw.replace(chr(9), ' ')}'), closing the "
                        f"{what} above; no content.")
