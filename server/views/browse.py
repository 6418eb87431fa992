"""The pages that look across entities: the home page's programmes and counts, a class's instances (paged
and sorted in SPARQL), the diacritic-insensitive search index, and the comparison of municipalities
against the national goals.

What is computed once per build (search index, comparison) is made here and cached by the caller
(`cache.BuildCache`). Request values never reach a query: sort columns and languages are chosen from fixed
sets, classes from the vocabulary, and comparison cells are looked up in the computed matrix. No web
framework here.
"""

from __future__ import annotations

import unicodedata
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from andts.server.engine import reader, sparql
from andts.server.views.entity import DCTERMS, RDFS, SKOS, natural

SCHEMA = "https://schema.org/"


# --- home ---------------------------------------------------------------------------------------------


@dataclass
class ProgrammeSummary:
    iri: str
    municipality: str
    start: str | None
    end: str | None
    strategy: str | None
    counts: dict[str, int]  # class IRI → entities of the programme


def programmes(engine: sparql.Engine, ns: str) -> list[ProgrammeSummary]:
    rows = reader.select(engine, f"""
SELECT ?programme ?municipality ?start ?end ?strategy WHERE {{
  ?programme a <{ns}Programme> ; <{ns}municipality> ?municipality .
  OPTIONAL {{ ?programme <{SCHEMA}startDate> ?start }}
  OPTIONAL {{ ?programme <{SCHEMA}endDate> ?end }}
  OPTIONAL {{ ?programme <{ns}followsStrategy> ?strategy }}
}} ORDER BY ?municipality ?start ?programme""")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in reader.select(engine, f"""
SELECT ?programme ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {{
  ?e <{ns}programme> ?programme ; a ?type .
}} GROUP BY ?programme ?type"""):
        counts[r["programme"].value][r["type"].value] = reader.integer(r, "n")
    for r in reader.select(engine, f"""
SELECT ?programme (COUNT(DISTINCT ?f) AS ?n) WHERE {{
  GRAPH ?g {{ ?programme a <{ns}Programme> . ?f a <{ns}Finding> }}
}} GROUP BY ?programme"""):  # a programme's findings are those its source's loader reported, in its graph
        counts[r["programme"].value][ns + "Finding"] = reader.integer(r, "n")
    out: dict[str, ProgrammeSummary] = {}
    for r in rows:
        iri = r["programme"].value
        if iri not in out:
            out[iri] = ProgrammeSummary(iri=iri, municipality=r["municipality"].value, start=reader.text(r, "start") or None,
                                        end=reader.text(r, "end") or None, strategy=reader.text(r, "strategy") or None,
                                        counts=counts.get(iri, {}))
    return list(out.values())


def municipalities(engine: sparql.Engine, ns: str) -> list[tuple[str, str | None]]:
    """Every municipality with its kommunkod, by code."""
    rows = reader.select(engine, f"""
SELECT ?m ?code WHERE {{ ?m a <{ns}Municipality> OPTIONAL {{ ?m <{DCTERMS}identifier> ?code }} }} ORDER BY ?code ?m""")
    return [(r["m"].value, reader.text(r, "code") or None) for r in rows]


# --- a class's instances --------------------------------------------------------------------------------

#: The sort orders a class page offers: name → the ORDER BY keys (variables of INSTANCES_QUERY).
SORTS: dict[str, tuple[str, ...]] = {
    "document": ("?programme", "?line", "?s"),
    "label": ("LCASE(?label)", "?s"),
    "municipality": ("LCASE(?municipalityLabel)", "?programme", "?line", "?s"),
}
PAGE_SIZE = 50


@dataclass
class InstancePage:
    rows: list[reader.Row]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool


def _instance_patterns(ns: str, which: str, language: str) -> str:
    """The subjects `which` binds with what they are listed and sorted by."""
    return f"""
  {which}
  OPTIONAL {{ ?s <{SKOS}prefLabel> ?l1 FILTER(LANG(?l1) = {language}) }}
  OPTIONAL {{ ?s <{SKOS}prefLabel> ?l2 FILTER(LANG(?l2) = "sv") }}
  OPTIONAL {{ ?s <{SKOS}prefLabel>|<{RDFS}label> ?l3 }}
  BIND(COALESCE(?l1, ?l2, ?l3, STR(?s)) AS ?label)
  OPTIONAL {{ ?s <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?s <{ns}programme> ?programme }}
  OPTIONAL {{ ?s <{ns}sourceLine> ?line }}
  OPTIONAL {{ ?s <{ns}municipality>|(<{ns}programme>/<{ns}municipality>) ?municipality .
             OPTIONAL {{ ?municipality <{SKOS}prefLabel> ?ml FILTER(LANG(?ml) = {language}) }} }}
  BIND(COALESCE(?ml, "") AS ?municipalityLabel)"""


