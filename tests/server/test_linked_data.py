"""Linked-data dereferencing (server/linked_data.py): every IRI under the base resolves at the same path on
the server, by Accept (q-values) or by extension, with HEAD, 404s in the format asked for, and safe lookups.
The `client` fixture runs each test in-process and against a loopback uvicorn."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from support.stores import FIXTURE

from andts.server.http.app import create_app
from andts.server.settings import Settings

B = "https://w3id.org/andts/"
TESTBY = B + "id/municipality/testby"
SOCIAL = B + "id/actor/testby/socialnamnden"
ACTIVITY1 = B + "id/activity/testby-andts-2024-2027/1"
PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
EXTENSIONS = {".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml",
              ".jsonld": "application/ld+json"}


def triples(r: httpx.Response) -> set[tuple[str, str, str]]:
    """The response's triples as (subject, predicate, object) strings in N-Triples form."""
    media_type = r.headers["content-type"].split(";")[0].strip()
    return {(str(t.subject), str(t.predicate), str(t.object))
            for t in ox.parse(r.content, format=RDF_FORMATS[media_type])}


def iri(value: str) -> str:
    return f"<{value}>"


# --- by Accept ----------------------------------------------------------------------------------

ACCEPTS = {
    "turtle": ("text/turtle", "text/turtle"),
    "ntriples": ("application/n-triples", "application/n-triples"),
    "rdfxml": ("application/rdf+xml", "application/rdf+xml"),
    "jsonld": ("application/ld+json", "application/ld+json"),
    "no-accept-is-turtle": (None, "text/turtle"),
    "wildcard-is-turtle": ("*/*", "text/turtle"),
    "qvalues-prefer-jsonld": ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    "qvalues-prefer-ntriples": ("application/rdf+xml;q=0.2, application/n-triples", "application/n-triples"),
    "browser-is-html": ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
}


@pytest.mark.parametrize("case", list(ACCEPTS), ids=list(ACCEPTS))
def test_accept(client: httpx.Client, case: str) -> None:
    accept, expected = ACCEPTS[case]
    r = client.get("/id/municipality/testby", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    ext = {v: k for k, v in EXTENSIONS.items()} | {"text/html": ".html"}
    assert r.headers["content-location"] == "/id/municipality/testby" + ext[expected]
    if expected == "text/html":
        assert "Testby kommun" in r.text
    else:
        assert (iri(TESTBY), iri(PREF), '"Testby kommun"@sv') in triples(r)


def test_not_acceptable(client: httpx.Client) -> None:
    assert client.get("/id/municipality/testby", headers={"Accept": "image/png"}).status_code == 406


# --- by extension -------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", list(EXTENSIONS), ids=[e.lstrip(".") for e in EXTENSIONS])
def test_extension(client: httpx.Client, ext: str) -> None:
    r = client.get(f"/id/municipality/testby{ext}", headers={"Accept": "text/html"})  # the extension wins
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == EXTENSIONS[ext]
    assert r.headers["content-location"] == f"/id/municipality/testby{ext}"
    negotiated = client.get("/id/municipality/testby", headers={"Accept": EXTENSIONS[ext]})
    assert triples(r) == triples(negotiated)  # the same description
    if ext == ".jsonld":
        json.loads(r.text)


def test_html_extension(client: httpx.Client) -> None:
    r = client.get("/id/municipality/testby.html")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


# --- HEAD, Vary, 404 ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/id/municipality/testby", "/id/municipality/testby.ttl", "/def", "/def/Activity",
                                  "/graph/reference/municipalities"])
