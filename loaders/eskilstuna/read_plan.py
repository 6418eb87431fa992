"""The plan part of the Eskilstuna document, read line by line into goals (no RDF yet).

The plan's own vocabulary is known ("Övergripande mål", "Mål n.", "Delmål", "Befintligt arbete",
"Insatsområden", the table header); a focus-area heading is recognised by position (the line before a
table header), never by a list of this document's headings. What follows the last focus area and is no
goal is the back matter. Anything out of place stops the build with its line."""

from __future__ import annotations

import re

from andts.loaders import text as txt
from andts.loaders.common import SourceInfo
from andts.loaders.eskilstuna.layout import (
    ANSVARIG,
    GOAL_LIKE,
    OVERARCHING,
    SECTIONS,
    SUPERSCRIPTS,
    TABLE_HEADER,
    ActivityRow,
    FocusAreaRows,
    Footnote,
    Goal,
    Item,
    Plan,
    SubGoal,
    cells,
)

_GOAL = re.compile(r"^Mål (\d+)\. (\S.*)$")
_FOOTNOTE = re.compile(rf"^([{SUPERSCRIPTS}]+)\s+(\S.*)$")
_SEPARATOR = re.compile(r"^-+\t-+$")
_BULLET = re.compile(r"^( *)- +(\S.*)$")


def read_plan(source: SourceInfo, plan: list[tuple[int, str]]) -> Plan:
    """The non-blank lines from the first goal heading on: the goals, and the back matter after them."""
    reader = _PlanReader(source, plan)
    for idx, (n, line) in enumerate(plan):
        if reader.read(idx, n, line):
            return Plan(_checked(source, reader.goals, plan[idx - 1][0]), reader.footnotes, plan[idx:])
    return Plan(_checked(source, reader.goals, plan[-1][0]), reader.footnotes, [])


