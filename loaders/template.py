"""The template loader: a municipality's plan typed into a spreadsheet (CSV), one row per activity.

The layout is documented in data/templates/README.md. Rows carry the goal, focus area and activity;
an empty goal or focus-area cell continues the one above, as in the programme documents. Actors are
resolved through the reference registry and the template's own actor list; nothing is guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from andts.errors import SourceError
from andts.loaders.common import LoadResult, ProgrammeBuilder, SourceInfo, document_and_programme, numbered_goal
from andts.loaders.dimensions import DIMENSIONS, Dimensions, Tag
from andts.loaders.registry import Lexicon, Registry
from andts.loaders.text import clean, short_label, slug
from andts.namespaces import ANDTS, ID

COLUMNS = ["goal", "goal_text", "national_goal", "focus_area", "focus_area_text", "activity", "responsible", "coordinator",
           "substance", "target_group", "setting", "law"]
#: The columns where a municipality states an activity's dimensions itself, and the property of each.
STATED = {"substance": ANDTS.substance, "target_group": ANDTS.targetGroup, "setting": ANDTS.setting, "law": ANDTS.law}
REQUIRED = ["goal", "focus_area", "activity"]
#: A focus-area code: "4.1", "S.2", "1.2a", "A-3".
_NOTATION = re.compile(r"\w+(?:[.\-]\w+)*")
#: A national goal: "<strategy period>/<goal number>", e.g. "2022-2025/4".
_NATIONAL = re.compile(r"\d{4}-\d{4}/\d+")


def _rows(source: SourceInfo, lines: list[str]
          ) -> tuple[list[str], list[tuple[int, dict[str, str]]], dict[int, int], list[int]]:
    """The header, the rows with their first line, the last line of each row (a quoted cell may hold line
    breaks: a row runs from its first line to the line it ends on), and the lines of rows of empty cells."""
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=source.meta["document"].get("delimiter", ","))
    header = _record(source, reader)
    if header is None:
        raise source.error(1, "empty file: the header row is missing")
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise source.error(1, f"header lacks the column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise source.error(1, f"unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
    rows, ends, empty = [], {}, []
    while True:
        first = reader.line_num + 1
        values = _record(source, reader)
        if values is None:
            break
        if not any(v.strip() for v in values):
            empty.extend(range(first, reader.line_num + 1))  # a row of empty cells (",,,"): layout only
            continue
        if len(values) != len(header):
            raise source.error(first, f"{len(values)} cells where the header has {len(header)}"
                               + (f" (the row runs to line {reader.line_num}: a quote opened and not closed?)"
                                  if reader.line_num > first else ""))
        rows.append((first, dict(zip(header, values))))
        ends[first] = reader.line_num
    if not rows:
        raise source.error(1, "no activity rows after the header")
    return header, rows, ends, empty


def _record(source: SourceInfo, reader: Iterator[list[str]]) -> list[str] | None:
    """The next CSV record, or None at the end. The csv module's own errors (a carriage return inside an
    unquoted cell, a cell beyond its size limit) become a SourceError naming the line the reader stopped at."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise source.error(max(reader.line_num, 1), f"not a CSV row: {exc}") from None


def _template_actors(source: SourceInfo, b: ProgrammeBuilder) -> list[tuple[str, URIRef, str]]:
    """Actors the template itself declares (a second CSV: name, abbreviation, kind)."""
    name = source.meta["document"].get("actors")
    if not name:
        return []
    path = source.path.parent / name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), None, f"cannot read the actor list: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "name" not in reader.fieldnames:
        raise SourceError(str(path), 1, "the actor list needs a header with at least the column 'name'")
    labels = []
    for row in reader:
        full = (row.get("name") or "").strip()
        if not full:
            raise SourceError(str(path), reader.line_num, "actor row without a name")
        iri = ID[f"actor/{source.municipality_slug}/{slug(full)}"]
        g = b.g
        g.add((iri, RDF.type, ANDTS.Actor))
        g.add((iri, SKOS.prefLabel, Literal(full, lang="sv")))
        g.add((iri, ANDTS.municipality, source.municipality))
        g.add((iri, DCTERMS.source, Literal(f"{path.name}, line {reader.line_num}", lang="en")))
        labels.append((full, iri, "pref"))
        if abbr := (row.get("abbreviation") or "").strip():
            g.add((iri, SKOS.altLabel, Literal(abbr, lang="sv")))
            labels.append((abbr, iri, "alt"))
        if kind := (row.get("kind") or "").strip():
            g.add((iri, ANDTS.actorKind, ID[f"actor-kind/{kind}"]))
    return labels


