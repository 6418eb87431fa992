"""Search (/search?q=…): a diacritic-insensitive index of names and texts, made once per build, and the
page of hits with snippets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from andts.server.engine import reader, sparql
from andts.server.http.params import Lang, SearchText
from andts.server.views import context

if TYPE_CHECKING:
    pass
import unicodedata
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from andts.server.views.context import DCTERMS, PageContext, page_context, parts, respond
from andts.server.views.render import render_page
from andts.server.views.vocabulary import RDFS, SKOS

#: Search hits shown.
SEARCH_HITS = 100


#: Longest search text taken.
SEARCH_MAX = 200


def search(request: Request, q: SearchText = "", lang: Lang = None) -> Response:
    def render() -> str:
        _, engine, cache = parts(request)
        ctx = page_context(request, lang)
        query = q[:SEARCH_MAX]
        index = cache.get(engine, "search", SearchIndex.load)
        hits, total = index.search(query, limit=SEARCH_HITS)
        facts = _brief(engine, ctx, [h.iri for h in hits])
        wanted = {h.iri for h in hits} | {m for _, m in facts.values() if m}
        name = context.Namer(ctx, context.labels_of(engine, wanted))
        shown = []
        for h in hits:
            kind, municipality = facts.get(h.iri, (None, None))
            shown.append({"link": name.link(h.iri), "kind": ctx.term(kind) if kind else None,
                          "municipality": name.link(municipality).label if municipality else None,
                          "property": ctx.term(h.property), "snippet": h.snippet, "lang": None})
        return search_page(ctx, query, shown, total)

    return respond(request, render)


def _brief(engine: sparql.Engine, ctx: context.PageContext, iris: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """The type to show and the municipality of each entity."""
    if not iris:
        return {}
    ns = ctx.ns
    values = " ".join(reader.term(ox.NamedNode(i)) for i in iris)
    types: dict[str, list[str]] = {}
    municipality: dict[str, str] = {}
    for r in reader.select(engine, f"""