def instance_order(engine: sparql.Engine, ns: str, classes: list[str], lang: str, sort: str) -> list[str]:
    """Every instance of `classes`, ascending by `sort`, each once (where its first row sorts). Read once per
    build and kept (site.py): one ORDER BY over every activity took 250–300 ms at 290 municipalities for each
    page of 50 it was cut into."""
    assert sort in SORTS and lang in ("sv", "en")
    values = " ".join(reader.term(ox.NamedNode(c)) for c in classes)
    keys = " ".join(f"ASC({k})" for k in SORTS[sort])
    which = f"{{ SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {values} }} ?s a ?t }} }}"
    rows = reader.select(engine, f"SELECT ?s WHERE {{ {_instance_patterns(ns, which, reader.term(ox.Literal(lang)))} }} "
                                 f"ORDER BY {keys}", max_rows=reader.WHOLE_READ_ROWS)
    return list(dict.fromkeys(r["s"].value for r in rows))


def instances(engine: sparql.Engine, ns: str, classes: list[str], lang: str, sort: str, descending: bool,
              page: int, order: list[str] | None = None) -> InstancePage:
    """One page of the instances of `classes` (a class and its subclasses), with label (page language,
    else Swedish, else any), notation, municipality and source line. `order`: `instance_order` of the same
    classes, language and sort, when the caller kept it; descending is that order reversed."""
    assert sort in SORTS and lang in ("sv", "en")
    if order is None:
        order = instance_order(engine, ns, classes, lang, sort)
    total = len(order)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = order[::-1] if descending else order
    shown = ordered[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    rows: list[reader.Row] = []
    if shown:
        subjects = " ".join(reader.term(ox.NamedNode(s)) for s in shown)
        patterns = _instance_patterns(ns, f"VALUES ?s {{ {subjects} }}", reader.term(ox.Literal(lang)))
        rows = reader.select(engine, f"""
SELECT ?s ?label ?notation ?municipality ?municipalityLabel ?programme ?line WHERE {{ {patterns}
}} ORDER BY {" ".join(f"ASC({k})" for k in SORTS[sort])}""")
    # in the kept order; an entity with two labels in one language comes twice: keep its first row
    place = {s: i for i, s in enumerate(shown)}
    rows.sort(key=lambda r: place[r["s"].value])  # stable: each entity's rows stay in sort order
    seen: set[str] = set()
    unique = [r for r in rows if not (r["s"].value in seen or seen.add(r["s"].value))]
    return InstancePage(rows=unique, total=total, page=page, pages=pages, sort=sort, descending=descending)


# --- search ---------------------------------------------------------------------------------------------

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
    characters), so that the index is a few large objects. As one tuple of strings per text (86,000 texts
    at 290 municipalities) it held 40 MB of the server process, and more in the gaps they left."""

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
        """Every searched text, a property at a time, read whole and ordered here. (Pages of an ORDER BY
        over all texts sorted them again for every page: 137 s at 290 municipalities; this is 2 s.)"""
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
        # snippets only for the hits shown: made for every match, they took 400 ms for a common word at 290
        hits = [Hit(iri=s, score=score[s], property=best[s][1], snippet=snippet(best[s][2], words))
                for s in matched[:limit]]
        return hits, len(matched)


class _Blob:
    """Strings kept as one UTF-8 bytes object and the offsets where each starts."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.starts = array("I", [0])
        self.data = b""

    def add(self, text: str) -> None:
        b = text.encode("utf-8", "surrogatepass")
        self._parts.append(b)
        self.starts.append(self.starts[-1] + len(b))

    def done(self) -> _Blob:
        self.data, self._parts = b"".join(self._parts), []
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


# --- comparison ------------------------------------------------------------------------------------------


@dataclass
class GoalRow:
    iri: str  # a national goal of the current strategy
    notation: str  # "1", … or "" for the overarching goal
    earlier: list[str]  # goals of earlier strategies that correspond to it


@dataclass
class Comparison:
    strategy: str | None  # the current national strategy (not replaced by another)
    goals: list[GoalRow]
    municipalities: list[str]
    cells: dict[tuple[str, str], list[str]]  # (goal row IRI or "", municipality) → activity IRIs
    actors: dict[str, dict[str, dict[str, int]]]  # municipality → actor → goal row IRI ("" none) → activities
    coordinators: dict[str, dict[str, int]]  # municipality → actor → activities it coordinates
    activities: dict[str, str]  # activity IRI → municipality

    def cell(self, goal: str, municipality: str) -> list[str]:
        return self.cells.get((goal, municipality), [])

    def total(self, municipality: str) -> int:
        return sum(1 for m in self.activities.values() if m == municipality)


