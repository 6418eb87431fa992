"""Property-based tests: the loaders on mutated copies of their documents.

Each example takes a real document (the Stockholm appendix, the Eskilstuna plan, the template example
CSV), mutates it (rows cut, duplicated, shuffled; markup, entities and control characters injected;
very long lines; Windows line ends; the file truncated mid-row; other encodings; an empty file) and
loads it. The loader must either

- raise a SourceError naming the mutated file and a line that exists (the first undecodable line for
  a wrong encoding, the NUL's line for a NUL byte), with a message free of raw control characters; or
- return a graph in which every non-blank line is covered, every row carried over verbatim is still data
  or a finding *at its new line* (an activity row stays an activity with all the words of its text, or
  is reported), every IRI and literal can be written to the store, and (for a sample of mutants likely
  to load) the graph conforms to the SHACL shapes together with the reference data, as the build checks.

Any other exception is a crash and fails the test. Mutations are composed from tests/loaders/mutations.py;
hypothesis runs derandomized, so every run tries the same examples.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import tempfile
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import mutations as mut  # tests/loaders/mutations.py (pytest puts the test folder on sys.path)
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from andts import paths
from andts.errors import SourceError
from andts.loaders import eskilstuna, stockholm, template
from andts.loaders import text as txt
from andts.loaders.common import PROGRAMME_SCOPED, LoadResult, SourceInfo
from andts.namespaces import ANDTS
from andts.validation import reference_graph, validate_dataset

pytestmark = pytest.mark.slow  # fuzzes the loaders: hundreds of mutated documents loaded, a sample validated

# Example counts: together about a minute on two cores (each load ~0.15 s, each SHACL run ~1 s).
# (The template loads in ~0.02 s; most Eskilstuna mutants fail fast, as the plan is parsed strictly.)
BASE = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
STOCKHOLM = settings(BASE, max_examples=80)
ESKILSTUNA = settings(BASE, max_examples=100)
TEMPLATE = settings(BASE, max_examples=250)
SHACL = settings(BASE, max_examples=6)

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


# --- the documents under test --------------------------------------------------------------------------

@dataclass
class Subject:
    """A real document, its loader, and what the loader makes of the unmutated document."""

    name: str
    load: Callable[[SourceInfo, Graph], LoadResult]
    meta: Path
    #: The text of a row's activity cell, read from the line alone (None: the line is not such a row).
    activity_cell: Callable[[str], str | None]
    #: What a runaway last cell of an activity row repeats (a list of names, in the cell's own separator).
    long_unit: str
    #: One in `sample` of the mutants that load is validated against the shapes too, chosen by a checksum
    #: of the mutation's description: the same ones in every run, whatever runs before (one SHACL run
    #: costs about as much as ten loads).
    sample: int = 10

    @cached_property
    def folder(self) -> Path:
        """Where the mutants are written (made on first use, removed after the module's tests)."""
        return Path(tempfile.mkdtemp(prefix="andts-mutation-"))

    @cached_property
    def source(self) -> SourceInfo:
        return SourceInfo.read(self.meta)

    @cached_property
    def text(self) -> str:
        return self.source.path.read_text(encoding="utf-8")

    @cached_property
    def baseline(self) -> LoadResult:
        return self.load(self.source, reference_graph())

    @cached_property
    def entity_lines(self) -> set[int]:
        """Lines of the original that are the andts:sourceLine of a programme's entity (a goal, part, focus
        area, sub-goal, item, activity): the rows of the plan. (Title-page lines are only covered.)"""
        g = self.baseline.graph
        return {int(g.value(s, ANDTS.sourceLine)) for cls in PROGRAMME_SCOPED for s in g.subjects(RDF.type, cls)
                if g.value(s, ANDTS.sourceLine) is not None}

    @cached_property
    def activity_lines(self) -> set[int]:
        g = self.baseline.graph
        return {int(g.value(a, ANDTS.sourceLine)) for a in g.subjects(RDF.type, ANDTS.Activity)}

    @cached_property
    def focus_area_lines(self) -> set[int]:
        g = self.baseline.graph
        return {int(g.value(a, ANDTS.sourceLine)) for a in g.subjects(RDF.type, ANDTS.FocusArea)}

    def mutant_source(self, mutant: mut.Mutant) -> SourceInfo:
        """The source with its document replaced by the mutant (the metadata file stays the real one)."""
        path = self.folder / self.source.path.name
        path.write_bytes(mutant.data)
        return dataclasses.replace(self.source, path=path)


def _tab_cell(index: int, columns: int) -> Callable[[str], str | None]:
    def cell(line: str) -> str | None:
        cells = line.split("\t")
        return cells[index] if len(cells) == columns else None
    return cell


#: The example sheet's own header (a sheet may leave out the optional columns of template.COLUMNS).
_EXAMPLE_HEADER = next(csv.reader([(paths.TEMPLATES_DIR / "example-activities.csv").read_text(encoding="utf-8").split("\n")[0]]))


def _csv_activity(line: str) -> str | None:
    rows = list(csv.reader([line]))
    header = _EXAMPLE_HEADER
    return rows[0][header.index("activity")] if rows and len(rows[0]) == len(header) else None


SUBJECTS = {
    "stockholm": Subject("stockholm", stockholm.load, paths.SOURCES_DIR / "stockholm-andts-2023-2026.toml",
                         _tab_cell(1, 3), " ord, SoN", sample=4),
    "eskilstuna": Subject("eskilstuna", eskilstuna.load, paths.SOURCES_DIR / "eskilstuna-andt-2019-2023.toml",
                          _tab_cell(0, 2), " ord Socialnämnden"),
    "template": Subject("template", template.load, paths.TEMPLATES_DIR / "example.toml", _csv_activity,
                        " ord; SoN", sample=25),
}


@pytest.fixture(scope="module", autouse=True)
def _remove_mutants() -> Iterator[None]:
    yield
    for subject in SUBJECTS.values():
        if "folder" in vars(subject):
            shutil.rmtree(subject.folder, ignore_errors=True)


# --- strategies ----------------------------------------------------------------------------------------

ROW_STEPS = ("cut", "duplicate", "shuffle", "inject", "inject", "lengthen", "crlf")


@st.composite
def row_step(draw: st.DrawFn, lines: list[mut.Line]) -> tuple[str, list[mut.Line]]:
    """One mutation of the lines; returns its description and the new lines."""
    n = max(len(lines), 1)
    kind = draw(st.sampled_from(ROW_STEPS))
    at = draw(st.integers(0, n - 1))
    if kind == "cut":
        count = draw(st.integers(1, 6))
        return f"cut {count} line(s) from {at + 1}", mut.cut_rows(lines, at, count)
    if kind == "duplicate":
        count, to = draw(st.integers(1, 4)), draw(st.integers(0, n))
        return f"copy {count} line(s) from {at + 1} before {to + 1}", mut.duplicate_rows(lines, at, count, to)
    if kind == "shuffle":
        order = draw(st.permutations(range(draw(st.integers(2, 8)))))
        return f"shuffle lines from {at + 1} as {order}", mut.shuffle_rows(lines, at, order)
    if kind == "inject":
        payload, column = draw(st.sampled_from(mut.PAYLOADS + (mut.LONE_SURROGATE,))), draw(st.integers(0, 200))
        return f"inject {payload!r} into line {at + 1} at {column}", mut.inject(lines, at, column, payload)
    if kind == "lengthen":
        unit, repeat = draw(st.sampled_from([" ord", "x", ", SoN", " – ", "\t"])), draw(st.sampled_from([300, 3000]))
        return f"append {unit!r} × {repeat} to line {at + 1}", mut.lengthen(lines, at, unit, repeat)
    return "CRLF line ends", mut.crlf(lines)


@st.composite
def mutants(draw: st.DrawFn, subject: Subject, max_steps: int = 3) -> mut.Mutant:
    """One to three row mutations of the document, and now and then a truncation of the result."""
    lines, done = mut.document(subject.text), []
    for _ in range(draw(st.integers(1, max_steps))):
        what, lines = draw(row_step(lines))
        done.append(what)
    mutant = mut.encode(lines, "; ".join(done))
    if draw(st.integers(0, 5)) == 0:  # now and then the file also ends mid-row
        mutant = mut.truncate(mutant, draw(st.integers(0, len(mutant.data))))
    return mutant


@st.composite
def benign_mutants(draw: st.DrawFn, subject: Subject) -> mut.Mutant:
    """Mutations of activity rows that a loader should load rather than reject: a row repeated, two rows
    swapped, markup or a character injected into the activity cell. Only rows that do not open a focus
    area (a focus area's notation must stay unique and in its table). For the SHACL sample."""
    lines = mut.document(subject.text)
    rows = sorted(subject.activity_lines - subject.focus_area_lines)
    first, second = draw(st.sampled_from(rows)) - 1, draw(st.sampled_from(rows)) - 1
    kind = draw(st.sampled_from(["repeat", "swap", "inject"]))
    if kind == "repeat":
        return mut.encode(mut.duplicate_rows(lines, first, 1, first), f"repeat line {first + 1}")
    if kind == "swap":
        lo, hi = sorted((first, second))
        order = [hi - lo] + list(range(1, hi - lo)) + [0] if hi > lo else [0]
        return mut.encode(mut.shuffle_rows(lines, lo, order), f"swap lines {lo + 1} and {hi + 1}")
    payload = draw(st.sampled_from([p for p in mut.PAYLOADS if p not in ("\t", "\r", "\x00", '"')]))
    cell = subject.activity_cell(lines[first][1]) or ""
    start = lines[first][1].index(cell)
    column = start + draw(st.integers(0, len(cell)))
    what = f"inject {payload!r} into line {first + 1} at {column}"
    return mut.encode(mut.inject(lines, first, column, payload), what)


# --- the properties ------------------------------------------------------------------------------------

#: Characters an error message must not carry raw: control characters but tab and line feed (terminal
#: escapes), surrogates, bidi controls, line separators, a BOM. A message quoting the source escapes them.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"


def _unsafe(c: str) -> bool:
    return (unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") and c not in "\t\n") or c in _BIDI


def _event(what: str) -> None:
    """Count outcomes for --hypothesis-show-statistics (the plain tests call `outcome` too)."""
    if currently_in_test_context():
        event(what)


def outcome(subject: Subject, mutant: mut.Mutant) -> LoadResult | None:
    """Load the mutant; check the error or the graph. Returns the result when it loaded."""
    source = subject.mutant_source(mutant)
    bad_line = mut.first_undecodable_line(mutant.data)
    try:
        result = subject.load(source, reference_graph())
    except SourceError as err:
        _event(f"SourceError: {re.sub(r'[0-9]+', 'N', err.reason)[:50]}")
        assert_clear_error(err, source, mutant, bad_line)
        return None
    _event("loaded")
    assert bad_line is None, f"{mutant.description}: line {bad_line} is not UTF-8, yet the document loaded"
    assert "\x00" not in mutant.data.decode("utf-8"), f"{mutant.description}: a NUL byte, yet the document loaded"
    assert_graph(subject, mutant, result)
    if zlib.crc32(mutant.description.encode()) % subject.sample == 0:  # a fixed sample also goes through SHACL
        _event("loaded and validated")
        assert_conforms(source, result, mutant.description)
    return result


def assert_clear_error(err: SourceError, source: SourceInfo, mutant: mut.Mutant, bad_line: int | None) -> None:
    what = f"{mutant.description}: {err}"
    assert err.file == str(source.path), what
    physical = mutant.data.count(b"\n") + 1
    assert isinstance(err.line, int) and 1 <= err.line <= physical, f"{what}: the line must exist (1–{physical})"
    assert str(err).startswith(f"{source.path}:{err.line}: "), what
    assert not [c for c in str(err) if _unsafe(c)], f"{what}: raw control characters in the message"
    if bad_line is not None:
        assert (err.line, "not UTF-8") == (bad_line, err.reason[:9]), what
    elif "\x00" in (text := mutant.data.decode("utf-8")):
        assert err.line == text[: text.index("\x00")].count("\n") + 1 and "NUL" in err.reason, what


def assert_graph(subject: Subject, mutant: mut.Mutant, result: LoadResult) -> None:
    g, lines, what = result.graph, mutant.lines(), mutant.description
    assert result.uncovered(lines) == [], f"{what}: lines neither data nor a finding"
    subjects = set(g.subjects())
    for finding, about in g.subject_objects(ANDTS.about):
        assert about in subjects, f"{what}: the finding {finding} is about {about}, which the graph does not have"
    for line, iris in result.coverage.items():
        assert 1 <= line <= len(lines), f"{what}: coverage of line {line}, which the document does not have"
        assert iris <= subjects, f"{what}: line {line} is covered by nodes the graph does not have"
    at_line: dict[int, set[URIRef]] = defaultdict(set)
    for node, value in g.subject_objects(ANDTS.sourceLine):
        at_line[int(value)].add(node)
        assert 1 <= int(value) <= len(lines), f"{what}: {node} claims line {value}"
    for new, old in sorted(mutant.origin.items()):
        if not lines[new - 1].strip():
            continue
        if old in subject.entity_lines:
            assert at_line.get(new), f"{what}: line {new} (line {old} of the original) lost its node"
        if old in subject.activity_lines:
            assert_activity_kept(subject, g, lines[new - 1], new, at_line[new], what)
    assert_storable(g, what)


def assert_activity_kept(subject: Subject, g: Graph, line: str, number: int, nodes: set[URIRef], what: str) -> None:
    """An activity row carried over stays an activity with every word of its text, or is reported."""
    activities = [n for n in nodes if (n, RDF.type, ANDTS.Activity) in g]
    if not activities:
        assert any((n, RDF.type, ANDTS.Finding) in g for n in nodes), \
            f"{what}: the activity row at line {number} is neither an activity nor a finding"
        return
    cell = subject.activity_cell(line)
    assert cell is not None, f"{what}: line {number} is an activity but not a row"
    words = re.findall(r"\w+", txt.clean(cell.translate({ord(c): None for c in SUPERSCRIPTS})))
    described = " ".join(str(d) for a in activities for d in g.objects(a, DCTERMS.description))
    lost = [w for w in words if w not in described]
    assert not lost, f"{what}: the activity of line {number} lost the words {lost[:5]}"


def assert_storable(g: Graph, what: str) -> None:
    """Every term can be written to the store (the build copies the graph into pyoxigraph): IRIs are
    valid IRIs and literals are Unicode text."""
    for triple in g:
        for term in triple:
            try:
                if isinstance(term, URIRef):
                    ox.NamedNode(str(term))
                elif isinstance(term, Literal):
                    str(term).encode("utf-8")
            except (ValueError, UnicodeEncodeError) as exc:
                pytest.fail(f"{what}: the graph cannot be stored: {term!r}: {exc}")


def assert_conforms(source: SourceInfo, result: LoadResult, what: str) -> None:
    report = validate_dataset({source.graph: result.graph})
    assert report.violations == [], f"{what}: " + "; ".join(
        f"{r.focus_node} {r.path}: {r.message()}" for r in report.violations[:5])


# --- the tests -----------------------------------------------------------------------------------------

@STOCKHOLM
@given(st.data())
def test_stockholm_mutants_load_or_fail_clearly(data: st.DataObject) -> None:
    outcome(SUBJECTS["stockholm"], data.draw(mutants(SUBJECTS["stockholm"])))


@ESKILSTUNA
@given(st.data())
def test_eskilstuna_mutants_load_or_fail_clearly(data: st.DataObject) -> None:
    outcome(SUBJECTS["eskilstuna"], data.draw(mutants(SUBJECTS["eskilstuna"])))


@TEMPLATE
@given(st.data())
def test_template_mutants_load_or_fail_clearly(data: st.DataObject) -> None:
    outcome(SUBJECTS["template"], data.draw(mutants(SUBJECTS["template"])))


@SHACL
@given(st.data())
@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_mutated_activity_rows_load_and_conform(name: str, data: st.DataObject) -> None:
    subject = SUBJECTS[name]
    mutant = data.draw(benign_mutants(subject))
    result = outcome(subject, mutant)
    assert result is not None, f"{mutant.description}: a benign mutation was rejected"
    assert_conforms(subject.mutant_source(mutant), result, mutant.description)


ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_other_encodings(name: str, encoding: str) -> None:
    """Saved in another encoding, a document fails at its first undecodable line (every document has
    letters beyond ASCII); with a UTF-8 BOM (what spreadsheet programs write) it loads as without."""
    subject = SUBJECTS[name]
    mutant = mut.encode(mut.document(subject.text), encoding, encoding=encoding)
    bad_line = mut.first_undecodable_line(mutant.data)
    assert (bad_line is None) == (encoding == "utf-8-sig")
    result = outcome(subject, mutant)
    if encoding == "utf-8-sig":
        assert result is not None and len(result.graph) == len(subject.baseline.graph)


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_empty_file_is_a_clear_error(name: str) -> None:
    subject = SUBJECTS[name]
    assert outcome(subject, mut.Mutant("empty file", b"", {})) is None


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_truncated_at_every_fifteenth_line(name: str) -> None:
    """Cut in the middle of a row at a spread of places: never a crash, never an uncovered line."""
    subject = SUBJECTS[name]
    whole = mut.encode(mut.document(subject.text), "original")
    ends = [i for i, b in enumerate(whole.data) if b == 0x0A]
    for end in ends[::15]:
        outcome(subject, mut.truncate(whole, max(end - 7, 0)))


@pytest.mark.parametrize("name,loads", [("eskilstuna", True), ("stockholm", True), ("template", False)])
def test_a_very_long_line_loads_in_linear_time(name: str, loads: bool) -> None:
    """A runaway cell of 200 000 characters (a list of names pasted over and over) as the last cell of the
    first activity row: loaded in seconds, not minutes (a backtracking pattern over a cell is quadratic
    or worse). The template refuses it with its line: the csv module's cell limit is 131 072 characters
    (spreadsheet programs stop at 32 767)."""
    subject = SUBJECTS[name]
    row = min(subject.activity_lines) - 1
    repeat = 200_000 // len(subject.long_unit)
    mutant = mut.encode(mut.lengthen(mut.document(subject.text), row, subject.long_unit, repeat), "a long cell")
    # about a second now, minutes before the fix; speed is the bench's business, so no clock here
    assert (outcome(subject, mutant) is not None) == loads


# --- regressions found by the properties above ---------------------------------------------------------

def test_error_messages_show_control_characters_escaped() -> None:
    """A header cell carrying a terminal escape and a bidi override was quoted raw in the message (the
    CLI prints it on a terminal, the server in a page): now it shows them as escapes."""
    subject = SUBJECTS["template"]
    lines = mut.inject(mut.document(subject.text), 0, len("goal,"), "\x1b[31m\u202e")
    source = subject.mutant_source(mut.encode(lines, "escape in the header"))
    with pytest.raises(SourceError) as err:
        subject.load(source, reference_graph())
    assert err.value.line == 1
    assert "unknown column(s) \\x1b[31m\\u202egoal_text" in str(err.value)
    assert "\x1b" not in str(err.value) and "\u202e" not in str(err.value)

