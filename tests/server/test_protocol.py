"""The SPARQL 1.1 Protocol over the in-process app: one named case per Accept header, format parameter,
content type, dataset parameter and error. Answers are checked by parsing them (pyoxigraph, csv, json,
BeautifulSoup), never by comparing strings."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from andts.server.engine import checks
from andts.server.http.app import create_app
from andts.server.settings import Settings

ANDTS = "https://w3id.org/andts/"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ONTOLOGY_GRAPH = ANDTS + "graph/ontology"
PROGRAMME_GRAPH = ANDTS + "graph/programme/testby-andts-2024-2027"
MUNICIPALITIES_GRAPH = ANDTS + "graph/reference/municipalities"

SELECT = f"SELECT ?activity WHERE {{ ?activity a <{ANDTS}def/Activity> }} ORDER BY ?activity"
ASK = f"ASK {{ ?p a <{ANDTS}def/Programme> }}"
CONSTRUCT = (f"CONSTRUCT {{ ?a <{SKOS_LABEL}> ?l }} WHERE {{ ?a a <{ANDTS}def/Activity> ; <{SKOS_LABEL}> ?l }}")
DESCRIBE = f"DESCRIBE <{ANDTS}id/municipality/testby>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

ACTIVITIES = [f"{ANDTS}id/activity/testby-andts-2024-2027/{i}" for i in (1, 2, 3)]


def construct_expected() -> set[tuple[str, str, str]]:
    labels = {
        ACTIVITIES[0]: "Föräldrastöd i grupp",
        ACTIVITIES[1]: "Tillsyn av serveringstillstånd",
        ACTIVITIES[2]: 'Drogfria "skolavslutningar"\nmed kvällsaktiviteter',
    }
    return {(a, SKOS_LABEL, label) for a, label in labels.items()}


def get(client: TestClient, query: str | None = None, accept: str | None = None, **params: str):
    if query is not None:
        params["query"] = query
    headers = {"Accept": accept} if accept is not None else {}
    return client.get("/sparql", params=params, headers=headers)


# --- how each format is read back ------------------------------------------------------------------


def solutions(body: bytes, key: str) -> list[dict[str, str]]:
    """SELECT results in any format, as rows of plain strings."""
    if key == "csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    if key == "html":
        soup = BeautifulSoup(body, "html.parser")
        table = soup.select_one("table.results")
        heads = [th.get_text() for th in table.select("thead th")]
        return [{h: (td.a["href"] if td.a else td.get_text()) for h, td in zip(heads, tr.select("td"))}
                for tr in table.select("tbody tr")]
    fmt = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}[key]
    parsed = ox.parse_query_results(body, format=fmt)
    return [{v.value: s[v].value for v in parsed.variables if s[v] is not None} for s in parsed]


def triples(body: bytes, key: str) -> set[tuple[str, str, str]]:
    """CONSTRUCT results in any format, as a set of plain strings (no blank nodes in these tests)."""
    if key == "html":
        soup = BeautifulSoup(body, "html.parser")
        rows = soup.select("table.results tbody tr")
        return {tuple(td.a["href"] if td.a else td.find(string=True, recursive=False) or "" for td in tr.select("td"))
                for tr in rows}
    fmt = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
           "jsonld": ox.RdfFormat.JSON_LD}[key]
    return {(q.subject.value, q.predicate.value, q.object.value) for q in ox.parse(body, format=fmt)}


# --- Accept: SELECT -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptCase:
    accept: str | None
    content_type: str
    key: str


SELECT_ACCEPT = {
    "no Accept header: SPARQL JSON": AcceptCase(None, "application/sparql-results+json", "json"),
    "*/*: SPARQL JSON": AcceptCase("*/*", "application/sparql-results+json", "json"),
    "sparql-results+json": AcceptCase("application/sparql-results+json", "application/sparql-results+json", "json"),
    "application/json alias": AcceptCase("application/json", "application/json", "json"),
    "sparql-results+xml": AcceptCase("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
    "application/xml alias": AcceptCase("application/xml", "application/xml", "xml"),
    "text/csv": AcceptCase("text/csv", "text/csv; charset=utf-8", "csv"),
    "text/tab-separated-values": AcceptCase("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
    "q-values choose XML over CSV": AcceptCase("text/csv;q=0.5, application/sparql-results+xml;q=0.9",
                                               "application/sparql-results+xml", "xml"),
    "q=0 excludes JSON": AcceptCase("application/sparql-results+json;q=0, */*;q=0.1",
                                    "application/sparql-results+xml", "xml"),
    "text/* picks CSV": AcceptCase("text/*", "text/csv; charset=utf-8", "csv"),
    "parameters besides q are ignored": AcceptCase("application/sparql-results+json; charset=utf-8",
                                                   "application/sparql-results+json", "json"),
    "browser: HTML table": AcceptCase(BROWSER, "text/html; charset=utf-8", "html"),
}


@pytest.mark.parametrize("case", SELECT_ACCEPT.values(), ids=SELECT_ACCEPT.keys())
def test_select_accept(client: TestClient, case: AcceptCase) -> None:
    r = get(client, SELECT, case.accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == case.content_type
    assert [row["activity"] for row in solutions(r.content, case.key)] == ACTIVITIES


ASK_ACCEPT = {
    "no Accept header: SPARQL JSON": AcceptCase(None, "application/sparql-results+json", "json"),
    "sparql-results+xml": AcceptCase("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
    "text/csv": AcceptCase("text/csv", "text/csv; charset=utf-8", "csv"),
    "text/tab-separated-values": AcceptCase("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
    "browser: HTML": AcceptCase(BROWSER, "text/html; charset=utf-8", "html"),
}


@pytest.mark.parametrize("case", ASK_ACCEPT.values(), ids=ASK_ACCEPT.keys())
def test_ask_accept(client: TestClient, case: AcceptCase) -> None:
    r = get(client, ASK, case.accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == case.content_type
    if case.key in ("json", "xml", "tsv"):
        fmt = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}
        assert bool(ox.parse_query_results(r.content, format=fmt[case.key])) is True
    elif case.key == "html":
        assert BeautifulSoup(r.text, "html.parser").select_one(".boolean strong").get_text() == "true"
    else:
        assert r.text.strip() == "true"


# --- Accept: CONSTRUCT and DESCRIBE -------------------------------------------------------------------

GRAPH_ACCEPT = {
    "no Accept header: Turtle": AcceptCase(None, "text/turtle; charset=utf-8", "turtle"),
    "*/*: Turtle": AcceptCase("*/*", "text/turtle; charset=utf-8", "turtle"),
    "text/turtle": AcceptCase("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    "application/n-triples": AcceptCase("application/n-triples", "application/n-triples", "ntriples"),
    "text/plain as N-Triples": AcceptCase("text/plain", "text/plain; charset=utf-8", "ntriples"),
    "application/rdf+xml": AcceptCase("application/rdf+xml", "application/rdf+xml", "rdfxml"),
    "application/ld+json": AcceptCase("application/ld+json", "application/ld+json", "jsonld"),
    "q-values choose JSON-LD over Turtle": AcceptCase("text/turtle;q=0.2, application/ld+json;q=0.8",
                                                      "application/ld+json", "jsonld"),
    "browser: HTML table": AcceptCase(BROWSER, "text/html; charset=utf-8", "html"),
}


@pytest.mark.parametrize("case", GRAPH_ACCEPT.values(), ids=GRAPH_ACCEPT.keys())
def test_construct_accept(client: TestClient, case: AcceptCase) -> None:
    r = get(client, CONSTRUCT, case.accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == case.content_type
    assert triples(r.content, case.key) == construct_expected()


def test_describe_gives_the_resource_from_the_union_of_graphs(client: TestClient) -> None:
    r = get(client, DESCRIBE, "application/n-triples")
    assert r.status_code == 200, r.text
    got = triples(r.content, "ntriples")
    assert (f"{ANDTS}id/municipality/testby", SKOS_LABEL, "Testby kommun") in got


def test_jsonld_is_expanded_without_a_remote_context(client: TestClient) -> None:
    r = get(client, CONSTRUCT, "application/ld+json")
    doc = json.loads(r.content)
    assert "http" not in json.dumps([d.get("@context") for d in doc if isinstance(d, dict)])


# --- the format parameter -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormatCase:
    query: str
    format: str
    content_type: str
    accept: str | None = None


FORMAT_CASES = {
    "json on SELECT": FormatCase(SELECT, "json", "application/sparql-results+json"),
    "json on CONSTRUCT: JSON-LD": FormatCase(CONSTRUCT, "json", "application/ld+json"),
    "xml on SELECT": FormatCase(SELECT, "xml", "application/sparql-results+xml"),
    "xml on CONSTRUCT: RDF/XML": FormatCase(CONSTRUCT, "xml", "application/rdf+xml"),
    "csv": FormatCase(SELECT, "csv", "text/csv; charset=utf-8"),
    "tsv": FormatCase(SELECT, "tsv", "text/tab-separated-values; charset=utf-8"),
    "ttl": FormatCase(CONSTRUCT, "ttl", "text/turtle; charset=utf-8"),
    "nt": FormatCase(CONSTRUCT, "nt", "application/n-triples"),
    "jsonld": FormatCase(CONSTRUCT, "jsonld", "application/ld+json"),
    "html": FormatCase(SELECT, "html", "text/html; charset=utf-8"),
    "a media type as the format": FormatCase(SELECT, "application/sparql-results+xml", "application/sparql-results+xml"),
    "format wins over Accept": FormatCase(SELECT, "json", "application/sparql-results+json", accept="text/csv"),
}


@pytest.mark.parametrize("case", FORMAT_CASES.values(), ids=FORMAT_CASES.keys())
def test_format_parameter(client: TestClient, case: FormatCase) -> None:
    r = get(client, case.query, case.accept, format=case.format)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == case.content_type


def test_two_format_parameters_as_sparqlwrapper_sends_them(client: TestClient) -> None:
    r = client.get("/sparql", params=[("query", CONSTRUCT), ("format", "rdf+xml"), ("format", "application/rdf+xml")])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/rdf+xml"


# --- the three ways to send a query ---------------------------------------------------------------


def test_get_query(client: TestClient) -> None:
    r = get(client, SELECT)
    assert r.status_code == 200
    assert [row["activity"] for row in solutions(r.content, "json")] == ACTIVITIES


def test_post_form(client: TestClient) -> None:
    r = client.post("/sparql", content=urlencode({"query": SELECT}),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert [row["activity"] for row in solutions(r.content, "json")] == ACTIVITIES


def test_post_form_with_charset_and_format(client: TestClient) -> None:
    r = client.post("/sparql", content=urlencode({"query": SELECT, "format": "csv"}),
                    headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")


def test_post_sparql_query(client: TestClient) -> None:
    r = client.post("/sparql", content=SELECT.encode("utf-8"), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    assert [row["activity"] for row in solutions(r.content, "json")] == ACTIVITIES


def test_post_sparql_query_with_non_ascii_text(client: TestClient) -> None:
    q = f'ASK {{ ?a <{SKOS_LABEL}> "Föräldrastöd i grupp"@sv }}'
    r = client.post("/sparql", content=q.encode("utf-8"), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True


# --- the dataset: union default graph, default-graph-uri, named-graph-uri, FROM ------------------

COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def count(r) -> int:
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_union_of_named_graphs(client: TestClient, settings: Settings) -> None:
    from andts.store import read_build_info

    assert count(get(client, COUNT)) == read_build_info(settings.store).triples == 53


def test_default_graph_uri_selects_the_default_graph(client: TestClient) -> None:
    assert count(get(client, COUNT, **{"default-graph-uri": ONTOLOGY_GRAPH})) == 18


def test_two_default_graph_uris_merge(client: TestClient) -> None:
    r = client.get("/sparql", params=[("query", COUNT), ("default-graph-uri", ONTOLOGY_GRAPH),
                                      ("default-graph-uri", MUNICIPALITIES_GRAPH)])
    assert count(r) == 18 + 6


def test_default_graph_uri_in_the_url_of_a_sparql_query_post(client: TestClient) -> None:
    r = client.post("/sparql", params={"default-graph-uri": ONTOLOGY_GRAPH}, content=COUNT,
                    headers={"Content-Type": "application/sparql-query"})
    assert count(r) == 18


def test_default_graph_uri_in_a_form_post(client: TestClient) -> None:
    r = client.post("/sparql", content=urlencode({"query": COUNT, "default-graph-uri": ONTOLOGY_GRAPH}),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert count(r) == 18


def test_named_graph_uri_limits_graph_patterns(client: TestClient) -> None:
    r = get(client, COUNT_BY_GRAPH, **{"named-graph-uri": PROGRAMME_GRAPH})
    assert r.status_code == 200, r.text
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [PROGRAMME_GRAPH]


def test_named_graph_uri_alone_leaves_the_default_graph_empty(client: TestClient) -> None:
    assert count(get(client, COUNT, **{"named-graph-uri": PROGRAMME_GRAPH})) == 0


def test_default_graph_uri_alone_leaves_no_named_graphs(client: TestClient) -> None:
    r = get(client, COUNT_BY_GRAPH, **{"default-graph-uri": ONTOLOGY_GRAPH})
    assert r.json()["results"]["bindings"] == []


def test_from_in_the_query_is_honoured(client: TestClient) -> None:
    assert count(get(client, f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}")) == 18


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    q = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(get(client, q, **{"default-graph-uri": MUNICIPALITIES_GRAPH})) == 6


def test_relative_iris_resolve_against_the_base_iri(client: TestClient) -> None:
    r = get(client, "ASK { <id/municipality/testby> ?p ?o }")
    assert r.json()["boolean"] is True


# --- errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorCase:
    method: str
    status: int
    message: str  # a fragment the message must contain (case-insensitive)
    params: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    content_type: str | None = None
    accept: str | None = None


FORM = "application/x-www-form-urlencoded"
ERRORS = {
    "malformed query: 400 with the parser's message": ErrorCase("GET", 400, "error at 1:", [("query", "SELECT * WHERE { ?s ?p }")]),
    "missing query in a form POST": ErrorCase("POST", 400, "missing the `query`", body=b"format=json", content_type=FORM),
    "missing query beside default-graph-uri": ErrorCase("GET", 400, "missing the `query`", [("default-graph-uri", ONTOLOGY_GRAPH)]),
    "repeated query in GET": ErrorCase("GET", 400, "given 2 times", [("query", ASK), ("query", ASK)]),
    "repeated query in a form POST": ErrorCase("POST", 400, "given 2 times",
                                               body=urlencode([("query", ASK), ("query", ASK)]).encode(), content_type=FORM),
    "query in both URL and sparql-query body": ErrorCase("POST", 400, "both", [("query", ASK)], body=ASK.encode(),
                                                         content_type="application/sparql-query"),
    "empty query": ErrorCase("GET", 400, "empty", [("query", "  ")]),
    "empty sparql-query body": ErrorCase("POST", 400, "empty", body=b"", content_type="application/sparql-query"),
    "body not UTF-8": ErrorCase("POST", 400, "not valid utf-8", body=b"ASK {} \xff", content_type="application/sparql-query"),
    # these decoders raise UnicodeError itself, not UnicodeDecodeError: a 500 before
    "body not valid in its punycode charset": ErrorCase("POST", 400, "not valid punycode", body=b"abc-?",
                                                        content_type="application/sparql-query; charset=punycode"),
    "form in the 'undefined' charset": ErrorCase("POST", 400, "not valid undefined", body=b"query=ASK{}",
                                                 content_type="application/x-www-form-urlencoded; charset=undefined"),
    "bad default-graph-uri": ErrorCase("GET", 400, "not a valid iri", [("query", ASK), ("default-graph-uri", "not an iri")]),
    "unknown format name": ErrorCase("GET", 400, "unknown format", [("query", ASK), ("format", "yaml")]),
    "unsupported Content-Type": ErrorCase("POST", 415, "not as text/plain", body=ASK.encode(), content_type="text/plain"),
    "no Content-Type": ErrorCase("POST", 415, "without content-type", body=ASK.encode()),
    "update parameter in GET": ErrorCase("GET", 403, "read-only", [("update", "INSERT DATA { <a:a> <a:b> <a:c> }")]),
    "update parameter in a form POST": ErrorCase("POST", 403, "read-only",
                                                 body=urlencode({"update": "CLEAR ALL"}).encode(), content_type=FORM),
    "sparql-update body": ErrorCase("POST", 403, "read-only", body=b"CLEAR ALL", content_type="application/sparql-update"),
    "update sent as query": ErrorCase("GET", 403, "read-only",
                                      [("query", "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }")]),
    "DELETE WHERE sent as query": ErrorCase("GET", 403, "read-only", [("query", "DELETE WHERE { ?s ?p ?o }")]),
    "SERVICE refused": ErrorCase("GET", 403, "service", [("query", "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")]),
    "SERVICE SILENT refused": ErrorCase("GET", 403, "service",
                                        [("query", "SELECT * { ?x ?y ?z SERVICE silent <http://example.org/sparql> { ?s ?p ?o } }")]),
    # pyoxigraph's parser overflows its stack on these and kills the process running it
    "5,000 nested groups: 400": ErrorCase("POST", 400, "5000 levels deep", body=("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode(),
                                          content_type="application/sparql-query"),
    "5,000 nested parentheses: 400": ErrorCase("POST", 400, "levels deep",
                                               body=("ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }").encode(),
                                               content_type="application/sparql-query"),
    "a 1,000-step property path: 400": ErrorCase("POST", 400, "999 operators",
                                                 body=("ASK { ?s " + "/".join(["<p>"] * 1000) + " ?o }").encode(),
                                                 content_type="application/sparql-query"),
    "3,000 + terms: 400": ErrorCase("POST", 400, "at most 400", body=("SELECT (" + "+".join(["1"] * 3000) + " AS ?x) {}").encode(),
                                    content_type="application/sparql-query"),
    "Accept nothing we offer: 406": ErrorCase("GET", 406, "image/png", [("query", SELECT)], accept="image/png"),
    "CSV asked for CONSTRUCT: 406": ErrorCase("GET", 406, "text/turtle", [("query", CONSTRUCT)], accept="text/csv"),
    "Turtle asked for SELECT: 406": ErrorCase("GET", 406, "sparql-results+json", [("query", SELECT)], accept="text/turtle"),
    "format=csv for CONSTRUCT: 406": ErrorCase("GET", 406, "construct", [("query", CONSTRUCT), ("format", "csv")]),
    "body over the limit: 413": ErrorCase("POST", 413, "limit of 20000 bytes", body=b"#" * 30_000 + ASK.encode(),
                                          content_type="application/sparql-query"),
    "more solutions than the row limit: 422": ErrorCase("GET", 422, "more than 100 solutions",
                                                        [("query", "SELECT * { ?a ?b ?c . ?d ?e ?f }")]),
    "more triples than the row limit: 422": ErrorCase("GET", 422, "more than 100 triples",
                                                      [("query", "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }")]),
}


@pytest.mark.parametrize("case", ERRORS.values(), ids=ERRORS.keys())
def test_error(client: TestClient, case: ErrorCase) -> None:
    headers = {}
    if case.content_type:
        headers["Content-Type"] = case.content_type
    if case.accept:
        headers["Accept"] = case.accept
    if case.method == "GET":
        r = client.get("/sparql", params=case.params, headers=headers)
    else:
        r = client.post("/sparql", params=case.params, content=case.body, headers=headers)
    assert r.status_code == case.status, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert case.message.lower() in r.text.lower()


def _restarts(client: TestClient) -> int | None:
    return client.get("/health").json()["workers"].get("restarts")


def test_parser_crashers_never_reach_a_worker(client: TestClient) -> None:
    """Refused from the text: no worker dies and is replaced (each would cost a restart, and a loop of
    them would keep every other client waiting)."""
    before = _restarts(client)
    for query in ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, "ASK { ?s " + "/".join(["<p>"] * 1000) + " ?o }"):
        r = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 400, r.text
    assert _restarts(client) == before


@pytest.mark.parametrize(("query", "status"), [
    ("ASK " + "{" * checks.MAX_DEPTH + "}" * checks.MAX_DEPTH, 200),
    ("ASK " + "{" * (checks.MAX_DEPTH + 1) + "}" * (checks.MAX_DEPTH + 1), 400),
    ("ASK { ?s " + "|".join(["<p>"] * (checks.MAX_OPERATORS + 1)) + " ?o }", 200),  # 400 `|` between 401 steps
    ("ASK { ?s " + "|".join(["<p>"] * (checks.MAX_OPERATORS + 2)) + " ?o }", 400),
    # brackets, slashes and pluses inside strings, IRIs and comments are text, not structure
    ('ASK { FILTER("' + "{(/+" * 2000 + '" != "") } # ' + "{" * 500, 200),
    ("ASK { <http://example.org/" + "a/" * 1000 + "> ?p ?o }", 200),
], ids=["depth at the limit", "depth over", "operators at the limit", "operators over", "in strings and comments",
        "in an IRI"])
def test_complexity_limits_are_exact(client: TestClient, query: str, status: int) -> None:
    r = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == status, r.text


def test_row_limit_is_exact(client: TestClient, settings: Settings) -> None:
    """The counter refuses the 101st solution, not the 100th (guards the XML <result> counting)."""
    q = "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT {n}"
    at_limit = get(client, q.replace("{n}", str(settings.max_rows)), "text/csv")
    assert at_limit.status_code == 200
    assert len(list(csv.reader(io.StringIO(at_limit.text)))) == settings.max_rows + 1
    assert get(client, q.replace("{n}", str(settings.max_rows + 1))).status_code == 422


def test_the_update_refusal_says_which_methods_are_allowed(client: TestClient) -> None:
    r = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert r.status_code == 403 and r.headers["allow"] == "GET, POST"


@pytest.fixture(scope="module")
def federating_client(settings: Settings):
    from dataclasses import replace

    with TestClient(create_app(replace(settings, allow_service=True, workers=1))) as c:
        yield c


def test_service_runs_when_allowed(federating_client: TestClient) -> None:
    # SILENT, to a port the HTTP client refuses at once: no network needed, one empty solution
    r = get(federating_client, "SELECT * { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"] == [{}]


def test_service_description_lists_federation_when_allowed(federating_client: TestClient) -> None:
    g = ox.parse(get(federating_client).content, format=ox.RdfFormat.TURTLE)
    features = {q.object.value for q in g if q.predicate.value.endswith("#feature")}
    assert "http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery" in features


# --- caching and HTTP headers --------------------------------------------------------------------


def test_etag_and_last_modified(client: TestClient) -> None:
    r = get(client, SELECT)
    assert r.headers["etag"].startswith(f'W/"{client.get("/health").json()["build"]}-')
    if client.backend == "embedded":
        assert r.headers["last-modified"] == "Sat, 01 Mar 2025 12:00:00 GMT"
    else:  # a remote store has no build time to give
        assert "last-modified" not in r.headers
    assert "Accept" in r.headers["vary"]


def test_etag_is_stable_for_the_same_request(client: TestClient) -> None:
    assert get(client, SELECT).headers["etag"] == get(client, SELECT).headers["etag"]


@pytest.mark.parametrize("other", [
    pytest.param({"query": ASK}, id="another query"),
    pytest.param({"query": SELECT, "accept": "text/csv"}, id="another format"),
    pytest.param({"query": SELECT, "default-graph-uri": ONTOLOGY_GRAPH}, id="another dataset"),
])
def test_etag_differs_for_another_request(client: TestClient, other: dict[str, str]) -> None:
    other = dict(other)
    accept = other.pop("accept", None)
    assert get(client, accept=accept, **other).headers["etag"] != get(client, SELECT).headers["etag"]


def test_if_none_match_gives_304(client: TestClient) -> None:
    etag = get(client, SELECT).headers["etag"]
    r = client.get("/sparql", params={"query": SELECT}, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag


def test_if_modified_since_the_build_gives_304(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"If-Modified-Since": "Sun, 02 Mar 2025 00:00:00 GMT"})
    # without a build time (a remote store) only If-None-Match can answer 304
    assert r.status_code == (304 if client.backend == "embedded" else 200)


def test_if_modified_since_before_the_build_gives_200(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"If-Modified-Since": "Sat, 01 Feb 2025 00:00:00 GMT"})
    assert r.status_code == 200


@pytest.mark.parametrize("date", ["Mon, 1 Jan 2020 99999999999999999999:00:00 GMT",  # overflowed: a 500 before
                                  "99999999999999999999 Jan 2020 00:00:00 GMT", "Mon, 31 Feb 2025 00:00:00 GMT",
                                  "yesterday", ""])
def test_an_unreadable_if_modified_since_is_ignored(client: TestClient, date: str) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"If-Modified-Since": date})
    assert r.status_code == 200


def test_cors_allows_any_origin(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_for_a_sparql_query_post(client: TestClient) -> None:
    r = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert "POST" in r.headers["access-control-allow-methods"]


def test_errors_carry_cors_headers_too(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT"}, headers={"Origin": "https://example.org"})
    assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "*"


def test_gzip_when_asked(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert len(triples(r.content, "turtle")) == 53 - 0  # decoded by the client; every triple is there


# --- service description, form, health ----------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"


def test_service_description_in_turtle_by_default(client: TestClient, settings: Settings) -> None:
    from andts.store import read_build_info

    r = get(client)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    quads = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    by_pred: dict[str, set[str]] = {}
    for q in quads:
        by_pred.setdefault(q.predicate.value.removeprefix(SD), set()).add(q.object.value)
    assert by_pred["endpoint"] == {str(client.base_url).rstrip("/") + "/sparql"}
    assert by_pred["supportedLanguage"] == {SD + "SPARQL11Query"}
    assert SD + "UnionDefaultGraph" in by_pred["feature"]
    assert len(by_pred["resultFormat"]) == 8
    assert by_pred["name"] == set(read_build_info(settings.store).graphs)


@pytest.mark.parametrize("accept,fmt", [
    pytest.param("application/ld+json", ox.RdfFormat.JSON_LD, id="JSON-LD"),
    pytest.param("application/rdf+xml", ox.RdfFormat.RDF_XML, id="RDF/XML"),
    pytest.param("application/n-triples", ox.RdfFormat.N_TRIPLES, id="N-Triples"),
])
def test_service_description_in_other_rdf_formats(client: TestClient, accept: str, fmt: ox.RdfFormat) -> None:
    r = get(client, accept=accept)
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert any(q.predicate.value == SD + "endpoint" for q in ox.parse(r.content, format=fmt))


def test_service_description_unacceptable(client: TestClient) -> None:
    assert get(client, accept="image/png").status_code == 406


def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["triples"] == 53 and body["status"] == "ok"
    if client.backend == "embedded":
        assert body["build"] == "testbuild0000001" and body["workers"]["size"] == 2
        assert body["workers"]["alive"] == body["workers"]["ready"] == 2
    else:  # the remote store's identity is a digest of its graphs and their sizes
        assert body["build"].startswith("remote-")
        assert body["workers"] == {"size": 1, "alive": 1, "ready": 1, "busy": 0, "remote": 1}


def test_ready(client: TestClient) -> None:
    r = client.get("/ready")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["ready"] is True and body["triples"] == 53 and body["graphs"] >= 1
    assert body["serving_since"].endswith("+00:00")
    if client.backend == "embedded":
        assert (body["build"], body["created"]) == ("testbuild0000001", "2025-03-01T12:00:00+00:00")
    else:  # no build time is known of a remote store
        assert body["build"].startswith("remote-") and body["created"] == ""


def test_home_is_a_page_that_links_to_the_endpoint(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'href="/sparql"' in r.text


def test_no_cdn_docs_pages(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_machine_lookups_skip_fastapi_and_wait_on_the_event_loop(settings: Settings) -> None:
    """GET /sparql?query=… for a client that does not want HTML is answered by app.SparqlLookups, which
    awaits the pool (run_async); POST and the HTML page go through FastAPI's route (run, in a thread).
    Both give the same answer."""
    with TestClient(create_app(settings)) as c:
        pool = c.app.state.engine
        calls: list[str] = []
        run, run_async = pool.run, pool.run_async

        def counted_run(job):  # noqa: ANN001, ANN202
            calls.append("run")
            return run(job)

        async def counted_run_async(job):  # noqa: ANN001, ANN202
            calls.append("run_async")
            return await run_async(job)

        pool.run, pool.run_async = counted_run, counted_run_async
        query = "SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 3"
        accept = {"Accept": "application/sparql-results+json"}
        got = c.get("/sparql", params={"query": query}, headers=accept)
        posted = c.post("/sparql", data={"query": query}, headers=accept)
        assert calls == ["run_async", "run"]
        assert got.status_code == posted.status_code == 200 and got.content == posted.content
        assert got.headers["etag"] == posted.headers["etag"] and got.headers["vary"] == posted.headers["vary"]
        c.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
        assert calls[-1] == "run"  # the query page
        refused = c.get("/sparql", params={"query": "SELECT WHERE {"}, headers=accept)
        assert refused.status_code == 400 and refused.text == c.post("/sparql", data={"query": "SELECT WHERE {"},
                                                                     headers=accept).text
        assert c.get("/sparql", params={"query": query}, headers={**accept, "If-None-Match": got.headers["etag"]}
                     ).status_code == 304
