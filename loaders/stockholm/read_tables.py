"""The Stockholm appendix's tables, read and checked line by line: a header row opens a table, a row whose
first cell starts with a notation opens a focus area, a row whose first cell is empty continues it.
Anything else stops the build with the line it is on."""

from __future__ import annotations

import re

from rdflib import Graph
from rdflib.namespace import RDF

from andts.loaders import text as txt
from andts.loaders.common import SourceInfo
from andts.loaders.stockholm.layout import COLUMNS, PARTS, FocusAreaRows, Row, Table
from andts.namespaces import ANDTS, ID

_HEADING = re.compile(r"Insatsområden\b(?P<rest>.*)")
_GOAL_HEADING = re.compile(r"\s+mål\s+(?P<n>\d+)\s*")
_PART_HEADING = re.compile(r"(?P<sep>\s*[-–]\s*|\s+)(?P<name>\S.*?)\s*")
_NOTATION = re.compile(r"(?P<prefix>\d+|[A-ZÅÄÖ])\.(?P<number>\d+)\s+(?P<text>\S.*)", re.S)


def national_goal_numbers(reference: Graph, strategy: str) -> set[int]:
    """The numbers of the national strategy's goals: a goal table may only follow one of them."""
    prefix = str(ID[f"national-strategy/{strategy}/goal/"])
    out = set()
    for g in reference.subjects(RDF.type, ANDTS.NationalGoal):
        tail = str(g)[len(prefix):] if str(g).startswith(prefix) else ""
        if tail.isdigit():
            out.add(int(tail))
    return out


def read_tables(source: SourceInfo, lines: list[str], start: int, national_goals: set[int]) -> list[Table]:
    """The tables from index `start` (the first line holding a tab) to the end of the document."""
    reader = _TableReader(source, national_goals)
    for index in range(start, len(lines)):
        reader.read(index + 1, lines[index])
    return reader.finish(len(lines))


