"""The Stockholm appendix's title page: the lines before the first table, sorted into title, headings,
introduction paragraphs and what the page layout left behind."""

from __future__ import annotations

from andts.loaders.common import SourceInfo
from andts.loaders.stockholm.layout import TitlePage

#: How many words make a line of the title page an introduction paragraph rather than a heading.
PARAGRAPH_WORDS = 12


def read_title_page(source: SourceInfo, lines: list[str], end: int) -> TitlePage:
    """Classify the lines before the first table (index < end)."""
    page = TitlePage()
    title = source.meta["document"].get("title", "")
    publisher = source.meta["document"].get("publisher", "")
    i = 0
    while i < end and lines[i] == "":
        i += 1
    page.leading_blank = i
    while i < end:
        text = lines[i].strip()
        if not text:
            if lines[i]:
                page.stray.append(i + 1)
            i += 1
            continue
        # the logo is read once: later lines that happen to name the publisher are text
        logo = _logo_lines(lines, i, end, publisher) if publisher and not page.logo else 0
        if logo:
            page.logo = list(range(i + 1, i + 1 + logo))
            i += logo
            continue
        if text in title:
            page.titles.append(i + 1)
        elif len(text.split()) >= PARAGRAPH_WORDS:
            page.paragraphs.append(i + 1)
        else:
            page.headings.append(i + 1)
        i += 1
    return page


def _logo_lines(lines: list[str], i: int, end: int, publisher: str) -> int:
    """How many lines from index `i` spell the publisher's name broken over lines, as a logo does
    ("Stockholms" / "stad"); 0 when they do not."""
    words, j = [], i
    while j < end and lines[j].strip() and " ".join(words + [lines[j].strip()]) in publisher:
        words.append(lines[j].strip())
        j += 1
        if " ".join(words) == publisher:
            break
    return len(words) if len(words) > 1 and " ".join(words) == publisher else 0
