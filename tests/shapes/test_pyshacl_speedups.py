"""andts.pyshacl_speedups changes how pyshacl works, never what it reports: every result, as many times as
pyshacl itself gives it, on random graphs against shapes that nest property shapes (one value node
reached from several focus nodes, literals as value nodes, inverse paths, qualified value shapes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from andts import pyshacl_speedups
from andts.namespaces import SH

EX = Namespace("https://example.org/speedups#")
SHAPES = Graph().parse(Path(__file__).parent / "speedups" / "nested-shapes.ttl")

names = st.one_of(st.text("abcdefg", max_size=7).map(Literal),
                  st.tuples(st.text("abc", max_size=4), st.sampled_from(["sv", "en", "sv-FI"])).map(
                      lambda t: Literal(t[0], lang=t[1])),
                  st.integers(0, 99).map(lambda i: Literal(i, datatype=XSD.integer)))


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    n = draw(st.integers(1, 6))
    nodes = [EX[f"n{i}"] for i in range(n)]
    g = Graph()
    for node in nodes:
        if draw(st.booleans()) or node == nodes[0]:
            g.add((node, RDF.type, EX.Thing))
        for other in draw(st.lists(st.sampled_from(nodes), max_size=3)):
            g.add((node, EX.link, other))
        for name in draw(st.lists(names, max_size=3)):
            g.add((node, EX.name, name))
    return g


def results(data: Graph, allow_warnings: bool = True) -> tuple[bool, Counter]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=SHAPES, advanced=True, allow_warnings=allow_warnings)

    def of(r: URIRef) -> tuple:
        return tuple(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
                                                 SH.sourceConstraintComponent, SH.resultSeverity))

    return conforms, Counter(of(r) for r in report.subjects(RDF.type, SH.ValidationResult))


def both_ways(data: Graph, allow_warnings: bool = True) -> Iterator[tuple[bool, Counter]]:
    pyshacl_speedups.apply()
    yield results(data, allow_warnings)
    pyshacl_speedups.apply(on=False)
    try:
        yield results(data, allow_warnings)
    finally:
        pyshacl_speedups.apply()


@pytest.mark.slow  # property-based: 200 generated graphs, each validated twice
@settings(max_examples=200, deadline=None)
@given(data=graphs(), allow_warnings=st.booleans())
def test_the_same_results_as_many_times(data: Graph, allow_warnings: bool) -> None:
    sped_up, plain = both_ways(data, allow_warnings)
    assert sped_up == plain


def test_which_value_shapes_are_validated_value_by_value() -> None:
    from pyshacl.shapes_graph import ShapesGraph

    sg = ShapesGraph(SHAPES)
    assert sg.shapes  # pyshacl finds the shapes
    judged = {name: pyshacl_speedups._per_value(sg.lookup_shape_from_node(EX[name]))
              for name in ("Swedish", "Thingish", "Short", "QuietlyShort", "NamedThing", "Thing-link")}
    assert judged == {"Swedish": True, "Thingish": True, "Short": True, "QuietlyShort": True,
                      "NamedThing": False, "Thing-link": False}


def test_a_value_node_shared_by_two_focus_nodes_is_reported_for_each() -> None:
    data = Graph()
    for node in (EX.a, EX.b, EX.shared):
        data.add((node, RDF.type, EX.Thing))
    data.add((EX.a, EX.link, EX.shared))
    data.add((EX.b, EX.link, EX.shared))  # ex:shared has no name: Link-name fails from a and from b
    (conforms, found), plain = both_ways(data)
    assert (conforms, found) == plain
    assert not conforms
    missing = (EX.shared, EX.name, None, EX["Link-name"], SH.MinCountConstraintComponent, SH.Violation)
    assert found[missing] == plain[1][missing] == 2  # pyshacl reports it once per focus node


def test_apply_can_be_undone_and_redone() -> None:
    pyshacl_speedups.apply(on=False)
    assert not pyshacl_speedups.applied()
    pyshacl_speedups.apply()
    assert pyshacl_speedups.applied()


def test_another_pyshacl_release_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speedups replace private methods of one pyshacl release: another one is an error naming both,
    not a validation that may silently differ."""
    assert pyshacl_speedups.installed_version() == pyshacl_speedups.PYSHACL_VERSION == pyshacl.__version__
    monkeypatch.setattr(pyshacl_speedups, "installed_version", lambda: "0.99.0")
    pyshacl_speedups.apply(on=False)
    try:
        with pytest.raises(pyshacl_speedups.PyshaclVersionError) as err:
            pyshacl_speedups.apply()
        assert f"pyshacl {pyshacl_speedups.PYSHACL_VERSION}" in str(err.value) and "pyshacl 0.99.0" in str(err.value)
        assert not pyshacl_speedups.applied()  # nothing was replaced
    finally:
        monkeypatch.undo()
        pyshacl_speedups.apply()
    assert pyshacl_speedups.applied()


def test_the_pinned_release_is_the_one_the_speedups_expect() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"pyshacl=={pyshacl_speedups.PYSHACL_VERSION}"' in pyproject
