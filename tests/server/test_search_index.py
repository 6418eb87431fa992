"""search.SearchIndex, the compact search over every text of a build, finds what a plain scan of each text
finds: the same hits, scores, best properties and snippets, for any texts and any query."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from andts.server.views import search
from andts.server.views.search import NAMES, SEARCHED, SearchIndex, fold, snippet

WORDS = ["skola", "Skolan", "alkohol", "ALKOHOL", "föräldrar", "foraldrar", "å", "a", "ANDT", "och", "bar", "nämnd",
         "Nämnden", "e", "é", "ß", "ss", "drog", "\n", "  ", "–", "’"]
text = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join) | st.text(max_size=30)
entries = st.lists(st.tuples(st.sampled_from([f"https://w3id.org/andts/id/x/{i}" for i in range(6)]),
                             st.sampled_from(SEARCHED), text), max_size=40)


def scan(entries: list[tuple[str, str, str]], query: str, limit: int = 100):
    """The search as one loop over (subject, property, text, folded) tuples: what the index replaced."""
    words = [w for w in fold(query).split() if w]
    if not words:
        return [], 0
    found: dict[str, set[str]] = defaultdict(set)
    score: dict[str, int] = defaultdict(int)
    best: dict[str, tuple[int, str, str]] = {}
    whole = " ".join(words)
    for subject, prop, txt in entries:
        folded = fold(txt)
        here = [w for w in words if w in folded]
        if not here:
            continue
        found[subject].update(here)
        weight = (3 if prop in NAMES else 1) * len(here) + (10 if prop in NAMES and folded.strip() == whole else 0)
        score[subject] += weight
        if subject not in best or weight > best[subject][0]:
            best[subject] = (weight, prop, txt)
    hits = [search.Hit(iri=s, score=score[s], property=best[s][1], snippet=snippet(best[s][2], words))
            for s, ws in found.items() if len(ws) == len(words)]
    hits.sort(key=lambda h: (-h.score, h.iri))
    return hits[:limit], len(hits)


@settings(max_examples=300, deadline=None)
@given(entries=entries, query=text)
def test_the_index_finds_what_a_scan_finds(entries: list[tuple[str, str, str]], query: str) -> None:
    ordered = sorted(set(entries))
    assert SearchIndex(ordered).search(query, limit=3) == scan(ordered, query, limit=3)


def test_an_index_holds_each_subject_once() -> None:
    subject = "https://w3id.org/andts/id/x/1"
    index = SearchIndex([(subject, SEARCHED[0], "Skolan"), (subject, SEARCHED[6], "en skola")])
    assert len(index) == 2 and index.subjects == [subject]
    hits, n = index.search("SKOLA")
    assert n == 1 and hits[0].iri == subject and hits[0].score == 3 + 1
