"""The analytic dimensions of a text: substances, umbrella scope, target groups, settings and laws.

One matcher for every loader. It reads the thesaurus of the reference data (data/reference/thesaurus.ttl,
substances.ttl) and returns each tag with its evidence: the words matched and their place in the text, or
the method, law or statutory task that implies the tag. Nothing here decides what a word means: entry
terms, exclusions, contrast words, what a method or law addresses and which tasks invoke which laws are
all reference data. The rubric the data implements is the project's dimensions rubric.

How an entry term is read (also documented in thesaurus.ttl): a word or phrase matches as a whole word,
case-insensitively, with Swedish inflection endings on its last word; "*" stands for any letters ("alkohol*"
finds "alkoholservering", "*skol*" finds "gymnasieskolan"); a term in capitals (ANDTS, BVC) matches only in
capitals. Where two terms of one dimension overlap, the longer term wins. Text is matched with look-alike
letters read as Latin ones and line-break hyphens taken out ("injektions-missbruk"), with offsets into the
published text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from andts.loaders import text as txt
from andts.loaders.registry import Lexicon, Match, Registry, _is_acronym
from andts.namespaces import ANDTS, ID

#: The dimensions: name (IRI segment of a tag's evidence), property, and the class of its concepts.
DIMENSIONS: dict[str, tuple[URIRef, URIRef]] = {
    "substance": (ANDTS.substance, ANDTS.Substance),
    "substance-scope": (ANDTS.substanceScope, ANDTS.SubstanceScope),
    "target-group": (ANDTS.targetGroup, ANDTS.TargetGroup),
    "setting": (ANDTS.setting, ANDTS.Setting),
    "law": (ANDTS.law, ANDTS.Law),
}
DIMENSION_OF: dict[URIRef, str] = {prop: name for name, (prop, _) in DIMENSIONS.items()}

#: The bases of a tag (concepts of id:scheme/tag-bases).
BASES = ("named", "implied-by-method", "implied-by-law", "statutory-task", "stated")

#: Swedish inflection endings a word as written may take (plural, definite, genitive), longest first.
_ENDINGS = "arnas|ernas|ornas|arna|erna|orna|ens|ets|nas|ars|ers|ors|en|et|na|ar|er|or|rs|ns|s|n|r"


@lru_cache(maxsize=None)
def term_pattern(term: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An entry term as a regex, and its probe (a literal the text must contain for the term to match)."""
    lead, trail = term.startswith("*"), term.endswith("*")
    core = term.strip("*").strip()
    # "*" inside a word ("skadlig* bruk") stands for letters too; the probe is the longest literal piece
    body = r"\s+".join(re.escape(w).replace(r"\*", r"\w*") for w in core.split())
    probe = re.escape(max(re.split(r"[*\s]+", core), key=len))
    if _is_acronym(core):
        flags, end = 0, r"(?::?s)?(?![\w])"
    else:
        flags, end = re.IGNORECASE, (r"\w*" if trail else rf"(?:{_ENDINGS})?(?![\w])")
    start = r"\w*" if lead else r"(?<![\w])"
    if lead or trail:  # the letters a wildcard stands for belong to the word, not to the term
        return re.compile(f"{start}(?P<core>{body}){end}", flags), re.compile(probe, flags)
    return re.compile(f"{start}{body}{end}", flags), re.compile(probe, flags)


