"""The VoID description at /.well-known/void and the dumps it points to. Expected counts are computed
here independently, with rdflib over the fixture file, not with the server's queries."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from andts.server.settings import Settings

FIXTURE = Path(__file__).parent / "data" / "fixture.trig"
BUILD_ID = "testbuild0000001"  # conftest.BUILD_ID


@pytest.fixture(scope="module")
def build_id(client: TestClient) -> str:
    """The identity of what is served: the build's id on the embedded store, a digest on a remote store."""
    served = client.get("/health").json()["build"]
    assert served == BUILD_ID if client.backend == "embedded" else served.startswith("remote-")
    return served

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Literal(term.value, lang=term.language,
                   datatype=None if term.language else URIRef(term.datatype.value))


@pytest.fixture(scope="module")
def fixture_quads() -> list[tuple]:
    """The fixture file's quads, read by a parser (not through the server)."""
    return [(rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object), q.graph_name.value)
            for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG)]


@pytest.fixture(scope="module")
def union(fixture_quads: list[tuple]) -> set[tuple]:
    return {(s, p, o) for s, p, o, _ in fixture_quads}


@pytest.fixture(scope="module")
def void_graph(client: TestClient) -> Graph:
    r = client.get("/.well-known/void")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    return Graph().parse(data=r.text, format="turtle")


@pytest.fixture(scope="module")
def host(client: TestClient) -> str:
    """The address the client reached the server at (testserver in-process, 127.0.0.1:port on loopback)."""
    return str(client.base_url).rstrip("/")


@pytest.fixture(scope="module")
def url(host: str) -> str:
    return host + "/.well-known/void"


@pytest.fixture(scope="module")
def dataset(url: str) -> URIRef:
    return URIRef(url + "#dataset")


def value(g: Graph, s: URIRef, p: URIRef) -> object:
    values = list(g.objects(s, p))
    assert len(values) == 1, f"{s} {p}: {values}"
    return values[0].toPython() if isinstance(values[0], Literal) else values[0]


def test_is_a_void_dataset(dataset: URIRef, url: str, host: str, void_graph: Graph, build_id: str) -> None:
    assert (dataset, RDF.type, VOID.Dataset) in void_graph
    assert (URIRef(url), RDF.type, VOID.DatasetDescription) in void_graph
    assert value(void_graph, dataset, URIRef("http://purl.org/dc/terms/identifier")) == Literal(build_id).toPython()


def test_counts_triples_entities_classes_properties(dataset: URIRef, url: str, host: str, void_graph: Graph, union: set[tuple]) -> None:
    assert value(void_graph, dataset, VOID.triples) == len(union)
    assert value(void_graph, dataset, VOID.entities) == len({s for s, _, _ in union})
    assert value(void_graph, dataset, VOID.properties) == len({p for _, p, _ in union})
    assert value(void_graph, dataset, VOID.classes) == len({o for _, p, o in union if p == RDF.type})
    assert value(void_graph, dataset, VOID.distinctObjects) == len({o for _, _, o in union})


def test_a_class_partition_per_class_with_its_entities(dataset: URIRef, url: str, host: str, void_graph: Graph, union: set[tuple]) -> None:
    expected: dict[URIRef, set] = {}
    for s, p, o in union:
        if p == RDF.type:
            expected.setdefault(o, set()).add(s)
    got = {value(void_graph, part, VOID["class"]): value(void_graph, part, VOID.entities)
           for part in void_graph.objects(dataset, VOID.classPartition)}
    assert got == {c: len(members) for c, members in expected.items()}
    assert got[URIRef("https://w3id.org/andts/def/Activity")] == 3


def test_a_property_partition_per_property(dataset: URIRef, url: str, host: str, void_graph: Graph, union: set[tuple]) -> None:
    got = {value(void_graph, part, VOID.property): value(void_graph, part, VOID.triples)
           for part in void_graph.objects(dataset, VOID.propertyPartition)}
    expected: dict[URIRef, int] = {}
    for _, p, _ in union:
        expected[p] = expected.get(p, 0) + 1
    assert got == expected


def test_a_subset_per_named_graph_with_its_triples(dataset: URIRef, url: str, host: str, void_graph: Graph, fixture_quads: list[tuple]) -> None:
    got = {value(void_graph, s, SD.name): value(void_graph, s, VOID.triples)
           for s in void_graph.objects(dataset, VOID.subset)}
    expected: dict[URIRef, int] = {}
    for *_, g in fixture_quads:
        expected[URIRef(g)] = expected.get(URIRef(g), 0) + 1
    assert got == expected
    assert len(got) == 4
    for subset in void_graph.objects(dataset, VOID.subset):
        assert (subset, RDF.type, VOID.Dataset) in void_graph


