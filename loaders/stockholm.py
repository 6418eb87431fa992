"""Stockholms stad: *Aktiviteter inom ANDTS-programmets insatsområden*, appendix to the ANDTS programme
2023–2026 (data/sources/stockholm-andts-2023-2026.txt).

The document is a title page, two introduction paragraphs and ten tab-separated tables of three columns
(Insatsområde | Aktivitet | Utförare). Each table starts with a header row: "Insatsområden mål N" for the
goals 1–6 and "Insatsområden - Organisation|Samverkan|Kunskap" / "Insatsområden Uppföljning" for the four
internal parts. A row whose first cell starts with a notation ("1.1", "O.2", also inside "<p>…</p>")
opens a focus area; a row whose first cell is empty continues it. Every row with activity text is one
andts:Activity (a list cell such as 4.3's priority groups or S.5's partners is one activity whose list
items become concepts); an empty Aktivitet cell leaves only the focus area and its Utförare.

What the loader decides, beyond what the cells say (each decision is visible in the graph):
- an empty Utförare cell on a continuation row takes over the actors of the row above (a row span lost
  in extraction) and is reported as `inherited-cell`; on a focus area's first row it is `empty-cell`;
- the Utförare phrases "Initieras av X och omfattar Y", "X har tillsynsansvar" and "X huvudansvar…"
  give initiator/participant, supervisor and coordinator roles (each also materialised as responsible);
- the mapping of goals 1–6 to the national strategy's goals is inferred (the appendix has no goal texts).

Malformed input raises SourceError naming the file and line. The function is pure: it reads the document
and the reference graph, and returns a LoadResult.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from andts.errors import SourceError
from andts.loaders import text as txt
from andts.loaders.common import _HYPHENATED, LoadResult, ProgrammeBuilder, SourceInfo, document_and_programme
from andts.loaders.dimensions import Dimensions
from andts.loaders.registry import Lexicon, Match, Registry
from andts.namespaces import ANDTS, ID

COLUMNS = ("Insatsområde", "Aktivitet", "Utförare")

#: The four internal parts ("ben") and the slug, notation and English name of each.
PARTS: dict[str, tuple[str, str, str]] = {
    "Organisation": ("organisation", "O", "Organisation"),
    "Samverkan": ("samverkan", "S", "Collaboration"),
    "Kunskap": ("kunskap", "K", "Knowledge"),
    "Uppföljning": ("uppfoljning", "U", "Follow-up"),
}

_HEADING = re.compile(r"Insatsområden\b(?P<rest>.*)")
_GOAL_HEADING = re.compile(r"\s+mål\s+(?P<n>\d+)\s*")
_PART_HEADING = re.compile(r"(?P<sep>\s*[-–]\s*|\s+)(?P<name>\S.*?)\s*")
_NOTATION = re.compile(r"(?P<prefix>\d+|[A-ZÅÄÖ])\.(?P<number>\d+)\s+(?P<text>\S.*)", re.S)
#: An unresolved token that looks like a committee abbreviation ("SnN", "UtbN", "MHN").
_ABBREVIATION = re.compile(r"[A-ZÅÄÖ][A-Za-zåäöÅÄÖ]{0,3}[A-ZÅÄÖ]")
#: Words of an Utförare cell that name nobody in particular ("övriga berörda aktörer").
_VAGUE = re.compile(r"\b(berörda|övriga|externa|parter)\b", re.I)
_CONNECTOR = re.compile(r"^(?:och|samt|eller)\b\s*", re.I)
_BULLET = "•"

#: The longest name given to an activity (its text, cut at a sentence or word boundary).
LABEL_CHARS = 90

#: How many words make a line of the title page an introduction paragraph rather than a heading.
PARAGRAPH_WORDS = 12


@dataclass
class Row:
    line: int
    raw: str
    activity: str  # the Aktivitet cell, verbatim
    responsible: str  # the Utförare cell, verbatim
    page_break: int | None = None  # the blank line just before this row, inside its table


@dataclass
class FocusAreaRows:
    notation: str
    line: int
    cell: str  # the Insatsområde cell, verbatim
    text: str  # the cell's text after the notation, cleaned
    rows: list[Row] = field(default_factory=list)


@dataclass
class Table:
    line: int
    heading: str  # the first cell of the header row, verbatim
    kind: str  # goal | part
    notation: str  # "1" … or "O", "S", "K", "U"
    part: str | None = None  # the part's Swedish name
    dashed: bool = True  # "Insatsområden - X" rather than "Insatsområden X" (parts only)
    focus_areas: list[FocusAreaRows] = field(default_factory=list)


@dataclass
class Preamble:
    leading_blank: int = 0  # blank lines before the first text
    logo: list[int] = field(default_factory=list)  # lines of the publisher's name split over lines
    stray: list[int] = field(default_factory=list)  # lines holding only white space
    titles: list[int] = field(default_factory=list)  # lines of the document's title
    headings: list[int] = field(default_factory=list)  # short lines naming the programme
    paragraphs: list[int] = field(default_factory=list)  # introduction paragraphs


# ---------------------------------------------------------------------------------------------------
# Reading the document's structure
# ---------------------------------------------------------------------------------------------------

def _error(source: SourceInfo, line: int | None, message: str) -> SourceError:
    return SourceError(str(source.path), line, message)


def _split(source: SourceInfo, line_no: int, line: str) -> list[str]:
    cells = line.split("\t")
    if len(cells) == 1:
        raise _error(source, line_no, f"text between the tables that is not a table row (expected {len(COLUMNS)} "
                                      f"tab-separated columns: {' | '.join(COLUMNS)}): {line[:60]!r}")
    if len(cells) != len(COLUMNS):
        raise _error(source, line_no,
                     f"a table row has {len(cells)} tab-separated column(s), expected {len(COLUMNS)} "
                     f"({' | '.join(COLUMNS)}): {line[:60]!r}")
    return cells


def read_preamble(source: SourceInfo, lines: list[str], end: int) -> Preamble:
    """Classify the lines before the first table (index < end)."""
    p = Preamble()
    title = source.meta["document"].get("title", "")
    publisher = source.meta["document"].get("publisher", "")
    i = 0
    while i < end and lines[i] == "":
        i += 1
    p.leading_blank = i
    while i < end:
        line, no = lines[i], i + 1
        text = line.strip()
        if not text:
            if line:
                p.stray.append(no)
            i += 1
            continue
        # the publisher's name broken over consecutive lines (a logo): "Stockholms" / "stad"
        if publisher and not p.logo:
            words, j = [], i
            while j < end and lines[j].strip() and " ".join(words + [lines[j].strip()]) in publisher:
                words.append(lines[j].strip())
                j += 1
                if " ".join(words) == publisher:
                    break
            if len(words) > 1 and " ".join(words) == publisher:
                p.logo = list(range(no, no + len(words)))
                i = j
                continue
        if text in title:
            p.titles.append(no)
        elif len(text.split()) >= PARAGRAPH_WORDS:
            p.paragraphs.append(no)
        else:
            p.headings.append(no)
        i += 1
    return p


def read_tables(source: SourceInfo, lines: list[str], start: int, national_goals: set[int]) -> list[Table]:
    """The tables from index `start` (the first line holding a tab) to the end of the document."""
    tables: list[Table] = []
    seen_tables: dict[str, int] = {}
    seen_areas: dict[str, int] = {}
    table: Table | None = None
    area: FocusAreaRows | None = None
    blank: int | None = None
    last = len(lines)
    for index in range(start, len(lines)):
        no, line = index + 1, lines[index]
        if not line.strip():
            if line == "" and blank is None:
                blank = no
            elif line:  # white space only inside the tables: treat like a blank line
                blank = blank or no
            continue
        cells = _split(source, no, line)
        first = cells[0].strip()
        heading = _HEADING.fullmatch(first)
        if heading:
            if table is not None and not table.focus_areas:
                raise _error(source, table.line, f"table {table.heading!r} has no rows before the next table (line {no})")
            if (cells[1].strip(), cells[2].strip()) != COLUMNS[1:]:
                raise _error(source, no, f"table header must read '{first}\\t{COLUMNS[1]}\\t{COLUMNS[2]}', "
                                         f"found {cells[1].strip()!r} and {cells[2].strip()!r}")
            table = _table(source, no, first, heading.group("rest"), national_goals)
            if table.notation in seen_tables:
                raise _error(source, no, f"duplicated notation: {first!r} repeats the table of line {seen_tables[table.notation]}")
            goals = [t for t in tables if t.kind == "goal"]
            if table.kind == "goal":
                expected = int(goals[-1].notation) + 1 if goals else 1
                if int(table.notation) != expected:
                    raise _error(source, no, f"goal table {first!r} out of sequence: expected 'Insatsområden mål {expected}'")
            seen_tables[table.notation] = no
            tables.append(table)
            area, blank = None, None
            continue
        if table is None:
            raise _error(source, no, "a table row without a table header before it "
                                     "(expected a header row 'Insatsområden mål 1\\tAktivitet\\tUtförare')")
        row = Row(no, line, cells[1], cells[2], page_break=blank)
        blank = None
        if first:
            stripped = txt.collapse(txt.strip_markup(cells[0]))
            m = _NOTATION.fullmatch(stripped)
            if not m:
                raise _error(source, no, f"the first column must be empty (a continuation row) or start with a "
                                         f"focus-area notation such as '1.1' or 'O.1': {stripped[:40]!r}")
            notation = f"{m.group('prefix')}.{m.group('number')}"
            if m.group("prefix") != table.notation:
                raise _error(source, no, f"focus area {notation} stands under the table {table.heading!r} (line {table.line}), "
                                         f"whose focus areas are numbered {table.notation}.n")
            if notation in seen_areas:
                raise _error(source, no, f"duplicated notation: focus area {notation} already begins at line {seen_areas[notation]}")
            seen_areas[notation] = no
            text = txt.clean(cells[0])
            text = _NOTATION.fullmatch(text).group("text").strip()
            area = FocusAreaRows(notation, no, cells[0], text)
            table.focus_areas.append(area)
        elif area is None:
            raise _error(source, no, f"a continuation row (empty first column) before any focus area of the table {table.heading!r}")
        area.rows.append(row)
    if not tables or not any(t.kind == "goal" for t in tables):
        raise _error(source, last, "truncated: the document has no goal table ('Insatsområden mål 1\\tAktivitet\\tUtförare')")
    if not tables[-1].focus_areas:
        raise _error(source, last, f"truncated: the file ends at line {last}, inside the table {tables[-1].heading!r} "
                                   f"(line {tables[-1].line}) before its first row")
    if not any(r.activity.strip() for t in tables for a in t.focus_areas for r in a.rows):
        raise _error(source, last, f"truncated: the file ends at line {last} before any activity")
    return tables


def _table(source: SourceInfo, line: int, heading: str, rest: str, national_goals: set[int]) -> Table:
    goal = _GOAL_HEADING.fullmatch(rest)
    if goal:
        n = int(goal.group("n"))
        if n not in national_goals:
            strategy = source.meta.get("programme", {}).get("strategy", "?")
            raise _error(source, line, f"unknown goal heading {heading!r}: the national strategy {strategy} "
                                       f"has no goal {n} for it to follow")
        return Table(line, heading, "goal", str(n))
    part = _PART_HEADING.fullmatch(rest)
    if part and part.group("name") in PARTS:
        name = part.group("name")
        return Table(line, heading, "part", PARTS[name][1], part=name, dashed=part.group("sep").strip() != "")
    known = ", ".join(f"'Insatsområden - {p}'" for p in PARTS)
    raise _error(source, line, f"unknown table heading {heading!r} (expected 'Insatsområden mål N' or one of {known})")


# ---------------------------------------------------------------------------------------------------
# Links found in text: actors, methods, laws, substances
# ---------------------------------------------------------------------------------------------------

def _dehyphenate(text: str) -> str:
    """Line-break hyphens removed ("fastighets-bolag" → "fastighetsbolag") so that names match."""
    return _HYPHENATED.sub(lambda m: m.group(0).replace("-", ""), text)


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


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


#: The role phrases of an Utförare cell. Each is found by a plain search and the cell is cut around it:
#: one lazy pattern over the whole cell ("(?P<a>.*?),?\s*(?P<b>[^,]+?)\s+har tillsynsansvar") backtracks
#: quadratically, and a runaway cell of 16 000 characters took 16 s (found by tests/loaders/test_mutation.py).
_INITIATED = re.compile(r"\s*Initieras av\s+", re.I)
_COMPRISES = re.compile(r"\s+och omfattar\s+", re.I)
_COORDINATES = re.compile(r"\s+(?:har\s+)?huvudansvar\S*", re.I)
_SUPERVISES = re.compile(r"\s+har tillsynsansvar\s*\Z", re.I)
#: "SdN (och polis)": an actor named beside the responsible one, in brackets, takes part without answering for it.
_ALONGSIDE = re.compile(r"\(\s*och\s+([^()]*)\)", re.I)


def _role_segments(cell: str) -> list[tuple[str | None, str]]:
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
    segments = _role_segments(text)
    for i, (role, segment) in enumerate(segments):
        again = any(other == segment for _, other in segments[:i])  # a second role of the same names
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
        if again:
            continue
        # the cell lists names separated by commas: text between two known names may hold several
        for rest in (part for leftover in leftovers for part in re.split(r"[,;]", leftover)):
            rest = rest.strip(" ,;/&+()\t.")
            while _CONNECTOR.match(rest):
                rest = _CONNECTOR.sub("", rest).strip(" ,;/&+()\t.")
            if rest and not _VAGUE.search(rest):
                out.unknown.append(rest)
    return out


# ---------------------------------------------------------------------------------------------------
# The loader
# ---------------------------------------------------------------------------------------------------

class _Loader:
    def __init__(self, source: SourceInfo, reference: Graph) -> None:
        self.source = source
        self.reference = reference
        self.b = ProgrammeBuilder(source, reference)
        self.registry = Registry(reference, source.municipality)
        self.dimensions = Dimensions.of(self.registry, source.period)
        self.strategy = source.meta.get("programme", {}).get("strategy", "2022-2025")

    # structure ------------------------------------------------------------------------------------
    def national_goals(self) -> set[int]:
        prefix = str(ID[f"national-strategy/{self.strategy}/goal/"])
        out = set()
        for g in self.reference.subjects(RDF.type, ANDTS.NationalGoal):
            tail = str(g)[len(prefix):] if str(g).startswith(prefix) else ""
            if tail.isdigit():
                out.add(int(tail))
        return out

    def run(self) -> LoadResult:
        lines = self.source.read_lines()
        start = next((i for i, line in enumerate(lines) if "\t" in line), None)
        if start is None:
            # an empty file has no last line to point at: its line 1 is where the text should begin
            what = "truncated" if any(line.strip() for line in lines) else "empty file"
            raise _error(self.source, max(len(lines), 1),
                         f"{what}: the document has no goal table ('Insatsområden mål 1\\tAktivitet\\tUtförare')")
        preamble = read_preamble(self.source, lines, start)
        tables = read_tables(self.source, lines, start, self.national_goals())
        document_and_programme(self.b)
        self.emit_preamble(lines, preamble)
        for table in tables:
            self.emit_table(lines, table, tables)
        return self.b.result()

    # title page -----------------------------------------------------------------------------------
    def emit_preamble(self, lines: list[str], p: Preamble) -> None:
        b, doc, prog = self.b, self.source.document, self.source.programme
        if p.leading_blank:
            b.finding(doc, 1, "layout-debris", "\n".join(lines[:p.leading_blank]),
                      f"The document begins with {p.leading_blank} blank lines, left over from the page layout.")
        if p.logo:
            text = "\n".join(lines[n - 1] for n in p.logo)
            f = b.finding(doc, p.logo[0], "layout-debris", text,
                          f"The publisher's logo text is split over lines {p.logo[0]}–{p.logo[-1]} "
                          f"({' / '.join(repr(lines[n - 1].strip()) for n in p.logo)}); it is not part of the title.")
            for n in p.logo[1:]:
                b.cover(n, f)
        for n in p.stray:
            b.finding(doc, n, "layout-debris", lines[n - 1], "A line holding only white space, left over from the page layout.")
        for n in p.titles:
            b.cover(n, doc)
        if p.headings:
            b.add(prog, ANDTS.sourceLine, Literal(p.headings[0]))
            for n in p.headings:
                b.cover(n, prog)
        if p.paragraphs:
            cleaned = []
            for n in p.paragraphs:
                raw = lines[n - 1]
                cleaned.append(txt.clean(raw))
                b.check_text(prog, raw, n)
                if raw.rstrip().endswith(","):
                    b.finding(prog, n, "stray-punctuation", raw,
                              "The paragraph ends with a comma instead of a full stop.",
                              suggestion=txt.clean(raw).rstrip(",") + ".")
                b.cover(n, prog)
            b.add(prog, DCTERMS.description, Literal("\n\n".join(cleaned), lang="sv"))
            raw_text = "\n\n".join(lines[n - 1] for n in p.paragraphs)
            if raw_text != "\n\n".join(cleaned):
                b.add(prog, ANDTS.sourceText, Literal(raw_text))
        pmeta = self.source.meta.get("programme", {})
        missing = [what for key, what in (("adopted_by", "the deciding body"), ("decided", "the decision date"),
                                          ("diary_numbers", "a diary number")) if not pmeta.get(key)]
        if missing:
            line = p.titles[0] if p.titles else 1
            b.finding(doc, line, "missing-metadata", lines[line - 1],
                      f"The document names neither {', nor '.join(missing)}; the programme's adoption cannot be traced "
                      f"from it. It also gives its period only as years ('2023-2026').")

    # tables ---------------------------------------------------------------------------------------
    def emit_table(self, lines: list[str], table: Table, tables: list[Table]) -> None:
        b = self.b
        if table.kind == "goal":
            n = table.notation
            owner = b.entity(b.iri("goal", n), ANDTS.Goal, table.line)
            b.add(owner, SKOS.notation, Literal(n))
            b.add(owner, SKOS.prefLabel, Literal(f"Mål {n}", lang="sv"))
            b.add(owner, SKOS.prefLabel, Literal(f"Goal {n}", lang="en"))
            national = ID[f"national-strategy/{self.strategy}/goal/{n}"]
            b.add(owner, ANDTS.nationalGoal, national)
            b.add(owner, SKOS.closeMatch, national)
            b.add(owner, ANDTS.confidence, ID["confidence/inferred"])
            b.add(owner, SKOS.editorialNote, Literal(
                f"The mapping to goal {n} of the national ANDTS strategy {self.strategy.replace('-', '–')} "
                f"(skr. 2021/22:213) is inferred from the content of the goal's focus areas: the appendix has only the "
                f"heading 'Insatsområden mål {n}', and the goal texts are in the main programme document, which was not "
                f"available. The appendix uses 'ANDTS' and covers gambling and nicotine products, and its goal 2 (children "
                f"protected) has no counterpart in the 2016–2020 strategy; the programme period (2023–2026) differs from "
                f"the strategy's (2022–2025).", lang="en"))
            prop = ANDTS.goal
        else:
            slug, letter, english = PARTS[table.part]
            owner = b.entity(b.iri("part", slug), ANDTS.ProgrammePart, table.line)
            b.add(owner, SKOS.notation, Literal(letter))
            b.add(owner, SKOS.prefLabel, Literal(table.part, lang="sv"))
            b.add(owner, SKOS.prefLabel, Literal(english, lang="en"))
            prop = ANDTS.part
            dashed = [t for t in tables if t.kind == "part" and t.dashed]
            if not table.dashed and dashed:
                b.finding(owner, table.line, "inconsistent-name", lines[table.line - 1],
                          f"The heading {table.heading!r} lacks the dash of the other part headings "
                          f"({', '.join(repr(t.heading) for t in dashed)}).",
                          suggestion=f"Insatsområden - {table.part}")
        for area in table.focus_areas:
            self.emit_focus_area(lines, area, owner, prop, table)

    def emit_focus_area(self, lines: list[str], area: FocusAreaRows, owner: URIRef, prop: URIRef, table: Table) -> None:
        b = self.b
        fa = b.entity(b.iri("focus-area", area.notation), ANDTS.FocusArea, area.line)
        b.add(fa, prop, owner)
        b.add(fa, SKOS.notation, Literal(area.notation))
        b.add(fa, SKOS.prefLabel, Literal(area.text, lang="sv"))
        b.add(fa, DCTERMS.description, Literal(area.text, lang="sv"))
        b.add(fa, ANDTS.sourceText, Literal(area.cell))
        b.check_text(fa, area.cell, area.line)
        fa_methods = self.link_text(fa, area.text, area.line)
        context = (area.text, fa, area.line)
        b.tag(fa, self.dimensions.tags([context], fa_methods), area.line)
        order = 0
        previous: tuple[Responsible, Row] | None = None
        for i, row in enumerate(area.rows):
            if row.page_break is not None:
                b.finding(fa, row.page_break, "layout-debris", lines[row.page_break - 1],
                          f"The table {table.heading!r} is interrupted by a blank line (a page break) with no repeated "
                          f"header; the rows from line {row.line} on continue it.")
            if not row.activity.strip():
                self.empty_activity(fa, area, row)
                continue
            order += 1
            act = b.entity(b.iri("focus-area", area.notation, "activity", str(order)), ANDTS.Activity, row.line, order=order)
            b.add(act, ANDTS.focusArea, fa)
            cleaned, label = self.describe_activity(act, row)
            b.add(act, SKOS.prefLabel, Literal(txt.short_label(label, LABEL_CHARS), lang="sv"))
            methods = self.link_text(act, cleaned, row.line)
            b.tag(act, self.dimensions.tags([(cleaned, act, row.line), context], methods + fa_methods), row.line)
            responsible = {m.iri for m in self.registry.actors.find(row.responsible)}
            for partner in self.registry.partners_in(cleaned, responsible):
                b.add(act, ANDTS.partner, partner)
            if row.responsible.strip():
                resp = self.responsible(act, row.responsible, row.line, activity=True)
                previous = (resp, row)
            elif i > 0 and previous is not None:
                resp, source_row = previous
                self.link_actors(act, resp, activity=True)
                b.finding(act, row.line, "inherited-cell", row.raw,
                          f"The Utförare cell is empty; the activity takes over the actors of line {source_row.line} "
                          f"({source_row.responsible.strip()!r}), as a row span lost in the extraction would have it.",
                          suggestion=source_row.responsible.strip())
            else:
                b.finding(act, row.line, "empty-cell", row.raw,
                          "The Utförare cell is empty: the document names nobody responsible for this activity.")

    def empty_activity(self, fa: URIRef, area: FocusAreaRows, row: Row) -> None:
        b = self.b
        if row.responsible.strip():
            b.finding(fa, row.line, "empty-cell", row.raw,
                      f"The Aktivitet cell of focus area {area.notation} is empty; only the focus area and its Utförare "
                      f"({row.responsible.strip()!r}) are given, and the actors are linked to the focus area.")
            self.responsible(fa, row.responsible, row.line, activity=False)
        else:
            b.finding(fa, row.line, "empty-cell", row.raw,
                      f"Both the Aktivitet and the Utförare cell of this row of focus area {area.notation} are empty.")

    def describe_activity(self, act: URIRef, row: Row) -> tuple[str, str]:
        """The activity's published text and the text to name it by; a list cell (• items) is described by
        its lead text and its items, named by its lead text, and its items become concepts."""
        b, raw = self.b, row.activity
        if _BULLET not in raw:
            cleaned = b.describe(act, raw, row.line)
            return cleaned, cleaned
        lead, *items = [txt.clean(part) for part in txt.strip_markup(raw).split(_BULLET)]
        items = [i for i in items if i]
        cleaned = f"{lead} {'; '.join(items)}".strip()
        b.add(act, DCTERMS.description, Literal(cleaned, lang="sv"))
        b.add(act, ANDTS.sourceText, Literal(raw))
        b.check_text(act, raw, row.line)
        lowered = lead.lower()
        if "samverkan" in lowered:
            kind, cls, scheme, prop = "sector", ANDTS.Sector, "sectors", ANDTS.collaborationPartner
        elif "grupp" in lowered:
            kind, cls, scheme, prop = "priority-group", ANDTS.PriorityGroup, "priority-groups", ANDTS.priorityGroup
        else:
            return cleaned, lead.rstrip(":")
        for item in items:
            concept = b.entity(ID[f"{kind}/{txt.slug(item)}"], cls, row.line)
            b.add(concept, RDF.type, SKOS.Concept)
            b.add(concept, SKOS.prefLabel, Literal(item, lang="sv"))
            b.add(concept, SKOS.inScheme, ID[f"scheme/{scheme}"])
            b.add(concept, DCTERMS.source, self.source.document)  # named verbatim by the document's list
            b.add(concept, ANDTS.confidence, ID["confidence/verified"])
            b.add(act, prop, concept)
        return cleaned, lead.rstrip(":")

    # links --------------------------------------------------------------------------------------
    def responsible(self, subject: URIRef, cell: str, line: int, *, activity: bool) -> Responsible:
        b = self.b
        b.add(subject, ANDTS.responsibleText, Literal(cell))
        b.check_text(subject, cell, line)
        stripped = cell.strip()
        if stripped.endswith((",", ";")) or stripped.startswith((",", ";")) or ",," in stripped:
            b.finding(subject, line, "stray-punctuation", cell,
                      "The Utförare cell has a stray delimiter (a comma with no name after it).",
                      suggestion=stripped.strip(",; "))
        resp = resolve_responsible(cell, self.registry.actors)
        self.link_actors(subject, resp, activity=activity)
        # one finding per distinct name: a cell repeating a name thousands of times (a runaway paste) would
        # otherwise copy the whole cell into thousands of findings
        for m in {(m.text, m.iri): m for m in resp.misspelt}.values():
            b.finding(subject, line, "misspelt-name", cell, f"{m.text!r} is a misspelt or wrong name of "
                      f"{self.registry.label(m.iri)}.", suggestion=self.registry.label(m.iri))
        named = set(resp.actors)
        for name, times in Counter(resp.unknown).items():
            suggestion = self.suggest_actor(name, named)
            if _ABBREVIATION.fullmatch(name):
                message = (f"'{name}' is not a known abbreviation of a Stockholm committee or administration; it is kept "
                           f"in the Utförare text and not linked.")
            else:
                message = f"'{name}' is not a known actor of the registry; it is kept in the Utförare text and not linked."
            if times > 1:
                message += f" The cell names it {times} times."
            if suggestion:
                message += f" Most likely {suggestion}, one letter off (not verified)."
            b.finding(subject, line, "unknown-abbreviation", cell, message, suggestion=suggestion)
        return resp

    def link_actors(self, subject: URIRef, resp: Responsible, *, activity: bool) -> None:
        for role, actor in resp.roles:
            if role == "partner":
                self.b.add(subject, ANDTS.partner, actor)
                continue
            self.b.add(subject, ANDTS.responsible, actor)
            if role in ("coordinator", "initiator", "participant", "supervisor") and activity:
                self.b.add(subject, ANDTS[role], actor)

    def suggest_actor(self, name: str, named: set[URIRef]) -> str | None:
        """A registry abbreviation one letter away from `name`, if exactly one (actors named in the same cell
        are not candidates: a cell does not name one actor twice)."""
        candidates: dict[URIRef, str] = {}
        for e in self.registry.actors.entries:
            if e.iri in named or len(e.label) != len(name) or not _ABBREVIATION.fullmatch(e.label):
                continue
            if _levenshtein(e.label, name) == 1:
                candidates.setdefault(e.iri, e.label)
        if len(candidates) != 1:
            return None
        iri, label = next(iter(candidates.items()))
        return f"{label} ({self.registry.label(iri)})"

    def link_text(self, subject: URIRef, text: str, line: int) -> list[URIRef]:
        """The methods the (cleaned) text names, linked (a misspelt name reported), and the findings about the
        laws it cites; the laws themselves are tagged with the other dimensions. Returns the methods."""
        b, reg = self.b, self.registry
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



def load(source: SourceInfo, reference: Graph) -> LoadResult:
    """Load the Stockholm appendix into a programme graph with its findings."""
    return _Loader(source, reference).run()
