"""The SHACL shapes, tested with pass/fail examples that assert exactly which shape, node and severity fail.

- valid/programme.ttl is a small, fully valid programme: with the reference data it gives no results.
- fail/{name}.trig adds data to it (default graph) and states its expected results in the named graph
  <urn:andts:test:expect>; the validation results must be exactly those (sourceShape, focusNode, severity).
- Meta-tests: every shape has an IRI, a severity and messages in English and Swedish; every ontology class
  is targeted; every shape is proven by at least one failing fixture; every fixture is documented.

Results that the reference data produces today are listed, each with its reason, in
known-reference-results.ttl; they are part of every expected set, and the list must match the data exactly.
See README.md in this folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS

from andts.namespaces import ANDTS, SH
from andts.validation import Report, shapes_graph, validate

HERE = Path(__file__).resolve().parent
VALID_PROGRAMME = HERE / "valid" / "programme.ttl"
FAIL_DIR = HERE / "fail"
FIXTURES = sorted(FAIL_DIR.glob("*.trig"))
KNOWN_REFERENCE_RESULTS = HERE / "known-reference-results.ttl"
README = HERE / "README.md"

T = Namespace("urn:andts:test:")
EXPECT = URIRef("urn:andts:test:expect")
SHAPES = Namespace("https://w3id.org/andts/shapes/")

#: One expected or actual validation result: (sh:sourceShape, sh:focusNode, sh:resultSeverity).
Expectation = tuple[URIRef, URIRef, URIRef]

#: Parameters of a node shape that are constraints on the focus node itself (not sh:property, targets, metadata).
NODE_CONSTRAINT_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive,
    SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH.equals, SH.disjoint, SH["not"], SH["and"],
    SH["or"], SH.xone, SH.node, SH.closed, SH.hasValue, SH["in"], SH.sparql,
}
#: Parameters whose values are shapes used inside another shape (value shapes), single or as a list.
SHAPE_VALUED_PARAMETERS = {SH.node: False, SH.qualifiedValueShape: False, SH["not"]: False,
                           SH["and"]: True, SH["or"]: True, SH.xone: True}


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------

def expectations_in(graph: Graph) -> set[Expectation]:
    """The (sourceShape, focusNode, severity) triples stated in an expectation graph."""
    found = set()
    for node in graph.subjects(T.sourceShape, None):
        shape, focus, severity = (graph.value(node, T.sourceShape), graph.value(node, T.focusNode),
                                  graph.value(node, T.severity))
        assert focus is not None and severity is not None, f"incomplete expectation {node} in {graph.identifier}"
        found.add((shape, focus, severity))
    return found


def results_of(report: Report) -> set[Expectation]:
    return {(r.source_shape, r.focus_node, r.severity) for r in report.results}


def load_fixture(path: Path) -> tuple[Graph, set[Expectation]]:
    """A fixture's added data (its default graph) and its expectations (graph <urn:andts:test:expect>)."""
    ds = Dataset()
    ds.parse(path, format="trig")
    names = {g.identifier for g in ds.graphs()} - {DATASET_DEFAULT_GRAPH_ID}
    assert names <= {EXPECT}, f"{path.name}: unexpected named graphs {names - {EXPECT}}"
    added = Graph()
    for triple in ds.graph(DATASET_DEFAULT_GRAPH_ID):
        added.add(triple)
    return added, expectations_in(ds.graph(EXPECT))


def merged(*graphs: Graph) -> Graph:
    g = Graph()
    for graph in graphs:
        for triple in graph:
            g.add(triple)
    return g


def short(node) -> str:
    text = str(node)
    for prefix, ns in (("shapes:", str(SHAPES)), ("id:", "https://w3id.org/andts/id/"), ("sh:", str(SH))):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text


def describe(report: Report, wanted: set[Expectation]) -> str:
    lines = []
    for r in sorted(report.results, key=lambda r: (str(r.source_shape), str(r.focus_node))):
        if (r.source_shape, r.focus_node, r.severity) in wanted:
            lines.append(f"  {short(r.severity)} {short(r.source_shape)} {short(r.focus_node)}"
                         f" path={r.path} value={r.value}: {r.message('en')}")
    return "\n".join(lines)