def test_head(client: httpx.Client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_unknown(client: httpx.Client) -> None:
    assert client.head("/id/municipality/nowhere").status_code == 404


# the whole matrix: each kind of IRI × each format × GET/HEAD × known/unknown
KINDS = {  # kind → (a known path, an unknown path)
    "entity": ("/id/municipality/testby", "/id/municipality/nowhere"),
    "term": ("/def/Activity", "/def/NoSuchTerm"),
    "ontology": ("/def", None),
    "graph": ("/graph/reference/municipalities", "/graph/no/such/graph"),
}
MATRIX_FORMATS = {"html": "text/html", "turtle": "text/turtle", "jsonld": "application/ld+json",
                  "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("fmt", list(MATRIX_FORMATS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_negotiation_matrix(client: httpx.Client, kind: str, fmt: str, method: str, known: bool) -> None:
    path = KINDS[kind][0 if known else 1]
    if path is None:  # /def always exists
        return
    media_type = MATRIX_FORMATS[fmt]
    r = client.request(method, path, headers={"Accept": media_type})
    assert r.status_code == (200 if known else 404)
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    if method == "HEAD":
        assert r.content == b""
        return
    if fmt == "html":
        soup = BeautifulSoup(r.text, "html.parser")
        assert soup.h1 is not None and soup.select_one("main#content") is not None
    elif known:
        assert triples(r), "a known IRI is described by at least one triple"
        assert r.headers["content-location"].endswith({"turtle": ".ttl", "jsonld": ".jsonld", "ntriples": ".nt",
                                                       "rdfxml": ".rdf"}[fmt])
    else:
        assert triples(r) == set()


def test_json_ld_is_compact_with_an_inline_context_and_the_same_graph(client: httpx.Client) -> None:
    doc = client.get("/id/municipality/testby.jsonld")
    data = doc.json()
    assert isinstance(data["@context"], dict), "the context is inline, never a remote document"
    assert data["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    nodes = data.get("@graph", [data])
    assert any("skos:prefLabel" in n for n in nodes), "terms are compacted against the context"
    assert TESTBY in {n["@id"] for n in nodes}
    as_jsonld = rdflib.Graph().parse(data=doc.text, format="json-ld")
    as_turtle = rdflib.Graph().parse(data=client.get("/id/municipality/testby.ttl").text, format="turtle")
    assert rdflib.compare.isomorphic(as_jsonld, as_turtle)
    assert len(as_jsonld) > 3


NOT_FOUND = {
    "turtle": "text/turtle", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json", "html": "text/html",
}


@pytest.mark.parametrize("kind", ["id", "def", "graph"])
@pytest.mark.parametrize("fmt", list(NOT_FOUND))
def test_unknown_iri_is_404_in_the_format_asked_for(client: httpx.Client, fmt: str, kind: str) -> None:
    r = client.get(f"/{kind}/no/such/thing", headers={"Accept": NOT_FOUND[fmt]})
    assert r.status_code == 404
    assert r.headers["content-type"].split(";")[0] == NOT_FOUND[fmt]
    assert "Accept" in r.headers["vary"]
    if fmt == "html":
        assert "beskrivs inte" in r.text  # the page is Swedish by default
        english = client.get(f"/{kind}/no/such/thing?lang=en", headers={"Accept": NOT_FOUND[fmt]})
        assert english.status_code == 404 and "is not described" in english.text
    else:
        assert triples(r) == set()  # an empty (valid) document


@pytest.mark.parametrize("ext", list(EXTENSIONS))
def test_unknown_iri_by_extension_is_404_in_that_format(client: httpx.Client, ext: str) -> None:
    r = client.get(f"/id/no/such/thing{ext}")
    assert r.status_code == 404
    assert r.headers["content-type"].split(";")[0] == EXTENSIONS[ext]


def test_other_paths_keep_the_usual_404(client: httpx.Client) -> None:
    assert client.get("/nothing/here").status_code == 404
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200  # other routes unchanged


# --- what a description contains ----------------------------------------------------------------


def test_description_has_own_triples_labels_of_linked_things_and_incoming_links(client: httpx.Client) -> None:
    r = client.get("/id/actor/testby/socialnamnden.nt")
    t = triples(r)
    # own triples
    assert (iri(SOCIAL), iri(PREF), '"Socialnämnden"@sv') in t
    assert (iri(SOCIAL), iri(B + "def/municipality"), iri(TESTBY)) in t
    # labels of what it links to (in another graph)
    assert (iri(TESTBY), iri(PREF), '"Testby kommun"@sv') in t
    assert (iri(B + "def/Actor"), iri(LABEL), '"Aktör"@sv') in t
    # incoming links, with the labels of where they come from
    assert (iri(ACTIVITY1), iri(B + "def/responsible"), iri(SOCIAL)) in t
    assert (iri(ACTIVITY1), iri(PREF), '"Föräldrastöd i grupp"@sv') in t
    # nothing unrelated
    assert not any("provstad" in s for s, _, _ in t)
    # canonical IRIs only: nothing names the server's own address
    assert all(x.startswith(("<http://www.w3.org/", "<https://w3id.org/andts/", '"'))
               for triple in t for x in triple)


def test_ontology_term_and_ontology(client: httpx.Client) -> None:
    t = triples(client.get("/def/Activity.nt"))
    assert (iri(B + "def/Activity"), iri(LABEL), '"Aktivitet"@sv') in t
    ontology = triples(client.get("/def.nt"))
    assert (iri(B + "def/Programme"), iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            iri("http://www.w3.org/2002/07/owl#Class")) in ontology


def test_graph_is_its_triples(client: httpx.Client) -> None:
    t = triples(client.get("/graph/reference/municipalities.nt"))
    assert len(t) == 6
    assert (iri(B + "id/municipality/provstad"), iri(B + "def/code"), '"9998"') in t


def test_html_page_links_to_the_servers_own_paths(client: httpx.Client) -> None:
    r = client.get("/id/actor/testby/socialnamnden", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert 'href="/id/municipality/testby"' in r.text  # a linked value, on this server
    assert 'href="/id/activity/testby-andts-2024-2027/1"' in r.text  # an incoming link
    assert 'href="/id/actor/testby/socialnamnden.ttl"' in r.text  # the other formats
    assert 'href="https://w3id.org/' not in r.text


def test_html_escapes_data(client: httpx.Client) -> None:
    r = client.get("/id/activity/testby-andts-2024-2027/3", headers={"Accept": "text/html"})
    assert r.status_code == 200
    # the label's quotes are escaped in the markup and come back whole as text
    assert "&#34;skolavslutningar&#34;" in r.text
    assert BeautifulSoup(r.text, "html.parser").h1.get_text() == 'Drogfria "skolavslutningar"\nmed kvällsaktiviteter'


# --- base mapping -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_base_client(tmp_path_factory: pytest.TempPathFactory, publish_store) -> httpx.Client:
    """A server whose base IRI is http://example.org/kg/ (its data too), reached at http://testserver."""
    folder = tmp_path_factory.mktemp("otherbase")
    trig = folder / "fixture.trig"
    trig.write_text(FIXTURE.read_text(encoding="utf-8").replace(B, "http://example.org/kg/"), encoding="utf-8")
    settings = Settings(store=publish_store(folder / "store", trig), base_iri="http://example.org/kg/", workers=1,
                        max_rows=100)
    with TestClient(create_app(settings)) as c:
        yield c


def test_base_mapping(other_base_client: httpx.Client) -> None:
    r = other_base_client.get("/id/municipality/testby.nt")
    assert r.status_code == 200
    assert ("<http://example.org/kg/id/municipality/testby>", iri(PREF), '"Testby kommun"@sv') in triples(r)
    page = other_base_client.get("/id/municipality/testby", headers={"Accept": "text/html"}).text
    assert 'href="/id/actor/testby/socialnamnden"' in page and "example.org/kg/id/actor" not in page.replace(
        'title="http://example.org/kg/id/actor', "")
    # the default base's IRIs are not this server's
    assert other_base_client.get("/graph/ontology.nt").status_code == 200


def test_default_base_maps_the_servers_address(client: httpx.Client) -> None:
    """A request to http://host:port/id/x describes <https://w3id.org/andts/id/x>, whatever the host."""
    r = client.get("/id/municipality/testby.nt")
    assert {s for s, _, _ in triples(r)} >= {iri(TESTBY)}
    assert str(client.base_url).rstrip("/") not in r.text


# --- hostile paths ------------------------------------------------------------------------------

HOSTILE = {
    "sparql-injection": "/id/x%3E%20%3Fp%20%3Fo",
    "injection-with-brace": "/id/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
    "encoded-dot-dot": "/id/%2E%2E/%2E%2E/etc/passwd",
    "dot-dot": "/id/../../etc/passwd",
    "quote": "/id/x%22",
    "newline": "/id/x%0A%3Fs",
    "empty-segment": "/id/a//b",
    "only-prefix": "/id/",
}


@pytest.mark.parametrize("path", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_paths_are_refused_without_data(client: httpx.Client, path: str) -> None:
    r = client.get(path, headers={"Accept": "application/n-triples"})
    assert r.status_code in (400, 404)
    assert "w3id.org/andts/id/municipality" not in r.text
    assert "root:" not in r.text


# --- a real linked-data client ------------------------------------------------------------------


def test_rdflib_parses_a_served_iri(live) -> None:
    g = rdflib.Graph()
    g.parse(f"{live.url}/id/actor/testby/socialnamnden")
    social = rdflib.URIRef(SOCIAL)
    assert (social, rdflib.URIRef(PREF), rdflib.Literal("Socialnämnden", lang="sv")) in g
    assert (rdflib.URIRef(ACTIVITY1), rdflib.URIRef(B + "def/responsible"), social) in g
    assert not any(live.url in str(term) for triple in g for term in triple)


@pytest.mark.parametrize("ext", [".ttl", ".jsonld", ".nt", ".rdf"])
def test_rdflib_parses_each_extension(live, ext: str) -> None:
    g = rdflib.Graph()
    g.parse(f"{live.url}/id/municipality/testby{ext}")
    assert (rdflib.URIRef(TESTBY), rdflib.URIRef(PREF), rdflib.Literal("Testby kommun", lang="sv")) in g


def test_non_ascii_iri_path_is_looked_up_not_refused(client: httpx.Client) -> None:
    r = client.get("/id/municipality/malmö", headers={"Accept": "text/turtle"})
    assert r.status_code == 404  # a valid IRI that is simply not in the data


@pytest.mark.parametrize("rest", ["x> ?p ?o", "x>} UNION {?s ?p ?o", 'x"', "a b", "../x", "a/./b", "x\n", "x{", "x`"])
def test_target_refuses_what_cannot_be_in_an_iri(rest: str) -> None:
    from andts.server.errors import BadRequest
    from andts.server.http.linked_data import target

    with pytest.raises(BadRequest):
        target("id", rest, B)


def test_lookup_queries_hold_only_the_validated_iri() -> None:
    from andts.server.http.linked_data import entity_query, target

    t = target("id", "municipality/testby", B)
    assert isinstance(t.iri, ox.NamedNode) and t.iri.value == TESTBY
    # written as the validated term only: its own triples and incoming links, in the template and the pattern
    assert entity_query(t.iri).count(f"<{TESTBY}>") == 4
