"""Prose sections of the Eskilstuna plan (before and after the goals) as skos:note @sv on the programme,
one per section. A heading is recognised by its shape: a short line that does not end like a sentence."""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import SKOS

from andts.loaders import text as txt
from andts.loaders.eskilstuna.context import Context
from andts.loaders.eskilstuna.layout import unmark

#: The first sentence of the municipality's template definitions ("En plan är ett styrande dokument …").
_DEFINITION = re.compile(r"^(En|Ett) \w+ är ett styrande dokument")

#: (heading line, heading, body lines); text before the first heading has no heading.
Section = tuple[int | None, str | None, list[tuple[int, str]]]


def emit_prose(ctx: Context, entries: list[tuple[int, str]], *, programme_title: bool) -> None:
    """`programme_title`: the sections are the front matter's, whose last heading, with no body, is the
    plan part's own title."""
    b, prog = ctx.builder, ctx.programme
    sections = _sections(ctx, entries)
    definitions: list[Section] = []
    for i, (hline, heading, body) in enumerate(sections):
        if hline is not None:
            b.cover(hline, prog)
            b.check_text(prog, heading, hline)
        for n, raw in body:
            b.cover(n, prog)
            b.check_text(prog, raw, n)
        if not body:
            prop = SKOS.altLabel if programme_title and i == len(sections) - 1 else SKOS.note
            b.add(prog, prop, Literal(txt.clean(heading), lang="sv"))
            continue
        text = "\n\n".join(txt.clean(unmark(raw)) for _, raw in body)
        b.add(prog, SKOS.note, Literal(f"{txt.clean(heading)}: {text}" if heading else text, lang="sv"))
        if heading and _DEFINITION.match(body[0][1].strip()):
            definitions.append((hline, heading, body))
    if definitions:
        _boilerplate(ctx, definitions)


def _sections(ctx: Context, entries: list[tuple[int, str]]) -> list[Section]:
    sections: list[Section] = []
    for n, line in entries:
        s = line.strip()
        if "\t" in line:
            raise ctx.source.error(n, "a table row before any 'Insats/Utvecklingsområde<TAB>Ansvarig' header")
        if _is_heading(s):
            sections.append((n, s, []))
        else:
            if not sections:
                sections.append((None, None, []))
            sections[-1][2].append((n, line))
    return sections


def _is_heading(text: str) -> bool:
    return len(text) <= 100 and text[-1] not in ".:;!?," and not text.startswith("-")


def _boilerplate(ctx: Context, definitions: list[Section]) -> None:
    first = definitions[0][0]
    verbatim = "\n".join(line for h, heading, body in definitions for line in [heading] + [r for _, r in body])
    names = ", ".join(d[1] for d in definitions)
    ctx.builder.finding(ctx.programme, first, "placement", verbatim,
                        f"Boilerplate of the municipality's document template: general definitions of {names} "
                        f"(lines {first}–{definitions[-1][2][-1][0]}) that say nothing about this plan; kept as "
                        f"notes on the programme.")