def assert_results(report: Report, expected: set[Expectation]) -> None:
    got = results_of(report)
    missing, unexpected = expected - got, got - expected
    if missing or unexpected:
        text = []
        if missing:
            text.append("missing (expected but not reported):")
            text += [f"  {short(sev)} {short(shape)} {short(focus)}" for shape, focus, sev in sorted(missing)]
        if unexpected:
            text.append("unexpected (reported but not expected):")
            text.append(describe(report, unexpected))
        pytest.fail("\n".join(text), pytrace=False)
    assert report.conforms == all(sev != SH.Violation for _shape, _focus, sev in expected)


def shape_nodes(g: Graph) -> set:
    """Every node used as a shape: typed sh:NodeShape/sh:PropertyShape, targeted, or referenced as a shape."""
    nodes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        nodes |= set(g.subjects(p, None))
    nodes |= set(g.objects(None, SH.property))
    nodes |= set(value_shape_uses(g))
    return nodes


def value_shape_uses(g: Graph) -> dict:
    """Value shape -> the shapes that use it (via sh:node, sh:qualifiedValueShape, sh:not/and/or/xone)."""
    uses: dict = {}
    for param, is_list in SHAPE_VALUED_PARAMETERS.items():
        for user, value in g.subject_objects(param):
            members: Iterable = Collection(g, value) if is_list else [value]
            for member in members:
                uses.setdefault(member, set()).add(user)
    return uses


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return shapes_graph()


@pytest.fixture(scope="session")
def base_graph() -> Graph:
    return Graph().parse(VALID_PROGRAMME, format="turtle")


@pytest.fixture(scope="session")
def known_reference_results() -> set[Expectation]:
    return expectations_in(Graph().parse(KNOWN_REFERENCE_RESULTS, format="turtle"))


@pytest.fixture(scope="session")
def fixture_expectations() -> dict[str, set[Expectation]]:
    return {path.name: load_fixture(path)[1] for path in FIXTURES}


# --------------------------------------------------------------------------------------------------
# The reference data and the valid programme give no results
# --------------------------------------------------------------------------------------------------

def test_reference_data_results_are_exactly_the_known_ones(known_reference_results):
    """Reference data conforms; its only results are the known, explained ones (remove an entry once fixed)."""
    assert_results(validate(Graph(), with_reference=True), known_reference_results)


def test_known_reference_results_are_warnings_with_a_reason():
    g = Graph().parse(KNOWN_REFERENCE_RESULTS, format="turtle")
    for node in g.subjects(T.sourceShape, None):
        assert g.value(node, T.severity) != SH.Violation, "reference data must conform: no known violations"
        assert g.value(node, RDFS.comment), f"known result {node} needs an rdfs:comment with its reason"


def test_valid_programme_gives_no_results(base_graph, known_reference_results):
    report = validate(base_graph, with_reference=True)
    assert_results(report, known_reference_results)
    assert report.conforms


# --------------------------------------------------------------------------------------------------
# Every failing fixture fails exactly as expected
# --------------------------------------------------------------------------------------------------

@pytest.mark.slow  # a SHACL validation with all the reference data for each of 170 fixtures (about 85 s of CPU)
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_fixture_gives_exactly_the_expected_results(fixture, base_graph, known_reference_results):
    added, expected = load_fixture(fixture)
    assert expected, f"{fixture.name} states no expectations"
    assert len(added), f"{fixture.name} adds no data"
    report = validate(merged(base_graph, added), with_reference=True)
    assert_results(report, expected | known_reference_results)


def test_fixtures_expect_only_existing_shapes(shapes, fixture_expectations):
    known = shape_nodes(shapes)
    for name, expected in fixture_expectations.items():
        for shape, _focus, severity in expected:
            assert shape in known, f"{name}: {shape} is not a shape"
            assert (shape, SH.severity, severity) in shapes, f"{name}: {short(shape)} does not have severity {severity}"


