"""The appendix as the Stockholm loader reads it, before any RDF: the lines of the title page, and the
tables with their focus areas and rows (cells kept verbatim, each with its line)."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS = ("Insatsområde", "Aktivitet", "Utförare")

#: The four internal parts ("ben") and the slug, notation and English name of each.
PARTS: dict[str, tuple[str, str, str]] = {
    "Organisation": ("organisation", "O", "Organisation"),
    "Samverkan": ("samverkan", "S", "Collaboration"),
    "Kunskap": ("kunskap", "K", "Knowledge"),
    "Uppföljning": ("uppfoljning", "U", "Follow-up"),
}


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
class TitlePage:
    """The line numbers of the lines before the first table, by what each is."""

    leading_blank: int = 0  # blank lines before the first text
    logo: list[int] = field(default_factory=list)  # lines of the publisher's name split over lines
    stray: list[int] = field(default_factory=list)  # lines holding only white space
    titles: list[int] = field(default_factory=list)  # lines of the document's title
    headings: list[int] = field(default_factory=list)  # short lines naming the programme
    paragraphs: list[int] = field(default_factory=list)  # introduction paragraphs
