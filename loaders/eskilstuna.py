"""The Eskilstuna loader: *Plan mot alkohol, narkotika, dopningsmedel och tobak (ANDT) 2019–2022*,
extended to 2023-12-31 (data/sources/eskilstuna-andt-2019-2023.txt).

The document is a text extraction of a Word document. Its layout, top to bottom:

- a document-type line ("STYRDOKUMENT"), the title, and a header table (tab-separated "key<TAB>value"
  rows: Beslutad när/av, Diarienummer, Ersätter, …) that is cross-checked against the metadata file;
- prose sections under short headings (the municipality's boilerplate definitions of Program, Plan,
  Policy and Riktlinje, then background): kept as `skos:note`s on the programme, one per section;
- "Övergripande mål" and its text, then "Mål n. <text>" headings. A goal has explanatory paragraphs,
  optionally "Delmål" (sub-goal paragraphs, each followed by an "Ansvarig: …" line whose bold body
  coordinates), "Befintligt arbete" (bullet lists, " - " nested bullets, footnote bodies "¹ …"
  dumped between them) and focus areas: a heading line followed by the table header
  "Insats/Utvecklingsområde<TAB>Ansvarig" and one row per activity. Page breaks show as blank lines,
  as separator rows ("---<TAB>--") and as rows split in two (the second part has an empty Ansvarig cell);
- prose sections again (decisions the plan relates to).

Parsing is structural. The plan's own vocabulary is known ("Övergripande mål", "Mål n.", "Delmål",
"Befintligt arbete", "Insatsområden", the table header); focus-area and prose headings are recognised by
shape and position (a focus-area heading is the line before a table header; a prose heading is a short
line that does not end like a sentence), never by a list of this document's headings. Actors, methods,
laws and substances are resolved through the reference registry (longest match, no guessing at spaces).
Every non-blank line becomes data or a finding; every defect is a finding (the document's known errata
are the `[[errata]]` list of its metadata file, reported by ProgrammeBuilder.check_text; a match on a
registry skos:hiddenLabel is reported as misspelt-name).

Decisions (each also stated where it is reported):
- Coordinator: of a sub-goal, the body in bold in its "Ansvarig:" line (none for "Alla nämnder och
  bolag"); of an activity, the first actor of the cell (the plan's l.59 says the first, bold body
  coordinates; the bold is lost in the tables).
- A table row whose Ansvarig cell is empty and whose text starts in lower case continues the row above
  (a page break split it): one activity, sourceLine = first line, a split-row finding on the fragment.
  An empty cell that continues nothing is a SourceError.
- Top-level bullets right after a footnote body, when the list before the footnote ended in nested
  bullets, continue that nested list (the page break lost their indentation): l.208–210 become items
  9.6–9.8 of goal 3 under l.199, with a placement finding.
- Footnote bodies ("¹ …") become a skos:note @sv on the entity whose text carries the marker; markers
  are removed from published text (kept in andts:sourceText) and reported as layout-debris.
- Sub-goals, items and activities have no names or numbers in the document; their skos:prefLabel @sv
  is the first sentence of their text (no numbering is invented, and focus areas get no skos:notation).
- Dimensions (substances, umbrella scope, target groups, settings, laws) by the shared matcher
  (andts.loaders.dimensions): of focus areas from their heading, of activities from their text and their
  focus area's heading, of sub-goals and existing-work items from their text; goals are not tagged (a
  goal's text is the national goal's, naming every substance). Bodies outside the municipality named in
  an activity's text are its partners; every body an existing-work item names is a partner of it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from andts.errors import SourceError
from andts.loaders import text as txt
from andts.loaders.common import LoadResult, ProgrammeBuilder, SourceInfo, document_and_programme
from andts.loaders.dimensions import Dimensions
from andts.loaders.registry import Match, Registry
from andts.namespaces import ANDTS, ID

TABLE_HEADER = ("Insats/Utvecklingsområde", "Ansvarig")
OVERARCHING = "Övergripande mål"
#: Goal-level section headings and the part of a goal that follows them.
SECTIONS = {"Delmål": "sub-goals", "Befintligt arbete": "existing-work", "Insatsområden": "focus-areas"}
#: The prefix the overarching goal puts before the national overarching goal's text.
OVERARCHING_PREFIX = "Eskilstuna kommun ska verka för "

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_MARKS = re.compile(f"[{SUPERSCRIPTS}]+")
_MARKER = re.compile(rf"\s*[{SUPERSCRIPTS}]+")
_FOOTNOTE = re.compile(rf"^([{SUPERSCRIPTS}]+)\s+(\S.*)$")
_GOAL = re.compile(r"^Mål (\d+)\. (\S.*)$")
_GOAL_LIKE = re.compile(r"^Mål\s*\d")
_SEPARATOR = re.compile(r"^-+\t-+$")
_BULLET = re.compile(r"^( *)- +(\S.*)$")
_ANSVARIG = re.compile(r"^Ansvarig\s*:\s*(.*)$", re.DOTALL)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(\d{4})\b")
_DNR = re.compile(r"\b[A-ZÅÄÖ]+/\d{4}:\d+\b")
_DEFINITION = re.compile(r"^(En|Ett) \w+ är ett styrande dokument")
_ABBREVIATION = re.compile(r"^[A-ZÅÄÖ][A-ZÅÄÖa-zåäö]{0,5}$")
MONTHS = {m: i for i, m in enumerate(
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
     "november", "december"], start=1)}

#: Header rows (l.7–15) and whether the metadata file already says all they say. The others are kept
#: verbatim as skos:note @sv on the programme.
HEADER_IN_METADATA = {"Beslutad av", "Diarienummer", "Gäller fr o m"}
HEADER_REQUIRED = ("Beslutad när", "Beslutad av", "Diarienummer", "Gäller fr o m", "Gäller t o m")


# -------------------------------------------------------------------------------------------------
# The document's structure, as parsed (no RDF yet)
# -------------------------------------------------------------------------------------------------

@dataclass
class Row:
    parts: list[tuple[int, str]]  # (line, activity text) — two parts when a page break split the row
    cell: str  # the Ansvarig cell verbatim
    line: int


@dataclass
class FocusAreaM:
    line: int
    heading: str
    header_line: int | None = None
    rows: list[Row] = field(default_factory=list)
    separators: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ItemM:
    line: int
    raw: str  # the bullet's text, marker stripped
    children: list["ItemM"] = field(default_factory=list)
    continued_after_footnote: bool = False  # a top-level bullet read as continuing the nested list


@dataclass
class SubGoalM:
    line: int
    raw: str
    ansvarig: tuple[int, str] | None = None


@dataclass
class GoalM:
    line: int  # heading line
    number: str | None  # None: the overarching goal
    raw: str | None = None  # goal text (after "Mål n. "), or the overarching goal's paragraph
    text_line: int | None = None
    scope: list[tuple[int, str]] = field(default_factory=list)
    section_lines: list[int] = field(default_factory=list)
    subgoals: list[SubGoalM] = field(default_factory=list)
    items: list[ItemM] = field(default_factory=list)
    focus_areas: list[FocusAreaM] = field(default_factory=list)
    separators: list[tuple[int, str]] = field(default_factory=list)  # separators outside a focus area


@dataclass
class Footnote:
    line: int
    mark: str
    raw: str  # the footnote's text without its mark


def _cells(line: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in line.split("\t"))


def _is_heading(text: str) -> bool:
    """A prose heading: a short line that does not end like a sentence."""
    return len(text) <= 100 and text[-1] not in ".:;!?," and not text.startswith("-")


def _unmark(text: str) -> str:
    return _MARKER.sub("", text)


# -------------------------------------------------------------------------------------------------
# Loader
# -------------------------------------------------------------------------------------------------

class _Loader:
    def __init__(self, source: SourceInfo, reference: Graph) -> None:
        self.source = source
        self.file = str(source.path)
        self.reference = reference
        self.lines = source.read_lines()
        self.b = ProgrammeBuilder(source, reference)
        self.reg = Registry(reference, source.municipality)
        self.dimensions = Dimensions.of(self.reg, source.period)
        self.prog = source.programme
        self.strategy = source.meta.get("programme", {}).get("strategy")
        self.footnotes: list[Footnote] = []
        self.marked: dict[str, list[tuple[URIRef, int]]] = {}

    def error(self, line: int | None, message: str) -> SourceError:
        return SourceError(self.file, line, message)

    # ---------------------------------------------------------------------------------------------
    def run(self) -> LoadResult:
        entries = [(n, line) for n, line in enumerate(self.lines, start=1) if line.strip()]
        start = next((i for i, (_, line) in enumerate(entries)
                      if line.strip() == OVERARCHING or _GOAL_LIKE.match(line.strip())), None)
        if start is None:
            last = entries[-1][0] if entries else 1
            raise self.error(last, "no goals ('Övergripande mål' or 'Mål n. …'): the file is truncated or not this plan")
        document_and_programme(self.b)
        front, plan = entries[:start], entries[start:]
        self.front_matter(front)
        goals, back = self.parse_plan(plan)
        for goal in goals:
            self.emit_goal(goal)
        self.prose(back, programme_title=False)
        self.resolve_footnotes()
        return self.b.result()

    # ---------------------------------------------------------------------------------------------
    # Front matter: document type, title, header table, prose
    # ---------------------------------------------------------------------------------------------
    def front_matter(self, front: list[tuple[int, str]]) -> None:
        b, doc, prog = self.b, self.source.document, self.prog
        first_tab = next((i for i, (_, line) in enumerate(front) if "\t" in line), None)
        if first_tab is None or first_tab == 0:
            raise self.error(front[0][0] if front else 1, "no title and header table (Beslutad när, Diarienummer, …) before the goals")
        *types, (title_line, title) = front[:first_tab]
        for n, line in types:  # "STYRDOKUMENT": the kind of document
            b.add(doc, DCTERMS.type, Literal(txt.collapse(line).capitalize(), lang="sv"))
            b.cover(n, doc)
        expected = self.source.meta["document"]["title"]
        if txt.collapse(title) != txt.collapse(expected):
            raise self.error(title_line, f"the title {title.strip()!r} differs from the metadata's document.title {expected!r}")
        b.cover(title_line, doc)
        b.cover(title_line, prog)
        b.add(prog, ANDTS.sourceLine, Literal(title_line, datatype=XSD.integer))
        end = first_tab
        while end < len(front) and "\t" in front[end][1]:
            end += 1
        self.header(front[first_tab:end])
        self.prose(front[end:], programme_title=True)

    def header(self, rows: list[tuple[int, str]]) -> None:
        b, prog = self.b, self.prog
        pmeta = self.source.meta.get("programme", {})
        seen: dict[str, int] = {}
        for n, line in rows:
            key, _, value = (c.strip() for c in line.partition("\t"))
            value = txt.collapse(value)
            seen[key] = n
            b.cover(n, prog)
            b.check_text(prog, line, n)
            if key == "Beslutad när":
                self._check_dates(n, "Beslutad när", value, [_iso(d) for d in pmeta.get("decided", [])], "programme.decided")
            elif key == "Diarienummer":
                found = _DNR.findall(value)
                known = list(pmeta.get("diary_numbers", []))
                if not known:
                    b.finding(prog, n, "missing-metadata", line, "The metadata file records no diary numbers; the header gives "
                              + ", ".join(found) + ".")
                elif sorted(found) != sorted(known):
                    raise self.error(n, f"Diarienummer {', '.join(found) or value!r} contradicts the metadata's programme.diary_numbers {', '.join(known)}")
            elif key == "Beslutad av":
                self._check_adopted_by(n, value, pmeta.get("adopted_by"))
            elif key == "Gäller fr o m":
                self._check_period(n, key, value, pmeta.get("start"), first=True)
            elif key == "Gäller t o m":
                self._check_period(n, key, value, pmeta.get("end"), first=False)
            if key not in HEADER_IN_METADATA:
                b.add(prog, SKOS.note, Literal(f"{key}: {txt.clean(value)}", lang="sv"))
        for key in HEADER_REQUIRED:
            if key not in seen:
                b.finding(prog, rows[0][0], "missing-metadata", rows[0][1],
                          f"The header table has no '{key}' row; the programme's facts come from the metadata file alone.")

    def _check_dates(self, line: int, key: str, value: str, known: list[str], meta_key: str) -> None:
        found = ["-".join(m) for m in _DATE.findall(value)]
        if not known:
            self.b.finding(self.prog, line, "missing-metadata", value,
                           f"The metadata file has no {meta_key}; the header's '{key}' gives {', '.join(found)}.")
        elif sorted(found) != sorted(known):
            raise self.error(line, f"{key} {', '.join(found) or value!r} contradicts the metadata's {meta_key} {', '.join(known)}")

    def _check_adopted_by(self, line: int, value: str, adopted_by: str | None) -> None:
        if adopted_by is None:
            self.b.finding(self.prog, line, "missing-metadata", value,
                           f"The metadata file has no programme.adopted_by; the header says '{value}'.")
            return
        expected = ID[adopted_by]
        m = self.reg.actors.lookup(value)
        if m is not None:
            if m.iri != expected:
                raise self.error(line, f"Beslutad av '{value}' is {m.iri}, but the metadata's programme.adopted_by is {expected}")
        elif txt.slug(value) != adopted_by.rsplit("/", 1)[-1]:
            raise self.error(line, f"Beslutad av '{value}' contradicts the metadata's programme.adopted_by {adopted_by!r}")

    def _check_period(self, line: int, key: str, value: str, meta_value: object, *, first: bool) -> None:
        if meta_value is None:
            self.b.finding(self.prog, line, "missing-metadata", value,
                           f"The metadata file has no programme.{'start' if first else 'end'}; the header's '{key}' says '{value}'.")
            return
        expected = date.fromisoformat(_iso(meta_value))
        dates = _DATE.findall(value)
        if dates:
            y, m, d = dates[0] if first else dates[-1]
            ok = date(int(y), int(m), int(d)) == expected
        else:
            month = next((MONTHS[w.lower()] for w in re.findall(r"[A-Za-zåäöÅÄÖ]+", value) if w.lower() in MONTHS), None)
            years = _YEAR.findall(value)
            if not years:
                raise self.error(line, f"{key} '{value}' names no date or year")
            year = int(years[0] if first else years[-1])
            ok = year == expected.year and (month is None or month == expected.month)
        if not ok:
            raise self.error(line, f"{key} '{value}' contradicts the metadata's programme.{'start' if first else 'end'} {expected.isoformat()}")

    # ---------------------------------------------------------------------------------------------
    # Prose sections (front and back matter) → skos:note @sv on the programme, one per section
    # ---------------------------------------------------------------------------------------------
    def prose(self, entries: list[tuple[int, str]], *, programme_title: bool) -> None:
        b, prog = self.b, self.prog
        sections: list[tuple[int | None, str | None, list[tuple[int, str]]]] = []
        for n, line in entries:
            s = line.strip()
            if "\t" in line:
                raise self.error(n, "a table row before any 'Insats/Utvecklingsområde<TAB>Ansvarig' header")
            if _is_heading(s):
                sections.append((n, s, []))
            else:
                if not sections:
                    sections.append((None, None, []))
                sections[-1][2].append((n, line))
        definitions: list[tuple[int, str, list[tuple[int, str]]]] = []
        for i, (hline, heading, body) in enumerate(sections):
            if hline is not None:
                b.cover(hline, prog)
                b.check_text(prog, heading, hline)
            for n, raw in body:
                b.cover(n, prog)
                b.check_text(prog, raw, n)
            if not body:
                if programme_title and i == len(sections) - 1:
                    # the plan part's own title, just before the goals
                    b.add(prog, SKOS.altLabel, Literal(txt.clean(heading), lang="sv"))
                else:
                    b.add(prog, SKOS.note, Literal(txt.clean(heading), lang="sv"))
                continue
            text = "\n\n".join(txt.clean(_unmark(raw)) for _, raw in body)
            b.add(prog, SKOS.note, Literal(f"{txt.clean(heading)}: {text}" if heading else text, lang="sv"))
            if heading and _DEFINITION.match(body[0][1].strip()):
                definitions.append((hline, heading, body))
        if definitions:
            first = definitions[0][0]
            verbatim = "\n".join(line for h, heading, body in definitions for line in [heading] + [r for _, r in body])
            names = ", ".join(d[1] for d in definitions)
            b.finding(prog, first, "placement", verbatim,
                      f"Boilerplate of the municipality's document template: general definitions of {names} "
                      f"(lines {first}–{definitions[-1][2][-1][0]}) that say nothing about this plan; kept as notes on the programme.")

    # ---------------------------------------------------------------------------------------------
    # The plan: goals, sub-goals, existing work, focus areas, activities
    # ---------------------------------------------------------------------------------------------
    def parse_plan(self, plan: list[tuple[int, str]]) -> tuple[list[GoalM], list[tuple[int, str]]]:
        goals: list[GoalM] = []
        numbers: dict[str, int] = {}
        goal: GoalM | None = None
        mode = ""
        fa: FocusAreaM | None = None
        in_table = False
        after_footnote = False
        goal_lines = [i for i, (_, line) in enumerate(plan) if _GOAL_LIKE.match(line.strip())]
        for idx, (n, line) in enumerate(plan):
            s = line.strip()
            if _GOAL_LIKE.match(s):
                m = _GOAL.match(s)
                if not m:
                    raise self.error(n, f"malformed goal heading {s[:60]!r}: expected 'Mål <n>. <text>'")
                number = m.group(1)
                if number in numbers:
                    raise self.error(n, f"goal {number} appears twice (first at line {numbers[number]})")
                numbers[number] = n
                goal = GoalM(line=n, number=number, raw=m.group(2), text_line=n)
                goals.append(goal)
                mode, fa, in_table, after_footnote = "scope", None, False, False
                continue
            if s == OVERARCHING:
                if goals:
                    raise self.error(n, "a second 'Övergripande mål', or one after the numbered goals")
                goal = GoalM(line=n, number=None)
                goals.append(goal)
                mode = "overarching"
                continue
            assert goal is not None  # the plan part starts with a goal heading
            if s in SECTIONS:
                if goal.number is None:
                    raise self.error(n, f"'{s}' under the overarching goal")
                goal.section_lines.append(n)
                mode, fa, in_table, after_footnote = SECTIONS[s], None, False, False
                continue
            if "\t" in line:
                cells = _cells(line)
                if cells == TABLE_HEADER:
                    if fa is None or fa.header_line is not None:
                        raise self.error(n, "a table header with no focus-area heading before it")
                    fa.header_line, in_table = n, True
                    continue
                if _SEPARATOR.match(s):
                    (fa.separators if fa is not None else goal.separators).append((n, line))
                    in_table = False
                    continue
                if not in_table or fa is None:
                    raise self.error(n, "a table row before any 'Insats/Utvecklingsområde<TAB>Ansvarig' header")
                if len(cells) != 2:
                    raise self.error(n, f"a table row with {len(cells)} cells; expected activity<TAB>Ansvarig")
                text, cell = cells
                if not text:
                    raise self.error(n, "a table row with an empty activity cell")
                if not cell:
                    if fa.rows and text[:1].islower():
                        fa.rows[-1].parts.append((n, text))  # the rest of a row split by a page break
                        continue
                    raise self.error(n, "a table row with an empty Ansvarig cell that continues no row above")
                fa.rows.append(Row(parts=[(n, text)], cell=line.split("\t", 1)[1], line=n))
                continue
            m = _FOOTNOTE.match(s)
            if m:
                self.footnotes.append(Footnote(n, m.group(1), m.group(2)))
                after_footnote = True
                continue
            m = _BULLET.match(line)
            if m:
                if mode != "existing-work":
                    raise self.error(n, "a bullet outside 'Befintligt arbete'")
                nested, text = bool(m.group(1)), m.group(2)
                if nested:
                    if not goal.items:
                        raise self.error(n, "a nested bullet with no item above it")
                    goal.items[-1].children.append(ItemM(n, text))
                elif after_footnote and goal.items and goal.items[-1].children:
                    # after a footnote body (a page end) the indentation is lost: the list continues
                    item = ItemM(n, text, continued_after_footnote=True)
                    goal.items[-1].children.append(item)
                    continue
                else:
                    goal.items.append(ItemM(n, text))
                after_footnote = False
                continue
            # plain text
            nxt = plan[idx + 1][1] if idx + 1 < len(plan) else ""
            if "\t" in nxt and _cells(nxt) == TABLE_HEADER:
                if goal.number is None:
                    raise self.error(n, "a focus area under the overarching goal")
                fa = FocusAreaM(n, s)
                goal.focus_areas.append(fa)
                mode, in_table, after_footnote = "focus-areas", False, False
                continue
            if mode == "overarching":
                if goal.raw is None:
                    goal.raw, goal.text_line = s, n
                else:
                    goal.scope.append((n, line))
                continue
            if mode == "scope":
                goal.scope.append((n, line))
                continue
            if mode == "sub-goals":
                am = _ANSVARIG.match(txt.strip_markup(s).strip())
                if am:
                    if not goal.subgoals or goal.subgoals[-1].ansvarig is not None:
                        raise self.error(n, "an 'Ansvarig:' line with no sub-goal before it")
                    goal.subgoals[-1].ansvarig = (n, line)
                else:
                    if goal.subgoals and goal.subgoals[-1].ansvarig is None:
                        raise self.error(goal.subgoals[-1].line, "a sub-goal with no 'Ansvarig:' line")
                    goal.subgoals.append(SubGoalM(n, line))
                continue
            if goal.focus_areas and not any(i > idx for i in goal_lines):
                return self._checked(goals, plan[idx - 1][0]), plan[idx:]  # back matter begins
            raise self.error(n, f"unexpected text in goal {goal.number or OVERARCHING}: {s[:60]!r}")
        return self._checked(goals, plan[-1][0]), []

    def _checked(self, goals: list[GoalM], last_line: int) -> list[GoalM]:
        if not any(g.number for g in goals):
            raise self.error(last_line, "no numbered goals ('Mål n. …'): the file is truncated")
        for g in goals:
            if g.number is None and g.raw is None:
                raise self.error(g.line, "'Övergripande mål' without its text")
            for sg in g.subgoals:
                if sg.ansvarig is None:
                    raise self.error(sg.line, "a sub-goal with no 'Ansvarig:' line")
            for fa in g.focus_areas:
                if not fa.rows:
                    raise self.error(fa.line, f"focus area {fa.heading[:60]!r} has no rows")
        return goals

    # ---------------------------------------------------------------------------------------------
    def emit_goal(self, g: GoalM) -> None:
        b = self.b
        if g.number is None:
            iri = b.entity(b.iri("goal", "overarching"), ANDTS.OverarchingGoal, g.text_line)
            b.cover(g.line, iri)
            b.add(iri, SKOS.prefLabel, Literal(OVERARCHING, lang="sv"))
            b.add(iri, SKOS.prefLabel, Literal("Overarching goal", lang="en"))
            cleaned = self.publish(iri, [(g.text_line, g.raw)])
            self.link_national(iri, g, cleaned)
        else:
            iri = b.entity(b.iri("goal", g.number), ANDTS.Goal, g.line)
            b.add(iri, SKOS.notation, Literal(g.number))
            b.add(iri, SKOS.prefLabel, Literal(f"Mål {g.number}", lang="sv"))
            b.add(iri, SKOS.prefLabel, Literal(f"Goal {g.number}", lang="en"))
            cleaned = self.publish(iri, [(g.line, g.raw)])
            self.link_national(iri, g, cleaned)
        for n in g.section_lines:
            b.cover(n, iri)
        for n, raw in g.scope:
            b.cover(n, iri)
            b.add(iri, SKOS.scopeNote, Literal(txt.clean(_unmark(raw)), lang="sv"))
            b.check_text(iri, raw, n)
        for n, raw in g.separators:
            self.separator(iri, n, raw, "goal")
        for k, sg in enumerate(g.subgoals, start=1):
            self.emit_subgoal(iri, k, sg)
        for k, item in enumerate(g.items, start=1):
            self.emit_item(iri, f"{k}", k, item, None)
        for k, fa in enumerate(g.focus_areas, start=1):
            self.emit_focus_area(iri, g.number, k, fa)

    def link_national(self, iri: URIRef, g: GoalM, text: str) -> None:
        if not self.strategy:
            return
        ng = ID[f"national-strategy/{self.strategy}/goal/{g.number or 'overarching'}"]
        if (ng, RDF.type, ANDTS.NationalGoal) not in self.reference and (ng, RDF.type, ANDTS.NationalOverarchingGoal) not in self.reference:
            raise self.error(g.line, f"Mål {g.number} has no counterpart among the national goals of the {self.strategy} strategy")
        national = next((str(o) for o in self.reference.objects(ng, SKOS.prefLabel) if o.language == "sv"), "")
        if g.number is None:
            body = text.removeprefix(OVERARCHING_PREFIX)
            if body == text or body[:1].upper() + body[1:] != national:
                raise self.error(g.text_line, f"the overarching goal does not read '{OVERARCHING_PREFIX}' + the national overarching goal {national!r}")
            self.b.add(iri, SKOS.closeMatch, ng)
        else:
            if text != national and text + "." != national:
                raise self.error(g.line, f"the text of Mål {g.number} differs from national goal {g.number} of the {self.strategy} strategy ({national!r})")
            self.b.add(iri, SKOS.exactMatch, ng)
        self.b.add(iri, ANDTS.nationalGoal, ng)

    def emit_subgoal(self, goal: URIRef, k: int, sg: SubGoalM) -> None:
        b = self.b
        iri = b.entity(URIRef(f"{goal}/sub-goal/{k}"), ANDTS.SubGoal, sg.line, order=k)
        b.add(iri, ANDTS.goal, goal)
        cleaned = self.publish(iri, [(sg.line, sg.raw)], named=True)
        methods = self.link_methods(iri, cleaned, [(sg.line, sg.raw)])
        b.tag(iri, self.dimensions.tags([(cleaned, iri, sg.line)], methods), sg.line)
        n, raw = sg.ansvarig
        b.cover(n, iri)
        b.add(iri, ANDTS.responsibleText, Literal(raw))
        b.check_text(iri, raw, n)
        body = _ANSVARIG.match(txt.strip_markup(raw).strip()).group(1)
        matches = self.actors(iri, body, n, raw)
        bold = _BOLD.search(raw)
        if bold:
            m = self.reg.actors.lookup(txt.clean(bold.group(1)))
            if m is not None:
                b.add(iri, ANDTS.coordinator, m.iri)
        for m in matches:
            b.add(iri, ANDTS.responsible, m.iri)

    def emit_item(self, goal: URIRef, notation: str, order: int, item: ItemM, parent: URIRef | None) -> None:
        b = self.b
        iri = b.entity(URIRef(f"{goal}/existing-work/{notation}"), ANDTS.ExistingWork, item.line, order=order)
        b.add(iri, ANDTS.goal, goal)
        if parent is not None:
            b.add(iri, ANDTS.parentItem, parent)
        cleaned = self.publish(iri, [(item.line, item.raw)], named=True)
        methods = self.link_methods(iri, cleaned, [(item.line, item.raw)])
        b.tag(iri, self.dimensions.tags([(cleaned, iri, item.line)], methods), item.line)
        # existing work names no one responsible: every body it names works on it
        for partner in self.reg.partners_in(cleaned, external_only=False):
            b.add(iri, ANDTS.partner, partner)
        continued = [c for c in item.children if c.continued_after_footnote]
        if continued:
            first = continued[0]
            b.finding(iri, first.line, "placement", "\n".join(self.lines[c.line - 1] for c in continued),
                      f"Lines {first.line}–{continued[-1].line} follow a footnote body and a page break as top-level bullets, "
                      f"but continue the nested list of services under line {item.line} (same 'Name – what it offers' form); "
                      f"read as its items {notation}.{item.children.index(first) + 1}–{notation}.{len(item.children)}.")
        for m, child in enumerate(item.children, start=1):
            self.emit_item(goal, f"{notation}.{m}", m, child, iri)

    def emit_focus_area(self, goal: URIRef, goal_number: str, k: int, fa: FocusAreaM) -> None:
        b = self.b
        iri = b.entity(b.iri("focus-area", f"{goal_number}.{k}"), ANDTS.FocusArea, fa.line, order=k)
        b.add(iri, ANDTS.goal, goal)
        cleaned = self.publish(iri, [(fa.line, fa.heading)])
        b.add(iri, SKOS.prefLabel, Literal(cleaned, lang="sv"))
        methods = self.link_methods(iri, cleaned, [(fa.line, fa.heading)])
        context = (cleaned, iri, fa.line)
        b.tag(iri, self.dimensions.tags([context], methods), fa.line)
        b.cover(fa.header_line, iri)
        for n, row in enumerate(fa.rows, start=1):
            self.emit_activity(iri, n, row, context, methods)
        for n, raw in fa.separators:
            self.separator(iri, n, raw, "focus area")

    def emit_activity(self, fa: URIRef, n: int, row: Row, context: tuple[str, URIRef, int],
                      fa_methods: list[URIRef]) -> None:
        b = self.b
        iri = b.entity(URIRef(f"{fa}/activity/{n}"), ANDTS.Activity, row.line, order=n)
        b.add(iri, ANDTS.focusArea, fa)
        cleaned = self.publish(iri, row.parts, named=True)
        for line, _ in row.parts[1:]:
            b.cover(line, iri)
            b.finding(iri, line, "split-row", self.lines[line - 1],
                      f"A page break split the row of line {row.line}: this fragment, with an empty Ansvarig cell, "
                      f"is the end of its activity text; joined into one activity (Ansvarig from line {row.line}).")
        b.add(iri, ANDTS.responsibleText, Literal(row.cell))
        b.check_text(iri, row.cell, row.line)
        matches = self.actors(iri, txt.clean(row.cell), row.line, row.cell)
        if matches:
            b.add(iri, ANDTS.coordinator, matches[0].iri)
        for m in matches:
            b.add(iri, ANDTS.responsible, m.iri)
        methods = self.link_methods(iri, cleaned, row.parts)
        b.tag(iri, self.dimensions.tags([(cleaned, iri, row.line), context], methods + fa_methods), row.line)
        for partner in self.reg.partners_in(cleaned, {m.iri for m in matches}):
            b.add(iri, ANDTS.partner, partner)

    def separator(self, about: URIRef, line: int, raw: str, what: str) -> None:
        self.b.finding(about, line, "layout-debris", raw,
                       f"A table separator row left by a page break ('{raw.replace(chr(9), ' ')}'), closing the {what} above; no content.")

    # ---------------------------------------------------------------------------------------------
    # Text, actors, methods, substances, footnotes
    # ---------------------------------------------------------------------------------------------
    def publish(self, iri: URIRef, parts: list[tuple[int, str]], *, named: bool = False) -> str:
        """dcterms:description @sv, cleaned of markup and footnote markers; the verbatim text (the parts of a
        split row joined by a space) as andts:sourceText when it differs; each part checked on its own line.
        `named`: also the entity's skos:prefLabel @sv, the first sentence of the text (the document gives
        sub-goals, items and activities no names or numbers of their own, and none is invented)."""
        raw = " ".join(p.strip() for _, p in parts)
        cleaned = txt.clean(_unmark(raw))
        self.b.add(iri, DCTERMS.description, Literal(cleaned, lang="sv"))
        if named:
            self.b.add(iri, SKOS.prefLabel, Literal(txt.short_label(cleaned), lang="sv"))
        if cleaned != raw:
            self.b.add(iri, ANDTS.sourceText, Literal(raw))
        for line, part in parts:
            self.b.check_text(iri, part, line)
            for mark in _MARKS.findall(part):
                self.marked.setdefault(mark, []).append((iri, line))
        return cleaned

    def actors(self, iri: URIRef, cell: str, line: int, raw: str) -> list[Match]:
        matches, leftovers = self.reg.actors.split(cell)
        if not matches:
            raise self.error(line, f"the Ansvarig cell {raw.strip()!r} names no known actor")
        # one finding per distinct name: a cell repeating a name thousands of times (a runaway paste) would
        # otherwise give thousands of identical findings
        for m in {(m.text, m.iri): m for m in matches if m.is_misspelling}.values():
            name = self.reg.label(m.iri)
            self.b.finding(iri, line, "misspelt-name", m.text,
                           f"'{m.text}' is a misspelling of the actor name '{name}'; linked to {name}.", suggestion=name)
        for rest, times in Counter(leftovers).items():
            again = f" (named {times} times)" if times > 1 else ""
            if _ABBREVIATION.match(rest) and sum(c.isupper() for c in rest) >= 2:
                self.b.finding(iri, line, "unknown-abbreviation", rest,
                               f"'{rest}' in the Ansvarig cell{again} is no actor the registry knows; kept in the text only.")
            else:
                self.b.finding(iri, line, "misspelt-name", rest,
                               f"'{rest}' in the Ansvarig cell{again} matches no actor of the registry (a wrong or misspelt name?); kept in the text only.")
        # one link per actor, in the order named
        unique: dict[URIRef, Match] = {}
        for m in matches:
            unique.setdefault(m.iri, m)
        return list(unique.values())

    def link_methods(self, iri: URIRef, cleaned: str, parts: list[tuple[int, str]]) -> list[URIRef]:
        """The methods the text names, linked (a misspelt name reported), and the findings about the laws it
        cites (the laws are tagged with the other dimensions). Returns the methods."""
        methods = []
        for m in self.reg.methods.find(cleaned):
            methods.append(m.iri)
            self.b.add(iri, ANDTS.method, m.iri)
            if m.is_misspelling:
                line = next((n for n, p in parts if m.text in txt.clean(p)), parts[0][0])
                name = self.reg.label(m.iri)
                self.b.finding(iri, line, "misspelt-name", m.text,
                               f"'{m.text}' is a misspelling or wrong form of the name '{name}'; linked to {name}.", suggestion=name)
        for m in self.reg.laws.find(cleaned):
            line = next((n for n, p in parts if m.text in txt.clean(p)), parts[0][0])
            self.b.outdated_citation(iri, line, cleaned, m.iri, m.text, m.end, self.reg.label)
        return methods

    def resolve_footnotes(self) -> None:
        b = self.b
        used: set[str] = set()
        for fn in self.footnotes:
            targets = self.marked.get(fn.mark, [])
            if not targets:
                raise self.error(fn.line, f"footnote {_plain(fn.mark)} has no marker in the text")
            before = [t for t in targets if t[1] < fn.line]
            iri, line = before[-1] if before else targets[0]
            used.add(fn.mark)
            b.cover(fn.line, iri)
            b.add(iri, SKOS.note, Literal(txt.clean(fn.raw), lang="sv"))
            b.check_text(iri, fn.raw, fn.line)
            b.finding(iri, line, "layout-debris", self.lines[line - 1].strip(),
                      f"Inline footnote marker (superscript {_plain(fn.mark)}); removed from the published text (kept in "
                      f"andts:sourceText). The footnote body stands apart at line {fn.line} and is kept as a skos:note of this entity.")
        for mark, targets in sorted(self.marked.items()):
            if mark not in used:
                for iri, line in targets:
                    b.finding(iri, line, "layout-debris", self.lines[line - 1].strip(),
                              f"Inline footnote marker (superscript {_plain(mark)}) with no footnote body in the document; "
                              "removed from the published text.")


def _plain(mark: str) -> str:
    """A superscript footnote mark in ordinary digits (messages stay free of the marks themselves)."""
    return mark.translate(str.maketrans(SUPERSCRIPTS, "0123456789"))


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def load(source: SourceInfo, reference: Graph) -> LoadResult:
    """The Eskilstuna ANDT plan as a programme graph with its findings (pure: reads only the document)."""
    return _Loader(source, reference).run()