# --------------------------------------------------------------------------------------------------
# Meta-tests over the shapes graph
# --------------------------------------------------------------------------------------------------

def test_every_shape_has_an_iri_in_the_shapes_namespace(shapes):
    for node in shape_nodes(shapes):
        assert isinstance(node, URIRef) and str(node).startswith(str(SHAPES)), f"shape without IRI: {node!r}"


def test_every_shape_is_typed(shapes):
    typed = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert shape_nodes(shapes) - typed == set()
    for node in shapes.subjects(RDF.type, SH.PropertyShape):
        assert shapes.value(node, SH.path) is not None, f"{short(node)} is a property shape without sh:path"
    for node in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(node, SH.path) is None, f"{short(node)} is a node shape with sh:path"


def test_every_shape_has_one_explicit_severity(shapes):
    for node in shape_nodes(shapes):
        severities = set(shapes.objects(node, SH.severity))
        assert len(severities) == 1 and severities <= {SH.Violation, SH.Warning, SH.Info}, \
            f"{short(node)} has severities {severities}"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_shape_has_a_message(shapes, lang):
    missing = sorted(short(node) for node in shape_nodes(shapes)
                     if not any(isinstance(m, Literal) and m.language == lang for m in shapes.objects(node, SH.message)))
    assert missing == [], f"shapes without sh:message@{lang}: {missing}"


def test_every_ontology_class_has_a_node_shape(shapes, ontology):
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(ANDTS))}
    assert len(classes) >= 26
    targeted = {c for s, c in shapes.subject_objects(SH.targetClass) if (s, RDF.type, SH.NodeShape) in shapes}
    own_shape = {c for c in classes if (SHAPES[f"{c.removeprefix(str(ANDTS))}Shape"], SH.targetClass, c) in shapes}
    assert classes - targeted == set()
    assert sorted(classes - own_shape) == [], "every class has its own shapes:{Class}Shape"


def test_property_shapes_are_named_after_their_node_shape(shapes):
    """shapes:{X}Shape sh:property shapes:{X}-{aspect}: a report's sourceShape names class and property."""
    for node_shape, prop_shape in shapes.subject_objects(SH.property):
        stem = short(node_shape).removeprefix("shapes:").removesuffix("Shape")
        assert short(prop_shape).startswith(f"shapes:{stem}-"), f"{short(prop_shape)} under {short(node_shape)}"


def test_every_shape_is_proven_by_a_failing_fixture(shapes, fixture_expectations):
    """A shape is proven when a fixture expects it as sourceShape. A node shape whose constraints are all on
    its property shapes is proven by any of them; a node shape with node-level constraints (sh:xone, sh:in,
    sh:sparql …) must be expected itself. A value shape (used via sh:qualifiedValueShape, sh:xone …) is proven
    when every shape that uses it is expected itself."""
    expected_shapes = {shape for expected in fixture_expectations.values() for shape, _f, _s in expected}
    uses = value_shape_uses(shapes)
    unproven = []
    for node in shape_nodes(shapes):
        if node in expected_shapes:
            continue
        if node in uses:
            if uses[node] <= expected_shapes:
                continue
        elif (node, RDF.type, SH.NodeShape) in shapes:
            has_node_constraints = any(p in NODE_CONSTRAINT_PARAMETERS for p, _o in shapes.predicate_objects(node))
            if not has_node_constraints and set(shapes.objects(node, SH.property)) & expected_shapes:
                continue
        unproven.append(short(node))
    assert sorted(unproven) == [], "shapes that no failing fixture proves"


# --------------------------------------------------------------------------------------------------
# Documentation of the fixtures
# --------------------------------------------------------------------------------------------------

def test_every_fixture_is_documented_in_the_readme():
    documented = set(re.findall(r"^\| `fail/([\w.-]+\.trig)` \|", README.read_text(encoding="utf-8"), re.M))
    files = {f.name for f in FIXTURES}
    assert sorted(files - documented) == [], "fixtures missing from README.md"
    assert sorted(documented - files) == [], "README.md lists fixtures that do not exist"


def test_fixture_names_are_slugs():
    for f in FIXTURES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.trig", f.name), f.name
