"""The spreadsheet template loader: a new municipality without code, and clear errors for bad sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from andts import paths
from andts.loaders import template
from andts.loaders.common import SourceInfo
from andts.namespaces import ANDTS, ID
from andts.validation import reference_graph, validate

FIXTURES = Path(__file__).parent / "fixtures" / "template"
PROG = "https://w3id.org/andts/id/programme/testkommun-andts-2024-2027"


@pytest.fixture(scope="module")
def newkommun():
    source = SourceInfo.read(FIXTURES / "newkommun.toml")
    return source, template.load(source, reference_graph())


def kinds(g: Graph) -> list[str]:
    return sorted(str(k).rsplit("/", 1)[-1] for k in g.objects(None, ANDTS.findingKind))


def test_new_municipality_programme_entities(newkommun):
    _, result = newkommun
    g = result.graph
    assert len(set(g.subjects(RDF.type, ANDTS.Goal))) == 2
    assert len(set(g.subjects(RDF.type, ANDTS.FocusArea))) == 3
    assert len(set(g.subjects(RDF.type, ANDTS.Activity))) == 3
    assert (ID["municipality/testkommun"], RDF.type, ANDTS.Municipality) in g
    assert (URIRef(PROG + "/goal/1"), ANDTS.nationalGoal, ID["national-strategy/2022-2025/goal/1"]) in g


def test_actors_from_the_template_and_the_reference_registry(newkommun):
    _, result = newkommun
    g = result.graph
    first = URIRef(PROG + "/focus-area/1.1/activity/1")
    responsible = set(g.objects(first, ANDTS.responsible))
    assert responsible == {ID["actor/testkommun/miljonamnden"], ID["actor/polismyndigheten"]}
    assert g.value(first, ANDTS.coordinator) == ID["actor/testkommun/miljonamnden"]
    assert g.value(first, ANDTS.responsibleText) == Literal("Miljönämnden; Polismyndigheten")


def test_findings_for_unknown_actor_markup_and_empty_row(newkommun):
    _, result = newkommun
    assert kinds(result.graph) == ["empty-cell", "markup", "unknown-abbreviation"]
    unknown = next(result.graph.subjects(ANDTS.findingKind, ID["finding-kind/unknown-abbreviation"]))
    assert result.graph.value(unknown, ANDTS.sourceText) == Literal("Okänd nämnd")
    assert result.graph.value(unknown, ANDTS.sourceLine).toPython() == 3


def test_every_row_is_covered(newkommun):
    source, result = newkommun
    assert result.uncovered(source.read_lines()) == []


def test_links_found_in_the_text(newkommun):
    _, result = newkommun
    g = result.graph
    second = URIRef(PROG + "/focus-area/1.1/activity/2")
    assert ID["law/sfs-2010-1622"] in set(g.objects(second, ANDTS.law))
    assert ID["substance/alkohol"] in set(g.objects(second, ANDTS.substance))


def test_conforms_to_the_shapes(newkommun):
    _, result = newkommun
    report = validate(result.graph)
    assert report.violations == []


def test_deterministic(newkommun):
    source, result = newkommun
    again = template.load(source, reference_graph())
    assert isomorphic(result.graph, again.graph)
    assert set(result.graph.subjects()) == set(again.graph.subjects())


def test_example_gives_the_stockholm_actors():
    """The documented example is Stockholm's goal 4 retyped: its actors must be those of the appendix."""
    source = SourceInfo.read(paths.TEMPLATES_DIR / "example.toml")
    g = template.load(source, reference_graph()).graph
    acts = sorted(g.subjects(RDF.type, ANDTS.Activity), key=str)
    assert len(acts) == 8
    son, sdn = ID["actor/stockholm/socialnamnden"], ID["actor/stockholm/stadsdelsnamnderna"]
    mumin = URIRef("https://w3id.org/andts/id/programme/template-example-stockholm-goal-4/focus-area/4.1/activity/1")
    assert set(g.objects(mumin, ANDTS.responsible)) == {son, sdn}
    assert ID["method/mumin"] in set(g.objects(mumin, ANDTS.method))
    # the bodies outside the municipality that the text names, as the Stockholm loader links them (l.65)
    assert set(g.objects(mumin, ANDTS.partner)) == {ID["actor/region-stockholm"], ID["actor/polismyndigheten"]}
    assert not list(g.subjects(ANDTS.findingKind, ID["finding-kind/unknown-abbreviation"]))