def _municipality(source: SourceInfo, reference: Graph, b: ProgrammeBuilder) -> None:
    """A municipality not yet in the reference data is declared by the template's metadata."""
    if (source.municipality, RDF.type, ANDTS.Municipality) in reference:
        return
    m = source.meta.get("municipality")
    if not m or "name" not in m or "kommunkod" not in m:
        raise SourceError(str(source.meta_path), None,
                          f"municipality {source.municipality_slug!r} is not in the reference data: give [municipality] name and kommunkod")
    g, iri = b.g, source.municipality
    g.add((iri, RDF.type, ANDTS.Municipality))
    g.add((iri, SKOS.prefLabel, Literal(m["name"], lang="sv")))
    g.add((iri, DCTERMS.identifier, Literal(str(m["kommunkod"]))))
    if "county" in m:
        g.add((iri, ANDTS.county, Literal(m["county"], lang="sv")))


def load(source: SourceInfo, reference: Graph) -> LoadResult:
    """The template's sheet as a programme graph with its findings."""
    lines = source.read_lines()
    header, rows, ends, empty = _rows(source, lines)
    b = ProgrammeBuilder(source, reference)
    document_and_programme(b)
    b.cover(1, source.document)
    for n in empty:  # rows of empty cells, as a spreadsheet exports them: no content, part of the document
        b.cover(n, source.document)
    _municipality(source, reference, b)
    sheet = _Sheet.of(source, reference, b)
    for line, row in rows:
        sheet.add_row(line, row, header, ends[line])
    return b.result()


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


#: A focus area's text as the dimensions read it with each of its activities, and the methods it names.
FocusAreaContext = tuple[list[tuple[str, URIRef, int]], list[URIRef]]


@dataclass
class _Sheet:
    """The rows read in order: an empty goal or focus-area cell continues the goal or focus area above."""

    source: SourceInfo
    reference: Graph
    b: ProgrammeBuilder
    registry: Registry
    dimensions: Dimensions
    stated: dict[str, dict[str, URIRef]]
    actors: Lexicon  # the registry's and the template's own
    goal: URIRef | None = None
    focus_area: URIRef | None = None
    goals: dict[str, URIRef] = field(default_factory=dict)
    focus_areas: dict[str, URIRef] = field(default_factory=dict)
    activities: dict[URIRef, int] = field(default_factory=dict)  # focus area → activities so far
    contexts: dict[URIRef, FocusAreaContext] = field(default_factory=dict)

    @classmethod
    def of(cls, source: SourceInfo, reference: Graph, b: ProgrammeBuilder) -> "_Sheet":
        registry = Registry(reference, source.municipality)
        dimensions = Dimensions.of(registry, source.period)
        stated = _stated_values(reference)
        own = _template_actors(source, b)
        actors = Lexicon([(e.label, e.iri, e.kind) for e in registry.actors.entries] + own)
        return cls(source, reference, b, registry, dimensions, stated, actors)

    def add_row(self, line: int, row: dict[str, str], header: list[str], end: int) -> None:
        """A row from its first line to its last (a quoted cell may hold line breaks)."""
        if _cell(row, "goal"):
            self.goal = self.goal_of(line, row)
        if self.goal is None:
            raise self.source.error(line, "the first row names no goal")
        if _cell(row, "focus_area"):
            self.focus_area = self.focus_area_of(line, row)
        if self.focus_area is None:
            raise self.source.error(line, "the first row names no focus area")
        for n in range(line, end + 1):
            self.b.cover(n, self.focus_area)
        if not _cell(row, "activity"):
            self.b.finding(self.focus_area, line, "empty-cell", ",".join(row.get(c, "") for c in header),
                           "A row with no activity text; its focus area is kept.")
            return
        self.activity(line, row)

    def goal_of(self, line: int, row: dict[str, str]) -> URIRef:
        notation = _cell(row, "goal")
        if notation not in self.goals:
            self.goals[notation] = _goal(self.b, self.source, self.reference, notation, _cell(row, "goal_text"),
                                         _cell(row, "national_goal"), line)
        return self.goals[notation]

    def focus_area_of(self, line: int, row: dict[str, str]) -> URIRef:
        notation = _cell(row, "focus_area")
        if not _NOTATION.fullmatch(notation):
            # the code becomes a segment of the focus area's IRI: a space or '<' would make an IRI the
            # store refuses, so it is refused here, with its line
            raise self.source.error(line, f"focus area {notation!r} is not a code such as '4.1' or "
                                          f"'S.2' (letters and digits separated by '.' or '-')")
        if notation in self.focus_areas and self.focus_areas[notation] != self.focus_area:
            raise self.source.error(line, f"focus area {notation} appears twice, apart")
        if notation not in self.focus_areas:
            self.focus_areas[notation] = self.new_focus_area(line, row, notation)
        return self.focus_areas[notation]

    def new_focus_area(self, line: int, row: dict[str, str], notation: str) -> URIRef:
        b = self.b
        iri = b.entity(b.iri("focus-area", notation), ANDTS.FocusArea, line)
        b.add(iri, SKOS.notation, Literal(notation))
        b.add(iri, ANDTS.goal, self.goal)
        label = _cell(row, "focus_area_text") or notation
        b.describe(iri, label, line, prop=SKOS.prefLabel)
        context = []
        if _cell(row, "focus_area_text"):
            b.add(iri, DCTERMS.description, Literal(clean(label), lang="sv"))
            context = [(clean(label), iri, line)]
        methods = [m.iri for m in self.registry.methods.find(clean(label))]
        b.tag(iri, self.dimensions.tags(context, methods), line)
        self.contexts[iri] = (context, methods)
        return iri

    def activity(self, line: int, row: dict[str, str]) -> None:
        b, fa = self.b, self.focus_area
        order = self.activities[fa] = self.activities.get(fa, 0) + 1
        act = b.entity(URIRef(f"{fa}/activity/{order}"), ANDTS.Activity, line, order=order)
        b.add(act, ANDTS.focusArea, fa)
        cleaned = b.describe(act, _cell(row, "activity"), line)
        b.add(act, SKOS.prefLabel, Literal(short_label(cleaned), lang="sv"))
        _actors(b, self.actors, act, row.get("responsible") or "", row.get("coordinator") or "", line)
        for partner in self.registry.partners_in(cleaned, set(b.g.objects(act, ANDTS.responsible))):
            b.add(act, ANDTS.partner, partner)
        methods = [m.iri for m in self.registry.methods.find(cleaned)]
        for m in methods:
            b.add(act, ANDTS.method, m)
        context, fa_methods = self.contexts[fa]
        tags = self.dimensions.tags([(cleaned, act, line), *context], methods + fa_methods)
        b.tag(act, tags + _stated(self.source, self.stated, row, line), line)


