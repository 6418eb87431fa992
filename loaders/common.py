"""What every loader shares: source metadata, provenance-stamped entities, findings, line coverage.

A loader is a pure function `load(source: SourceInfo, reference: Graph) -> LoadResult`. It reads only
its document, mints entities through a ProgrammeBuilder (which records type, line and derivation for each)
and reports every defect as a finding. Nothing here writes to a store.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD
from rdflib.term import Node

from andts.errors import SourceError
from andts.loaders import text as txt
from andts.loaders.dimensions import Tag
from andts.loaders.dimensions import write as write_tags
from andts.namespaces import ANDTS, GRAPH, ID, SCHEMA

#: A chapter-and-section citation right after a law's name: "14 kap 1 §", "2 kap. 7 §".
_SECTION = re.compile(r"\s*(?P<section>\d+\s*kap\.?\s*\d+\s*§)")

#: Classes whose instances belong to a programme and carry andts:programme.
PROGRAMME_SCOPED = {ANDTS.Goal, ANDTS.OverarchingGoal, ANDTS.ProgrammePart, ANDTS.FocusArea, ANDTS.Activity,
                    ANDTS.SubGoal, ANDTS.ExistingWork}


@dataclass(frozen=True)
class SourceInfo:
    """One source document and the programme it describes, from its metadata file in data/sources/."""

    path: Path
    meta_path: Path
    slug: str
    loader: str
    meta: dict

    @classmethod
    def read(cls, meta_path: Path) -> "SourceInfo":
        try:
            meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SourceError(str(meta_path), None, f"unreadable metadata: {exc}") from exc
        doc = meta.get("document", {})
        for key in ("file", "slug", "loader", "municipality"):
            if key not in doc:
                raise SourceError(str(meta_path), None, f"metadata lacks document.{key}")
        return cls(path=meta_path.parent / doc["file"], meta_path=meta_path, slug=doc["slug"],
                   loader=doc["loader"], meta=meta)

    @property
    def programme(self) -> URIRef:
        return ID[f"programme/{self.slug}"]

    @property
    def document(self) -> URIRef:
        return ID[f"source/{self.slug}"]

    @property
    def graph(self) -> URIRef:
        return GRAPH[self.slug]

    @property
    def municipality(self) -> URIRef:
        return ID[f"municipality/{self.meta['document']['municipality']}"]

    @property
    def municipality_slug(self) -> str:
        return self.meta["document"]["municipality"]

    @property
    def period(self) -> tuple[date | None, date | None]:
        """The programme's period of validity from the metadata (start, end), either open if not given."""
        pmeta = self.meta.get("programme", {})
        return tuple(date.fromisoformat(iso_date(pmeta[k])) if k in pmeta else None for k in ("start", "end"))

    def read_lines(self) -> list[str]:
        """The document's lines (index 0 = line 1). Strict UTF-8 (with or without a byte-order mark): a
        wrong encoding is an error with its line."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise SourceError(str(self.path), None, f"cannot read: {exc.strerror}") from exc
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(str(self.path), line, f"not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})") from exc
        # a UTF-8 byte-order mark (spreadsheet programs write one) is an encoding signature, not text
        content = content.removeprefix("\ufeff")
        if "\x00" in content:
            line = content[: content.index("\x00")].count("\n") + 1
            raise SourceError(str(self.path), line, "contains a NUL byte: not a text document")
        return content.split("\n") if content else []

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def error(self, line: int | None, message: str) -> SourceError:
        """The error that stops the build at a line of this document."""
        return SourceError(str(self.path), line, message)


@dataclass
class LoadResult:
    """A programme's graph, its findings, and what each line of the source became."""

    source: SourceInfo
    graph: Graph
    coverage: dict[int, set[URIRef]]
    findings: list[URIRef] = field(default_factory=list)
    #: What `andts build` reports of the graph when the graph itself stayed in the process that loaded it
    #: (a national build): triples, entities per class, findings per kind (andts.build.tally_of)
    tally: dict[str, object] | None = None

    def uncovered(self, lines: list[str]) -> list[int]:
        """Non-blank lines that became neither data nor a finding (should be empty)."""
        return [i for i, line in enumerate(lines, start=1) if line.strip() and i not in self.coverage]


