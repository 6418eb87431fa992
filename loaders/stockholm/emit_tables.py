"""The Stockholm appendix's tables in the graph: a goal or part per table, its focus areas, and an
activity per row with activity text, each with its actors, methods, laws and dimensions."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from andts.loaders import text as txt
from andts.loaders.common import numbered_goal
from andts.loaders.stockholm.context import Context
from andts.loaders.stockholm.emit_links import link_actors, link_responsible, link_text
from andts.loaders.stockholm.layout import PARTS, FocusAreaRows, Row, Table
from andts.loaders.stockholm.read_responsible import Responsible
from andts.namespaces import ANDTS, ID

#: The longest name given to an activity (its text, cut at a sentence or word boundary).
LABEL_CHARS = 90
_BULLET = "•"

#: A focus area's title as the dimensions read it with each of its activities: (text, entity, line).
Title = tuple[str, URIRef, int]


def emit_table(ctx: Context, lines: list[str], table: Table, tables: list[Table]) -> None:
    if table.kind == "goal":
        owner, prop = _goal(ctx, table), ANDTS.goal
    else:
        owner, prop = _part(ctx, lines, table, tables), ANDTS.part
    for area in table.focus_areas:
        emit_focus_area(ctx, lines, area, owner, prop, table)


def _goal(ctx: Context, table: Table) -> URIRef:
    b, n, strategy = ctx.builder, table.notation, ctx.strategy
    goal = numbered_goal(b, n, table.line)
    national = ID[f"national-strategy/{strategy}/goal/{n}"]
    b.add(goal, ANDTS.nationalGoal, national)
    b.add(goal, SKOS.closeMatch, national)
    b.add(goal, ANDTS.confidence, ID["confidence/inferred"])
    b.add(goal, SKOS.editorialNote, Literal(
        f"The mapping to goal {n} of the national ANDTS strategy {strategy.replace('-', '–')} "
        f"(skr. 2021/22:213) is inferred from the content of the goal's focus areas: the appendix has only the "
        f"heading 'Insatsområden mål {n}', and the goal texts are in the main programme document, which was not "
        f"available. The appendix uses 'ANDTS' and covers gambling and nicotine products, and its goal 2 (children "
        f"protected) has no counterpart in the 2016–2020 strategy; the programme period (2023–2026) differs from "
        f"the strategy's (2022–2025).", lang="en"))
    return goal


def _part(ctx: Context, lines: list[str], table: Table, tables: list[Table]) -> URIRef:
    b = ctx.builder
    slug, letter, english = PARTS[table.part]
    part = b.entity(b.iri("part", slug), ANDTS.ProgrammePart, table.line)
    b.add(part, SKOS.notation, Literal(letter))
    b.add(part, SKOS.prefLabel, Literal(table.part, lang="sv"))
    b.add(part, SKOS.prefLabel, Literal(english, lang="en"))
    dashed = [t for t in tables if t.kind == "part" and t.dashed]
    if not table.dashed and dashed:
        b.finding(part, table.line, "inconsistent-name", lines[table.line - 1],
                  f"The heading {table.heading!r} lacks the dash of the other part headings "
                  f"({', '.join(repr(t.heading) for t in dashed)}).",
                  suggestion=f"Insatsområden - {table.part}")
    return part


def emit_focus_area(ctx: Context, lines: list[str], area: FocusAreaRows, owner: URIRef, prop: URIRef,
                    table: Table) -> None:
    b = ctx.builder
    fa = b.entity(b.iri("focus-area", area.notation), ANDTS.FocusArea, area.line)
    b.add(fa, prop, owner)
    b.add(fa, SKOS.notation, Literal(area.notation))
    b.add(fa, SKOS.prefLabel, Literal(area.text, lang="sv"))
    b.add(fa, DCTERMS.description, Literal(area.text, lang="sv"))
    b.add(fa, ANDTS.sourceText, Literal(area.cell))
    b.check_text(fa, area.cell, area.line)
    fa_methods = link_text(ctx, fa, area.text, area.line)
    title = (area.text, fa, area.line)
    b.tag(fa, ctx.dimensions.tags([title], fa_methods), area.line)
    order = 0
    previous: tuple[Responsible, Row] | None = None  # the last Utförare cell given, for a row that lost its own
    for row in area.rows:
        if row.page_break is not None:
            b.finding(fa, row.page_break, "layout-debris", lines[row.page_break - 1],
                      f"The table {table.heading!r} is interrupted by a blank line (a page break) with no repeated "
                      f"header; the rows from line {row.line} on continue it.")
        if not row.activity.strip():
            _empty_activity(ctx, fa, area, row)
            continue
        order += 1
        act = _activity(ctx, fa, area, row, order, title, fa_methods)
        previous = _activity_actors(ctx, act, row, previous)


def _activity(ctx: Context, fa: URIRef, area: FocusAreaRows, row: Row, order: int, title: Title,
              fa_methods: list[URIRef]) -> URIRef:
    b = ctx.builder
    act = b.entity(b.iri("focus-area", area.notation, "activity", str(order)), ANDTS.Activity, row.line, order=order)
    b.add(act, ANDTS.focusArea, fa)
    cleaned, label = _describe_activity(ctx, act, row)
    b.add(act, SKOS.prefLabel, Literal(txt.short_label(label, LABEL_CHARS), lang="sv"))
    methods = link_text(ctx, act, cleaned, row.line)
    b.tag(act, ctx.dimensions.tags([(cleaned, act, row.line), title], methods + fa_methods), row.line)
    responsible = {m.iri for m in ctx.registry.actors.find(row.responsible)}
    for partner in ctx.registry.partners_in(cleaned, responsible):
        b.add(act, ANDTS.partner, partner)
    return act


def _activity_actors(ctx: Context, act: URIRef, row: Row, previous: tuple[Responsible, Row] | None
                     ) -> tuple[Responsible, Row] | None:
    """The activity's actors from its Utförare cell, or, when the cell is empty, from the cell above (a row
    span lost in the extraction). Returns the cell that the next row would take over."""
    b = ctx.builder
    if row.responsible.strip():
        return link_responsible(ctx, act, row.responsible, row.line, activity=True), row
    if previous is not None:
        resp, source_row = previous
        link_actors(ctx, act, resp, activity=True)
        b.finding(act, row.line, "inherited-cell", row.raw,
                  f"The Utförare cell is empty; the activity takes over the actors of line {source_row.line} "
                  f"({source_row.responsible.strip()!r}), as a row span lost in the extraction would have it.",
                  suggestion=source_row.responsible.strip())
    else:
        b.finding(act, row.line, "empty-cell", row.raw,
                  "The Utförare cell is empty: the document names nobody responsible for this activity.")
    return previous


def _empty_activity(ctx: Context, fa: URIRef, area: FocusAreaRows, row: Row) -> None:
    b = ctx.builder
    if row.responsible.strip():
        b.finding(fa, row.line, "empty-cell", row.raw,
                  f"The Aktivitet cell of focus area {area.notation} is empty; only the focus area and its Utförare "
                  f"({row.responsible.strip()!r}) are given, and the actors are linked to the focus area.")
        link_responsible(ctx, fa, row.responsible, row.line, activity=False)
    else:
        b.finding(fa, row.line, "empty-cell", row.raw,
                  f"Both the Aktivitet and the Utförare cell of this row of focus area {area.notation} are empty.")


def _describe_activity(ctx: Context, act: URIRef, row: Row) -> tuple[str, str]:
    """The activity's published text and the text to name it by; a list cell (• items) is described by
    its lead text and its items, named by its lead text, and its items become concepts."""
    b, raw = ctx.builder, row.activity
    if _BULLET not in raw:
        cleaned = b.describe(act, raw, row.line)
        return cleaned, cleaned
    lead, *items = [txt.clean(part) for part in txt.strip_markup(raw).split(_BULLET)]
    items = [i for i in items if i]
    cleaned = f"{lead} {'; '.join(items)}".strip()
    b.add(act, DCTERMS.description, Literal(cleaned, lang="sv"))
    b.add(act, ANDTS.sourceText, Literal(raw))
    b.check_text(act, raw, row.line)
    _list_concepts(ctx, act, lead, items, row.line)
    return cleaned, lead.rstrip(":")


def _list_concepts(ctx: Context, act: URIRef, lead: str, items: list[str], line: int) -> None:
    """The items of a list cell as concepts, when its lead text says what they are: sectors to collaborate
    with ("Exempel på samverkans-aktörer:") or priority groups ("Grupper som kan behöva uppmärksammas …")."""
    b, lowered = ctx.builder, lead.lower()
    if "samverkan" in lowered:
        kind, cls, scheme, prop = "sector", ANDTS.Sector, "sectors", ANDTS.collaborationPartner
    elif "grupp" in lowered:
        kind, cls, scheme, prop = "priority-group", ANDTS.PriorityGroup, "priority-groups", ANDTS.priorityGroup
    else:
        return
    for item in items:
        concept = b.entity(ID[f"{kind}/{txt.slug(item)}"], cls, line)
        b.add(concept, RDF.type, SKOS.Concept)
        b.add(concept, SKOS.prefLabel, Literal(item, lang="sv"))
        b.add(concept, SKOS.inScheme, ID[f"scheme/{scheme}"])
        b.add(concept, DCTERMS.source, ctx.source.document)  # named verbatim by the document's list
        b.add(concept, ANDTS.confidence, ID["confidence/verified"])
        b.add(act, prop, concept)
