"""Mutations of a source document for the property-based loader tests (test_mutation.py).

A document is handled as a list of lines, each remembering the line of the original it was carried over
from verbatim (None: the line is new or was changed). The tests use that origin to check that every row
which survives a mutation is still in the graph, or reported, at its new line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: One line of a mutated document: (line number in the original or None, text).
Line = tuple[int | None, str]

#: Text injected into a line: markup, HTML entities (one naming a lone surrogate, one out of range),
#: control characters, bidi overrides, a BOM in mid-text, Unicode line separators, a combining mark.
PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>", "<p>", "</i>", "<u>x</u>", "**fet**", "*", "**", " < ", ">", "&amp;", "&lt;b&gt;",
    "&gt;", "&#x202e;",
    "&#xD800;", "&#99999999;", "&#0;", "&", "\x1b[31m", "\x07", "\x7f", "\x85", "\u202e", "\u2066", "\ufeff",
    "\u200b", "\x00", "\x0b", "\x0c", "\x1c", "\u2028", "\r", "\t", '"', "\u0301", "¹", "Mål 3. ", "- ", ",",
)

#: A lone surrogate: UTF-8 cannot carry it, so a file "with" one has invalid bytes (ED A0 80).
LONE_SURROGATE = "\ud800"


@dataclass(frozen=True)
class Mutant:
    """A mutated document: its bytes, what was done, and where each verbatim line came from."""

    description: str
    data: bytes
    origin: dict[int, int]  # line of the mutant → line of the original, for lines carried over verbatim

    def __repr__(self) -> str:  # hypothesis prints the falsifying example: the recipe, not 20 kB of bytes
        return f"Mutant({self.description!r}, {len(self.data)} bytes)"

    def lines(self) -> list[str]:
        """The mutant's lines as the loaders read them (UTF-8, a leading BOM is no content)."""
        text = self.data.decode("utf-8-sig")
        return text.split("\n") if text else []


def document(text: str) -> list[Line]:
    """The original document as numbered lines."""
    return [(n, line) for n, line in enumerate(text.split("\n"), start=1)]


def encode(lines: Sequence[Line], description: str, encoding: str = "utf-8") -> Mutant:
    """The mutant's bytes in `encoding`."""
    text = "\n".join(line for _, line in lines)
    # UTF-8 writes lone surrogates as the invalid bytes a broken encoder would; a legacy code page writes
    # '?' for the letters it lacks ('–', '•'), as "save as" does
    errors = "surrogatepass" if encoding == "utf-8" else "replace"
    origin = {n: o for n, (o, _) in enumerate(lines, start=1) if o is not None}
    return Mutant(description, text.encode(encoding, errors), origin)


# --- row mutations (each returns new lines; the input is not changed) -------------------------------

def cut_rows(lines: Sequence[Line], start: int, count: int) -> list[Line]:
    return list(lines[:start]) + list(lines[start + count:])


def duplicate_rows(lines: Sequence[Line], start: int, count: int, at: int) -> list[Line]:
    """Insert a copy of lines[start:start+count] before index `at` (of the original list)."""
    block = list(lines[start:start + count])
    return list(lines[:at]) + block + list(lines[at:])


def shuffle_rows(lines: Sequence[Line], start: int, order: Sequence[int]) -> list[Line]:
    """Reorder the window lines[start:start+len(order)] by the permutation `order`."""
    window = list(lines[start:start + len(order)])
    moved = [window[i] for i in order if i < len(window)]
    return list(lines[:start]) + moved + list(lines[start + len(order):])


def inject(lines: Sequence[Line], index: int, column: int, payload: str) -> list[Line]:
    """Insert `payload` into one line at `column` (clamped to the line); the line counts as changed."""
    out = list(lines)
    if not out:
        return [(None, payload)]
    index %= len(out)
    text = out[index][1]
    column = min(column, len(text))
    out[index] = (None, text[:column] + payload + text[column:])
    return out


def lengthen(lines: Sequence[Line], index: int, unit: str, repeat: int) -> list[Line]:
    """Append `unit` × `repeat` to one line: a very long line (a cell pasted many times, a runaway cell)."""
    out = list(lines)
    if not out:
        return [(None, unit * repeat)]
    index %= len(out)
    out[index] = (None, out[index][1] + unit * repeat)
    return out


def crlf(lines: Sequence[Line]) -> list[Line]:
    """Windows line ends: every line gets a trailing CR (the lines count as changed)."""
    return [(None, line + "\r") for _, line in lines]


# --- byte-level mutations ------------------------------------------------------------------------------

def truncate(mutant: Mutant, offset: int) -> Mutant:
    """The file cut after `offset` bytes, usually in the middle of a row (or of a multi-byte letter).
    The last line kept is partial and loses its origin unless the cut falls exactly on a line end."""
    if offset >= len(mutant.data):
        return mutant
    data = mutant.data[:offset]
    complete = data.count(b"\n")  # lines that end before the cut
    origin = {n: o for n, o in mutant.origin.items() if n <= complete}
    if offset and mutant.data[offset:offset + 1] == b"\n":
        origin.update({n: o for n, o in mutant.origin.items() if n == complete + 1})
    return Mutant(f"{mutant.description}, truncated at byte {offset}", data, origin)


def first_undecodable_line(data: bytes) -> int | None:
    """The line (1-based) of the first byte sequence that is not UTF-8, found line by line (independently
    of the loaders' own decoding); None when the whole file is UTF-8."""
    for n, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return n
    return None