SELECT ?s ?type ?municipality WHERE {{ VALUES ?s {{ {values} }}
  OPTIONAL {{ ?s a ?type }}
  OPTIONAL {{ ?s <{ns}municipality>|(<{ns}programme>/<{ns}municipality>)|(<{ns}about>/<{ns}programme>/<{ns}municipality>) ?municipality }}
}}"""):
        iri = r["s"].value
        types.setdefault(iri, [])
        if "type" in r and r["type"].value not in types[iri]:
            types[iri].append(r["type"].value)
        if "municipality" in r:
            municipality[iri] = r["municipality"].value
    return {i: (ctx.vocabulary.most_specific(sorted(types.get(i, [])), ns), municipality.get(i)) for i in iris}


SEARCHED = (SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "notation", RDFS + "label",
            DCTERMS + "title", DCTERMS + "description", SKOS + "definition", SKOS + "note")


NAMES = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "notation", RDFS + "label",
         DCTERMS + "title"}


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form: å, ä, ö → a, a, o; é → e; ß → ss."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index of the character of `text` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        f = fold(c)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


@dataclass
class Snippet:
    before: str
    match: str
    after: str


@dataclass
class Hit:
    iri: str
    score: int
    property: str
    snippet: Snippet


class SearchIndex:
    """Every searched text of the build, compact: the texts, their folded forms and the subjects each as one
    UTF-8 string with offsets (the folded ones searched with bytes.find: a UTF-8 match is a match of whole
    characters), so that the index is a few large objects rather than a tuple of strings per text, which holds many
    times the memory at national size (bench/results/design.md)."""

    def __init__(self, entries: Iterable[tuple[str, str, str]] = ()) -> None:
        """`entries`: (subject, property, text), in the order ties are broken in."""
        subject_index: dict[str, int] = {}
        prop_index = {p: i for i, p in enumerate(SEARCHED)}
        self.props: list[str] = list(SEARCHED)
        subjects, texts, folded = _Blob(), _Blob(), _Blob()
        self.subject_of = array("I")
        self.prop_of = array("B")
        for subject, prop, text in entries:
            if subject not in subject_index:
                subject_index[subject] = len(subject_index)
                subjects.add(subject)
            if prop not in prop_index:
                prop_index[prop] = len(self.props)
                self.props.append(prop)
            self.subject_of.append(subject_index[subject])
            self.prop_of.append(prop_index[prop])
            texts.add(text)
            folded.add(fold(text) + "\n")  # words hold no space or line break: no match runs into the next text
        self._subjects, self._texts, self._folded = subjects.done(), texts.done(), folded.done()

    def __len__(self) -> int:
        return len(self.subject_of)

    @property
    def subjects(self) -> list[str]:
        return [self._subjects.get(i) for i in range(len(self._subjects))]

    def entry(self, i: int) -> tuple[str, str, str]:
        """(subject, property, text) of entry `i`."""
        return self._subjects.get(self.subject_of[i]), self.props[self.prop_of[i]], self._texts.get(i)

    @classmethod
    def load(cls, engine: sparql.Engine) -> SearchIndex:
        """Every searched text, a property at a time, read whole and ordered here: pages of an ORDER BY
        over all texts would sort them again for every page."""
        found: list[tuple[str, str, str]] = []
        for p in SEARCHED:
            rows = reader.select(engine, f"SELECT ?s ?text WHERE {{ ?s <{p}> ?text FILTER(isIRI(?s) && isLiteral(?text)) }}",
                                 max_rows=reader.WHOLE_READ_ROWS)
            found.extend((r["s"].value, p, r["text"].value) for r in rows)
        return cls(sorted(set(found)))

    def _containing(self, word: str) -> set[int]:
        """The entries whose folded text contains `word`."""
        out: set[int] = set()
        folded, starts, needle = self._folded.data, self._folded.starts, word.encode("utf-8", "surrogatepass")
        i = folded.find(needle)
        while i != -1:
            entry = bisect_right(starts, i) - 1
            out.add(entry)
            i = folded.find(needle, starts[entry + 1])
        return out

    def search(self, query: str, limit: int = 100) -> tuple[list[Hit], int]:
        """Entities whose texts contain every word of `query` (folded); names count more than texts, and
        a name that is the whole query most. Returns the best `limit` hits and how many there are."""
        words = [w for w in fold(query).split() if w]
        if not words:
            return [], 0
        containing = {w: self._containing(w) for w in dict.fromkeys(words)}
        found: dict[str, set[str]] = defaultdict(set)  # subject → the words found in its texts
        score: dict[str, int] = defaultdict(int)
        best: dict[str, tuple[int, str, str]] = {}
        whole = " ".join(words)
        for entry in sorted(set().union(*containing.values())):
            here = [w for w in words if entry in containing[w]]
            subject, prop, text = self.entry(entry)
            found[subject].update(here)
            name = prop in NAMES
            exact = name and self._folded.get(entry)[:-1].strip() == whole
            weight = (3 if name else 1) * len(here) + (10 if exact else 0)
            score[subject] += weight
            if subject not in best or weight > best[subject][0]:
                best[subject] = (weight, prop, text)
        matched = sorted((s for s, ws in found.items() if len(ws) == len(words)), key=lambda s: (-score[s], s))
        # snippets only for the hits shown: a common word matches thousands of texts at national size
        hits = [Hit(iri=s, score=score[s], property=best[s][1], snippet=snippet(best[s][2], words))
                for s in matched[:limit]]
        return hits, len(matched)


class _Blob:
    """Strings kept as one UTF-8 bytes object and the offsets where each starts."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.starts = array("I", [0])
        self.data = b""

    def add(self, text: str) -> None:
        b = text.encode("utf-8", "surrogatepass")
        self.parts.append(b)
        self.starts.append(self.starts[-1] + len(b))

    def done(self) -> _Blob:
        self.data, self.parts = b"".join(self.parts), []
        return self

    def __len__(self) -> int:
        return len(self.starts) - 1

    def get(self, i: int) -> str:
        return self.data[self.starts[i]:self.starts[i + 1]].decode("utf-8", "surrogatepass")


def snippet(text: str, words: list[str], width: int = 80) -> Snippet:
    """The part of `text` around the first word found, with that word (as written in the text) marked."""
    folded, where = fold_with_map(text)
    positions = [(folded.find(w), w) for w in words if folded.find(w) >= 0]
    if not positions:
        return Snippet(text[:width], "", "")
    start, word = min(positions)
    begin, end = where[start], where[start + len(word) - 1] + 1
    left = max(0, begin - width // 2)
    right = min(len(text), end + width)
    return Snippet(("…" if left else "") + text[left:begin], text[begin:end],
                   text[end:right] + ("…" if right < len(text) else ""))


def search_page(ctx: PageContext, query: str, hits: list[dict[str, object]], total: int) -> str:
    return render_page("search.html", ctx, query=query, hits=hits, total=total)