def _stated_values(reference: Graph) -> dict[str, dict[str, URIRef]]:
    """For each stated-tag column, the values a cell may hold (case-insensitive): a concept's slug, its
    Swedish or English name or notation, and for laws the SFS number ("2010:1622")."""
    out: dict[str, dict[str, URIRef]] = {}
    for column, prop in STATED.items():
        cls = next(c for p, c in DIMENSIONS.values() if p == prop)
        values: dict[str, URIRef] = {}
        for concept in reference.subjects(RDF.type, cls):
            names = [str(concept).rsplit("/", 1)[-1]]
            names += [str(o) for p in (SKOS.prefLabel, SKOS.notation, ANDTS.sfs) for o in reference.objects(concept, p)]
            for name in names:
                values.setdefault(name.strip().lower(), concept)
        out[column] = values
    return out


def _stated(source: SourceInfo, stated: dict[str, dict[str, URIRef]], row: dict[str, str], line: int) -> list[Tag]:
    """The tags the municipality states in the template's dimension columns (values separated by ';'); an
    unknown value stops the build with its line and the values the column takes."""
    tags = []
    for column, prop in STATED.items():
        for value in [v.strip() for v in (row.get(column) or "").split(";") if v.strip()]:
            concept = stated[column].get(value.lower())
            if concept is None:
                known = ", ".join(sorted({str(c).rsplit("/", 1)[-1] for c in stated[column].values()}))
                raise source.error(line, f"{column} {value!r} is not one the thesaurus knows: give one of {known}")
            tags.append(Tag(prop, concept, "stated", line=line))
    return tags


def _goal(b: ProgrammeBuilder, source: SourceInfo, reference: Graph, notation: str, text: str, national: str, line: int) -> URIRef:
    if not notation.isdigit():
        raise source.error(line, f"goal {notation!r} is not a number")
    iri = numbered_goal(b, notation, line)
    if text:
        b.describe(iri, text, line)
    if national:
        # the cell is checked for its form before it becomes part of an IRI (a stray '<' or space would
        # make rdflib warn about an invalid IRI first)
        ng = ID[f"national-strategy/{national.replace('/', '/goal/')}"] if _NATIONAL.fullmatch(national) else None
        if ng is None or (ng, RDF.type, ANDTS.NationalGoal) not in reference:
            raise source.error(line, f"no national goal {national!r} (write e.g. 2022-2025/1)")
        b.add(iri, ANDTS.nationalGoal, ng)
    return iri


def _actors(b: ProgrammeBuilder, actors: Lexicon, act: URIRef, cell: str, coordinator: str, line: int) -> None:
    if not cell.strip():
        b.finding(act, line, "empty-cell", cell, "No responsible actor is given for this activity.")
        return
    b.add(act, ANDTS.responsibleText, Literal(cell))
    for name in [n.strip() for n in cell.split(";") if n.strip()]:
        m = actors.lookup(name)
        if m is None:
            b.finding(act, line, "unknown-abbreviation", name,
                      f"'{name}' is in neither the actor registry nor the template's actor list; it is kept in the text only.")
        else:
            b.add(act, ANDTS.responsible, m.iri)
    if coordinator.strip():
        m = actors.lookup(coordinator.strip())
        if m is None:
            b.finding(act, line, "unknown-abbreviation", coordinator,
                      f"Coordinator '{coordinator.strip()}' is not a known actor; it is kept in the text only.")
        else:
            b.add(act, ANDTS.coordinator, m.iri)
            b.add(act, ANDTS.responsible, m.iri)