@pytest.mark.parametrize("name,line,words", [
    ("missing-column", 1, "header lacks"),
    ("wrong-cells", 3, "cells where the header has"),
    ("unknown-national-goal", 2, "no national goal"),
    ("header-only", 1, "no activity rows"),
    ("latin1", 2, "not UTF-8"),
    # found by test_mutation.py: these crashed (csv.Error), gave an IRI the store refuses, or named the
    # last line of a row that a stray quote had run on over the lines after it
    ("carriage-return", 3, "not a CSV row: new-line character seen in unquoted field"),
    ("focus-area-code", 3, "focus area '1 <b>2</b>' is not a code"),
    ("unclosed-quote", 3, "the row runs to line 4: a quote opened and not closed?"),
    ("unknown-setting", 2, "setting 'torget' is not one the thesaurus knows: give one of arbetsplats, digital"),
])
def test_malformed_sheet_is_a_clear_error(source_error, name: str, line: int, words: str):
    source_error(template.load, FIXTURES / f"{name}.toml", line, words)


def test_a_sheet_as_spreadsheet_programs_save_it():
    """A byte-order mark, CRLF line ends, a quoted cell holding a line break and a row of empty cells
    (found by test_mutation.py: the BOM made the header unknown, and the cell's first line was uncovered)."""
    source = SourceInfo.read(FIXTURES / "multiline.toml")
    result = template.load(source, reference_graph())
    g = result.graph
    prog = "https://w3id.org/andts/id/programme/ok-multiline"
    second = URIRef(prog + "/focus-area/1.1/activity/2")
    assert g.value(second, ANDTS.sourceLine).toPython() == 3, "a row's line is its first"
    assert str(g.value(second, DCTERMS.description)) == "Tillsyn av serveringsställen nära skolor prioriteras."
    assert (URIRef(prog + "/focus-area/1.2/activity/1"), ANDTS.sourceLine, Literal(6, datatype=XSD.integer)) in g
    assert result.uncovered(source.read_lines()) == []
    assert set(result.coverage) == {1, 2, 3, 4, 5, 6}
    assert validate(g).violations == []


def test_stated_and_matched_dimensions_are_told_apart():
    """What the municipality states in the dimension columns is published with the basis "stated"; what the
    matcher finds in the text beside it keeps its own basis and words."""
    source = SourceInfo.read(FIXTURES / "stated.toml")
    g = template.load(source, reference_graph()).graph
    first = URIRef(PROG + "/focus-area/1.1/activity/1")

    def bases(entity, prop, concept):
        return {g.value(e, ANDTS.basis) for e in g.objects(entity, ANDTS.evidence)
                if g.value(e, ANDTS.tagProperty) == prop and g.value(e, ANDTS.tagValue) == concept}

    stated, named = ID["tag-basis/stated"], ID["tag-basis/named"]
    assert bases(first, ANDTS.substance, ID["substance/tobak"]) == {stated}  # stated only: the text has no tobacco
    assert bases(first, ANDTS.substance, ID["substance/alkohol"]) >= {stated, named}  # stated, and "folköl"
    assert bases(first, ANDTS.targetGroup, ID["target-group/naringsidkare"]) == {stated}
    assert bases(first, ANDTS.law, ID["law/sfs-2010-1622"]) == {stated, ID["tag-basis/statutory-task"]}
    second = URIRef(PROG + "/focus-area/1.1/activity/2")
    assert bases(second, ANDTS.setting, ID["setting/servering"]) >= {stated, named}
    assert bases(second, ANDTS.substance, ID["substance/alkohol"]) >= {named, ID["tag-basis/implied-by-method"]}
    assert validate(g).violations == []
