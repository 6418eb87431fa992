"""Links from the Stockholm appendix's entities to the reference data: the actors of an Utförare cell in
their roles, and the methods and laws a text names; with a finding for each name that is misspelt or
unknown."""

from __future__ import annotations

import re
from collections import Counter

from rdflib import Literal, URIRef

from andts.loaders.registry import distinct
from andts.loaders.stockholm.context import Context
from andts.loaders.stockholm.read_responsible import Responsible, resolve_responsible
from andts.namespaces import ANDTS

#: An unresolved token that looks like a committee abbreviation ("SnN", "UtbN", "MHN").
_ABBREVIATION = re.compile(r"[A-ZÅÄÖ][A-Za-zåäöÅÄÖ]{0,3}[A-ZÅÄÖ]")
#: The roles that the activity gets as properties of their own, besides andts:responsible.
_ROLES = ("coordinator", "initiator", "participant", "supervisor")


def link_responsible(ctx: Context, subject: URIRef, cell: str, line: int, *, activity: bool) -> Responsible:
    """The Utförare cell: kept verbatim, its actors linked in their roles, its defects reported."""
    b = ctx.builder
    b.add(subject, ANDTS.responsibleText, Literal(cell))
    b.check_text(subject, cell, line)
    stripped = cell.strip()
    if stripped.endswith((",", ";")) or stripped.startswith((",", ";")) or ",," in stripped:
        b.finding(subject, line, "stray-punctuation", cell,
                  "The Utförare cell has a stray delimiter (a comma with no name after it).",
                  suggestion=stripped.strip(",; "))
    resp = resolve_responsible(cell, ctx.registry.actors)
    link_actors(ctx, subject, resp, activity=activity)
    for m in distinct(resp.misspelt):
        b.finding(subject, line, "misspelt-name", cell, f"{m.text!r} is a misspelt or wrong name of "
                  f"{ctx.registry.label(m.iri)}.", suggestion=ctx.registry.label(m.iri))
    named = set(resp.actors)
    for name, times in Counter(resp.unknown).items():
        _unknown_name(ctx, subject, line, cell, name, times, named)
    return resp


def _unknown_name(ctx: Context, subject: URIRef, line: int, cell: str, name: str, times: int,
                  named: set[URIRef]) -> None:
    suggestion = _suggest_actor(ctx, name, named)
    if _ABBREVIATION.fullmatch(name):
        message = (f"'{name}' is not a known abbreviation of a Stockholm committee or administration; it is kept "
                   f"in the Utförare text and not linked.")
    else:
        message = f"'{name}' is not a known actor of the registry; it is kept in the Utförare text and not linked."
    if times > 1:
        message += f" The cell names it {times} times."
    if suggestion:
        message += f" Most likely {suggestion}, one letter off (not verified)."
    ctx.builder.finding(subject, line, "unknown-abbreviation", cell, message, suggestion=suggestion)


def link_actors(ctx: Context, subject: URIRef, resp: Responsible, *, activity: bool) -> None:
    for role, actor in resp.roles:
        if role == "partner":
            ctx.builder.add(subject, ANDTS.partner, actor)
            continue
        ctx.builder.add(subject, ANDTS.responsible, actor)
        if role in _ROLES and activity:
            ctx.builder.add(subject, ANDTS[role], actor)


def _suggest_actor(ctx: Context, name: str, named: set[URIRef]) -> str | None:
    """A registry abbreviation one letter away from `name`, if exactly one (actors named in the same cell
    are not candidates: a cell does not name one actor twice)."""
    candidates: dict[URIRef, str] = {}
    for e in ctx.registry.actors.entries:
        if e.iri in named or len(e.label) != len(name) or not _ABBREVIATION.fullmatch(e.label):
            continue
        if _levenshtein(e.label, name) == 1:
            candidates.setdefault(e.iri, e.label)
    if len(candidates) != 1:
        return None
    iri, label = next(iter(candidates.items()))
    return f"{label} ({ctx.registry.label(iri)})"


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def link_text(ctx: Context, subject: URIRef, text: str, line: int) -> list[URIRef]:
    """The methods the (cleaned) text names, linked (a misspelt name reported), and the findings about the
    laws it cites; the laws themselves are tagged with the other dimensions. Returns the methods."""
    b, reg = ctx.builder, ctx.registry
    methods = []
    for m in reg.methods.find(text):
        b.add(subject, ANDTS.method, m.iri)
        methods.append(m.iri)
        if m.is_misspelling:
            b.finding(subject, line, "misspelt-name", text, f"{m.text!r} is a misspelt or wrong name of "
                      f"{reg.label(m.iri)}.", suggestion=reg.label(m.iri))
    for m in reg.laws.find(text):
        if m.is_misspelling:
            b.finding(subject, line, "misspelt-name", text, f"{m.text!r} is a misspelt or wrong name of "
                      f"{reg.label(m.iri)}.", suggestion=reg.label(m.iri))
        b.outdated_citation(subject, line, text, m.iri, m.text, m.end, reg.label)
    return methods