class _PlanReader:
    def __init__(self, source: SourceInfo, plan: list[tuple[int, str]]) -> None:
        self.source = source
        self.plan = plan
        self.goal_indices = [i for i, (_, line) in enumerate(plan) if GOAL_LIKE.match(line.strip())]
        self.goals: list[Goal] = []
        self.footnotes: list[Footnote] = []
        self.numbers: dict[str, int] = {}  # goal number → heading line
        self.goal: Goal | None = None
        self.mode = ""  # the part of the goal being read: scope, overarching, or a value of SECTIONS
        self.focus_area: FocusAreaRows | None = None
        self.in_table = False
        # after a footnote body, which the extraction puts at a page end, a bullet list lost its indentation
        self.after_footnote = False

    def read(self, idx: int, n: int, line: str) -> bool:
        """Read one line; True when it is the first line of the back matter."""
        s = line.strip()
        if GOAL_LIKE.match(s):
            self.goal_heading(n, s)
        elif s == OVERARCHING:
            self.overarching(n)
        elif s in SECTIONS:
            self.section(n, s)
        elif "\t" in line:
            self.table_line(n, line, s)
        elif m := _FOOTNOTE.match(s):
            self.footnotes.append(Footnote(n, m.group(1), m.group(2)))
            self.after_footnote = True
        elif m := _BULLET.match(line):
            self.bullet(n, bool(m.group(1)), m.group(2))
        else:
            return self.text(idx, n, line, s)
        return False

    def goal_heading(self, n: int, s: str) -> None:
        m = _GOAL.match(s)
        if not m:
            raise self.source.error(n, f"malformed goal heading {s[:60]!r}: expected 'Mål <n>. <text>'")
        number = m.group(1)
        if number in self.numbers:
            raise self.source.error(n, f"goal {number} appears twice (first at line {self.numbers[number]})")
        self.numbers[number] = n
        self.goal = Goal(line=n, number=number, raw=m.group(2), text_line=n)
        self.goals.append(self.goal)
        self.mode, self.focus_area, self.in_table, self.after_footnote = "scope", None, False, False

    def overarching(self, n: int) -> None:
        if self.goals:
            raise self.source.error(n, "a second 'Övergripande mål', or one after the numbered goals")
        self.goal = Goal(line=n, number=None)
        self.goals.append(self.goal)
        self.mode = "overarching"

    def current(self) -> Goal:
        assert self.goal is not None  # the plan part starts with a goal heading
        return self.goal

    def section(self, n: int, s: str) -> None:
        goal = self.current()
        if goal.number is None:
            raise self.source.error(n, f"'{s}' under the overarching goal")
        goal.section_lines.append(n)
        self.mode, self.focus_area, self.in_table, self.after_footnote = SECTIONS[s], None, False, False

    def table_line(self, n: int, line: str, s: str) -> None:
        goal, fa, row = self.current(), self.focus_area, cells(line)
        if row == TABLE_HEADER:
            if fa is None or fa.header_line is not None:
                raise self.source.error(n, "a table header with no focus-area heading before it")
            fa.header_line, self.in_table = n, True
        elif _SEPARATOR.match(s):
            (fa.separators if fa is not None else goal.separators).append((n, line))
            self.in_table = False
        elif not self.in_table or fa is None:
            raise self.source.error(n, "a table row before any 'Insats/Utvecklingsområde<TAB>Ansvarig' header")
        elif len(row) != 2:
            raise self.source.error(n, f"a table row with {len(row)} cells; expected activity<TAB>Ansvarig")
        else:
            self.table_row(n, line, row[0], row[1])

    def table_row(self, n: int, line: str, text: str, cell: str) -> None:
        fa = self.focus_area
        if not text:
            raise self.source.error(n, "a table row with an empty activity cell")
        if cell:
            fa.rows.append(ActivityRow(parts=[(n, text)], cell=line.split("\t", 1)[1], line=n))
        elif fa.rows and text[:1].islower():
            fa.rows[-1].parts.append((n, text))  # the rest of a row split by a page break
        else:
            raise self.source.error(n, "a table row with an empty Ansvarig cell that continues no row above")

    def bullet(self, n: int, nested: bool, text: str) -> None:
        items = self.current().items
        if self.mode != "existing-work":
            raise self.source.error(n, "a bullet outside 'Befintligt arbete'")
        if nested:
            if not items:
                raise self.source.error(n, "a nested bullet with no item above it")
            items[-1].children.append(Item(n, text))
        elif self.after_footnote and items and items[-1].children:
            # after a footnote body (a page end) the indentation is lost: the nested list continues
            items[-1].children.append(Item(n, text, continued_after_footnote=True))
            return
        else:
            items.append(Item(n, text))
        self.after_footnote = False

    def text(self, idx: int, n: int, line: str, s: str) -> bool:
        """A line of plain text: a focus-area heading, goal text, a sub-goal or its Ansvarig line, or the
        first line of the back matter (True)."""
        goal = self.current()
        following = self.plan[idx + 1][1] if idx + 1 < len(self.plan) else ""
        if "\t" in following and cells(following) == TABLE_HEADER:
            if goal.number is None:
                raise self.source.error(n, "a focus area under the overarching goal")
            self.focus_area = FocusAreaRows(n, s)
            goal.focus_areas.append(self.focus_area)
            self.mode, self.in_table, self.after_footnote = "focus-areas", False, False
        elif self.mode == "overarching" and goal.raw is None:
            goal.raw, goal.text_line = s, n
        elif self.mode in ("overarching", "scope"):
            goal.scope.append((n, line))
        elif self.mode == "sub-goals":
            self.subgoal_line(goal, n, line, s)
        elif goal.focus_areas and not any(i > idx for i in self.goal_indices):
            return True
        else:
            raise self.source.error(n, f"unexpected text in goal {goal.number or OVERARCHING}: {s[:60]!r}")
        return False

    def subgoal_line(self, goal: Goal, n: int, line: str, s: str) -> None:
        if ANSVARIG.match(txt.strip_markup(s).strip()):
            if not goal.subgoals or goal.subgoals[-1].ansvarig is not None:
                raise self.source.error(n, "an 'Ansvarig:' line with no sub-goal before it")
            goal.subgoals[-1].ansvarig = (n, line)
        else:
            if goal.subgoals and goal.subgoals[-1].ansvarig is None:
                raise self.source.error(goal.subgoals[-1].line, "a sub-goal with no 'Ansvarig:' line")
            goal.subgoals.append(SubGoal(n, line))


def _checked(source: SourceInfo, goals: list[Goal], last_line: int) -> list[Goal]:
    """The goals, once the whole plan part is read and nothing in it was left unfinished."""
    if not any(g.number for g in goals):
        raise source.error(last_line, "no numbered goals ('Mål n. …'): the file is truncated")
    for g in goals:
        if g.number is None and g.raw is None:
            raise source.error(g.line, "'Övergripande mål' without its text")
        for sg in g.subgoals:
            if sg.ansvarig is None:
                raise source.error(sg.line, "a sub-goal with no 'Ansvarig:' line")
        for fa in g.focus_areas:
            if not fa.rows:
                raise source.error(fa.line, f"focus area {fa.heading[:60]!r} has no rows")
    return goals
