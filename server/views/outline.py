"""A programme page's outline: its sections (goals or parts) and their focus areas, in document order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from andts.server.engine import reader, sparql
from andts.server.views.context import Link, Namer, natural
from andts.server.views.vocabulary import SKOS


@dataclass
class OutlineArea:
    link: Link
    notation: str | None
    activities: int


@dataclass
class OutlineSection:
    """A goal or a part of a programme with its focus areas."""

    link: Link
    notation: str | None
    national_goal: Link | None
    areas: list[OutlineArea]
    kind: str  # "goal" or "part"


def read_outline(engine: sparql.Engine, programme: ox.NamedNode, ns: str) -> tuple[list[reader.Row], list[reader.Row]]:
    p = reader.term(programme)
    sections = reader.select(engine, f"""
SELECT ?section ?kind ?notation ?national WHERE {{
  {{ ?section <{ns}programme> {p} ; a ?kind . VALUES ?kind {{ <{ns}Goal> <{ns}OverarchingGoal> <{ns}ProgrammePart> }} }}
  OPTIONAL {{ ?section <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?section <{ns}nationalGoal> ?national }}
}}""")
    areas = reader.select(engine, f"""
SELECT ?area ?notation ?section (COUNT(DISTINCT ?activity) AS ?activities) WHERE {{
  ?area a <{ns}FocusArea> ; <{ns}programme> {p} .
  OPTIONAL {{ ?area <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?area <{ns}goal>|<{ns}part> ?section }}
  OPTIONAL {{ ?activity <{ns}focusArea> ?area }}
}} GROUP BY ?area ?notation ?section""")
    return sections, areas


def sections(name: Namer, sections: list[reader.Row], areas: list[reader.Row]) -> list[OutlineSection]:
    ns = name.ctx.ns
    by_section: dict[str, list[OutlineArea]] = defaultdict(list)
    for r in areas:
        section = r["section"].value if "section" in r else ""
        by_section[section].append(OutlineArea(link=name.link(r["area"].value), notation=reader.text(r, "notation") or None,
                                               activities=reader.integer(r, "activities")))
    out: dict[str, OutlineSection] = {}
    for r in sections:
        iri = r["section"].value
        if iri in out:
            continue
        kind = "part" if r["kind"].value == ns + "ProgrammePart" else "goal"
        areas_here = sorted(by_section.get(iri, []), key=lambda a: natural(a.notation))
        out[iri] = OutlineSection(link=name.link(iri), notation=reader.text(r, "notation") or None,
                                  national_goal=name.link(r["national"].value) if "national" in r else None,
                                  areas=areas_here, kind=kind)
    # goals first (overarching before numbered), then parts; each in the document's numbering
    return sorted(out.values(), key=lambda s: (s.kind != "goal", s.notation is not None, natural(s.notation)))