class ProgrammeBuilder:
    """Mints the entities of one programme with provenance, and counts findings deterministically."""

    def __init__(self, source: SourceInfo, reference: Graph | None = None) -> None:
        self.source = source
        self.reference = reference  # optional: gives findings the Swedish name of their kind
        self.g = Graph(store="SimpleMemory")
        self.coverage: dict[int, set[URIRef]] = defaultdict(set)
        self.findings: list[URIRef] = []
        self._finding_counts: dict[tuple[int, str], int] = defaultdict(int)

    # IRIs -------------------------------------------------------------------------------------
    def iri(self, *segments: str) -> URIRef:
        """An IRI under the programme: iri('goal', '1') → …/programme/{slug}/goal/1."""
        return URIRef(str(self.source.programme) + "/" + "/".join(segments))

    # entities ---------------------------------------------------------------------------------
    def entity(self, iri: URIRef, cls: URIRef, line: int, *, order: int | None = None) -> URIRef:
        g = self.g
        g.add((iri, RDF.type, cls))
        g.add((iri, ANDTS.sourceLine, Literal(line, datatype=XSD.integer)))
        g.add((iri, PROV.wasDerivedFrom, self.source.document))
        if cls in PROGRAMME_SCOPED:
            g.add((iri, ANDTS.programme, self.source.programme))
        if order is not None:
            g.add((iri, ANDTS.order, Literal(order, datatype=XSD.integer)))
        self.cover(line, iri)
        return iri

    def cover(self, line: int, iri: URIRef) -> None:
        self.coverage[line].add(iri)

    def add(self, s: URIRef, p: URIRef, o: Node) -> None:
        self.g.add((s, p, o))

    def tag(self, iri: URIRef, tags: Iterable[Tag], line: int) -> None:
        """The entity's analytic dimensions, each with its evidence (andts.loaders.dimensions)."""
        write_tags(self.g, iri, tags, line=line, document=self.source.document)

    def describe(self, iri: URIRef, raw: str, line: int, prop: URIRef = DCTERMS.description) -> str:
        """Publish a text cell: cleaned @sv under `prop`, the verbatim text as andts:sourceText when it
        differs, and a finding for markup and for look-alike letters. Returns the cleaned text."""
        cleaned = txt.clean(raw)
        self.g.add((iri, prop, Literal(cleaned, lang="sv")))
        if cleaned != raw:
            self.g.add((iri, ANDTS.sourceText, Literal(raw)))
        self.check_text(iri, raw, line)
        return cleaned

    def check_text(self, iri: URIRef, raw: str, line: int) -> None:
        """Findings every text gets checked for, whatever the loader: markup, look-alike letters,
        hyphens left from line breaks, and the document's known errata (its metadata file)."""
        if txt.has_markup(raw):
            self.finding(iri, line, "markup", raw, "The text carries HTML or Markdown markup; the published text has it removed.")
        letters = txt.foreign_letters(raw)
        if letters:
            chars = ", ".join(f"'{c}' (U+{ord(c):04X})" for _, c in letters)
            self.finding(iri, line, "look-alike-letter", raw,
                         f"Letters from another alphabet inside Swedish words: {chars}; the published text uses the Latin letters.",
                         suggestion=txt.replace_look_alikes(raw))
        errata = self.source.meta.get("errata", [])
        for word in txt.LINE_BREAK_HYPHEN.findall(txt.strip_markup(raw)):
            if any(e.get("kind") == "hyphenation" and word in e["text"] for e in errata):
                continue  # the document's errata say what this hyphen is (not always a line break)
            self.finding(iri, line, "hyphenation", raw, f"'{word}' keeps a hyphen from a line break.",
                         suggestion=word.replace("-", ""))
        for erratum in errata:
            if erratum["text"] in raw:
                self.finding(iri, line, erratum.get("kind", "misspelling"), raw, erratum["message"],
                             suggestion=erratum.get("suggestion"))

    def outdated_citation(self, subject: URIRef, line: int, text: str, law: URIRef, cited: str, end: int,
                          label: Callable[[URIRef], str]) -> None:
        """A citation of a law repealed before the programme's period ends is an outdated reference: every
        citation alike, with the section it cites (text[end:]) where one is given."""
        reference = self.reference if self.reference is not None else Graph()
        successor = reference.value(law, DCTERMS.isReplacedBy)
        until = reference.value(law, ANDTS.inForceUntil)
        period_end = self.source.period[1]
        if successor is None or (until is not None and period_end is not None and until.toPython() >= period_end):
            return
        section = _SECTION.match(text, end)
        if section:
            cited = f"{cited} {section.group('section')}"
        self.finding(subject, line, "outdated-reference", text,
                     f"'{cited}' cites {label(law)}, which was repealed and replaced by {label(successor)}"
                     + (f" after {until}" if until is not None else "") + ", within the programme's period"
                     + ("; the section cited may have another number in the new act." if section else "."),
                     suggestion=label(successor))

    # findings ---------------------------------------------------------------------------------
    def finding(self, about: URIRef, line: int, kind: str, text: str, message: str, *,
                suggestion: str | None = None) -> URIRef:
        """Report a defect of the source about an entity. `kind` is a finding-kind slug of the reference data."""
        key = (line, kind)
        self._finding_counts[key] += 1
        iri = ID[f"finding/{self.source.slug}/line-{line}-{kind}-{self._finding_counts[key]}"]
        g = self.g
        g.add((iri, RDF.type, ANDTS.Finding))
        g.add((iri, ANDTS.about, about))
        g.add((iri, ANDTS.findingKind, ID[f"finding-kind/{kind}"]))
        g.add((iri, ANDTS.sourceLine, Literal(line, datatype=XSD.integer)))
        g.add((iri, ANDTS.sourceText, Literal(text)))
        g.add((iri, DCTERMS.description, Literal(message, lang="en")))
        g.add((iri, SKOS.prefLabel, Literal(f"{self._kind_name(kind)} på rad {line}", lang="sv")))
        g.add((iri, PROV.wasDerivedFrom, self.source.document))
        if suggestion is not None:
            g.add((iri, ANDTS.suggestion, Literal(suggestion)))
        self.cover(line, iri)
        self.findings.append(iri)
        return iri

    def _kind_name(self, kind: str) -> str:
        """The finding kind's Swedish name from the reference data ("Stavfel"), else a generic one."""
        if self.reference is not None:
            for label in self.reference.objects(ID[f"finding-kind/{kind}"], SKOS.prefLabel):
                if getattr(label, "language", None) == "sv":
                    return str(label)
        return f"Anmärkning ({kind})"

    def result(self) -> LoadResult:
        return LoadResult(self.source, self.g, dict(self.coverage), list(self.findings))


