"""The Eskilstuna plan's own vocabulary, and the plan part as the loader reads it before any RDF: goals
with their scope, sub-goals, existing-work items and focus areas, each with its lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TABLE_HEADER = ("Insats/Utvecklingsområde", "Ansvarig")
OVERARCHING = "Övergripande mål"
#: Goal-level section headings and the part of a goal that follows them.
SECTIONS = {"Delmål": "sub-goals", "Befintligt arbete": "existing-work", "Insatsområden": "focus-areas"}

GOAL_LIKE = re.compile(r"^Mål\s*\d")
ANSVARIG = re.compile(r"^Ansvarig\s*:\s*(.*)$", re.DOTALL)

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
MARKS = re.compile(f"[{SUPERSCRIPTS}]+")
_MARKER = re.compile(rf"\s*[{SUPERSCRIPTS}]+")


def unmark(text: str) -> str:
    """The text without its footnote markers."""
    return _MARKER.sub("", text)


def plain(mark: str) -> str:
    """A superscript footnote mark in ordinary digits (messages stay free of the marks themselves)."""
    return mark.translate(str.maketrans(SUPERSCRIPTS, "0123456789"))


def cells(line: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in line.split("\t"))


@dataclass
class ActivityRow:
    parts: list[tuple[int, str]]  # (line, activity text) — two parts when a page break split the row
    cell: str  # the Ansvarig cell verbatim
    line: int


@dataclass
class FocusAreaRows:
    line: int
    heading: str
    header_line: int | None = None
    rows: list[ActivityRow] = field(default_factory=list)
    separators: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Item:
    """A bullet of 'Befintligt arbete' (existing work), with its nested bullets."""

    line: int
    raw: str  # the bullet's text, marker stripped
    children: list["Item"] = field(default_factory=list)
    continued_after_footnote: bool = False  # a top-level bullet read as continuing the nested list


@dataclass
class SubGoal:
    line: int
    raw: str
    ansvarig: tuple[int, str] | None = None


@dataclass
class Goal:
    line: int  # heading line
    number: str | None  # None: the overarching goal
    raw: str | None = None  # goal text (after "Mål n. "), or the overarching goal's paragraph
    text_line: int | None = None
    scope: list[tuple[int, str]] = field(default_factory=list)
    section_lines: list[int] = field(default_factory=list)
    subgoals: list[SubGoal] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    focus_areas: list[FocusAreaRows] = field(default_factory=list)
    separators: list[tuple[int, str]] = field(default_factory=list)  # separators outside a focus area


@dataclass
class Footnote:
    line: int
    mark: str
    raw: str  # the footnote's text without its mark


@dataclass
class Plan:
    """The plan part read: its goals, the footnote bodies found between them, and the lines after it."""

    goals: list[Goal]
    footnotes: list[Footnote]
    back: list[tuple[int, str]]