def comparison(engine: sparql.Engine, ns: str) -> Comparison:
    strategies = reader.select(engine, f"""
SELECT ?strategy ?start WHERE {{
  ?strategy a <{ns}NationalStrategy> .
  FILTER NOT EXISTS {{ ?strategy <{DCTERMS}isReplacedBy> ?newer }}
  OPTIONAL {{ ?strategy <{SCHEMA}startDate> ?start }}
}} ORDER BY DESC(STR(?start)) ?strategy""")
    current = strategies[0]["strategy"].value if strategies else None
    goal_rows = reader.select(engine, f"""
SELECT ?goal ?strategy ?notation ?same WHERE {{
  ?goal <{ns}strategy> ?strategy .
  OPTIONAL {{ ?goal <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?goal <{ns}correspondsTo> ?same }}
}}""")
    strategy_of = {r["goal"].value: r["strategy"].value for r in goal_rows}
    rows: dict[str, GoalRow] = {}
    for r in goal_rows:
        if r["strategy"].value == current and r["goal"].value not in rows:
            rows[r["goal"].value] = GoalRow(iri=r["goal"].value, notation=reader.text(r, "notation"), earlier=[])
    row_of: dict[str, str] = {g: g for g in rows}
    for r in goal_rows:
        goal, same = r["goal"].value, r.get("same")
        if goal not in rows and isinstance(same, ox.NamedNode) and strategy_of.get(same.value) == current:
            row_of[goal] = same.value
            if goal not in rows[same.value].earlier:
                rows[same.value].earlier.append(goal)

    # Simple joins, each read whole and joined here: one query with the paths and OPTIONAL took 4 s at 290
    # municipalities, and an activity per row outgrows the pages' row limit (per build, so once).
    activities = {r["activity"].value: r["municipality"].value for r in reader.select(engine, f"""
SELECT ?activity ?municipality WHERE {{
  ?activity a <{ns}Activity> ; <{ns}programme> ?programme . ?programme <{ns}municipality> ?municipality }}""",
        max_rows=reader.WHOLE_READ_ROWS)}
    rows_of_activity: dict[str, set[str]] = {a: set() for a in activities}
    for via_area in (True, False):
        path = f"<{ns}focusArea> ?area . ?area <{ns}goal> ?goal" if via_area else f"<{ns}goal> ?goal"
        for r in reader.select(engine, f"""
SELECT ?activity ?national WHERE {{ ?activity {path} . ?goal <{ns}nationalGoal> ?national }}""",
                               max_rows=reader.WHOLE_READ_ROWS):
            activity, national = r["activity"].value, r["national"]
            if activity in rows_of_activity and isinstance(national, ox.NamedNode):
                rows_of_activity[activity].add(row_of.get(national.value, ""))
    cells: dict[tuple[str, str], set[str]] = defaultdict(set)
    for activity, found in rows_of_activity.items():
        linked = found - {""}
        for row in linked or {""}:
            cells[(row, activities[activity])].add(activity)

    actors: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    coordinators: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    coordinating = {(r["activity"].value, r["actor"].value) for r in reader.select(engine, f"""
SELECT ?activity ?actor WHERE {{ ?activity <{ns}coordinator> ?actor }}""", max_rows=reader.WHOLE_READ_ROWS)}
    responsible = {(r["activity"].value, r["actor"].value) for r in reader.select(engine, f"""
SELECT ?activity ?actor WHERE {{ ?activity <{ns}responsible> ?actor }}""", max_rows=reader.WHOLE_READ_ROWS)}
    for activity, actor in responsible:
        municipality = activities.get(activity)
        if municipality is None:  # the subject of andts:responsible is not an activity
            continue
        linked = rows_of_activity[activity] - {""}
        for row in linked or {""}:
            actors[municipality][actor][row] += 1
        if (activity, actor) in coordinating:
            coordinators[municipality][actor] += 1

    ordered = sorted(rows.values(), key=lambda g: (g.notation != "", natural(g.notation)))
    found_municipalities = sorted(set(activities.values()))
    return Comparison(
        strategy=current, goals=ordered, municipalities=found_municipalities,
        cells={k: sorted(v) for k, v in cells.items()},
        actors={m: {a: dict(gs) for a, gs in by.items()} for m, by in actors.items()},
        coordinators={m: dict(c) for m, c in coordinators.items()},
        activities=activities,
    )


def heat(count: int, most: int, levels: int = 5) -> int:
    """A shade from 0 (none) to `levels` for a count, relative to the largest count in the table; any
    count above zero gets at least shade 1, so a cell with one activity is never mistaken for none."""
    if count <= 0 or most <= 0:
        return 0
    bounds = [most * i / levels for i in range(1, levels)]
    return min(levels, 1 + bisect_right(bounds, count - 1e-9))