def numbered_goal(b: ProgrammeBuilder, number: str, line: int) -> URIRef:
    """A programme's goal as its document numbers it: the number as notation, named 'Mål n' and 'Goal n'."""
    iri = b.entity(b.iri("goal", number), ANDTS.Goal, line)
    b.add(iri, SKOS.notation, Literal(number))
    b.add(iri, SKOS.prefLabel, Literal(f"Mål {number}", lang="sv"))
    b.add(iri, SKOS.prefLabel, Literal(f"Goal {number}", lang="en"))
    return iri


def document_and_programme(b: ProgrammeBuilder) -> None:
    """The SourceDocument and Programme entities, from the metadata file (the loader adds what the
    document itself says, with lines)."""
    s, g = b.source, b.g
    doc, prog = s.document, s.programme
    dmeta, pmeta = s.meta["document"], s.meta.get("programme", {})
    g.add((doc, RDF.type, ANDTS.SourceDocument))
    g.add((doc, DCTERMS.title, Literal(dmeta["title"], lang="sv")))
    g.add((doc, SKOS.prefLabel, Literal(dmeta["title"], lang="sv")))
    if "title_en" in dmeta:
        g.add((doc, SKOS.prefLabel, Literal(dmeta["title_en"], lang="en")))
    g.add((doc, DCTERMS.publisher, s.municipality))
    g.add((doc, ANDTS.sha256, Literal(s.sha256())))
    g.add((doc, DCTERMS.format, Literal("text/plain; charset=utf-8")))
    g.add((doc, DCTERMS.identifier, Literal(dmeta["file"])))
    if "original_name" in dmeta:
        g.add((doc, SKOS.note, Literal(f"Received as {dmeta['original_name']}.", lang="en")))
    g.add((prog, RDF.type, ANDTS.Programme))
    g.add((prog, ANDTS.municipality, s.municipality))
    g.add((prog, PROV.wasDerivedFrom, doc))
    for lang in ("sv", "en"):
        key = "title" if lang == "sv" else "title_en"
        if key in pmeta:
            g.add((prog, SKOS.prefLabel, Literal(pmeta[key], lang=lang)))
    if "start" in pmeta:
        g.add((prog, SCHEMA.startDate, Literal(iso_date(pmeta["start"]), datatype=XSD.date)))
    if "end" in pmeta:
        g.add((prog, SCHEMA.endDate, Literal(iso_date(pmeta["end"]), datatype=XSD.date)))
    if "strategy" in pmeta:
        g.add((prog, ANDTS.followsStrategy, ID[f"national-strategy/{pmeta['strategy']}"]))
    for target in (prog, doc):
        for dnr in pmeta.get("diary_numbers", []):
            g.add((target, ANDTS.diaryNumber, Literal(dnr)))
        if "adopted_by" in pmeta:
            g.add((target, ANDTS.adoptedBy, ID[pmeta["adopted_by"]]))
        for d in pmeta.get("decided", []):
            g.add((target, DCTERMS.dateAccepted, Literal(iso_date(d), datatype=XSD.date)))


def iso_date(value: object) -> str:
    """A date of a metadata file as ISO text (TOML gives a date; a quoted one stays text)."""
    return value.isoformat() if isinstance(value, date) else str(value)
