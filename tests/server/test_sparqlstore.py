"""rdflib's SPARQLStore (rdflib.plugins.stores.sparqlstore) as a client of the running server: SELECT,
ASK, CONSTRUCT, triple patterns and named graphs give the answers the fixture data says they should."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore

ANDTS = "https://w3id.org/andts/"
ACTIVITY = URIRef(f"{ANDTS}def/Activity")
ACTIVITIES = [URIRef(f"{ANDTS}id/activity/testby-andts-2024-2027/{i}") for i in (1, 2, 3)]
SKOS_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
TESTBY = URIRef(f"{ANDTS}id/municipality/testby")
GRAPHS = {URIRef(f"{ANDTS}graph/{g}") for g in
          ("ontology", "reference/municipalities", "reference/actors-testby", "programme/testby-andts-2024-2027")}


@pytest.fixture
def store(live) -> SPARQLStore:
    s = SPARQLStore(query_endpoint=live.url + "/sparql", returnFormat="json")
    yield s
    s.close()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_select(store: SPARQLStore, fmt: str) -> None:
    store.returnFormat = fmt
    rows = Graph(store=store).query(f"SELECT ?a WHERE {{ ?a a <{ACTIVITY}> }} ORDER BY ?a")
    assert [URIRef(r.a) for r in rows] == ACTIVITIES


def test_select_with_bindings_and_literals(store: SPARQLStore) -> None:
    rows = list(Graph(store=store).query(
        f"SELECT ?label WHERE {{ ?m <{SKOS_LABEL}> ?label }}", initBindings={"m": TESTBY}))
    assert [r.label for r in rows] == [Literal("Testby kommun", lang="sv")]


def test_ask(store: SPARQLStore) -> None:
    g = Graph(store=store)
    assert g.query(f"ASK {{ <{TESTBY}> a <{ANDTS}def/Municipality> }}").askAnswer is True
    assert g.query(f"ASK {{ <{TESTBY}> a <{ACTIVITY}> }}").askAnswer is False


def test_construct(store: SPARQLStore) -> None:
    store.returnFormat = "xml"  # SPARQLStore's default; it then accepts RDF/XML for graphs (JSON asks for results only)
    result = Graph(store=store).query(f"CONSTRUCT {{ ?a a <{ACTIVITY}> }} WHERE {{ ?a a <{ACTIVITY}> }}")
    expected = Graph()
    for a in ACTIVITIES:
        expected.add((a, RDF.type, ACTIVITY))
    assert isomorphic(result.graph, expected)


def test_triple_patterns(store: SPARQLStore) -> None:
    g = Graph(store=store)
    assert sorted(g.subjects(RDF.type, ACTIVITY)) == ACTIVITIES
    assert set(g.objects(ACTIVITIES[2], URIRef(f"{ANDTS}def/responsible"))) == {
        URIRef(f"{ANDTS}id/actor/testby/socialnamnden"), URIRef(f"{ANDTS}id/actor/testby/kommunstyrelsen")}
    assert g.value(TESTBY, URIRef(f"{ANDTS}def/code")) == Literal("9999")


def test_named_graphs(store: SPARQLStore) -> None:
    assert {c if isinstance(c, URIRef) else c.identifier for c in store.contexts()} == GRAPHS
