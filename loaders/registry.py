"""Finding known things (actors, methods, laws) in source text through the reference data (the analytic
dimensions, substances among them, are andts.loaders.dimensions).

Names are matched as whole words, longest first and without overlap, so "Barn- och utbildningsnämnden
Socialnämnden" splits into two actors without guessing at spaces. Labels in capitals (ASI, SIP, LVM)
match case-sensitively; other labels ignore case. A match on a `skos:hiddenLabel` is a known
misspelling or wrong name: the loader links the entity and reports the spelling.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from andts.namespaces import ANDTS

LABEL_KINDS = {SKOS.prefLabel: "pref", SKOS.altLabel: "alt", SKOS.hiddenLabel: "hidden"}


@dataclass(frozen=True)
class Match:
    iri: URIRef
    label: str  # the registry's label that matched
    text: str  # the text as the document has it
    start: int
    end: int
    kind: str  # pref | alt | hidden

    @property
    def is_misspelling(self) -> bool:
        return self.kind == "hidden"


def distinct(matches: Iterable[Match]) -> list[Match]:
    """One match per spelling of each entity, in the order first found: a cell repeating a name thousands of
    times (a runaway paste) gets one finding about the name, not thousands copying the cell."""
    return list({(m.text, m.iri): m for m in matches}.values())


@dataclass(frozen=True)
class _Entry:
    label: str
    iri: URIRef
    kind: str
    pattern: re.Pattern[str]
    #: the label without its word boundaries: it matches wherever `pattern` does (and more), and a regex
    #: that starts with a literal is searched far faster than one that starts with a lookbehind
    probe: re.Pattern[str]
    #: the probe as plain text when it is one (no "\s+"), casefolded when the probe ignores case: a substring
    #: test is several times faster than even a literal regex search, and a national build runs it millions
    #: of times
    literal: str | None = None
    folded: bool = False


def _is_acronym(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2 and label == label.upper()


@lru_cache(maxsize=None)  # every loader run compiles the same labels
def _compile(label: str, prefix: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The label's pattern, and its probe (see _Entry). A name may take the genitive -s ("Stockholmsenkätens",
    "SoL:s")."""
    body = re.escape(label).replace(r"\ ", r"\s+")
    end = "" if prefix else r"(?::?s)?(?![\w])"
    flags = 0 if _is_acronym(label) else re.IGNORECASE
    return re.compile(rf"(?<![\w]){body}{end}", flags), re.compile(body, flags)


class _Spans:
    """Non-overlapping [start, end) spans of a text, sorted, with an overlap test in O(log n): a cell that
    names one actor thousands of times takes thousands of spans, and a scan of them all per match is quadratic."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # spans do not overlap one another, so the last span starting before `end` ends last among them
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


class Lexicon:
    """Labels of one kind of thing, compiled for matching."""

    def __init__(self, entries: list[tuple[str, URIRef, str]], *, prefix: bool = False,
                 compile: Callable[[str, bool], tuple[re.Pattern[str], re.Pattern[str]]] = _compile) -> None:
        seen: set[tuple[str, URIRef]] = set()
        self.entries: list[_Entry] = []
        for label, iri, kind in sorted(entries, key=lambda e: (-len(e[0]), e[0], str(e[1]))):
            if (label, iri) in seen or not label.strip():
                continue
            seen.add((label, iri))
            pattern, probe = compile(label, prefix)
            plain = re.sub(r"\\(.)", r"\1", probe.pattern)
            literal = None if re.search(r"\\[a-zA-Z]|[.^$*+?{}\[\]|()]", probe.pattern.replace("\\\\", "")) else plain
            folded = bool(probe.flags & re.IGNORECASE)
            if literal is not None and folded:
                literal = literal.casefold()
            self.entries.append(_Entry(label, iri, kind, pattern, probe, literal, folded))

    def find(self, text: str) -> list[Match]:
        """Every non-overlapping occurrence, longest label first, in text order. A pattern with a group named
        "core" claims only that part of what it matches: "*idrott*" and "*evenemang*" both read
        "idrottsevenemang"."""
        taken = _Spans()
        found: list[Match] = []
        folded = text.casefold()
        for e in self.entries:
            # most labels are not in a given text (a loader's hot spot)
            if e.literal is not None:
                if e.literal not in (folded if e.folded else text):
                    continue
            elif e.probe.search(text) is None:
                continue
            core = "core" in e.pattern.groupindex
            for m in e.pattern.finditer(text):
                start, end = m.span("core") if core else m.span()
                if taken.overlaps(start, end):
                    continue
                taken.add(start, end)
                found.append(Match(e.iri, e.label, m.group(0), m.start(), m.end(), e.kind))
        return sorted(found, key=lambda m: m.start)

    def lookup(self, name: str) -> Match | None:
        """The entry whose label is exactly `name` (case rules as in find)."""
        name = name.strip()
        for m in self.find(name):
            if m.start == 0 and m.end == len(name):
                return m
        return None

    def split(self, cell: str) -> tuple[list[Match], list[str]]:
        """Names run together in one cell → the matches, and the leftover text that matched nothing."""
        matches = self.find(cell)
        leftovers, pos = [], 0
        for m in matches:
            rest = cell[pos:m.start].strip(" ,;/&+\t")
            if rest:
                leftovers.append(rest)
            pos = m.end
        rest = cell[pos:].strip(" ,;/&+\t")
        if rest:
            leftovers.append(rest)
        return matches, leftovers


class Registry:
    """The reference data a loader for one municipality matches against."""

    def __init__(self, reference: Graph, municipality: URIRef) -> None:
        self.reference = reference
        self.municipality = municipality
        actors = [a for cls in (ANDTS.Actor, ANDTS.ActorGroup) for a in reference.subjects(RDF.type, cls)]
        own = [a for a in actors if (a, ANDTS.municipality, municipality) in reference]
        external = [a for a in actors if reference.value(a, ANDTS.municipality) is None]
        self.actors = Lexicon(self._labels(set(own) | set(external)))
        #: bodies outside any municipality (state agencies, regions, associations)
        self.external = frozenset(external)
        self.methods = Lexicon(self._labels(set(reference.subjects(RDF.type, ANDTS.Method))))
        self.laws = Lexicon(self._labels(set(reference.subjects(RDF.type, ANDTS.Law))))

    def _labels(self, iris: set[URIRef]) -> list[tuple[str, URIRef, str]]:
        out = []
        for iri in iris:
            for prop, kind in LABEL_KINDS.items():
                for label in self.reference.objects(iri, prop):
                    if getattr(label, "language", None) in (None, "sv") or kind != "pref":
                        out.append((str(label), iri, kind))
        return out

    def partners_in(self, text: str, responsible: set[URIRef] = frozenset(), *,
                    external_only: bool = True) -> list[URIRef]:
        """The bodies a text names as working with the municipality (andts:partner), in the order named:
        bodies outside any municipality (Region Stockholm, the police) unless they are responsible; with
        `external_only=False` every body named (existing work names no one responsible)."""
        out: list[URIRef] = []
        for m in self.actors.find(text):
            if (m.iri in self.external or not external_only) and m.iri not in responsible and m.iri not in out:
                out.append(m.iri)
        return out

    def label(self, iri: URIRef) -> str:
        for lit in self.reference.objects(iri, SKOS.prefLabel):
            if getattr(lit, "language", None) == "sv":
                return str(lit)
        return str(iri)
