"""An Utförare cell of the Stockholm appendix read as actors in roles.

The cell names bodies by abbreviation or full name ("SoN, SdN"), sometimes in a phrase that gives them
roles: "Initieras av X och omfattar Y" (initiator, participants), "X huvudansvar" (coordinator; "…, kallar
berörda parter" makes X the initiator too), "X, Y har tillsynsansvar" (Y supervises) and "X (och polis)"
(the body in brackets takes part without answering for it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import URIRef

from andts.loaders import text as txt
from andts.loaders.registry import Lexicon, Match

#: Words of an Utförare cell that name nobody in particular ("övriga berörda aktörer").
_VAGUE = re.compile(r"\b(berörda|övriga|externa|parter)\b", re.I)
_CONNECTOR = re.compile(r"^(?:och|samt|eller)\b\s*", re.I)

#: The role phrases. Each is found by a plain search and the cell is cut around it: one lazy pattern over
#: the whole cell ("(?P<a>.*?),?\s*(?P<b>[^,]+?)\s+har tillsynsansvar") backtracks quadratically on a long cell.
_INITIATED = re.compile(r"\s*Initieras av\s+", re.I)
_COMPRISES = re.compile(r"\s+och omfattar\s+", re.I)
_COORDINATES = re.compile(r"\s+(?:har\s+)?huvudansvar\S*", re.I)
_SUPERVISES = re.compile(r"\s+har tillsynsansvar\s*\Z", re.I)
#: "SdN (och polis)": an actor named beside the responsible one, in brackets, takes part without answering for it.
_ALONGSIDE = re.compile(r"\(\s*och\s+([^()]*)\)", re.I)


@dataclass
class Responsible:
    """The actors of one Utförare cell, by role (role None = responsible only)."""

    roles: list[tuple[str | None, URIRef]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # unresolved names
    misspelt: list[Match] = field(default_factory=list)

    @property
    def actors(self) -> list[URIRef]:
        out: list[URIRef] = []
        for role, a in self.roles:
            if a not in out and role != "partner":
                out.append(a)
        return out


def role_segments(cell: str) -> list[tuple[str | None, str]]:
    """The cell cut into (role, text) by the phrases the document uses for roles."""
    lead = len(cell) - len(cell.lstrip())
    initiated = _INITIATED.match(cell)
    if initiated:
        comprises = _COMPRISES.search(cell, initiated.end() + 1)
        if comprises and cell[comprises.end():].strip():
            return [("initiator", cell[initiated.end():comprises.start()]),
                    ("participant", cell[comprises.end():].rstrip())]
    coordinates = _COORDINATES.search(cell, lead + 1)
    if coordinates:
        # "SdN huvudansvar, kallar berörda parter": the main responsibility, and the one who convenes
        roles = ["coordinator", "initiator"] if "kallar" in cell[coordinates.start():].lower() else ["coordinator"]
        return [(role, cell[lead:coordinates.start()]) for role in roles] + [("vague", cell[coordinates.end():])]
    supervises = _SUPERVISES.search(cell, lead)
    if supervises:
        # the supervisor is the name after the last comma; the names before it are responsible only
        others, _, supervisor = cell[lead:supervises.start()].rpartition(",")
        if supervisor.strip():
            return [(None, others), ("supervisor", supervisor.lstrip())]
    return [(None, cell)]


def resolve_responsible(cell: str, actors: Lexicon) -> Responsible:
    out = Responsible()
    text = txt.replace_look_alikes(_dehyphenate(txt.collapse(txt.strip_markup(cell))))
    segments = role_segments(text)
    for i, (role, segment) in enumerate(segments):
        # a second role of the same names ("X huvudansvar, kallar …"): the names are reported once
        again = any(other == segment for _, other in segments[:i])
        for alongside in _ALONGSIDE.findall(segment):
            for m in actors.find(alongside):
                if not again:
                    out.roles.append(("partner", m.iri))
        segment = _ALONGSIDE.sub(" ", segment)
        matches, leftovers = actors.split(segment) if role != "vague" else ([], [])
        for m in matches:
            out.roles.append((role, m.iri))
            if m.is_misspelling and not again:
                out.misspelt.append(m)
        if not again:
            out.unknown.extend(_unknown_names(leftovers))
    return out


def _unknown_names(leftovers: list[str]) -> Iterator[str]:
    """The names in the text left between known names. The cell lists names separated by commas, so one
    leftover may hold several; connectives and words that name nobody in particular are not names."""
    for rest in (part for leftover in leftovers for part in re.split(r"[,;]", leftover)):
        rest = rest.strip(" ,;/&+()\t.")
        while _CONNECTOR.match(rest):
            rest = _CONNECTOR.sub("", rest).strip(" ,;/&+()\t.")
        if rest and not _VAGUE.search(rest):
            yield rest


def _dehyphenate(text: str) -> str:
    """Line-break hyphens removed ("fastighets-bolag" → "fastighetsbolag") so that names match."""
    return txt.LINE_BREAK_HYPHEN.sub(lambda m: m.group(0).replace("-", ""), text)