def _compile(label: str, prefix: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return term_pattern(label)


def _lexicon(entries: list[tuple[str, URIRef, str]]) -> Lexicon:
    return Lexicon(entries, compile=_compile)


def fold(text: str) -> tuple[str, list[int]]:
    """The text as matched, with look-alike letters read as Latin ones and without line-break hyphens
    ("injektions-missbruk" reads as one word), and for each of its characters its offset in the given text."""
    text = txt.replace_look_alikes(text)  # letter for letter: "drogsцен" reads "drogscen" (offsets unchanged)
    dropped = {i for m in txt.LINE_BREAK_HYPHEN.finditer(text) for i in range(m.start(), m.end()) if text[i] == "-"}
    if not dropped:
        return text, list(range(len(text)))
    keep = [i for i in range(len(text)) if i not in dropped]
    return "".join(text[i] for i in keep), keep


@dataclass(frozen=True)
class Tag:
    """One piece of evidence for one tag: the entity carries `concept` under `prop` because …"""

    prop: URIRef
    concept: URIRef
    basis: str  # one of BASES
    words: str | None = None  # the words as the text has them
    start: int | None = None  # [start, end) in the published text of `text_of`
    end: int | None = None
    term: str | None = None  # the entry term that matched
    text_of: URIRef | None = None  # the entity whose published text holds the words (itself, or its focus area)
    line: int | None = None  # the source line of that text
    implied_by: URIRef | None = None  # the method, law or statutory task that implies the tag

    @property
    def dimension(self) -> str:
        return DIMENSION_OF[self.prop]


@dataclass(frozen=True)
class _Task:
    iri: URIRef
    cues: tuple[Lexicon, ...]
    laws: tuple[URIRef, ...]


def _in_force(reference: Graph, law: URIRef, period: tuple[date | None, date | None]) -> bool:
    start, end = period
    since = reference.value(law, ANDTS.inForceFrom)
    until = reference.value(law, ANDTS.inForceUntil)
    if since is not None and end is not None and since.toPython() > end:
        return False
    return not (until is not None and start is not None and until.toPython() < start)


@dataclass(frozen=True)
class _Thesaurus:
    """The reference data's thesaurus compiled: the same for every programme of a build."""

    lexicons: dict[str, Lexicon]  # substance (with the umbrella scope: they compete for "droger"), target-group, setting
    exclusions: dict[str, list[re.Pattern[str]]]
    property_of: dict[URIRef, URIRef]
    contrasts: list[tuple[URIRef, URIRef, Lexicon]]  # ("alkohol och droger": narkotika)
    tasks: list[_Task]


@lru_cache(maxsize=4)  # a build compiles it once per process, not once per programme
def _thesaurus(reference: Graph) -> _Thesaurus:
    lexicons: dict[str, Lexicon] = {}
    exclusions: dict[str, list[re.Pattern[str]]] = {}
    for dimension, classes in (("substance", (ANDTS.Substance, ANDTS.SubstanceScope)),
                               ("target-group", (ANDTS.TargetGroup,)), ("setting", (ANDTS.Setting,))):
        concepts = sorted({c for cls in classes for c in reference.subjects(RDF.type, cls)}, key=str)
        lexicons[dimension] = _lexicon([(str(label), c, "entry") for c in concepts
                                        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                                        for label in reference.objects(c, p) if _swedish(label)])
        exclusions[dimension] = [term_pattern(str(x))[0] for c in concepts for x in reference.objects(c, ANDTS.exclusion)]
    property_of = {c: DIMENSIONS[name][0] for name, (_, cls) in DIMENSIONS.items() for c in reference.subjects(RDF.type, cls)}
    contrasts = [(c, other, _lexicon([(str(label), c, "contrast") for label in reference.objects(c, ANDTS.contrastLabel)]))
                 for c in sorted(reference.subjects(ANDTS.contrastWith, None), key=str)
                 for other in reference.objects(c, ANDTS.contrastWith)]
    tasks = [_Task(t, tuple(_lexicon([(alt.strip(), t, "cue") for alt in str(cue).split("|")])
                            for cue in sorted(reference.objects(t, ANDTS.cue), key=str)),
                   tuple(sorted(reference.objects(t, ANDTS.carriedOutUnder), key=str)))
             for t in sorted(reference.subjects(RDF.type, ANDTS.StatutoryTask), key=str)]
    return _Thesaurus(lexicons, exclusions, property_of, contrasts, tasks)


class Dimensions:
    """The thesaurus for one programme (the period decides which law a statutory task means)."""

    def __init__(self, reference: Graph, period: tuple[date | None, date | None] = (None, None),
                 laws: Lexicon | None = None, names: Iterable[Lexicon] = ()) -> None:
        self.reference = reference
        self.period = period
        t = _thesaurus(reference)
        self.lexicons, self.exclusions, self.property_of = t.lexicons, t.exclusions, t.property_of
        self.contrasts, self.tasks = t.contrasts, t.tasks
        self.laws = laws
        #: names (of methods, laws) are not descriptions: "Liv och hälsa ung" does not reach the young, and
        #: "Socialtjänstlagen" is no social-services setting (substances and scope still read them)
        self.names = [n for n in (*names, laws) if n is not None]
        self._read: dict[tuple[str, URIRef | None, int | None], list[Tag]] = {}

    @classmethod
    def of(cls, registry: Registry, period: tuple[date | None, date | None]) -> "Dimensions":
        """The matcher a loader uses: laws cited are those of the registry, and the names of its methods and
        laws are not read as descriptions."""
        return cls(registry.reference, period, laws=registry.laws, names=[registry.methods])

    # ---------------------------------------------------------------------------------------------
    def read(self, text: str, text_of: URIRef | None = None, line: int | None = None) -> list[Tag]:
        """The tags a text names: substances, scope, target groups, settings; laws cited, and laws whose
        statutory task the text describes (those in force during the programme's period). A focus area's
        title is read once for all its activities."""
        key = (text, text_of, line)
        if key not in self._read:
            self._read[key] = self._read_text(text, text_of, line)
        return self._read[key]

    def _read_text(self, text: str, text_of: URIRef | None, line: int | None) -> list[Tag]:
        folded, at = fold(text)

        def span(m: Match) -> tuple[int, int]:
            return at[m.start], at[m.end - 1] + 1

        def named(m: Match, prop: URIRef) -> Tag:
            start, end = span(m)
            return Tag(prop, m.iri, "named", text[start:end], start, end, m.label, text_of, line)

        out: list[Tag] = []
        unnamed = _blank(folded, [(m.start, m.end) for names in self.names for m in names.find(folded)])
        for name, lexicon in self.lexicons.items():
            masked = self._mask(folded if name == "substance" else unnamed, name)
            matches = lexicon.find(masked)
            if name == "substance":
                matches = self._contrast(masked, matches)
            out += [named(m, self.property_of[m.iri]) for m in matches]
        if self.laws is not None:
            out += [named(m, ANDTS.law) for m in self.laws.find(folded)]
        for task in self.tasks:
            found = [cue.find(folded) for cue in task.cues]
            if not task.cues or not all(found):
                continue
            firsts = [span(f[0]) for f in found]
            start, end = min(s for s, _ in firsts), max(e for _, e in firsts)
            words = text[start:end]
            for law in task.laws:
                if _in_force(self.reference, law, self.period):
                    out.append(Tag(ANDTS.law, law, "statutory-task", words, start, end,
                                   " + ".join(f[0].label for f in found), text_of, line, task.iri))
        return out

    def implied(self, methods: Iterable[URIRef], laws: Iterable[URIRef]) -> list[Tag]:
        """What the methods and laws an entity names address, by their reference data."""
        out: list[Tag] = []
        for basis, sources in (("implied-by-method", methods), ("implied-by-law", laws)):
            for source in sorted(set(sources), key=str):
                for prop in (ANDTS.substance, ANDTS.targetGroup, ANDTS.setting):
                    for concept in sorted(self.reference.objects(source, prop), key=str):
                        out.append(Tag(prop, concept, basis, implied_by=source))
        return out

    def tags(self, texts: Iterable[tuple[str, URIRef, int]], methods: Iterable[URIRef] = ()) -> list[Tag]:
        """Every tag of an entity whose context is `texts` (its own text, its focus area's title …), with
        what the methods it names and the laws it cites or carries out imply."""
        named = [t for text, who, line in texts for t in self.read(text, who, line)]
        laws = [t.concept for t in named if t.prop == ANDTS.law]
        return named + self.implied(methods, laws)

    # ---------------------------------------------------------------------------------------------
    def _mask(self, text: str, name: str) -> str:
        """The text with the dimension's exclusions ("beroende på") blanked out, offsets kept."""
        for pattern in self.exclusions[name]:
            text = pattern.sub(lambda m: " " * len(m.group(0)), text)
        return text

    def _contrast(self, text: str, matches: list[Match]) -> list[Match]:
        concepts = {m.iri for m in matches}
        for concept, other, lexicon in self.contrasts:
            if other not in concepts:
                continue
            for c in lexicon.find(text):
                matches = [m for m in matches if m.end <= c.start or m.start >= c.end] + [c]
        return sorted(matches, key=lambda m: m.start)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans replaced by spaces, in one pass (a cell naming a method thousands of times
    must not cost a copy of the text per name)."""
    if not spans:
        return text
    out, pos = [], 0
    for start, end in sorted(spans):
        if start >= pos:
            out += [text[pos:start], " " * (end - start)]
            pos = end
        elif end > pos:
            out.append(" " * (end - pos))
            pos = end
    out.append(text[pos:])
    return "".join(out)


def _swedish(label: object) -> bool:
    return getattr(label, "language", None) in (None, "sv")


#: The most places of one text kept as the evidence of one tag: a runaway cell naming "SoL" 20,000 times
#: is tagged once, with its first places, not with 20,000 evidence nodes.
MAX_PLACES = 10


def unique(tags: Iterable[Tag]) -> list[Tag]:
    """Tags in order with repeats dropped (the same words found twice, the same implication twice), and at
    most MAX_PLACES places of one text for one tag."""
    seen: set[tuple] = set()
    places: dict[tuple, int] = {}
    out = []
    for t in tags:
        key = (t.prop, t.concept, t.basis, t.start, t.text_of, t.implied_by)
        if key in seen:
            continue
        seen.add(key)
        where = (t.prop, t.concept, t.basis, t.text_of, t.implied_by)
        places[where] = places.get(where, 0) + 1
        if places[where] <= MAX_PLACES:
            out.append(t)
    return out


def write(g: Graph, subject: URIRef, tags: Iterable[Tag], *, line: int, document: URIRef) -> None:
    """The tags as data: `subject <prop> <concept>` and one andts:TagEvidence per piece of evidence,
    {subject}/tag/{dimension}/{concept}/{n}, saying on what basis, with which words where, or implied by what."""
    counts: dict[tuple[str, str], int] = {}
    for t in unique(tags):
        g.add((subject, t.prop, t.concept))
        slug = str(t.concept).rstrip("/").rsplit("/", 1)[-1]
        key = (t.dimension, slug)
        counts[key] = counts.get(key, 0) + 1
        e = URIRef(f"{subject}/tag/{t.dimension}/{slug}/{counts[key]}")
        g.add((subject, ANDTS.evidence, e))
        g.add((e, RDF.type, ANDTS.TagEvidence))
        g.add((e, ANDTS.tagProperty, t.prop))
        g.add((e, ANDTS.tagValue, t.concept))
        g.add((e, ANDTS.basis, ID[f"tag-basis/{t.basis}"]))
        g.add((e, ANDTS.sourceLine, Literal(t.line or line, datatype=XSD.integer)))
        g.add((e, PROV.wasDerivedFrom, document))
        if t.words is not None:
            g.add((e, ANDTS.words, Literal(t.words)))
            g.add((e, ANDTS.start, Literal(t.start, datatype=XSD.integer)))
            g.add((e, ANDTS.end, Literal(t.end, datatype=XSD.integer)))
        if t.term is not None:
            g.add((e, ANDTS.entryTerm, Literal(t.term)))
        if t.text_of is not None:
            g.add((e, ANDTS.inTextOf, t.text_of))
        if t.implied_by is not None:
            g.add((e, ANDTS.impliedBy, t.implied_by))
