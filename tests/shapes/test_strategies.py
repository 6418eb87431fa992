"""The ways of validating agree: "per-graph" (each programme graph with the reference data) and the runs
of the parallel path, in this process or in forked processes, a programme per run or all in one, find
exactly what "whole" (one run over everything) finds, on the real programmes with violations put into the
programme graphs and into the reference data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from andts import pyshacl_speedups, validation
from andts.build import reference_graphs
from andts.namespaces import ANDTS
from andts.validation import Report, cache, validate_dataset

pytestmark = pytest.mark.slow  # the whole real dataset, broken, validated five times (each strategy; no speed-ups)


@pytest.fixture(scope="module")
def broken(real_build) -> dict[URIRef, Graph]:
    """The real programmes as the session's build loaded them (copied: the build's graphs stay as they are)."""
    graphs = reference_graphs()
    loads = real_build.loads
    assert len(loads) >= 2
    dataset: dict[URIRef, Graph] = dict(graphs)
    for load in loads:
        g = Graph()
        for t in load.graph:
            g.add(t)
        dataset[load.source.graph] = g
    first, second = (dataset[load.source.graph] for load in loads[:2])
    activities = sorted(first.subjects(RDF.type, ANDTS.Activity))
    first.remove((activities[0], ANDTS.sourceLine, None))  # a missing line
    first.set((activities[1], ANDTS.sourceLine, Literal("the third")))  # a line that is no number
    other = sorted(second.subjects(RDF.type, ANDTS.Activity))[0]
    second.add((other, ANDTS.responsible, URIRef("https://w3id.org/andts/id/law/sfs-2018-2088")))  # no actor
    method_graph = next(iri for iri in dataset if str(iri).endswith("reference/methods"))
    method = sorted(dataset[method_graph].subjects(SKOS.prefLabel, None))[0]
    dataset[method_graph].remove((method, SKOS.prefLabel, None))  # reference data broken too
    return dataset


def keys(report: Report) -> set[tuple]:
    return {r.key for r in report.results}


@pytest.fixture(scope="module")
def whole(broken: dict[URIRef, Graph]) -> Report:
    report = validate_dataset(broken, strategy="whole")
    assert not report.conforms and len(report.violations) >= 4  # the four breaks are seen
    assert len(report.warnings) > 0
    return report


def assert_finds_what_whole_finds(report: Report, whole: Report) -> None:
    assert keys(report) == keys(whole)
    assert report.conforms is False
    # the reports carry the data the text report reads lines and labels from
    assert set(report.context) == set(whole.context)
    assert validation.as_text(report) == validation.as_text(whole)


def test_per_graph_finds_what_whole_finds(broken: dict[URIRef, Graph], whole: Report) -> None:
    assert_finds_what_whole_finds(validate_dataset(broken, strategy="per-graph"), whole)


@pytest.mark.parametrize("processes", [1, 2])  # in this process; in forked processes
@pytest.mark.parametrize("mark", [1, 10**9])  # every programme its own run; all programmes in one run
def test_runs_find_what_whole_finds(broken: dict[URIRef, Graph], whole: Report, processes: int, mark: int,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RUN_MARK", mark)
    programmes = [str(name) for name in broken if name is not None and not validation.is_reference(name)]
    assert len(validation.runs_of(sorted(programmes))) == (len(programmes) if mark == 1 else 1)
    lines: list[str] = []
    report = validate_dataset(broken, processes=processes, progress=lines.append)
    assert_finds_what_whole_finds(report, whole)
    assert lines[-1].startswith(f"validated {len(programmes)}/{len(programmes)} programme graphs")


def test_the_pyshacl_speedups_change_no_result(broken: dict[URIRef, Graph]) -> None:
    sped_up = validate_dataset(broken, strategy="whole")
    assert pyshacl_speedups.applied()
    pyshacl_speedups.apply(on=False)
    try:
        import pyshacl.shape
        plain = validate_dataset(broken, strategy="whole")
        assert not pyshacl_speedups.applied()  # pyshacl's own method was used
        assert type(pyshacl.shape.CONSTRAINT_PARAMS[0]) is list  # and its own list
    finally:
        pyshacl_speedups.apply()
    assert sped_up.results and not sped_up.conforms  # the fixtures break shapes, nested ones among them
    assert keys(sped_up) == keys(plain)
    assert validation.as_text(sped_up) == validation.as_text(plain)


@given(n=st.integers(0, 2000))
def test_runs_cover_every_programme_once(n: int) -> None:
    runs = validation.runs_of(sorted(f"https://w3id.org/andts/graph/p{i}" for i in range(n)))
    assert [i for run in runs for i in run] == list(range(n))
    assert all(1 <= len(run) <= validation.MAX_BATCH for run in runs)


def test_a_union_view_reads_as_its_graphs_together(broken: dict[URIRef, Graph]) -> None:
    graphs = [g for g in broken.values() if len(g)]
    union = Graph()
    for g in graphs:
        for t in g:
            union.add(t)
    view = validation.UnionView([validation.UnionView(graphs[:2]), *graphs[2:]])  # nested views flatten
    assert set(view) == set(union)
    for s in list(union.subjects(unique=True))[:300]:
        assert set(view.triples((s, None, None))) == set(union.triples((s, None, None)))
        assert set(view.predicate_objects(s)) == set(union.predicate_objects(s))
    assert view.value(URIRef("https://w3id.org/andts/id/nothing"), SKOS.prefLabel) is None
