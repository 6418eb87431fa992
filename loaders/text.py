"""Text as the sources have it, and text as the graph publishes it.

Cleaning removes layout (HTML, Markdown, bullets, runs of spaces) and never touches wording: typos stay,
and every change of letters (look-alike letters) is reported by the caller as a finding.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

#: A lower-case word broken by a hyphen before a lower-case continuation: "brotts-förebyggande",
#: "fastighets-bolag". Hyphens before a space ("Barn- och") or next to capitals ("ANDTS-bruk") are Swedish.
LINE_BREAK_HYPHEN = re.compile(r"(?<![\w-])[a-zåäö]{4,}-[a-zåäö]{3,}(?:-[a-zåäö]{3,})*(?![\w-])")

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MD_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_MD_ITALIC = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_SPACE = re.compile(r"\s+")
#: What the shapes forbid in published text and is not a tag: a lone angle bracket, a run of asterisks.
_STRAY = re.compile(r"[<>]|\*\*+")

#: Cyrillic and Greek letters that look like Latin ones, and the Latin letter they imitate.
LOOK_ALIKES: dict[str, str] = {
    # н and ц are read as n and c: that is what they stand for in the sources ("drogsцен" = drogscen)
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "n", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ц": "c", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "Α": "A", "Β": "B", "Ε": "E", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "Ζ": "Z", "Η": "H",
}


def has_markup(text: str) -> bool:
    """Tags, Markdown emphasis, escaped tags ("&lt;b&gt;"), or a stray '<', '>' or '**'."""
    return bool(_TAG.search(text) or _MD_BOLD.search(text) or _MD_ITALIC.search(text)
                or _STRAY.search(html.unescape(text)))


def strip_markup(text: str) -> str:
    """Remove HTML tags and Markdown emphasis, keep the words; turn list bullets into separators.

    Escaped markup ("&lt;b&gt;") is markup once unescaped and goes too; a '<', '>' or '**' that is left
    is removed as well: published names and texts are free of them (the shapes' Entity-labelMarkup and
    Entity-descriptionMarkup), the verbatim text stays in andts:sourceText and has_markup reports it.
    (Found by tests/loaders/test_mutation.py: "&lt;b&gt;" reached dcterms:description as "<b>".)"""
    text = _TAG.sub(" ", text)
    text = _MD_BOLD.sub(r"\1", text)
    text = _MD_ITALIC.sub(r"\1", text)
    text = _TAG.sub(" ", html.unescape(text))
    return _STRAY.sub(" ", text)


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def clean(text: str) -> str:
    """The publishable form of a cell: no markup, single spaces, look-alike letters replaced."""
    return collapse(replace_look_alikes(strip_markup(text)))


def foreign_letters(text: str) -> list[tuple[int, str]]:
    """Positions and characters of non-Latin letters standing inside otherwise Latin words."""
    if not text or max(text) < _FIRST_GREEK_OR_CYRILLIC:
        return []  # the usual case, decided in C without naming each character
    found = []
    for m in re.finditer(r"\w+", text):
        word = m.group(0)
        latin = [c for c in word if c.isalpha() and _script(c) == "LATIN"]
        for i, c in enumerate(word):
            if c.isalpha() and _script(c) in ("CYRILLIC", "GREEK") and latin:
                found.append((m.start() + i, c))
    return found


def replace_look_alikes(text: str) -> str:
    positions = {pos for pos, _ in foreign_letters(text)}
    if not positions:
        return text
    out = []
    for i, c in enumerate(text):
        if i in positions:
            out.append(LOOK_ALIKES.get(c, c))
        else:
            out.append(c)
    return "".join(out)


#: No character before U+0370 (the Greek block) is Greek or Cyrillic (tests/loaders/test_text.py checks it).
_FIRST_GREEK_OR_CYRILLIC = "\u0370"


@lru_cache(maxsize=4096)
def _script(c: str) -> str:
    try:
        return unicodedata.name(c).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


def slug(text: str) -> str:
    """A readable, deterministic IRI segment: lower-case ASCII words joined by '-'."""
    text = text.replace("%", " procent ").replace("&", " och ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text or "x"


def short_label(text: str, limit: int = 90) -> str:
    """A name for an entity the document does not title (an activity, an item): its first sentence, or its
    first words up to `limit` characters followed by '…'. Derived from the text, never invented."""
    first = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    if len(first) <= limit:
        return first.rstrip(":")
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + " …"
