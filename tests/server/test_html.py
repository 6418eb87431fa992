"""The pages for people: the query form and HTML results, checked by parsing them (BeautifulSoup)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from andts.namespaces import PREFIXES
from andts.server.views import editor, results

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ANDTS = "https://w3id.org/andts/"


def page(client: TestClient, **params: str) -> tuple[int, BeautifulSoup]:
    r = client.get("/sparql", params=params, headers={"Accept": BROWSER})
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    return r.status_code, BeautifulSoup(r.text, "html.parser")


def test_form_for_a_browser(client: TestClient) -> None:
    status, soup = page(client)
    assert status == 200
    form = soup.select_one("form#query-form")
    assert form["method"] == "get" and form["action"] == str(client.base_url).rstrip("/") + "/sparql"
    assert soup.select_one("textarea[name=query]") is not None
    assert soup.select_one("select[name=format] option[selected]")["value"] == "html"


def test_form_is_prefilled_with_every_project_prefix(client: TestClient) -> None:
    _, soup = page(client)
    text = soup.select_one("textarea[name=query]").get_text()
    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: <{iri}>" in text
    assert "SELECT" in text


def test_prefilled_query_runs(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": editor.default_query(PREFIXES)})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == 25


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    for params in ({}, {"query": "SELECT * { ?s ?p ?o } LIMIT 5"}):
        _, soup = page(client, **params)
        for tag, attr in (("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src")):
            for el in soup.find_all(tag):
                assert not urlsplit(el[attr]).netloc, f"<{tag} {attr}={el[attr]}> is not local"


def test_stylesheet_is_served(client: TestClient) -> None:
    _, soup = page(client)
    href = soup.select_one("link[rel=stylesheet]")["href"]
    r = client.get(href)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")


def test_results_table_links_iris_and_shows_literals(client: TestClient) -> None:
    status, soup = page(client, query=f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?activity ?label ?line WHERE {{
          ?activity a <{ANDTS}def/Activity> ; skos:prefLabel ?label ; <{ANDTS}def/sourceLine> ?line
        }} ORDER BY ?line""")
    assert status == 200
    table = soup.select_one("table.results")
    assert [th.get_text() for th in table.select("thead th")] == ["activity", "label", "line"]
    rows = table.select("tbody tr")
    assert len(rows) == 3
    first = rows[0].select("td")
    assert first[0].a["href"] == f"{ANDTS}id/activity/testby-andts-2024-2027/1"
    assert first[1].find(string=True, recursive=False) == "Föräldrastöd i grupp"
    assert first[1].select_one(".note").get_text() == "@sv"
    assert first[2].select_one(".note").get_text() == "^^xsd:integer"
    # the query stays in the form, to edit and run again
    assert "ORDER BY ?line" in soup.select_one("textarea[name=query]").get_text()


def test_markup_in_literals_is_escaped(client: TestClient) -> None:
    _, soup = page(client, query="SELECT ?c { ?n <http://www.w3.org/2000/01/rdf-schema#comment> ?c }")
    cells = soup.select("table.results tbody td")
    assert cells[0].find(string=True, recursive=False) == "A blank node with a comment & <markup>"
    assert soup.find("markup") is None


def test_iris_are_shown_as_prefixed_names_with_the_full_iri_as_title(client: TestClient) -> None:
    _, soup = page(client, query="SELECT ?c { ?c a <http://www.w3.org/2002/07/owl#Class> } ORDER BY ?c LIMIT 1")
    a = soup.select_one("table.results tbody td a")
    assert a.get_text() == "andts:Activity" and a["title"] == a["href"] == f"{ANDTS}def/Activity"


def test_blank_nodes_and_unbound_cells(client: TestClient) -> None:
    _, soup = page(client, query="SELECT ?n ?missing { ?n a <https://w3id.org/andts/def/Note> }")
    cells = soup.select("table.results tbody td")
    assert cells[0]["class"] == ["bnode"] and cells[0].get_text().startswith("_:")
    assert cells[1]["class"] == ["unbound"] and cells[1].get_text() == ""


def test_construct_as_a_table(client: TestClient) -> None:
    _, soup = page(client, query=f"DESCRIBE <{ANDTS}id/municipality/testby>")
    assert [th.get_text() for th in soup.select("table.results thead th")] == ["subject", "predicate", "object"]
    assert len(soup.select("table.results tbody tr")) == 3  # a, prefLabel, code


@pytest.mark.parametrize("query,status,fragment", [
    pytest.param("SELECT * WHERE { ?s ?p }", 400, "does not parse", id="malformed query"),
    pytest.param("INSERT DATA { <a:a> <a:b> <a:c> }", 403, "read-only", id="update"),
])
def test_errors_for_a_browser_are_the_page_with_the_message(client: TestClient, query: str, status: int,
                                                            fragment: str) -> None:
    got, soup = page(client, query=query)
    assert got == status
    assert fragment in soup.select_one("#error pre").get_text()
    assert soup.select_one("textarea[name=query]").get_text() == query  # kept, to fix it


def test_cell_compacting_needs_a_clean_local_name() -> None:
    assert results.compact(f"{ANDTS}id/activity/x/1", PREFIXES) is None  # '/' in the local part
    assert results.compact(f"{ANDTS}def/Activity", PREFIXES) == "andts:Activity"