class _TableReader:
    def __init__(self, source: SourceInfo, national_goals: set[int]) -> None:
        self.source = source
        self.national_goals = national_goals
        self.tables: list[Table] = []
        self.table_lines: dict[str, int] = {}  # notation → line of the header row
        self.area_lines: dict[str, int] = {}  # notation → first line of the focus area
        self.area: FocusAreaRows | None = None
        self.blank: int | None = None  # the first blank line since the last row: a page break

    def read(self, no: int, line: str) -> None:
        if not line.strip():
            if line == "" and self.blank is None:
                self.blank = no
            elif line:  # white space only inside the tables: treat like a blank line
                self.blank = self.blank or no
            return
        cells = _split(self.source, no, line)
        heading = _HEADING.fullmatch(cells[0].strip())
        if heading:
            self.open_table(no, cells, heading.group("rest"))
        else:
            self.add_row(no, line, cells)

    def open_table(self, no: int, cells: list[str], rest: str) -> None:
        first = cells[0].strip()
        if self.tables and not self.tables[-1].focus_areas:
            before = self.tables[-1]
            raise self.source.error(before.line, f"table {before.heading!r} has no rows before the next table (line {no})")
        if (cells[1].strip(), cells[2].strip()) != COLUMNS[1:]:
            raise self.source.error(no, f"table header must read '{first}\\t{COLUMNS[1]}\\t{COLUMNS[2]}', "
                                        f"found {cells[1].strip()!r} and {cells[2].strip()!r}")
        table = _table(self.source, no, first, rest, self.national_goals)
        if table.notation in self.table_lines:
            raise self.source.error(no, f"duplicated notation: {first!r} repeats the table of line "
                                        f"{self.table_lines[table.notation]}")
        goals = [t for t in self.tables if t.kind == "goal"]
        if table.kind == "goal":
            expected = int(goals[-1].notation) + 1 if goals else 1
            if int(table.notation) != expected:
                raise self.source.error(no, f"goal table {first!r} out of sequence: expected 'Insatsområden mål {expected}'")
        self.table_lines[table.notation] = no
        self.tables.append(table)
        self.area, self.blank = None, None

    def add_row(self, no: int, line: str, cells: list[str]) -> None:
        if not self.tables:
            raise self.source.error(no, "a table row without a table header before it "
                                        "(expected a header row 'Insatsområden mål 1\\tAktivitet\\tUtförare')")
        table = self.tables[-1]
        row = Row(no, line, cells[1], cells[2], page_break=self.blank)
        self.blank = None
        if cells[0].strip():
            self.area = self.open_focus_area(no, cells[0], table)
        elif self.area is None:
            raise self.source.error(no, f"a continuation row (empty first column) before any focus area of the "
                                        f"table {table.heading!r}")
        self.area.rows.append(row)

    def open_focus_area(self, no: int, cell: str, table: Table) -> FocusAreaRows:
        stripped = txt.collapse(txt.strip_markup(cell))
        m = _NOTATION.fullmatch(stripped)
        if not m:
            raise self.source.error(no, f"the first column must be empty (a continuation row) or start with a "
                                        f"focus-area notation such as '1.1' or 'O.1': {stripped[:40]!r}")
        notation = f"{m.group('prefix')}.{m.group('number')}"
        if m.group("prefix") != table.notation:
            raise self.source.error(no, f"focus area {notation} stands under the table {table.heading!r} (line "
                                        f"{table.line}), whose focus areas are numbered {table.notation}.n")
        if notation in self.area_lines:
            raise self.source.error(no, f"duplicated notation: focus area {notation} already begins at line "
                                        f"{self.area_lines[notation]}")
        self.area_lines[notation] = no
        text = _NOTATION.fullmatch(txt.clean(cell)).group("text").strip()
        area = FocusAreaRows(notation, no, cell, text)
        table.focus_areas.append(area)
        return area

    def finish(self, last: int) -> list[Table]:
        """The tables read, once the end of the file shows that nothing was cut off."""
        tables = self.tables
        if not tables or not any(t.kind == "goal" for t in tables):
            raise self.source.error(last, "truncated: the document has no goal table "
                                          "('Insatsområden mål 1\\tAktivitet\\tUtförare')")
        if not tables[-1].focus_areas:
            raise self.source.error(last, f"truncated: the file ends at line {last}, inside the table "
                                          f"{tables[-1].heading!r} (line {tables[-1].line}) before its first row")
        if not any(r.activity.strip() for t in tables for a in t.focus_areas for r in a.rows):
            raise self.source.error(last, f"truncated: the file ends at line {last} before any activity")
        return tables


def _split(source: SourceInfo, line_no: int, line: str) -> list[str]:
    cells = line.split("\t")
    if len(cells) == 1:
        raise source.error(line_no, f"text between the tables that is not a table row (expected {len(COLUMNS)} "
                                    f"tab-separated columns: {' | '.join(COLUMNS)}): {line[:60]!r}")
    if len(cells) != len(COLUMNS):
        raise source.error(line_no, f"a table row has {len(cells)} tab-separated column(s), expected {len(COLUMNS)} "
                                    f"({' | '.join(COLUMNS)}): {line[:60]!r}")
    return cells


def _table(source: SourceInfo, line: int, heading: str, rest: str, national_goals: set[int]) -> Table:
    goal = _GOAL_HEADING.fullmatch(rest)
    if goal:
        n = int(goal.group("n"))
        if n not in national_goals:
            strategy = source.meta.get("programme", {}).get("strategy", "?")
            raise source.error(line, f"unknown goal heading {heading!r}: the national strategy {strategy} "
                                     f"has no goal {n} for it to follow")
        return Table(line, heading, "goal", str(n))
    part = _PART_HEADING.fullmatch(rest)
    if part and part.group("name") in PARTS:
        name = part.group("name")
        return Table(line, heading, "part", PARTS[name][1], part=name, dashed=part.group("sep").strip() != "")
    known = ", ".join(f"'Insatsområden - {p}'" for p in PARTS)
    raise source.error(line, f"unknown table heading {heading!r} (expected 'Insatsområden mål N' or one of {known})")