def test_endpoint_and_dumps_are_absolute_urls_on_this_host(dataset: URIRef, url: str, host: str, void_graph: Graph) -> None:
    assert value(void_graph, dataset, VOID.sparqlEndpoint) == URIRef(host + "/sparql")
    assert set(void_graph.objects(dataset, VOID.dataDump)) == {
        URIRef(host + "/dumps/dataset.trig"), URIRef(host + "/dumps/dataset.nq")}


@pytest.mark.parametrize(("accept", "fmt", "media_type"), [
    ("application/n-triples", "nt", "application/n-triples"),
    ("application/rdf+xml", "xml", "application/rdf+xml"),
    ("application/ld+json", "json-ld", "application/ld+json"),
    ("text/turtle;q=0.5, application/n-triples", "nt", "application/n-triples"),
])
def test_other_rdf_formats_by_accept(client: TestClient, void_graph: Graph, accept: str, fmt: str,
                                     media_type: str) -> None:
    r = client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert isomorphic(Graph().parse(data=r.content, format=fmt), void_graph)


def test_format_parameter(client: TestClient) -> None:
    r = client.get("/.well-known/void", params={"format": "ntriples"}, headers={"Accept": "text/turtle"})
    assert r.headers["content-type"] == "application/n-triples"


def test_unacceptable_type_is_406(client: TestClient) -> None:
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_html_for_a_browser(client: TestClient, union: set[tuple]) -> None:
    r = client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select("table.results tbody tr")
    assert {a["href"] for a in soup.select("a")} >= {"/dumps/dataset.trig", "/dumps/dataset.nq", "/sparql"}
    assert f"{len(union)} triples" in soup.select_one("p.about").get_text()


def test_counts_are_computed_once_per_build(settings) -> None:
    """Looks inside the app (its statistics cache), so it uses an app of its own, in-process."""
    from fastapi.testclient import TestClient as InProcess

    from andts.server.http.app import create_app

    with InProcess(create_app(settings)) as client:
        client.get("/.well-known/void")
        cache = client.app.state.statistics
        before = cache.computed
        for accept in ("text/turtle", "application/n-triples", BROWSER):
            assert client.get("/.well-known/void", headers={"Accept": accept}).status_code == 200
        assert cache.computed == before == 1


def test_etag_and_304(client: TestClient, build_id: str) -> None:
    r = client.get("/.well-known/void")
    assert build_id in r.headers["etag"]
    assert ("last-modified" in r.headers) == (client.backend == "embedded")
    again = client.get("/.well-known/void", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    other = client.get("/.well-known/void", headers={"If-None-Match": r.headers["etag"], "Accept": "application/n-triples"})
    assert other.status_code == 200


# --- dumps ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "media_type", "fmt"), [
    ("/dumps/dataset.trig", "application/trig", ox.RdfFormat.TRIG),
    ("/dumps/dataset.nq", "application/n-quads", ox.RdfFormat.N_QUADS),
])
def test_dump_is_the_whole_dataset(client: TestClient, path: str, media_type: str, fmt: ox.RdfFormat,
                                   build_id: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert build_id in r.headers["content-disposition"]
    got = {(q.subject, q.predicate, q.object, q.graph_name) for q in ox.parse(r.content, format=fmt)}
    expected = {(q.subject, q.predicate, q.object, q.graph_name) for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG)}
    # the fixture has one blank node: compare the rest exactly, and count the blank-node quads
    assert {q for q in got if not any(isinstance(t, ox.BlankNode) for t in q)} == \
           {q for q in expected if not any(isinstance(t, ox.BlankNode) for t in q)}
    assert len(got) == len(expected)


def test_dump_head_and_304(client: TestClient) -> None:
    head = client.head("/dumps/dataset.nq")
    assert head.status_code == 200 and int(head.headers["content-length"]) > 0
    again = client.get("/dumps/dataset.nq", headers={"If-None-Match": head.headers["etag"]})
    assert again.status_code == 304


def test_missing_dump_is_503_with_a_reason(tmp_path, publish_store) -> None:
    from andts.server.http.app import create_app

    store = publish_store(tmp_path / "store")
    (store.resolve() / "dump.trig").unlink()
    with TestClient(create_app(Settings(store=store, workers=1))) as c:
        r = c.get("/dumps/dataset.trig")
        assert r.status_code == 503
        assert "no dump.trig" in r.text
        assert c.get("/dumps/dataset.nq").status_code == 200


def test_the_service_description_points_to_the_void_description(client: TestClient, url: str) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    sd = Graph().parse(data=r.text, format="turtle")
    [dataset] = sd.objects(None, SD.defaultDataset)
    assert (dataset, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(url)) in sd
