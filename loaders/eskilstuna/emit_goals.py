"""Goals of the Eskilstuna plan in the graph: the overarching goal and the numbered goals, each checked
against and linked to the national strategy's goal it repeats, with their sub-goals, existing-work items
and focus areas. Goals are not tagged with dimensions: a goal's text is the national goal's, naming every
substance."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from andts.loaders import text as txt
from andts.loaders.common import numbered_goal
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.emit_focus_areas import emit_focus_area, separator
from andts.loaders.eskilstuna.emit_text import actors, link_methods, publish
from andts.loaders.eskilstuna.layout import ANSVARIG, OVERARCHING, Goal, Item, SubGoal, unmark
from andts.namespaces import ANDTS, ID

#: The prefix the overarching goal puts before the national overarching goal's text.
OVERARCHING_PREFIX = "Eskilstuna kommun ska verka för "
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def emit_goal(ctx: Context, g: Goal) -> None:
    b = ctx.builder
    if g.number is None:
        iri = b.entity(b.iri("goal", "overarching"), ANDTS.OverarchingGoal, g.text_line)
        b.cover(g.line, iri)
        b.add(iri, SKOS.prefLabel, Literal(OVERARCHING, lang="sv"))
        b.add(iri, SKOS.prefLabel, Literal("Overarching goal", lang="en"))
        cleaned = publish(ctx, iri, [(g.text_line, g.raw)])
    else:
        iri = numbered_goal(b, g.number, g.line)
        cleaned = publish(ctx, iri, [(g.line, g.raw)])
    _link_national(ctx, iri, g, cleaned)
    for n in g.section_lines:
        b.cover(n, iri)
    for n, raw in g.scope:
        b.cover(n, iri)
        b.add(iri, SKOS.scopeNote, Literal(txt.clean(unmark(raw)), lang="sv"))
        b.check_text(iri, raw, n)
    for n, raw in g.separators:
        separator(ctx, iri, n, raw, "goal")
    for k, sg in enumerate(g.subgoals, start=1):
        _subgoal(ctx, iri, k, sg)
    for k, item in enumerate(g.items, start=1):
        _item(ctx, iri, f"{k}", k, item, None)
    for k, fa in enumerate(g.focus_areas, start=1):
        emit_focus_area(ctx, iri, g.number, k, fa)


def _link_national(ctx: Context, iri: URIRef, g: Goal, text: str) -> None:
    """The national goal the goal repeats: word for word for a numbered goal (exact match), after the
    municipality's own prefix for the overarching goal (close match). Any other text stops the build."""
    if not ctx.strategy:
        return
    ng = ID[f"national-strategy/{ctx.strategy}/goal/{g.number or 'overarching'}"]
    if (ng, RDF.type, ANDTS.NationalGoal) not in ctx.reference and \
            (ng, RDF.type, ANDTS.NationalOverarchingGoal) not in ctx.reference:
        raise ctx.source.error(g.line, f"Mål {g.number} has no counterpart among the national goals of the "
                                       f"{ctx.strategy} strategy")
    national = next((str(o) for o in ctx.reference.objects(ng, SKOS.prefLabel) if o.language == "sv"), "")
    if g.number is None:
        body = text.removeprefix(OVERARCHING_PREFIX)
        if body == text or body[:1].upper() + body[1:] != national:
            raise ctx.source.error(g.text_line, f"the overarching goal does not read '{OVERARCHING_PREFIX}' + the "
                                                f"national overarching goal {national!r}")
        ctx.builder.add(iri, SKOS.closeMatch, ng)
    else:
        if text != national and text + "." != national:
            raise ctx.source.error(g.line, f"the text of Mål {g.number} differs from national goal {g.number} of the "
                                           f"{ctx.strategy} strategy ({national!r})")
        ctx.builder.add(iri, SKOS.exactMatch, ng)
    ctx.builder.add(iri, ANDTS.nationalGoal, ng)


def _subgoal(ctx: Context, goal: URIRef, k: int, sg: SubGoal) -> None:
    b = ctx.builder
    iri = b.entity(URIRef(f"{goal}/sub-goal/{k}"), ANDTS.SubGoal, sg.line, order=k)
    b.add(iri, ANDTS.goal, goal)
    cleaned = publish(ctx, iri, [(sg.line, sg.raw)], named=True)
    methods = link_methods(ctx, iri, cleaned, [(sg.line, sg.raw)])
    b.tag(iri, ctx.dimensions.tags([(cleaned, iri, sg.line)], methods), sg.line)
    n, raw = sg.ansvarig
    b.cover(n, iri)
    b.add(iri, ANDTS.responsibleText, Literal(raw))
    b.check_text(iri, raw, n)
    body = ANSVARIG.match(txt.strip_markup(raw).strip()).group(1)
    matches = actors(ctx, iri, body, n, raw)
    # the body in bold coordinates; "Alla nämnder och bolag" has none in bold
    bold = _BOLD.search(raw)
    if bold:
        m = ctx.registry.actors.lookup(txt.clean(bold.group(1)))
        if m is not None:
            b.add(iri, ANDTS.coordinator, m.iri)
    for m in matches:
        b.add(iri, ANDTS.responsible, m.iri)


def _item(ctx: Context, goal: URIRef, notation: str, order: int, item: Item, parent: URIRef | None) -> None:
    """An existing-work item and, numbered under it, its nested items ("9", "9.1", …)."""
    b = ctx.builder
    iri = b.entity(URIRef(f"{goal}/existing-work/{notation}"), ANDTS.ExistingWork, item.line, order=order)
    b.add(iri, ANDTS.goal, goal)
    if parent is not None:
        b.add(iri, ANDTS.parentItem, parent)
    cleaned = publish(ctx, iri, [(item.line, item.raw)], named=True)
    methods = link_methods(ctx, iri, cleaned, [(item.line, item.raw)])
    b.tag(iri, ctx.dimensions.tags([(cleaned, iri, item.line)], methods), item.line)
    # existing work names no one responsible: every body it names works on it
    for partner in ctx.registry.partners_in(cleaned, external_only=False):
        b.add(iri, ANDTS.partner, partner)
    continued = [c for c in item.children if c.continued_after_footnote]
    if continued:
        first = continued[0]
        b.finding(iri, first.line, "placement", "\n".join(ctx.lines[c.line - 1] for c in continued),
                  f"Lines {first.line}–{continued[-1].line} follow a footnote body and a page break as top-level "
                  f"bullets, but continue the nested list of services under line {item.line} (same 'Name – what it "
                  f"offers' form); read as its items {notation}.{item.children.index(first) + 1}–{notation}."
                  f"{len(item.children)}.")
    for m, child in enumerate(item.children, start=1):
        _item(ctx, goal, f"{notation}.{m}", m, child, iri)
